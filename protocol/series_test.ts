import assert from "node:assert/strict";
import { planReads, type PlanTag } from "./planner.ts";
import { parseAddressFor, readPlanOptionsFor } from "./series.ts";
import type { DataType } from "./values.ts";

const tag = (id: number, series: string, text: string, type: DataType = "INT16"): PlanTag => ({
  id,
  address: parseAddressFor(series, text),
  type,
});
const shape = (series: string, tags: PlanTag[]) =>
  planReads(tags, readPlanOptionsFor(series)).blocks.map((b) => [b.device, b.start, b.points]);

Deno.test("X/Y numbering follows the series: X17 is point 15 on FX3, 0x17 on Q", () => {
  assert.deepEqual(parseAddressFor("FX3", "X17"), { device: "X", address: 15 });
  assert.deepEqual(parseAddressFor("Q", "X17"), { device: "X", address: 0x17 });
  assert.deepEqual(parseAddressFor(undefined, "X1A"), { device: "X", address: 0x1a });
  assert.throws(() => parseAddressFor("FX3", "X1A"), /octal/);
});

Deno.test("FX3 read plans keep to 1E: 64 words a block of a word device, where Q takes one read", () => {
  const tags = [
    tag(1, "FX3", "D0"),
    tag(2, "FX3", "D63"),
    tag(3, "FX3", "D64"),
    tag(4, "FX3", "D120"),
  ];
  assert.deepEqual(shape("Q", tags), [["D", 0, 121]]);
  assert.deepEqual(shape("FX3", tags), [["D", 0, 64], ["D", 64, 57]]);
  const long = [tag(1, "FX3", "D0", "INT32"), tag(2, "FX3", "D62", "INT32")];
  assert.deepEqual(shape("FX3", long), [["D", 0, 64]], "a 32-bit value ending at word 63 fits");
  const over = [tag(1, "FX3", "D0"), tag(2, "FX3", "D63", "INT32")];
  assert.deepEqual(shape("FX3", over), [["D", 0, 1], ["D", 63, 2]], "one word over: two reads");
});

Deno.test("FX3 read plans keep to 1E: 32 words (512 points) a block of a bit device", () => {
  const tags = [
    tag(1, "FX3", "M0", "BOOL"),
    tag(2, "FX3", "M511", "BOOL"),
    tag(3, "FX3", "M512", "BOOL"),
  ];
  assert.deepEqual(shape("Q", tags), [["M", 0, 33]]);
  assert.deepEqual(shape("FX3", tags), [["M", 0, 32], ["M", 512, 1]]);
  const xy = [
    tag(1, "FX3", "X0", "BOOL"),
    tag(2, "FX3", "X377", "BOOL"),
    tag(3, "FX3", "Y17", "BOOL"),
  ];
  assert.deepEqual(shape("FX3", xy), [["X", 0, 16], ["Y", 0, 1]], "all of X in one read");
});

Deno.test("FX3 read plans use the FX3 device sizes: a 32-bit value at D8511 is refused", () => {
  assert.throws(
    () => planReads([tag(1, "FX3", "D8511", "INT32")], readPlanOptionsFor("FX3")),
    /tag 1 \(D8511\) runs past the end of D/,
  );
  assert.equal(planReads([tag(1, "Q", "D8511", "INT32")]).blocks.length, 1, "a Q has more D");
  assert.throws(
    () =>
      planReads(
        [{ id: 1, address: { device: "ZR", address: 0 }, type: "INT16" }],
        readPlanOptionsFor("FX3"),
      ),
    /ZR is no device of this PLC's CPU series/,
  );
  assert.throws(
    () =>
      planReads([tag(1, "FX3", "X17", "BOOL")], {
        ...readPlanOptionsFor("FX3"),
        maxBitDeviceWords: 0,
      }),
    /maxBitDeviceWords must be 1 to 960/,
  );
});
