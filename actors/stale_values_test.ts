import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { runtimePlan } from "./config_diff.ts";
import { LastValues, tagsNoLongerPolled } from "./stale_values.ts";
import { groupConfig, plcConfig, tagConfig } from "./testing.ts";

Deno.test("LastValues forwards every update and makes stale samples with each tag's last value", () => {
  const seen: Sample[] = [];
  const last = new LastValues({ update: (s) => seen.push(...s) });
  last.update([
    { tagId: 1, ts: 10, value: 5, quality: "good" },
    { tagId: 2, ts: 10, value: null, quality: "bad-comm" },
  ]);
  assert.equal(seen.length, 2);
  assert.deepEqual(last.stale([1, 2, 3], 20), [
    { tagId: 1, ts: 20, value: 5, quality: "stale" },
    { tagId: 2, ts: 20, value: null, quality: "stale" },
    { tagId: 3, ts: 20, value: null, quality: "stale" },
  ]);
  last.forget([1]);
  assert.equal(last.stale([1], 30)[0].value, null);
});

Deno.test("tags no longer polled: those of disabled PLCs, groups and tags, not of stopped groups", () => {
  const plant = {
    lines: [],
    processes: [],
    plcs: [plcConfig({ id: 1 })],
    groups: [groupConfig({ id: 10, plcId: 1 }), groupConfig({ id: 11, code: "G11", plcId: 1 })],
    tags: [
      tagConfig({ id: 100, groupId: 10 }),
      tagConfig({ id: 101, groupId: 10, address: "D101" }),
      tagConfig({ id: 110, groupId: 11, address: "D110" }),
    ],
    alarmRules: [],
  };
  const before = runtimePlan(plant);
  const tagOff = runtimePlan({
    ...plant,
    tags: plant.tags.map((t) => t.id === 101 ? { ...t, enabled: false } : t),
  });
  assert.deepEqual(tagsNoLongerPolled(before, tagOff, new Set()), [101]);
  const plcOff = runtimePlan({ ...plant, plcs: [{ ...plant.plcs[0], enabled: false }] });
  assert.deepEqual(tagsNoLongerPolled(before, plcOff, new Set()), [100, 101, 110]);
  assert.deepEqual(
    tagsNoLongerPolled(before, plcOff, new Set([11])),
    [100, 101],
    "11 already stale",
  );
  assert.ok(plcOff.tagIds.has(110), "a disabled tag still exists");
});
