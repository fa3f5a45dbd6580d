/**
 * 100,000 random and mutated frames with the iQ-R subcommands (extended device
 * specification) and random writes 1402 through the response decoder, the PLC
 * side's request decoder and the stream splitters: nothing but PlcError.
 */
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import { DEFAULT_ROUTE, type FrameCode, type FrameOptions } from "./frame.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";
import { request, responseFor } from "./testing_arbitraries.ts";
import { mutate, mutationArb, onlyPlcError } from "./testing_fuzz.ts";

const mutation = mutationArb();

const fourE = fc.boolean();
const exchange = fc.tuple(fc.constantFrom<FrameCode>("ascii", "binary"), fourE).chain((
  [frame, four],
) =>
  request(frame, true).chain((req) =>
    fc.tuple(
      fc.constant<FrameOptions>({ frame, type: four ? "4E" : "3E", extended: true }),
      fc.constant(req),
      fc.oneof(
        responseFor(req).map((res) =>
          encodeResponse(frame, DEFAULT_ROUTE, res, four ? "4E" : "3E", 0)
        ),
        fc.integer({ min: 1, max: 0xffff }).map((code) =>
          encodeErrorResponse(frame, DEFAULT_ROUTE, code, 0x0401, 2, four ? "4E" : "3E", 0)
        ),
      ),
    )
  )
);

function feedEverything(options: FrameOptions, req: McRequest, bytes: Uint8Array): void {
  onlyPlcError(() => decodeResponse(bytes, req, options));
  onlyPlcError(() => decodeRequest(bytes));
  onlyPlcError(() => new FrameSplitter("response", options.frame).push(bytes));
  onlyPlcError(() => new FrameSplitter("request").push(bytes));
}

Deno.test("40,000 mutated iQ-R and random-write responses and requests yield only PlcError", () => {
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

Deno.test("60,000 random bodies behind iQ-R and random-write headers yield only PlcError", () => {
  const enc = (t: string) => [...new TextEncoder().encode(t)];
  const prefixes = [
    [0x50, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x40, 0x00, 0x10, 0x00, 0x01, 0x04, 0x02, 0x00],
    [0x50, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x40, 0x00, 0x10, 0x00, 0x02, 0x14, 0x03, 0x00],
    [0x50, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x40, 0x00, 0x10, 0x00, 0x02, 0x14, 0x00, 0x00],
    enc("500000FF03FF000040001004010002"),
    enc("500000FF03FF000040001014020001"),
    enc("500000FF03FF000040001014020002"),
  ];
  const asciiish = fc.uint8Array({ maxLength: 64 }).map((b) =>
    b.map((x) => "0123456789ABCDEF*DLTNSZR"[x % 24].charCodeAt(0))
  );
  fc.assert(
    fc.property(
      fc.constantFrom<FrameCode>("ascii", "binary").chain((frame) =>
        fc.tuple(fc.constant<FrameOptions>({ frame, extended: true }), request(frame, true))
      ),
      fc.constantFrom(...prefixes),
      fc.oneof(fc.uint8Array({ maxLength: 64 }), asciiish),
      ([options, req], prefix, bytes) =>
        feedEverything(options, req, Uint8Array.from([...prefix, ...bytes])),
    ),
    { numRuns: 60_000 },
  );
});
