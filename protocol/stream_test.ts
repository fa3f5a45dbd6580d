import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeRequest, type ReadWordsRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import { encodeResponse } from "./server_codec.ts";
import { DEFAULT_ROUTE, type FrameCode } from "./frame.ts";
import { FrameSplitter } from "./stream.ts";

const req = (n: number): ReadWordsRequest => ({
  command: "readWords",
  head: { device: "D", address: n },
  points: 1 + (n % 5),
});
const response = (frame: FrameCode, n: number) =>
  encodeResponse(frame, DEFAULT_ROUTE, {
    command: "readWords",
    words: Uint16Array.from({ length: 1 + (n % 5) }, (_, i) => n + i),
  });

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

for (const frame of ["ascii", "binary"] as const) {
  Deno.test(`${frame}: frames split and coalesced at any boundary come out whole and in order`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (ids, cuts) => {
          const frames = ids.map((n) => response(frame, n));
          const stream = concat(frames);
          const splitter = new FrameSplitter("response", frame);
          const out: Uint8Array[] = [];
          let at = 0, i = 0;
          while (at < stream.length) {
            const size = cuts[i++ % cuts.length];
            out.push(...splitter.push(stream.subarray(at, at + size)));
            at += size;
          }
          assert.deepEqual(out.map((f) => Array.from(f)), frames.map((f) => Array.from(f)));
          assert.equal(splitter.buffered, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
}

Deno.test("a server-side splitter tells ASCII and binary requests apart frame by frame", () => {
  const a = encodeRequest(req(1), { frame: "ascii" });
  const b = encodeRequest(req(2), { frame: "binary" });
  const frames = new FrameSplitter("request").push(concat([a, b, a]));
  assert.deepEqual(frames.map((f) => Array.from(f)), [a, b, a].map((f) => Array.from(f)));
});

Deno.test("a stream that cannot start a frame is a protocol error naming the byte offset", () => {
  const splitter = new FrameSplitter("response", "binary");
  const good = response("binary", 3);
  assert.throws(
    () => splitter.push(concat([good, Uint8Array.of(0x12, 0x34)])),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === good.length,
  );
  assert.throws(
    () =>
      new FrameSplitter("response", "ascii").push(new TextEncoder().encode("D00000FF03FF00ZZ10")),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 14,
  );
});

Deno.test("a partial header waits for more bytes instead of failing", () => {
  const splitter = new FrameSplitter("response", "binary");
  const f = response("binary", 7);
  assert.deepEqual(splitter.push(f.subarray(0, 5)), []);
  assert.equal(splitter.buffered, 5);
  assert.deepEqual(splitter.push(f.subarray(5)).map((x) => Array.from(x)), [Array.from(f)]);
});
