import assert from "node:assert/strict";
import { CSV_RESOURCES, csvFileName } from "./csv_format.ts";
import { exportAllCsv, exportCsv } from "./csv_export.ts";
import { importCsv } from "./csv_import.ts";
import { samplePlantFiles } from "./startup.ts";
import { seedPlant, testStore } from "./testing.ts";

const SAMPLE = samplePlantFiles();

Deno.test("the sample plant exports back byte-identical to the committed CSV files", async () => {
  using store = testStore();
  assert.ok(importCsv(store, SAMPLE).ok);
  const exported = exportAllCsv(store);
  for (const r of CSV_RESOURCES) {
    const committed = await Deno.readTextFile(
      new URL(`../fixtures/sample_plant/${csvFileName(r)}`, import.meta.url),
    );
    assert.equal(exported[csvFileName(r)], committed, `${csvFileName(r)} differs`);
  }
});

Deno.test("export → import → export is byte-identical, with awkward text and every field set", () => {
  using store = testStore();
  const seed = seedPlant(store);
  store.plcs.update(seed.plc.id, { attempts: 5, commAlarmDelayMs: 0 });
  store.tags.create({
    code: "ODD_TEXT",
    name: 'Quote " comma , and a\nnewline',
    description: "  leading and trailing spaces  ",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D900",
    dataType: "FLOAT64",
    scale: 1e-7,
    offset: -273.15,
    unit: "°C",
    deadband: 0.05,
    enabled: false,
  });
  store.tags.create({
    code: "VIN",
    name: "VIN",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D950",
    dataType: "STRING",
    length: 9,
  });
  store.groups.create({
    code: "TRACE",
    name: "Trace",
    plcId: seed.plc.id,
    mode: "HANDSHAKE",
    trigger: "plc-bit",
    intervalMs: 60,
    requestBit: "D960.0",
    ackBit: "D960.1",
    stepTimeoutMs: 5000,
    enabled: false,
  });
  store.alarmRules.create({
    tagId: seed.bitTag.id,
    kind: "OFF",
    onDelayMs: 250,
    severity: 1000,
    message: "Press 1, ready lost",
    enabled: false,
  });
  store.alarmRules.create({
    tagId: seed.tag.id,
    kind: "LOLO",
    limit: -0.5,
    hysteresis: 0.25,
    severity: 1,
    message: "slow",
  });
  const first = exportAllCsv(store);
  assert.match(first["plcs.csv"], /,pool_size,attempts,comm_alarm_delay_ms,enabled\n/);
  assert.match(first["plcs.csv"], /,5,5,0,true\n/);
  using fresh = testStore();
  const report = importCsv(
    fresh,
    Object.fromEntries(CSV_RESOURCES.map((r) => [r, first[csvFileName(r)]])),
  );
  assert.deepEqual(report.issues, []);
  assert.deepEqual(exportAllCsv(fresh), first);
  assert.deepEqual(fresh.loadPlant(), store.loadPlant());
  const again = importCsv(
    store,
    Object.fromEntries(CSV_RESOURCES.map((r) => [r, first[csvFileName(r)]])),
  );
  assert.ok(Object.values(again.counts).every((c) => c.created + c.updated + c.deleted === 0));
});

Deno.test("BOOL and STRING tags export empty scale and offset; ON/OFF rules empty limit and hysteresis", () => {
  using store = testStore();
  const seed = seedPlant(store);
  store.alarmRules.create({ tagId: seed.bitTag.id, kind: "ON", severity: 5, message: "on" });
  assert.deepEqual(exportCsv(store, "tags").split("\n").slice(1, 3), [
    "PRESS01_VEL,Press 1 speed,,PLCPRESS010001,PRESS_MOTION,D100,INT16,,0.1,0,mm/s,,true",
    "PRESS01_ALM,Press 1 overload,,PLCPRESS010001,PRESS_MOTION,M10,BOOL,,,,,,true",
  ]);
  assert.equal(exportCsv(store, "alarms").split("\n")[1], "PRESS01_ALM,ON,,,0,5,on");
});
