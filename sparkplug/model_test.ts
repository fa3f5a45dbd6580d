import assert from "node:assert/strict";
import { samplePlantConfig, tagConfig } from "../actors/testing.ts";
import { buildModel, dataTypeOf, QUALITY_CODES, TAG_ALIAS_BASE } from "./model.ts";

Deno.test("tag types map onto Sparkplug types; scaled integers become Double", () => {
  assert.equal(dataTypeOf(tagConfig({ dataType: "BOOL" })), "Boolean");
  assert.equal(dataTypeOf(tagConfig({ dataType: "INT16" })), "Int16");
  assert.equal(dataTypeOf(tagConfig({ dataType: "UINT16" })), "UInt16");
  assert.equal(dataTypeOf(tagConfig({ dataType: "INT32" })), "Int32");
  assert.equal(dataTypeOf(tagConfig({ dataType: "UINT32" })), "UInt32");
  assert.equal(dataTypeOf(tagConfig({ dataType: "FLOAT32" })), "Float");
  assert.equal(dataTypeOf(tagConfig({ dataType: "FLOAT64" })), "Double");
  assert.equal(dataTypeOf(tagConfig({ dataType: "STRING" })), "String");
  assert.equal(dataTypeOf(tagConfig({ dataType: "INT16", scale: 0.1 })), "Double");
  assert.equal(dataTypeOf(tagConfig({ dataType: "UINT16", offset: -40 })), "Double");
  assert.equal(QUALITY_CODES["bad-comm"], -2147483126, "Bad_NotConnected");
  assert.equal(QUALITY_CODES.stale, -2147483132, "Bad_Stale");
});

Deno.test("the model has one device per enabled PLC and one metric per enabled tag, alias 100 + id", () => {
  const plant = samplePlantConfig();
  const model = buildModel(plant);
  assert.equal(model.devices.size, plant.plcs.filter((p) => p.enabled).length);
  const enabledGroups = new Set(plant.groups.filter((g) => g.enabled).map((g) => g.id));
  const enabled = plant.tags.filter((t) => t.enabled && enabledGroups.has(t.groupId));
  assert.equal(model.byTag.size, enabled.length);
  const t = enabled[0];
  const { device, metric } = model.byTag.get(t.id)!;
  assert.equal(metric.alias, TAG_ALIAS_BASE + t.id);
  assert.ok(metric.name.endsWith(`/${t.code}`));
  assert.equal(device.deviceId, plant.plcs.find((p) => p.id === t.plcId)!.code);
  const names = [...model.byTag.values()].map((e) => e.metric.name.toLowerCase());
  assert.equal(new Set(names).size, names.length, "no two metric names differ only in case");
  const disabled = plant.tags.find((x) => !x.enabled);
  if (disabled) assert.equal(model.byTag.has(disabled.id), false);
});
