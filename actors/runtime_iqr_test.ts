/**
 * The runtime against a fixture PLC playing an iQ-R CPU: the poller reads RD
 * and LCS in batch reads (subcommand 0002) and the long devices LCN, LZ and LTN
 * by random read double-word access (0403/0002), and operator writes reach RD
 * (batch write) and the long devices (random write 1402/0002) and are read back.
 */
import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { systemClock } from "./clock.ts";
import { LiveCache } from "./live_cache.ts";
import { writeItem } from "./plc_write.ts";
import { Runtime } from "./runtime.ts";
import { groupConfig, MemorySink, onePlcPlant, plcConfig, tagConfig, until } from "./testing.ts";

for (const frame of ["binary", "ascii"] as const) {
  Deno.test(`the poller reads RD, LCS, LCN, LZ and LTN tags of an iQ-R PLC and writes reach them (${frame})`, async () => {
    await using fixture = startFixturePlc({ series: "iQ-R" });
    fixture.setValue("RD100", "INT16", -1234);
    fixture.setValue("LCN10", "UINT32", 3_000_000_000);
    fixture.setValue("LZ1", "INT32", -70_000);
    fixture.setValue("LTN5", "UINT32", 123_456);
    fixture.setValue("LCN11", "INT32", 5); // the neighbour stays apart from LCN10
    fixture.memory.setBits("LCS", 3, [true]);
    const plc = plcConfig({ port: fixture.port, series: "iQ-R", frame });
    const tag = (id: number, address: string, dataType: "INT16" | "INT32" | "UINT32" | "BOOL") =>
      tagConfig({ id, code: address, groupId: 10, address, dataType, writable: true });
    const tags = [
      tag(1, "RD100", "INT16"),
      tag(2, "LCN10", "UINT32"),
      tag(3, "LZ1", "INT32"),
      tag(4, "LTN5", "UINT32"),
      tag(5, "LCS3", "BOOL"),
      tag(6, "LCN11", "INT32"),
    ];
    const plant = onePlcPlant(plc, [groupConfig({ id: 10, code: "IQR", intervalMs: 50 })], tags);
    const live = new LiveCache();
    const runtime = await Runtime.start({
      loadPlant: () => plant,
      sink: new MemorySink(),
      live,
      clock: systemClock,
    });
    try {
      await until(() => tags.every((t) => live.get(t.id)?.quality === "good"), "first poll");
      assert.deepEqual(
        tags.map((t) => live.get(t.id)?.value),
        [-1234, 3_000_000_000, -70_000, 123_456, true, 5],
      );
      // Two batch reads (RD, LCS) and one random read of the four double words.
      assert.ok(fixture.stats.requests.randomRead >= 1, "long devices by random read");

      const items = [
        writeItem(tags[0], 4321),
        writeItem(tags[1], 4_000_000_001),
        writeItem(tags[2], -5),
        writeItem(tags[3], 77),
      ];
      let result = await runtime.write({ plcId: plc.id, items });
      for (let i = 0; result.outcome === "unavailable" && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 20));
        result = await runtime.write({ plcId: plc.id, items });
      }
      assert.equal(result.outcome, "written", result.error);
      assert.deepEqual(result.items.map((r) => r.readBack), [4321, 4_000_000_001, -5, 77]);
      assert.equal(result.requests, 2, "one batch write of RD, one random write of 3 double words");
      assert.equal(fixture.getValue("RD100", "INT16"), 4321);
      assert.equal(fixture.getValue("LCN10", "UINT32"), 4_000_000_001);
      assert.equal(fixture.getValue("LCN11", "INT32"), 5, "LCN11 untouched");
      assert.equal(fixture.getValue("LZ1", "INT32"), -5);
      assert.equal(fixture.getValue("LTN5", "UINT32"), 77);
      fixture.setValue("LZ1", "INT32", 99);
      await until(() => live.get(3)?.value === 99, "LZ1 follows the PLC");
    } finally {
      await runtime.shutdown();
    }
  });
}

Deno.test("a Q PLC's group sets its iQ-R tags aside as bad-config and still polls the others", async () => {
  await using fixture = startFixturePlc({ series: "Q" });
  fixture.setValue("D5", "INT16", 11);
  const plc = plcConfig({ port: fixture.port, series: "Q" });
  const tags = [
    tagConfig({ id: 1, code: "D5", groupId: 10, address: "D5" }),
    tagConfig({ id: 2, code: "LCN1", groupId: 10, address: "LCN1", dataType: "INT32" }),
  ];
  const live = new LiveCache();
  const runtime = await Runtime.start({
    loadPlant: () => onePlcPlant(plc, [groupConfig({ id: 10, code: "Q", intervalMs: 50 })], tags),
    sink: new MemorySink(),
    live,
    clock: systemClock,
  });
  try {
    await until(() => live.get(1)?.quality === "good", "first poll");
    assert.equal(live.get(1)?.value, 11);
    assert.equal(live.get(2)?.quality, "bad-config");
  } finally {
    await runtime.shutdown();
  }
});
