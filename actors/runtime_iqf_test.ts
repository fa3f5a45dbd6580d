/**
 * The runtime against a fixture PLC playing an iQ-F (FX5) CPU: the poller
 * reads X/Y tags written in octal (X17 = point 15, Y45 = point 37) in binary
 * and in both ASCII notations, and the write path reaches the same points.
 */
import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import type { PlcConfig } from "../model/config.ts";
import { systemClock } from "./clock.ts";
import { LiveCache } from "./live_cache.ts";
import { writeItem } from "./plc_write.ts";
import { planGroup } from "./group_plan.ts";
import { Runtime } from "./runtime.ts";
import { planWrites } from "./write_plan.ts";
import { parseAddress } from "../protocol/devices.ts";
import { writeLimitsFor } from "../protocol/series.ts";
import { groupConfig, MemorySink, onePlcPlant, plcConfig, tagConfig, until } from "./testing.ts";

const settings: readonly Pick<PlcConfig, "frame" | "xyNotation">[] = [
  { frame: "binary", xyNotation: "octal" },
  { frame: "ascii", xyNotation: "octal" },
  { frame: "ascii", xyNotation: "hex" },
];

for (const s of settings) {
  const name = s.frame === "binary" ? "binary" : `ASCII (X, Y ${s.xyNotation})`;
  Deno.test(`the poller reads octal X/Y tags of an iQ-F PLC and writes reach the right point (${name})`, async () => {
    await using fixture = startFixturePlc({ series: "iQ-F", xyNotation: s.xyNotation });
    fixture.memory.setBits("X", 15, [true]); // X17
    fixture.memory.setBits("Y", 37, [true]); // Y45
    fixture.setValue("D100", "INT16", 321);
    const plc = plcConfig({ port: fixture.port, series: "iQ-F", ...s });
    const tags = [
      tagConfig({ id: 1, code: "X17", groupId: 10, address: "X17", dataType: "BOOL" }),
      tagConfig({ id: 2, code: "X20", groupId: 10, address: "X20", dataType: "BOOL" }),
      tagConfig({ id: 3, code: "Y45", groupId: 10, address: "Y45", dataType: "BOOL" }),
      tagConfig({ id: 4, code: "Y44", groupId: 10, address: "Y44", dataType: "BOOL" }),
      tagConfig({ id: 5, code: "D100", groupId: 10, address: "D100" }),
      tagConfig({
        id: 6,
        code: "Y20",
        groupId: 10,
        address: "Y20",
        dataType: "BOOL",
        writable: true,
      }),
    ];
    const plant = onePlcPlant(plc, [groupConfig({ id: 10, code: "IO", intervalMs: 50 })], tags);
    const live = new LiveCache();
    const runtime = await Runtime.start({
      loadPlant: () => plant,
      sink: new MemorySink(),
      live,
      clock: systemClock,
    });
    try {
      await until(() => live.get(5)?.quality === "good", "first poll");
      assert.deepEqual(
        [1, 2, 3, 4, 5].map((id) => live.get(id)?.value),
        [true, false, true, false, 321],
      );
      let result = await runtime.write({ plcId: plc.id, items: [writeItem(tags[5], true)] });
      for (let i = 0; result.outcome === "unavailable" && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 20));
        result = await runtime.write({ plcId: plc.id, items: [writeItem(tags[5], true)] });
      }
      assert.equal(result.outcome, "written", result.error);
      assert.equal(result.items[0].readBack, true);
      assert.equal(fixture.memory.getBits("Y", 16, 1)[0], true, "Y20 is point 16");
      assert.equal(fixture.memory.getBits("Y", 0x20, 1)[0], false, "not hex 20");
      fixture.memory.setBits("X", 15, [false]);
      await until(() => live.get(1)?.value === false, "X17 follows the PLC");
    } finally {
      await runtime.shutdown();
    }
  });
}

Deno.test("an iQ-F PLC in ASCII plans blocks of at most 480 words (FX5 SLMP manual), binary 960", () => {
  const tags = [
    tagConfig({ id: 1, code: "A", address: "D0" }),
    tagConfig({ id: 2, code: "B", address: "D599" }),
  ];
  const blocks = (plc?: Pick<PlcConfig, "series" | "frame">) =>
    planGroup(tags, { maxGap: 1000 }, plc).read.blocks.map((b) => b.points);
  assert.deepEqual(blocks({ series: "iQ-F", frame: "binary" }), [600]);
  assert.deepEqual(blocks({ series: "iQ-F", frame: "ascii" }), [1, 1]);
  assert.deepEqual(blocks({ series: "Q", frame: "ascii" }), [600]);
  assert.deepEqual(blocks(), [600]);
  const octal = planGroup([tagConfig({ address: "X18", dataType: "BOOL" })], {}, {
    series: "iQ-F",
    frame: "binary",
  });
  assert.match(octal.invalid[0].message, /X device numbers are octal on iQ-F/);
});

Deno.test("write plans name iQ-F X/Y addresses in octal", () => {
  const y20 = parseAddress("Y20", "iQ-F");
  const target = (id: number) => ({ id, address: y20, type: "BOOL" as const, raw: true });
  assert.throws(
    () => planWrites([target(1), target(2)], writeLimitsFor("iQ-F")),
    /tag 2 and tag 1 both write Y20$/,
  );
});
