import assert from "node:assert/strict";
import type { PlantConfig } from "../model/config.ts";
import { diffPlans, runtimePlan } from "./config_diff.ts";
import { groupConfig, plcConfig, tagConfig } from "./testing.ts";

function plant(overrides: Partial<PlantConfig> = {}): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [plcConfig({ id: 1 }), plcConfig({ id: 2, code: "PLCTEST0000002" })],
    groups: [
      groupConfig({ id: 10, plcId: 1 }),
      groupConfig({ id: 11, plcId: 1, code: "G11" }),
      groupConfig({ id: 20, plcId: 2, code: "G20" }),
    ],
    tags: [
      tagConfig({ id: 100, groupId: 10 }),
      tagConfig({ id: 101, groupId: 11, address: "D200" }),
      tagConfig({ id: 200, groupId: 20, plcId: 2 }),
    ],
    alarmRules: [],
    ...overrides,
  };
}

Deno.test("the runtime plan keeps enabled PLCs, their enabled groups, and enabled tags", () => {
  const p = plant();
  const plan = runtimePlan({
    ...p,
    plcs: [p.plcs[0], { ...p.plcs[1], enabled: false }],
    tags: [...p.tags, tagConfig({ id: 102, groupId: 10, enabled: false })],
  });
  assert.deepEqual([...plan.plcs.keys()], [1]);
  assert.deepEqual([...plan.groups.keys()], [10, 11]);
  assert.deepEqual(plan.groups.get(10)!.tags.map((t) => t.id), [100]);
});

Deno.test("a tag change restarts its group's poller only", () => {
  const before = plant();
  const after = plant({
    tags: before.tags.map((t) => (t.id === 101 ? { ...t, deadband: 2 } : t)),
  });
  assert.deepEqual(diffPlans(runtimePlan(before), runtimePlan(after)), {
    plcs: { added: [], removed: [], changed: [] },
    groups: { added: [], removed: [], changed: [11] },
  });
});

Deno.test("a PLC change restarts that PLC and all its pollers", () => {
  const before = plant();
  const after = plant({ plcs: before.plcs.map((p) => (p.id === 1 ? { ...p, port: 6000 } : p)) });
  assert.deepEqual(diffPlans(runtimePlan(before), runtimePlan(after)), {
    plcs: { added: [], removed: [], changed: [1] },
    groups: { added: [], removed: [], changed: [10, 11] },
  });
});

Deno.test("an interval change restarts that poller; added and removed groups start and stop", () => {
  const before = plant();
  const after = plant({
    groups: [
      { ...before.groups[0], intervalMs: 250 },
      before.groups[2],
      groupConfig({ id: 21, plcId: 2, code: "G21" }),
    ],
  });
  assert.deepEqual(diffPlans(runtimePlan(before), runtimePlan(after)).groups, {
    added: [21],
    removed: [11],
    changed: [10],
  });
});

Deno.test("lines, processes and alarm rules touch no actor", () => {
  const before = plant();
  const after = plant({ lines: [{ id: 1, code: "L", name: "Line" }] });
  const d = diffPlans(runtimePlan(before), runtimePlan(after));
  assert.equal(d.plcs.changed.length + d.groups.changed.length, 0);
});
