import assert from "node:assert/strict";
import { parseAddress } from "../protocol/devices.ts";
import { parseAddressFor, writeLimitsFor } from "../protocol/series.ts";
import type { DataType, TagValue } from "../protocol/values.ts";
import { planWrites, requestCount, type WriteTarget } from "./write_plan.ts";

const t = (
  id: string,
  address: string,
  type: DataType,
  raw: TagValue,
  length?: number,
): WriteTarget<string> => ({ id, address: parseAddress(address), type, raw, length });

Deno.test("adjacent words of one device become one block write; a gap splits it", () => {
  const ops = planWrites([
    t("b", "D101", "INT16", -2),
    t("a", "D100", "INT16", 1),
    t("c", "D102", "INT32", 0x00020001),
    t("far", "D110", "UINT16", 7),
  ]);
  assert.deepEqual(ops, [
    { kind: "words", device: "D", start: 100, words: [1, 0xfffe, 1, 2], ids: ["a", "b", "c"] },
    { kind: "words", device: "D", start: 110, words: [7], ids: ["far"] },
  ]);
  assert.equal(requestCount(ops), 2);
});

Deno.test("BOOLs on a bit device are written in bit units, adjacent points in one write", () => {
  const ops = planWrites([
    t("m11", "M11", "BOOL", false),
    t("m10", "M10", "BOOL", true),
    t("y1f", "Y1F", "BOOL", true),
  ]);
  assert.deepEqual(ops, [
    { kind: "bits", device: "M", start: 10, bits: [true, false], ids: ["m10", "m11"] },
    { kind: "bits", device: "Y", start: 0x1f, bits: [true], ids: ["y1f"] },
  ]);
});

Deno.test("bits of one word are one read-modify-write with combined set and clear masks", () => {
  const ops = planWrites([t("on", "D200.3", "BOOL", true), t("off", "D200.A", "BOOL", false)]);
  assert.deepEqual(ops, [{
    kind: "bitsOfWord",
    device: "D",
    address: 200,
    set: 1 << 3,
    clear: 1 << 10,
    ids: ["on", "off"],
  }]);
  assert.equal(requestCount(ops), 2);
});

Deno.test("a recipe of 10 tags on two devices needs only a block write per run of words", () => {
  const targets = Array.from({ length: 8 }, (_, i) => t(`sp${i}`, `D${300 + i * 2}`, "FLOAT32", i))
    .concat([t("r0", "R0", "INT16", 1), t("r1", "R1", "INT16", 2)]);
  const ops = planWrites(targets);
  assert.equal(ops.length, 2);
  assert.equal((ops[0] as { words: readonly number[] }).words.length, 16);
});

Deno.test("two targets on the same word or bit, and values their type cannot hold, are errors naming the tag", () => {
  assert.throws(
    () => planWrites([t("a", "D100", "INT32", 1), t("b", "D101", "INT16", 1)]),
    /tag "b" and tag "a" both write D101/,
  );
  assert.throws(
    () => planWrites([t("a", "D100.1", "BOOL", true), t("b", "D100.1", "BOOL", false)]),
    /tag "b" \(D100\.1\): another tag of this write sets the same bit/,
  );
  assert.throws(
    () => planWrites([t("w", "D100", "INT16", 1), t("bit", "D100.2", "BOOL", true)]),
    /tag "w" and tag "bit" both write D100/,
  );
  assert.throws(
    () => planWrites([t("x", "D1", "INT16", 40000)]),
    /tag "x" \(D1\): 40000 is not a INT16/,
  );
  assert.throws(
    () => planWrites([t("s", "D1", "STRING", "abcde", 2)]),
    /tag "s" \(D1\): the text has 5/,
  );
  assert.throws(() => planWrites([t("m", "M1", "INT16", 1)]), /only BOOL tags sit on bit devices/);
});

Deno.test("a long run is cut at the most words one write may carry", () => {
  const targets = Array.from({ length: 10 }, (_, i) => t(`w${i}`, `D${i}`, "INT16", i));
  const ops = planWrites(targets, { maxWords: 4 });
  assert.deepEqual(ops.map((o) => (o as { words: readonly number[] }).words.length), [4, 4, 2]);
});

