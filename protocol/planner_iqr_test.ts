/**
 * The read planner on iQ-R PLCs: RD, LCS and LCC in ordinary blocks, the long
 * devices (LTN, LSTN, LCN, LZ) in random reads of double words (at most 96
 * points a request, SLMP reference manual Appendix 5), and the refusals.
 */
import assert from "node:assert/strict";
import { parseAddress } from "./devices.ts";
import { extractValues, MAX_RANDOM_DWORDS, planReads, type PlanTag } from "./planner.ts";
import { mergePlanOptions, readPlanOptionsFor } from "./series.ts";
import type { DataType } from "./values.ts";

const tag = (id: number, address: string, type: DataType = "INT16"): PlanTag<number> => ({
  id,
  address: parseAddress(address, "iQ-R"),
  type,
});
const iqr = readPlanOptionsFor("iQ-R");

/** A double word as the response layout of a `dwords` block: low word, high word. */
const split = (v: number) => [v & 0xffff, (v >>> 16) & 0xffff];

Deno.test("an iQ-R PLC reads RD, LCS and LCC in ordinary batch-read blocks", () => {
  const tags = [
    tag(0, "RD100"),
    tag(1, "RD101", "INT32"),
    tag(2, "LCS5", "BOOL"),
    tag(3, "LCC20", "BOOL"),
  ];
  const plan = planReads(tags, iqr);
  assert.deepEqual(
    plan.blocks.map((b) => [b.device, b.start, b.points, b.kind]),
    [["RD", 100, 3, undefined], ["LCS", 0, 1, undefined], ["LCC", 16, 1, undefined]],
  );
  const values = extractValues(plan, [[7, 0xffff, 0xffff], [1 << 5], [1 << 4]]);
  assert.deepEqual(values, [7, -1, true, true]);
});

Deno.test("long devices go into random reads of at most 96 distinct double words, low word first", () => {
  const tags: PlanTag<number>[] = [];
  for (let i = 0; i < 200; i++) tags.push(tag(i, `LCN${i}`, "UINT32"));
  tags.push(tag(200, "LCN7", "INT32")); // the same point as tag 7: read once
  tags.push(tag(201, "LZ1", "INT32"));
  tags.push(tag(202, "LTN5", "UINT32"));
  tags.push(tag(203, "LSTN3", "INT32"));
  tags.push(tag(204, "D10", "INT16"));
  const plan = planReads(tags, iqr);
  const dwordBlocks = plan.blocks.filter((b) => b.kind === "dwords");
  // 203 distinct points: ⌈203 / 96⌉ = 3 random reads, plus one batch read of D.
  assert.equal(dwordBlocks.length, 3);
  assert.equal(plan.blocks.length, 4);
  assert.deepEqual(dwordBlocks.map((b) => b.dwords!.length), [96, 96, 11]);
  for (const b of dwordBlocks) assert.equal(b.points, b.dwords!.length * 2);
  assert.ok(dwordBlocks.every((b) => b.dwords!.length <= MAX_RANDOM_DWORDS));
  // The value of each point: 70000 + number (LCN), negative on the others.
  const valueOf = (device: string, n: number) => device === "LCN" ? 70000 + n : -(n + 1) * 100000;
  const responses = plan.blocks.map((b) =>
    b.kind === "dwords"
      ? b.dwords!.flatMap((r) => split(valueOf(r.device, r.address)))
      : new Array(b.points).fill(42)
  );
  const values = extractValues(plan, responses);
  for (let i = 0; i < 200; i++) assert.equal(values[i], 70000 + i);
  assert.equal(values[200], 70007);
  assert.deepEqual(values.slice(201), [-200000, -600000 >>> 0, -400000, 42]);
});

Deno.test("the random read size follows maxDwords, which a caller may only lower", () => {
  const tags = [0, 1, 2, 3, 4].map((i) => tag(i, `LZ${i}`, "INT32"));
  const plan = planReads(tags, mergePlanOptions(iqr, { maxDwords: 2 }));
  assert.deepEqual(plan.blocks.map((b) => b.dwords!.map((r) => r.address)), [[0, 1], [2, 3], [4]]);
  assert.equal(mergePlanOptions(iqr, { maxDwords: 500 }).maxDwords, 96);
  assert.throws(() => planReads(tags, { ...iqr, maxDwords: 97 }), /maxDwords must be 1 to 96/);
});

Deno.test("long devices take INT32 or UINT32 only, and no .n", () => {
  for (const type of ["INT16", "FLOAT32", "BOOL", "STRING"] as DataType[]) {
    assert.throws(
      () => planReads([tag(1, "LCN1", type)], iqr),
      /tag 1 \(LCN1\): .* on long device LCN; only INT32 or UINT32/,
    );
  }
  assert.throws(
    () => planReads([{ id: 1, address: parseAddress("LCN1.2", "iQ-R"), type: "INT32" }], iqr),
    /tag 1 \(LCN1\.2\): \.n on a long device/,
  );
  assert.throws(
    () => planReads([{ id: 1, address: { device: "LZ", address: 32 }, type: "INT32" }], iqr),
    /tag 1 \(LZ32\) is past the end of LZ/,
  );
});

Deno.test("the long timer contacts and coils are refused on iQ-R, naming what to poll instead", () => {
  for (const [address, instead] of [["LTS1", "LTN"], ["LTC1", "LTN"], ["LSTS1", "LSTN"]]) {
    assert.throws(
      () => planReads([tag(1, address, "BOOL")], iqr),
      new RegExp(
        `end code 4030 measured on an R08CPU\\); poll the timer's current value ${instead}`,
      ),
    );
  }
});

Deno.test("other series refuse every iQ-R device, naming the series", () => {
  for (const series of ["Q", undefined]) {
    for (const address of ["RD0", "LCS1", "LCN1"]) {
      assert.throws(
        () =>
          planReads(
            [{
              id: 1,
              address: parseAddress(address),
              type: address === "LCS1" ? "BOOL" : "INT32",
            }],
            readPlanOptionsFor(series),
          ),
        /is an iQ-R device, which a PLC of series Q does not have; set the PLC's series to iQ-R/,
      );
    }
  }
});
