import assert from "node:assert/strict";
import fc from "fast-check";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { PlcClient } from "./client.ts";
import { checkRequest } from "./commands.ts";
import { toRequest1E } from "./client1e_mc.ts";
import { writePlannerLimitsFor } from "./series.ts";
import { planBitWrites, planWordWrites } from "./write_planner.ts";

Deno.test("scattered words go in one random write; a long run stays one batch write", () => {
  const scattered = planWordWrites([
    { device: "D", address: 10, words: [1] },
    { device: "D", address: 500, words: [2] },
    { device: "W", address: 0x20, words: [3] },
  ]);
  assert.deepEqual(scattered, [{
    command: "randomWriteWords",
    words: [
      { device: "D", address: 10, value: 1 },
      { device: "D", address: 500, value: 2 },
      { device: "W", address: 0x20, value: 3 },
    ],
    dwords: [],
  }]);
  const run = planWordWrites([{ device: "D", address: 0, words: Array(100).fill(7) }]);
  assert.equal(run.length, 1);
  assert.equal(run[0].command, "writeWords");
  // Adjacent writes merge; the later one wins where they overlap.
  assert.deepEqual(
    planWordWrites([{ device: "D", address: 0, words: [1, 2] }, {
      device: "D",
      address: 1,
      words: [9, 3],
    }]),
    [{ command: "writeWords", head: { device: "D", address: 0 }, words: [1, 9, 3] }],
  );
});

Deno.test("bit writes: scattered points in one random write, a run as one batch write", () => {
  const plan = planBitWrites([
    { device: "M", address: 5, bits: [true] },
    { device: "M", address: 900, bits: [false] },
    { device: "Y", address: 0x10, bits: [true] },
  ], "binary");
  assert.equal(plan.length, 1);
  assert.equal(plan[0].command, "randomWriteBits");
  assert.equal(
    planBitWrites([{ device: "M", address: 0, bits: Array(300).fill(true) }], "binary")[0].command,
    "writeBits",
  );
  assert.throws(
    () => planBitWrites([{ device: "D", address: 0, bits: [true] }], "binary"),
    /bit device/,
  );
});

Deno.test("a plan never needs more requests than batch writes and every request fits the limits", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          device: fc.constantFrom("D" as const, "W" as const, "M" as const),
          address: fc.integer({ min: 0, max: 2000 }).map((a) => a * 16),
          words: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 50 }),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      (writes) => {
        const plan = planWordWrites(writes);
        for (const r of plan) checkRequest(r, "ascii");
        // Never more than one batch write per write given, nor than random writes of 160 words.
        const cells = new Set(
          writes.flatMap((w) =>
            w.words.map((_, i) => `${w.device}:${w.address + i * (w.device === "M" ? 16 : 1)}`)
          ),
        );
        assert.ok(
          plan.length <= writes.length,
          `${plan.length} requests for ${writes.length} writes`,
        );
        assert.ok(
          plan.length <= Math.max(1, Math.ceil(cells.size / 160)) ||
            plan.every((r) => r.command === "writeWords"),
        );
        // Every word written lands once, with the last value written there.
        let planned = 0;
        for (const r of plan) {
          planned += r.command === "writeWords"
            ? r.words.length
            : r.command === "randomWriteWords"
            ? r.words.length
            : 0;
        }
        assert.equal(planned, cells.size);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("planned writes land in the fixture PLC exactly as batch writes would", async () => {
  const plc = startFixturePlc();
  const client = new PlcClient({ host: "127.0.0.1", port: plc.port, frame: "binary" });
  try {
    const writes = [
      { device: "D" as const, address: 3, words: [30] },
      { device: "D" as const, address: 700, words: [70, 71] },
      { device: "M" as const, address: 32, words: [0x8001] },
    ];
    for (const r of planWordWrites(writes)) await client.request(r);
    assert.deepEqual([...plc.memory.getWords("D", 3, 1)], [30]);
    assert.deepEqual([...plc.memory.getWords("D", 700, 2)], [70, 71]);
    assert.deepEqual(plc.memory.getBits("M", 32, 16)[0], true);
    assert.deepEqual(plc.memory.getBits("M", 47, 1)[0], true);
    assert.equal(plc.stats.requests.randomWriteWords, 1);
  } finally {
    await client.close();
    await plc.close();
  }
});

Deno.test("FX3 write plans are 1E batch writes only, within the 1E limits: never random write 1402", () => {
  const fx3 = writePlannerLimitsFor("FX3");
  const scattered = [
    { device: "D", address: 10, words: [1] },
    { device: "D", address: 500, words: [2] },
    { device: "D", address: 900, words: [3] },
  ] as const;
  assert.equal(planWordWrites(scattered).length, 1, "a Q takes one random write");
  assert.deepEqual(planWordWrites(scattered, fx3).map((r) => r.command), [
    "writeWords",
    "writeWords",
    "writeWords",
  ]);
  const run = planWordWrites([{ device: "D", address: 0, words: Array(100).fill(7) }], fx3);
  assert.deepEqual(run.map((r) => r.command === "writeWords" && r.words.length), [64, 36]);
  const bitWords = planWordWrites([{ device: "M", address: 0, words: Array(12).fill(1) }], fx3);
  assert.deepEqual(
    bitWords.map((r) => r.command === "writeWords" && [r.head.address, r.words.length]),
    [[0, 10], [160, 2]],
    "bit devices in word units: 10 words (160 points) a write",
  );
  const points = [
    { device: "M", address: 5, bits: [true] },
    { device: "Y", address: 8, bits: [true] },
    { device: "M", address: 1000, bits: Array(200).fill(false) },
  ] as const;
  assert.equal(planBitWrites(points, "binary")[0].command, "randomWriteBits");
  const plan = planBitWrites(points, "binary", fx3);
  assert.deepEqual(
    plan.map((r) => r.command === "writeBits" && [r.head.device, r.head.address, r.bits.length]),
    [["M", 5, 1], ["M", 1000, 160], ["M", 1160, 40], ["Y", 8, 1]],
  );
  for (const r of [...run, ...bitWords, ...plan]) toRequest1E(r); // each fits a 1E frame
});
