import assert from "node:assert/strict";
import { exportAllCsv } from "./csv_export.ts";
import { type GxImportOptions, importGxWorks } from "./gxworks_import.ts";
import { seedPlant, testStore } from "./testing.ts";

const fixture = (name: string) =>
  Deno.readFileSync(new URL(`../fixtures/gxworks/${name}`, import.meta.url));
const utf8 = (text: string) => new TextEncoder().encode(text);
const LABELS: GxImportOptions = {
  kind: "gxworks3-labels",
  file: "gxworks3_labels.csv",
  plc: "PLCPRESS010001",
  group: "PRESS_MOTION",
};
const where = (r: { issues: { row: number | null; column: string | null; message: string }[] }) =>
  r.issues.map((i) => [i.row, i.column, i.message]);

Deno.test("a GX Works3 label import dry-runs, then applies, then finds nothing to change", () => {
  using store = testStore();
  const { plc, group } = seedPlant(store);
  const before = exportAllCsv(store);
  const bytes = fixture("gxworks3_labels.csv");
  const dry = importGxWorks(store, bytes, { ...LABELS, dryRun: true });
  assert.deepEqual(dry.issues, []);
  assert.equal(dry.ok, true);
  assert.equal(dry.dryRun, true);
  assert.deepEqual(dry.counts.tags, {
    rows: 11,
    created: 11,
    updated: 0,
    deleted: 0,
    unchanged: 0,
  });
  assert.deepEqual(dry.source, {
    kind: "gxworks3-labels",
    file: "gxworks3_labels.csv",
    records: 11,
    skipped: 0,
    tags: 11,
  });
  assert.deepEqual(exportAllCsv(store), before);

  const applied = importGxWorks(store, bytes, { ...LABELS, actor: "engineer" });
  assert.equal(applied.ok, true);
  assert.equal(applied.counts.tags?.created, 11);
  const batch = store.tags.getByCode("BATCH_ID");
  assert.deepEqual(
    [batch.plcId, batch.groupId, batch.address, batch.dataType, batch.length, batch.description],
    [plc.id, group.id, "D300", "STRING", 17, "Batch identifier"],
  );
  const note = store.tags.getByCode("OPERATOR_NOTE");
  assert.equal(note.name, "Operator Note");
  assert.equal(note.description, "-- note for the operator --");
  assert.equal(store.tags.getByCode("ALARM_BIT5").dataType, "BOOL");
  assert.equal(store.tags.getByCode("FLOW_TOTAL").dataType, "FLOAT64");
  const audit = store.audit.list({ action: "import" }).items;
  assert.equal(audit[0]?.user, "engineer");
  assert.deepEqual(audit[0]?.after, {
    mode: "merge",
    rows: 11,
    created: 11,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    source: "gxworks3-labels",
    file: "gxworks3_labels.csv",
  });

  const again = importGxWorks(store, bytes, LABELS);
  assert.deepEqual(again.counts.tags, {
    rows: 11,
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 11,
  });
});

Deno.test("a re-import updates what GX Works knows and keeps scaling, unit and deadband", () => {
  using store = testStore();
  seedPlant(store);
  importGxWorks(store, fixture("gxworks3_labels.csv"), LABELS);
  const speed = store.tags.getByCode("LINE_SPEED");
  store.tags.update(speed.id, { scale: 0.1, unit: "m/min", deadband: 0.5, enabled: false });
  const text = "Label Name,Data Type,Assign (Device/Label),Comment\n" +
    "Line_Speed,Word [Unsigned]/Bit String [16-bit],D250,Conveyor speed\n";
  const r = importGxWorks(store, utf8(text), LABELS);
  assert.deepEqual(r.issues, []);
  assert.equal(r.counts.tags?.updated, 1);
  const after = store.tags.getByCode("LINE_SPEED");
  assert.deepEqual(
    [
      after.address,
      after.dataType,
      after.description,
      after.scale,
      after.unit,
      after.deadband,
      after.enabled,
    ],
    ["D250", "UINT16", "Conveyor speed", 0.1, "m/min", 0.5, false],
  );
});

Deno.test("devices the store refuses are told by the file's row and column, and nothing is written", () => {
  using store = testStore();
  seedPlant(store);
  const before = exportAllCsv(store);
  const r = importGxWorks(store, fixture("gxworks3_labels_device_refused.csv"), {
    ...LABELS,
    file: "device_refused.csv",
  });
  assert.equal(r.ok, false);
  const assign = "Assign (Device/Label)";
  assert.deepEqual(where(r).map(([row, column]) => [row, column]), [
    [2, assign],
    [3, assign],
    [4, assign],
    [5, "Data Type"],
  ]);
  assert.match(r.issues[0].message, /"Q100" does not start with a known device name/);
  assert.match(r.issues[1].message, /"D40000" is past the end of device D/);
  assert.match(r.issues[2].message, /a BOOL on word device D needs a bit number, e.g. D70\.0/);
  assert.match(r.issues[3].message, /must be BOOL on bit device M/);
  assert.ok(r.issues.every((i) => i.file === "device_refused.csv"));
  assert.deepEqual(exportAllCsv(store), before);
});

