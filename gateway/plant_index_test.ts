import assert from "node:assert/strict";
import { seedPlant, testStore } from "../store/testing.ts";
import { PlantIndex } from "./plant_index.ts";

Deno.test("the plant index finds tags, groups and PLCs by id and code, and follows store changes", () => {
  using store = testStore();
  const seed = seedPlant(store);
  const index = new PlantIndex(store);
  try {
    assert.deepEqual(index.tags().map((t) => t.code), ["PRESS01_ALM", "PRESS01_VEL"]);
    assert.equal(index.tagByCode("PRESS01_VEL")?.id, seed.tag.id);
    assert.equal(index.tagByRef(String(seed.tag.id))?.code, "PRESS01_VEL");
    assert.equal(index.tagByRef("PRESS01_ALM")?.id, seed.bitTag.id);
    assert.equal(index.tagByRef("NOPE"), undefined);
    assert.equal(index.groupByRef("PRESS_MOTION")?.id, seed.group.id);
    assert.equal(index.groupByRef(String(seed.asciiGroup.id))?.code, "PAINT_BOOTH");
    assert.equal(index.plcByCode("PLCPAINT010001")?.id, seed.asciiPlc.id);
    assert.equal(index.tagsOfGroup(seed.group.id).length, 2);
    assert.equal(index.tagsOfPlc(seed.asciiPlc.id).length, 0);

    store.tags.create({
      code: "PAINT_TEMP",
      name: "Oven",
      plcId: seed.asciiPlc.id,
      groupId: seed.asciiGroup.id,
      address: "D10",
      dataType: "INT16",
    });
    assert.equal(index.tagsOfPlc(seed.asciiPlc.id).length, 1);
    assert.equal(index.tags().length, 3);
    store.tags.delete(seed.tag.id, { actor: "test" });
    assert.equal(index.tag(seed.tag.id), undefined);
  } finally {
    index.close();
  }
});

Deno.test("a numeric code that is not an id is still found by code", () => {
  using store = testStore();
  const seed = seedPlant(store);
  const index = new PlantIndex(store);
  try {
    const g = store.groups.create({
      code: "900",
      name: "Numbered",
      plcId: seed.plc.id,
      mode: "FIXED",
      intervalMs: 100,
    });
    assert.equal(index.groupByRef("900")?.id, g.id);
  } finally {
    index.close();
  }
});
