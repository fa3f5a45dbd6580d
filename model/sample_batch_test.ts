import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cloneBatch,
  decodeBatch,
  decodeFlagged,
  encodeBatch,
  FLAG_LIVE,
  FLAG_STORED,
  withFlag,
} from "./sample_batch.ts";
import { QUALITIES, type Sample } from "./sample.ts";

const sampleArb = fc.record({
  tagId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  ts: fc.double({ noNaN: true }),
  value: fc.oneof(
    fc.constant(null),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.string(),
  ),
  quality: fc.constantFrom(...QUALITIES),
}).map((r) => ({ ...r })) as fc.Arbitrary<Sample>;

Deno.test("sample batches round-trip every value kind, quality and flag", () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { maxLength: 50 }), fc.integer({ min: 0, max: 3 }), (s, f) => {
      const batch = encodeBatch(s, (i) => (i + f) & 3);
      const copy = structuredClone(batch, { transfer: [batch.buffer] });
      const { samples, flags } = decodeBatch(copy);
      assert.deepEqual(samples, s);
      assert.deepEqual([...flags], s.map((_, i) => (i + f) & 3));
    }),
  );
});

Deno.test("a sample batch's buffer is transferred, leaving the sender's detached", () => {
  const batch = encodeBatch([{ tagId: 1, ts: 5, value: 1.5, quality: "good" }]);
  const copy = structuredClone(batch, { transfer: [batch.buffer] });
  assert.equal(batch.buffer.byteLength, 0);
  assert.equal(decodeBatch(copy).samples[0].value, 1.5);
});

Deno.test("withFlag keeps the samples with that flag", () => {
  const s: Sample[] = [1, 2, 3].map((tagId) => ({ tagId, ts: 0, value: tagId, quality: "good" }));
  const d = decodeBatch(encodeBatch(s, (i) => (i === 1 ? FLAG_LIVE : FLAG_LIVE | FLAG_STORED)));
  assert.deepEqual(withFlag(d, FLAG_STORED).map((x) => x.tagId), [1, 3]);
  assert.equal(withFlag(d, FLAG_LIVE).length, 3);
});

Deno.test("a malformed sample batch is a RangeError naming the problem", () => {
  assert.throws(
    () => decodeBatch({ n: 2, buffer: new ArrayBuffer(10), strings: [] }),
    /needs 42 bytes, got 10/,
  );
  const b = encodeBatch([{ tagId: 1, ts: 0, value: "x", quality: "good" }]);
  assert.throws(() => decodeBatch({ ...b, strings: [] }), /needs string 0/);
  const c = encodeBatch([{ tagId: 1, ts: 0, value: 1, quality: "good" }]);
  assert.throws(() => decodeBatch({ ...c, strings: ["extra"] }), /1 strings left over/);
});

Deno.test("decodeFlagged gives exactly the flagged samples, from a clone as from the original", () => {
  fc.assert(
    fc.property(
      fc.array(sampleArb, { maxLength: 50 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 50 }),
      (s, f) => {
        const batch = encodeBatch(s, (i) => f[i] ?? 0);
        const clone = cloneBatch(batch);
        const moved = structuredClone(clone, { transfer: [clone.buffer] });
        for (const flag of [FLAG_LIVE, FLAG_STORED]) {
          const want = withFlag(decodeBatch(batch), flag);
          assert.deepEqual(decodeFlagged(moved, flag), want);
          assert.deepEqual(decodeFlagged(batch, flag), want);
        }
      },
    ),
  );
});

Deno.test("decodeFlagged refuses a malformed batch as decodeBatch does", () => {
  assert.throws(
    () => decodeFlagged({ n: 2, buffer: new ArrayBuffer(10), strings: [] }, FLAG_STORED),
    /needs 42 bytes, got 10/,
  );
  const b = encodeBatch([{ tagId: 1, ts: 0, value: "x", quality: "good" }], () => FLAG_LIVE);
  assert.throws(() => decodeFlagged({ ...b, strings: [] }, FLAG_STORED), /needs string 0/);
  const c = encodeBatch([{ tagId: 1, ts: 0, value: 1, quality: "good" }]);
  assert.throws(() => decodeFlagged({ ...c, strings: ["x"] }, FLAG_LIVE), /1 strings left over/);
});