Deno.test("an iQ-R device on a PLC of another series is refused, naming the series", () => {
  using store = testStore();
  seedPlant(store);
  const text = "Label Name,Data Type,Assign (Device/Label)\nCycle_Long,Double Word [Signed],LTN0\n";
  const r = importGxWorks(store, utf8(text), { ...LABELS, file: "iqr.csv" });
  assert.deepEqual(where(r), [[
    2,
    "Assign (Device/Label)",
    "LTN0 is an iQ-R device (long timer current value); PLC PLCPRESS010001 is series Q",
  ]]);
});

Deno.test("on an iQ-R PLC, long-device labels import as double words and a Word label on one is refused", () => {
  using store = testStore();
  const { plc } = seedPlant(store);
  store.plcs.update(plc.id, { series: "iQ-R" });
  const good = "Label Name,Data Type,Assign (Device/Label)\n" +
    "Cycle_Long,Double Word [Signed],LTN0\nRefresh,Word [Signed],RD100\n";
  const r = importGxWorks(store, utf8(good), { ...LABELS, file: "iqr.csv" });
  assert.deepEqual(r.issues, []);
  assert.equal(store.tags.getByCode("CYCLE_LONG").dataType, "INT32");
  assert.equal(store.tags.getByCode("REFRESH").address, "RD100");
  const bad = "Label Name,Data Type,Assign (Device/Label)\nShort_Count,Word [Signed],LCN3\n";
  const refused = importGxWorks(store, utf8(bad), { ...LABELS, file: "iqr_bad.csv" });
  assert.match(where(refused)[0][2] as string, /must be INT32 or UINT32 on long device LCN/);
});

Deno.test("conversion refusals and store refusals come in one report; the good rows are not written", () => {
  using store = testStore();
  seedPlant(store);
  const text =
    "Label Name,Data Type,Assign (Device/Label)\nA,Timer,T0\nB,Word [Signed],Q1\nC,Bit,M1\n";
  const r = importGxWorks(store, utf8(text), { ...LABELS, file: "mixed.csv" });
  assert.deepEqual(where(r).map(([row, column]) => [row, column]), [
    [2, "Data Type"],
    [3, "Assign (Device/Label)"],
  ]);
  assert.equal(r.ok, false);
  assert.throws(() => store.tags.getByCode("C"));
});

Deno.test("a label whose code is a tag of another PLC is refused; a code prefix makes it its own", () => {
  using store = testStore();
  const { asciiPlc } = seedPlant(store);
  const text = "Label Name,Data Type,Assign (Device/Label)\nPress01_Vel,Word [Signed],D500\n";
  const paint = { ...LABELS, plc: asciiPlc.code, group: "PAINT_BOOTH", file: "paint.csv" };
  const r = importGxWorks(store, utf8(text), paint);
  assert.deepEqual(where(r), [[
    2,
    "Label Name",
    "gives the tag code PRESS01_VEL, which is a tag of PLC PLCPRESS010001; give this import a " +
    "code prefix (such as PLCPAI_) so its codes are its own",
  ]]);
  assert.equal(store.tags.getByCode("PRESS01_VEL").address, "D100");
  const prefixed = importGxWorks(store, utf8(text), { ...paint, prefix: "PAINT_" });
  assert.equal(prefixed.ok, true);
  assert.equal(store.tags.getByCode("PAINT_PRESS01_VEL").plcId, asciiPlc.id);
});

Deno.test("an unknown PLC or group, or a group of another PLC, is one issue about the import", () => {
  using store = testStore();
  seedPlant(store);
  const bytes = fixture("gxworks3_labels.csv");
  assert.deepEqual(
    where(importGxWorks(store, bytes, { ...LABELS, plc: "PLCGONE0000001", group: "NOPE" })),
    [[null, null, "no PLC with code PLCGONE0000001"], [
      null,
      null,
      "no polling group with code NOPE",
    ]],
  );
  assert.deepEqual(where(importGxWorks(store, bytes, { ...LABELS, group: "PAINT_BOOTH" })), [[
    null,
    null,
    "polling group PAINT_BOOTH belongs to PLC PLCPAINT010001, not to PLCPRESS010001",
  ]]);
});

Deno.test("GX Works2 device comments import as BOOL bits and words of the chosen type", () => {
  using store = testStore();
  seedPlant(store);
  const r = importGxWorks(store, fixture("gxworks2_comments.csv"), {
    ...LABELS,
    kind: "gxworks2-comments",
    file: "comments.csv",
    wordType: "UINT16",
    prefix: "P1_",
  });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.source, {
    kind: "gxworks2-comments",
    file: "comments.csv",
    records: 8,
    skipped: 1,
    tags: 7,
  });
  const x0 = store.tags.getByCode("P1_X0");
  assert.deepEqual([x0.name, x0.description, x0.dataType], [
    "Start button",
    "Start button",
    "BOOL",
  ]);
  assert.equal(store.tags.getByCode("P1_D100").dataType, "UINT16");
  assert.equal(store.tags.getByCode("P1_W1A").address, "W1A");
});

Deno.test("an empty or garbage file is one issue and never throws", () => {
  using store = testStore();
  seedPlant(store);
  for (const bytes of [new Uint8Array(0), new Uint8Array([0, 1, 2, 3, 255, 254, 7])]) {
    const r = importGxWorks(store, bytes, LABELS);
    assert.equal(r.ok, false);
    assert.equal(r.issues.length, 1);
    assert.deepEqual(r.counts, {});
  }
});
