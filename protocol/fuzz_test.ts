/**
 * 100,000 random and mutated frames through every decoder: nothing but
 * PlcError may come out (a refusal from the PLC-side decoder is a value).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import type { FrameCode } from "./frame.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";
import { request, responseFor } from "./testing_arbitraries.ts";

/** Runs `f` and fails on anything thrown that is not a PlcError. */
function onlyPlcError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PlcError)) throw e;
    assert.ok(["protocol", "endCode"].includes(e.code), e.code);
    if (e.code === "protocol") assert.equal(typeof e.offset, "number");
  }
}

type Mutation = { at: number; kind: "flip" | "set" | "cut" | "grow" | "length"; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("flip", "set", "cut", "grow", "length"),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(frame: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(frame);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === "flip" && b.length) b[at] ^= 1 << (m.value % 8);
    else if (m.kind === "set" && b.length) b[at] = m.value;
    else if (m.kind === "cut") b = b.slice(0, at);
    else if (m.kind === "grow") b = Uint8Array.from([...b, m.value]);
    else if (m.kind === "length" && b.length > 8) {
      b[7] = m.value; // binary low byte of the length, or an ASCII length digit
    }
  }
  return b;
}

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
