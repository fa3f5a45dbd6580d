import assert from "node:assert/strict";
import type { PlantConfig } from "../model/config.ts";
import { systemClock } from "./clock.ts";
import { writeItem } from "./plc_write.ts";
import { Runtime } from "./runtime.ts";
import { FakePool, groupConfig, MemorySink, plcConfig, tagConfig } from "./testing.ts";

/** PLC 1 runs (one FIXED group); PLC 2 is disabled. */
function plant(): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [
      plcConfig({ id: 1 }),
      plcConfig({ id: 2, code: "PLCTEST0000002", port: 5001, enabled: false }),
    ],
    groups: [
      groupConfig({ id: 10, code: "G10", plcId: 1, intervalMs: 100 }),
      groupConfig({ id: 20, code: "G20", plcId: 2 }),
    ],
    tags: [
      tagConfig({ id: 100, groupId: 10, address: "D100", scale: 0.5, writable: true }),
      tagConfig({ id: 200, groupId: 20, plcId: 2, address: "D200", writable: true }),
    ],
    alarmRules: [],
  };
}

Deno.test("Runtime.write routes a write to the PLC's link and answers plain data; a disabled PLC is unavailable", async () => {
  const pools = new Map<number, FakePool>();
  const runtime = await Runtime.start({
    loadPlant: plant,
    sink: new MemorySink(),
    clock: systemClock,
    createPool: (plc) => {
      const p = new FakePool(systemClock, () => 0);
      pools.set(plc.id, p);
      return p;
    },
  });
  try {
    const [t100, t200] = plant().tags;
    let result = await runtime.write({ plcId: 1, items: [writeItem(t100, 21)] });
    for (let i = 0; result.outcome === "unavailable" && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20)); // the first connect is under way
      result = await runtime.write({ plcId: 1, items: [writeItem(t100, 21)] });
    }
    assert.equal(result.outcome, "written", result.error);
    assert.equal(pools.get(1)!.written.get("D100"), 42);
    assert.equal(result.items[0].readBack, 21);
    assert.deepEqual(structuredClone(result), result, "the result is structured-cloneable data");
    const off = await runtime.write({ plcId: 2, items: [writeItem(t200, 1)] });
    assert.equal(off.outcome, "unavailable");
    assert.match(off.error!, /disabled or not part of the running plant/);
  } finally {
    await runtime.shutdown();
  }
  const after = await runtime.write({ plcId: 1, items: [writeItem(plant().tags[0], 1)] });
  assert.equal(after.outcome, "unavailable");
});
