/**
 * 100,000 random and mutated 4E frames through every decoder (the client's
 * response decoder, the PLC side's request decoder, both stream splitters
 * and the serial number reader): nothing but PlcError may come out.
 */
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import { DEFAULT_ROUTE, type FrameCode, type FrameOptions } from "./frame.ts";
import { serialOf } from "./frame4e.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";
import { request, responseFor } from "./testing_arbitraries.ts";
import { mutate, mutationArb, onlyPlcError } from "./testing_fuzz.ts";

const mutation = mutationArb();

const serial = fc.integer({ min: 0, max: 0xffff });
const exchange = fc.tuple(fc.constantFrom<FrameCode>("ascii", "binary"), serial).chain((
  [frame, sn],
) =>
  request(frame).chain((req) =>
    fc.tuple(
      fc.constant<FrameOptions>({ frame, type: "4E", serial: sn }),
      fc.constant(req),
      fc.oneof(
        responseFor(req).map((res) => encodeResponse(frame, DEFAULT_ROUTE, res, "4E", sn)),
        fc.integer({ min: 1, max: 0xffff }).map((code) =>
          encodeErrorResponse(frame, DEFAULT_ROUTE, code, 0x0401, 0, "4E", sn)
        ),
      ),
    )
  )
);

function feedEverything(options: FrameOptions, req: McRequest, bytes: Uint8Array): void {
  onlyPlcError(() => decodeResponse(bytes, req, options));
  onlyPlcError(() => decodeRequest(bytes));
  onlyPlcError(() => serialOf(bytes, options.frame));
  onlyPlcError(() => new FrameSplitter("response", options.frame).push(bytes));
  onlyPlcError(() => new FrameSplitter("request").push(bytes));
}

Deno.test("40,000 mutated 4E responses and requests yield only PlcError", () => {
  fc.assert(
    fc.property(exchange, fc.array(mutation, { minLength: 1, maxLength: 4 }), (
      [options, req, res],
      ms,
    ) => {
      feedEverything(options, req, mutate(res, ms));
      feedEverything(options, req, mutate(encodeRequest(req, options), ms));
    }),
    { numRuns: 20_000 },
  );
});

Deno.test("60,000 random byte strings behind a 4E subheader yield only PlcError", () => {
  const asciiish = fc.uint8Array({ maxLength: 64 }).map((b) =>
    b.map((x) => "0123456789ABCDEF*D5"[x % 19].charCodeAt(0))
  );
  const prefixes = [[0x54, 0x00], [0xd4, 0x00], [...new TextEncoder().encode("5400")], [
    ...new TextEncoder().encode("D400"),
  ]];
  fc.assert(
    fc.property(
      fc.tuple(fc.constantFrom<FrameCode>("ascii", "binary"), serial).chain(([frame, sn]) =>
        fc.tuple(fc.constant<FrameOptions>({ frame, type: "4E", serial: sn }), request(frame))
      ),
      fc.constantFrom(...prefixes),
      fc.oneof(fc.uint8Array({ maxLength: 64 }), asciiish),
      ([options, req], prefix, bytes) =>
        feedEverything(options, req, Uint8Array.from([...prefix, ...bytes])),
    ),
    { numRuns: 60_000 },
  );
});
