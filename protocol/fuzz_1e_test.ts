/**
 * 100,000 random and mutated 1E frames through every 1E decoder (response
 * decoder and size, request decoder and size, the request stream splitter):
 * nothing but PlcError may come out.
 */
import fc from "fast-check";
import type { FrameCode } from "./frame.ts";
import {
  decodeRequest1E,
  decodeResponse1E,
  type Device1EName,
  DEVICES_1E,
  encodeErrorResponse1E,
  encodeRequest1E,
  encodeResponse1E,
  MAX_1E_BITS,
  MAX_1E_WORDS,
  MAX_1E_WRITE_BITS,
  type Request1E,
  requestSize1E,
  type Response1E,
  responseSize1E,
} from "./frame1e.ts";
import { RequestSplitter1E } from "./stream1e.ts";
import { mutate, mutationArb, onlyPlcError } from "./testing_fuzz.ts";

const names = [...DEVICES_1E.keys()];
const bitNames = names.filter((n) => DEVICES_1E.get(n)!.kind === "bit");
const wordNames = names.filter((n) => DEVICES_1E.get(n)!.kind === "word");

function head(list: Device1EName[], span: number) {
  return fc.constantFrom(...list).chain((device) =>
    fc.integer({ min: 0, max: DEVICES_1E.get(device)!.size - span }).map((address) => ({
      device,
      address,
    }))
  );
}

const request1E: fc.Arbitrary<Request1E> = fc.oneof(
  fc.integer({ min: 1, max: MAX_1E_BITS }).chain((n) =>
    fc.record({
      command: fc.constant("readBits" as const),
      head: head(bitNames, n),
      points: fc.constant(n),
    })
  ),
  fc.integer({ min: 1, max: MAX_1E_WORDS }).chain((n) =>
    fc.record({
      command: fc.constant("readWords" as const),
      head: head(wordNames, n),
      points: fc.constant(n),
    })
  ),
  fc.integer({ min: 1, max: MAX_1E_WRITE_BITS }).chain((n) =>
    fc.record({
      command: fc.constant("writeBits" as const),
      head: head(bitNames, n),
      bits: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    })
  ),
  fc.integer({ min: 1, max: MAX_1E_WORDS }).chain((n) =>
    fc.record({
      command: fc.constant("writeWords" as const),
      head: head(wordNames, n),
      words: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n }),
    })
  ),
  fc.constant({ command: "readModel" as const }),
);

function responseFor(req: Request1E): fc.Arbitrary<Response1E> {
  switch (req.command) {
    case "readBits":
      return fc.array(fc.boolean(), { minLength: req.points, maxLength: req.points }).map((
        bits,
      ) => ({
        command: "readBits" as const,
        bits,
      }));
    case "readWords":
      return fc.array(fc.integer({ min: 0, max: 0xffff }), {
        minLength: req.points,
        maxLength: req.points,
      })
        .map((w) => ({ command: "readWords" as const, words: Uint16Array.from(w) }));
    case "readModel":
      return fc.integer({ min: 0, max: 0xff }).map((modelCode) => ({
        command: "readModel" as const,
        modelCode,
      }));
    default:
      return fc.constant({ command: req.command });
  }
}

const SUB = { readBits: 0, readWords: 1, writeBits: 2, writeWords: 3, readModel: 0x15 } as const;

const mutation = mutationArb();

function feed(frame: FrameCode, req: Request1E, bytes: Uint8Array): void {
  onlyPlcError(() => decodeResponse1E(bytes, req, frame));
  onlyPlcError(() => responseSize1E(bytes, req, frame));
  onlyPlcError(() => decodeRequest1E(bytes));
  onlyPlcError(() => requestSize1E(bytes, frame));
  onlyPlcError(() => new RequestSplitter1E().push(bytes));
}

const exchange = fc.constantFrom<FrameCode>("ascii", "binary").chain((frame) =>
  request1E.chain((req) =>
    fc.tuple(
      fc.constant(frame),
      fc.constant(req),
      fc.oneof(
        responseFor(req).map((res) => encodeResponse1E(frame, res)),
        fc.tuple(fc.integer({ min: 1, max: 0xff }), fc.integer({ min: 0, max: 0xff })).map((
          [c, a],
        ) => encodeErrorResponse1E(frame, SUB[req.command], c, a)),
      ),
    )
  )
);

Deno.test("40,000 mutated 1E responses and requests yield only PlcError", () => {
  fc.assert(
    fc.property(
      exchange,
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      ([frame, req, res], ms) => {
        feed(frame, req, mutate(res, ms));
        feed(frame, req, mutate(encodeRequest1E(req, { frame }), ms));
      },
    ),
    { numRuns: 20_000 },
  );
});

Deno.test("60,000 random byte strings yield only PlcError from the 1E decoders", () => {
  const asciiish = fc.uint8Array({ maxLength: 48 }).map((b) =>
    b.map((x) => "0123456789ABCDEF"[x % 16].charCodeAt(0))
  );
  fc.assert(
    fc.property(
      fc.constantFrom<FrameCode>("ascii", "binary"),
      request1E,
      fc.oneof(fc.uint8Array({ maxLength: 48 }), asciiish),
      (frame, req, bytes) => feed(frame, req, bytes),
    ),
    { numRuns: 60_000 },
  );
});
