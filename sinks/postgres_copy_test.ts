import assert from "node:assert/strict";
import fc from "fast-check";
import type { Sample } from "../model/sample.ts";
import { MAX_TS } from "./batch.ts";
import { encodeCopyBinary, timestampHalves } from "./postgres_copy.ts";

const PG_EPOCH_US = 946_684_800_000_000n;

/** The tuples of a binary COPY stream, decoded field by field (null = SQL NULL). */
function decodeTuples(bytes: Uint8Array): Array<Array<Uint8Array | null>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.deepEqual([...bytes.subarray(0, 11)], [80, 71, 67, 79, 80, 89, 10, 255, 13, 10, 0]);
  assert.equal(view.getInt32(11), 0, "flags");
  assert.equal(view.getInt32(15), 0, "header extension");
  const tuples: Array<Array<Uint8Array | null>> = [];
  let o = 19;
  for (;;) {
    const fields = view.getInt16(o);
    o += 2;
    if (fields === -1) break;
    assert.equal(fields, 6, `tuple ${tuples.length}: field count`);
    const tuple: Array<Uint8Array | null> = [];
    for (let f = 0; f < fields; f++) {
      const n = view.getInt32(o);
      o += 4;
      tuple.push(n === -1 ? null : bytes.subarray(o, o + n));
      if (n > 0) o += n;
    }
    tuples.push(tuple);
  }
  assert.equal(o, bytes.length, "nothing after the trailer");
  return tuples;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

Deno.test("timestampHalves gives the exact int64 microseconds since 2000-01-01 for every storable ms", () => {
  const check = (ms: number) => {
    const [hi, lo] = timestampHalves(ms);
    const view = new DataView(new ArrayBuffer(8));
    view.setInt32(0, hi);
    view.setUint32(4, lo);
    assert.equal(view.getBigInt64(0), BigInt(ms) * 1000n - PG_EPOCH_US, `ms ${ms}`);
  };
  for (const ms of [0, 1, 946_684_799_999, 946_684_800_000, 946_684_800_001, MAX_TS]) check(ms);
  fc.assert(fc.property(fc.integer({ min: 0, max: MAX_TS }), (ms) => check(ms)), {
    numRuns: 2000,
  });
});

Deno.test("encodeCopyBinary writes header, one six-field tuple per sample in order, and the trailer", () => {
  const samples: Sample[] = [
    { tagId: 7, ts: Date.UTC(2024, 4, 1), value: -0, quality: "good" },
    { tagId: 2_147_483_647, ts: 1, value: true, quality: "stale" },
    { tagId: 0, ts: 0, value: "tab\tnew\nline back\\slash 温度 🙂", quality: "bad-config" },
    { tagId: 3, ts: 5, value: null, quality: "bad-comm" },
    { tagId: 4, ts: 6, value: NaN, quality: "good" },
    { tagId: 5, ts: 7, value: "", quality: "good" },
  ];
  const tuples = decodeTuples(encodeCopyBinary(samples));
  assert.equal(tuples.length, samples.length);
  const [zero, bool, text, nul, nan, empty] = tuples;
  assert.equal(dv(zero[0]!).getInt32(0), 7);
  assert.equal(
    dv(zero[1]!).getBigInt64(0),
    BigInt(Date.UTC(2024, 4, 1)) * 1000n - PG_EPOCH_US,
  );
  assert.equal(dv(zero[2]!).getInt16(0), 1, "kind number");
  assert.equal(dv(zero[3]!).getInt16(0), 0, "quality good");
  assert.ok(Object.is(dv(zero[4]!).getFloat64(0), -0), "-0 keeps its sign");
  assert.equal(zero[5], null);
  assert.equal(dv(bool[0]!).getInt32(0), 2_147_483_647);
  assert.equal(dv(bool[2]!).getInt16(0), 2, "kind boolean");
  assert.equal(dv(bool[3]!).getInt16(0), 3, "quality stale");
  assert.equal(dv(bool[4]!).getFloat64(0), 1);
  assert.equal(new TextDecoder().decode(text[5]!), "tab\tnew\nline back\\slash 温度 🙂");
  assert.equal(text[4], null, "a string has no number");
  assert.equal(dv(text[2]!).getInt16(0), 3, "kind string");
  assert.equal(dv(nul[2]!).getInt16(0), 0, "kind null");
  assert.equal(dv(nul[3]!).getInt16(0), 1, "quality bad-comm");
  assert.deepEqual([nul[4], nul[5]], [null, null]);
  assert.ok(Number.isNaN(dv(nan[4]!).getFloat64(0)));
  assert.equal(empty[5]!.length, 0, "'' is an empty string, not NULL");
});

Deno.test("encodeCopyBinary drops U+0000, which PostgreSQL text cannot hold, and keeps doubles bit for bit", () => {
  const doubles = [5e-324, 1.7976931348623157e308, -Infinity, Math.PI, 0.1 + 0.2];
  const samples: Sample[] = [
    { tagId: 1, ts: 0, value: "a\0b\0", quality: "good" },
    ...doubles.map((value, i) => ({ tagId: 2 + i, ts: 0, value, quality: "good" as const })),
  ];
  const [nul, ...nums] = decodeTuples(encodeCopyBinary(samples));
  assert.equal(new TextDecoder().decode(nul[5]!), "ab");
  assert.deepEqual(nums.map((t) => dv(t[4]!).getFloat64(0)), doubles);
});

Deno.test("encodeCopyBinary of an empty batch is the header and trailer only", () => {
  assert.deepEqual(decodeTuples(encodeCopyBinary([])), []);
});