Deno.test("an FX3's write plan keeps to 1E batch writes: 64 words, 160 points, FX3 sizes, octal names", () => {
  const fx3 = writeLimitsFor("FX3");
  const fx = (id: string, address: string, type: DataType, raw: TagValue): WriteTarget<string> => ({
    id,
    address: parseAddressFor("FX3", address),
    type,
    raw,
  });
  const words = Array.from({ length: 33 }, (_, i) => fx(`d${i}`, `D${2 * i}`, "INT32", i));
  assert.deepEqual(planWrites(words).map((op) => op.kind === "words" && op.words.length), [66]);
  assert.deepEqual(planWrites(words, fx3).map((op) => op.kind === "words" && op.words.length), [
    64,
    2,
  ]);
  const bits = Array.from({ length: 161 }, (_, i) => fx(`m${i}`, `M${i}`, "BOOL", true));
  assert.deepEqual(planWrites(bits, fx3).map((op) => op.kind === "bits" && op.bits.length), [
    160,
    1,
  ]);
  assert.deepEqual(planWrites([fx("y", "Y17", "BOOL", true)], fx3), [
    { kind: "bits", device: "Y", start: 15, bits: [true], ids: ["y"] },
  ]);
  assert.throws(
    () => planWrites([fx("x", "X17", "BOOL", true), fx("x2", "X17", "BOOL", false)], fx3),
    { message: 'tag "x2" and tag "x" both write X17' },
  );
  assert.throws(
    () => planWrites([fx("d", "D8511", "INT32", 1)], fx3),
    /tag "d" \(D8511\) runs past the end of D/,
  );
});

Deno.test("iQ-R long devices are written by random writes of at most 68 double words; RD by block writes", () => {
  const iqr = (
    id: string,
    address: string,
    type: DataType,
    raw: TagValue,
  ): WriteTarget<string> => ({
    id,
    address: parseAddressFor("iQ-R", address),
    type,
    raw,
  });
  const targets = [iqr("rd", "RD5", "INT16", -1), iqr("lz", "LZ1", "INT32", -2)];
  for (let i = 0; i < 70; i++) targets.push(iqr(`c${i}`, `LCN${i}`, "UINT32", 0x10000 + i));
  const ops = planWrites(targets, writeLimitsFor("iQ-R"));
  assert.deepEqual(ops[0], { kind: "words", device: "RD", start: 5, words: [0xffff], ids: ["rd"] });
  const dwords = ops.filter((o) => o.kind === "dwords");
  assert.deepEqual(dwords.map((o) => o.kind === "dwords" ? o.dwords.length : 0), [68, 3]);
  assert.equal(requestCount(ops), 3);
  const first = dwords[0].kind === "dwords" ? dwords[0].dwords : [];
  assert.deepEqual(first[0], { device: "LCN", address: 0, value: 0x10000 });
  const last = dwords[1].kind === "dwords" ? dwords[1].dwords : [];
  assert.deepEqual(last.at(-1), { device: "LZ", address: 1, value: 0xfffffffe });
  assert.throws(
    () =>
      planWrites(
        [iqr("a", "LZ1", "INT32", 1), iqr("b", "LZ1", "INT32", 2)],
        writeLimitsFor("iQ-R"),
      ),
    /tag "b" and tag "a" both write LZ1/,
  );
  assert.throws(
    () => planWrites([iqr("f", "LCN1", "FLOAT32", 1)], writeLimitsFor("iQ-R")),
    /long device LCN takes INT32 or UINT32 only/,
  );
  assert.throws(
    () => planWrites([t("q", "LCN1", "INT32", 1)], writeLimitsFor("Q")),
    /LCN \(long counter current value\) is an iQ-R device, which a PLC of series Q does not have/,
  );
  assert.throws(
    () => planWrites([iqr("s", "LTS1", "BOOL", true)], writeLimitsFor("iQ-R")),
    /not read by polling/,
  );
});
