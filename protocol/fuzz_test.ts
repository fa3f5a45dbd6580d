/**
 * 100,000 random and mutated frames through every decoder: nothing but
 * PlcError may come out (a refusal from the PLC-side decoder is a value).
 */
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import type { FrameCode } from "./frame.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";
import { request, responseFor } from "./testing_arbitraries.ts";
import { mutate, mutationArb, onlyPlcError } from "./testing_fuzz.ts";

const mutation = mutationArb({ length: true });

/** A valid response frame for a random request, with the request and frame code. */
const exchange = fc.constantFrom<FrameCode>("ascii", "binary").chain((frame) =>
  request(frame).chain((req) =>
    fc.tuple(
      fc.constant(frame),
      fc.constant(req),
      fc.oneof(
        responseFor(req).map((res) =>
          encodeResponse(frame, { network: 0, pc: 0xff, moduleIo: 0x3ff, station: 0 }, res)
        ),
        fc.integer({ min: 1, max: 0xffff }).map((code) =>
          encodeErrorResponse(
            frame,
            { network: 0, pc: 0xff, moduleIo: 0x3ff, station: 0 },
            code,
            0x0401,
            0,
          )
        ),
      ),
    )
  )
);

function feedEverything(frame: FrameCode, req: McRequest, bytes: Uint8Array): void {
  onlyPlcError(() => decodeResponse(bytes, req, { frame }));
  onlyPlcError(() => decodeRequest(bytes));
  onlyPlcError(() => new FrameSplitter("response", frame).push(bytes));
  onlyPlcError(() => new FrameSplitter("request").push(bytes));
}

Deno.test("40,000 mutated responses and requests yield only PlcError", () => {
  fc.assert(
    fc.property(
      exchange,
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      ([frame, req, res], ms) => {
        feedEverything(frame, req, mutate(res, ms));
        feedEverything(frame, req, mutate(encodeRequest(req, { frame }), ms));
      },
    ),
    { numRuns: 20_000 },
  );
});

Deno.test("60,000 random byte strings yield only PlcError", () => {
  const asciiish = fc.uint8Array({ maxLength: 64 }).map((b) =>
    b.map((x) => "0123456789ABCDEF*D5"[x % 19].charCodeAt(0))
  );
  fc.assert(
    fc.property(
      fc.constantFrom<FrameCode>("ascii", "binary").chain((frame) =>
        fc.tuple(fc.constant(frame), request(frame))
      ),
      fc.oneof(fc.uint8Array({ maxLength: 64 }), asciiish),
      ([frame, req], bytes) => feedEverything(frame, req, bytes),
    ),
    { numRuns: 60_000 },
  );
});
