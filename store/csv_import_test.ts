import assert from "node:assert/strict";
import type { ConfigChange } from "../model/change.ts";
import { exportAllCsv, exportCsv } from "./csv_export.ts";
import { importCsv, type ImportProgress } from "./csv_import.ts";
import { samplePlantFiles } from "./startup.ts";
import { seedPlant, testStore } from "./testing.ts";

const SAMPLE = samplePlantFiles();
const TAG_HEADER =
  "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";
const csv = (...lines: string[]) => lines.join("\n") + "\n";
const brief = (
  issues: { row: number | null; line: number | null; column: string | null; message: string }[],
) => issues.map((i) => [i.row, i.line, i.column, i.message]);

Deno.test("the sample plant imports cleanly: 4 PLCs, 10 groups, 3,491 tags, one change batch", () => {
  using store = testStore();
  const batches: (readonly ConfigChange[])[] = [];
  store.subscribe((c) => batches.push(c));
  const report = importCsv(store, SAMPLE, { actor: "engineer1" });
  assert.deepEqual(report.issues, []);
  assert.ok(report.ok);
  assert.equal(report.counts.tags?.created, 3491);
  const plant = store.loadPlant();
  assert.deepEqual(
    [plant.lines, plant.processes, plant.plcs, plant.groups, plant.tags, plant.alarmRules].map((
      x,
    ) => x.length),
    [2, 4, 4, 10, 3491, 19],
  );
  assert.equal(batches.length, 1);
  assert.equal(batches[0].length, 2 + 4 + 4 + 10 + 3491 + 19);
  const audit = store.audit.list({ action: "import" }).items;
  assert.equal(audit.length, 6);
  assert.deepEqual(audit.find((a) => a.resource === "tags")?.after, {
    mode: "merge",
    rows: 3491,
    created: 3491,
    updated: 0,
    deleted: 0,
    unchanged: 0,
  });
  assert.equal(audit[0].user, "engineer1");
  const again = importCsv(store, SAMPLE);
  assert.equal(again.counts.tags?.unchanged, 3491);
  assert.equal(batches.length, 1, "an import that changes nothing emits nothing");
});

Deno.test("a dry run reports every error by row, line and column, and writes nothing", () => {
  using store = testStore();
  seedPlant(store);
  const tags = csv(
    TAG_HEADER,
    "OK_1,Fine,,PLCPRESS010001,PRESS_MOTION,D500,INT16,,1,0,,,true",
    "BAD_ADDR,Bad address,,PLCPRESS010001,PRESS_MOTION,D99999,INT16,,1,0,,,true",
    "BAD_PLC,Unknown PLC,,PLCNOPE0000001,PRESS_MOTION,D501,INT16,,1,0,,,true",
    'NO_LEN,No length,"two',
    'lines",PLCPRESS010001,PRESS_MOTION,D502,STRING,,,,,,true',
    "OK_1,Duplicate,,PLCPRESS010001,PRESS_MOTION,D510,INT16,,1,0,,,true",
    "SHORT,Too few fields,,PLCPRESS010001",
    "TYPES,Bad types,,PLCPRESS010001,PRESS_MOTION,D520,INT17,,abc,0,,,maybe",
  );
  const report = importCsv(store, { tags }, { dryRun: true });
  assert.equal(report.ok, false);
  assert.ok(report.dryRun);
  assert.deepEqual(brief(report.issues), [
    [2, 3, "address", '"D99999" is past the end of device D (32767)'],
    [3, 4, "plc", "no PLC with code PLCNOPE0000001"],
    [4, 5, "length", "a STRING tag needs a length in words"],
    [5, 7, "code", "duplicate of row 1"],
    [6, 8, null, "has 4 fields; the header has 13"],
    [
      7,
      9,
      "data_type",
      "must be one of BOOL, INT16, UINT16, INT32, UINT32, FLOAT32, FLOAT64, STRING",
    ],
    [7, 9, "scale", "must be a number"],
    [7, 9, "enabled", "must be true or false"],
  ]);
  assert.equal(report.issues[0].file, "tags.csv");
  assert.equal(report.issues[0].path, "tags.csv/2/address");
  assert.equal(store.tags.all().length, 2, "a dry run writes nothing");
  const clean = importCsv(store, {
    tags: csv(TAG_HEADER, "OK_2,Fine,,PLCPRESS010001,PRESS_MOTION,D600,INT16,,1,0,,,true"),
  }, { dryRun: true });
  assert.ok(clean.ok);
  assert.equal(clean.counts.tags?.created, 1);
  assert.equal(store.tags.all().length, 2, "a valid dry run writes nothing either");
});

Deno.test("a file with one bad row leaves the store unchanged", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  const before = exportAllCsv(store);
  const lines = SAMPLE.tags.split("\n");
  lines[1] = lines[1].replace(",D1000,", ",D1000.X,");
  lines[2] = lines[2].replace("Press 1 ram speed", "Renamed");
  let events = 0;
  store.subscribe(() => events++);
  const report = importCsv(store, { tags: lines.join("\n") });
  assert.deepEqual(brief(report.issues), [[
    1,
    2,
    "address",
    '"D1000.X": the bit number must be 0 to 15 (or 0 to F)',
  ]]);
  assert.deepEqual(exportAllCsv(store), before);
  assert.equal(events, 0);
  assert.equal(
    store.audit.list({ action: "import" }).total,
    6,
    "no audit entry for the refused import",
  );
});

Deno.test("merge updates and adds by code and keeps the rest; replace also deletes the rest", () => {
  using store = testStore();
  importCsv(store, { lines: csv("code,name", "L1,One", "L2,Two", "L3,Three") });
  const merged = importCsv(store, { lines: csv("code,name", "L2,Two again", "L4,Four") });
  assert.deepEqual(merged.counts.lines, {
    rows: 2,
    created: 1,
    updated: 1,
    deleted: 0,
    unchanged: 0,
  });
  assert.deepEqual(store.lines.all().map((l) => `${l.code}:${l.name}`), [
    "L1:One",
    "L2:Two again",
    "L3:Three",
    "L4:Four",
  ]);
  const changes: ConfigChange[] = [];
  store.subscribe((c) => changes.push(...c));
  const replaced = importCsv(store, { lines: csv("code,name", "L2,Two again", "L4,Four!") }, {
    mode: "replace",
  });
  assert.deepEqual(replaced.counts.lines, {
    rows: 2,
    created: 0,
    updated: 1,
    deleted: 2,
    unchanged: 1,
  });
  assert.deepEqual(store.lines.all().map((l) => l.code), ["L2", "L4"]);
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.id}`), [
    "updated 4",
    "deleted 1",
    "deleted 3",
  ]);
});

Deno.test("replace refuses to delete a record that others still reference", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  const weldTags = store.tags.list({ plcId: store.plcs.getByCode("PLCWELD0100001").id }).total;
  const plcs = SAMPLE.plcs.split("\n").filter((l) => !l.startsWith("PLCWELD")).join("\n");
  const report = importCsv(store, { plcs }, { mode: "replace" });
  assert.equal(weldTags, 1180);
  assert.deepEqual(brief(report.issues), [[
    null,
    null,
    null,
    `PLC PLCWELD0100001 is not in the file, but replace cannot delete it: it still has 1,180 tags and 2 polling groups`,
  ]]);
  assert.equal(store.plcs.all().length, 4);
});

Deno.test("replacing the whole plant deletes children before parents", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  const drop = (text: string, fn: (line: string) => boolean) =>
    text.split("\n").filter((l, i) => i === 0 || !fn(l)).join("\n");
  const weldTags = new Set(
    store.tags.list({ plcId: store.plcs.getByCode("PLCWELD0100001").id, limit: 5000 }).items.map((
      t,
    ) => t.code),
  );
  const files = {
    ...SAMPLE,
    plcs: drop(SAMPLE.plcs, (l) => l.startsWith("PLCWELD")),
    groups: drop(SAMPLE.groups, (l) => l.startsWith("WELD_")),
    tags: drop(SAMPLE.tags, (l) => weldTags.has(l.split(",")[0])),
    alarms: drop(SAMPLE.alarms, (l) => weldTags.has(l.split(",")[0])),
  };
  const report = importCsv(store, files, { mode: "replace" });
  assert.deepEqual(report.issues, []);
  assert.deepEqual(
    [report.counts.plcs?.deleted, report.counts.groups?.deleted, report.counts.tags?.deleted],
    [1, 2, weldTags.size],
  );
  assert.equal(
    report.counts.alarms?.deleted,
    SAMPLE.alarms.split("\n").length - files.alarms.split("\n").length,
  );
  assert.equal(store.loadPlant().plcs.length, 3);
});

Deno.test("bad headers, empty files and unbalanced quotes are reported, not thrown", () => {
  using store = testStore();
  const header = importCsv(store, { lines: csv("code,title,code", "L1,x,L1") });
  assert.deepEqual(header.issues.map((i) => [i.line, i.column, i.message]), [
    [1, "title", "is not a column of lines.csv (columns: code, name)"],
    [1, "code", "appears twice in the header"],
    [1, "name", "is missing from the header"],
  ]);
  assert.deepEqual(brief(importCsv(store, { lines: "" }).issues), [[
    null,
    1,
    null,
    "is empty: the header row is missing",
  ]]);
  const quotes = importCsv(store, { lines: csv("code,name", 'L1,"open', "L2,two") });
  assert.deepEqual(brief(quotes.issues), [[
    1,
    2,
    null,
    'has a quoted field that is never closed (a closing " is missing)',
  ]]);
  const stray = importCsv(store, { lines: csv("code,name", "L1,one", 'L2,t"wo') });
  assert.deepEqual(brief(stray.issues), [[
    2,
    3,
    null,
    'cannot be read as CSV: Invalid Opening Quote: a quote is found on field 1 at line 3, value is "t"',
  ]]);
  assert.equal(store.lines.all().length, 0);
});

Deno.test("rows that reference a failed row are not reported again", () => {
  using store = testStore();
  const report = importCsv(store, {
    lines: csv("code,name", "LINE01,Body"),
    processes: csv("code,name,line", "PRESS,Press,LINE01"),
    plcs: csv(
      "code,name,process,host,port,frame,network,pc,module_io,station,timeout_ms,pool_size,enabled",
      "PLCPRESS010001,Press,PRESS,127.0.0.1,70000,binary,0,255,1023,0,1000,5,true",
    ),
    groups: csv(
      "code,name,plc,mode,interval_ms,trigger,request_bit,ack_bit,step_timeout_ms,enabled",
      "G1,Group,PLCPRESS010001,FIXED,100,,,,,true",
    ),
  });
  assert.deepEqual(report.issues.map((i) => [i.file, i.row, i.column, i.message]), [
    ["plcs.csv", 1, "port", "must be a whole number from 1 to 65535"],
  ]);
});

Deno.test("a PLC switched to ASCII in plcs.csv while tags sit at ZR1000000+ is an error on its row", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  const assy = store.plcs.getByCode("PLCASSY0100001");
  store.tags.create({
    code: "FAR_AWAY",
    name: "Far",
    plcId: assy.id,
    groupId: store.groups.getByCode("ASSY_TRACE").id,
    address: "ZR1000000",
    dataType: "INT16",
  });
  const plcs = SAMPLE.plcs.replace("5004,binary", "5004,ascii");
  const report = importCsv(store, { plcs });
  assert.deepEqual(brief(report.issues), [[
    4,
    5,
    "frame",
    "ASCII frames cannot reach device numbers above 999999, used by tag FAR_AWAY (ZR1000000); keep binary frames or move those addresses",
  ]]);
});

Deno.test("alarm rules are merged by tag and kind; a second rule of a kind in the file is an error", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  const header = "tag,kind,limit,hysteresis,on_delay_ms,severity,message";
  const update = importCsv(store, {
    alarms: csv(header, "OVEN01_TEMP,HI,185,2,0,700,Oven zone 1 warm"),
  });
  assert.deepEqual(update.counts.alarms, {
    rows: 1,
    created: 0,
    updated: 1,
    deleted: 0,
    unchanged: 0,
  });
  assert.equal(store.alarmRules.list({ q: "warm" }).items[0].limit, 185);
  const dup = importCsv(store, {
    alarms: csv(
      header,
      "OVEN01_TEMP,HI,185,2,0,700,a",
      "OVEN01_TEMP,HI,186,2,0,700,b",
      "OVEN01_TEMP,ON,,,0,700,c",
    ),
  });
  assert.deepEqual(brief(dup.issues), [
    [2, 3, "kind", "tag OVEN01_TEMP already has a HI rule in row 1"],
    [3, 4, "kind", "ON rules need a BOOL tag; OVEN01_TEMP is FLOAT32"],
  ]);
});

Deno.test("long imports report progress every 1,000 rows", () => {
  using store = testStore();
  const seen: ImportProgress[] = [];
  importCsv(store, SAMPLE, { onProgress: (p) => p.file === "tags.csv" && seen.push(p) });
  assert.deepEqual(seen.map((p) => p.rows), [1000, 2000, 3000, 3491]);
  assert.ok(seen.every((p) => p.total === 3491));
});

Deno.test("spreadsheet habits are accepted: a BOM, CRLF line ends, TRUE/FALSE, spaces around numbers", () => {
  using store = testStore();
  seedPlant(store);
  const tags = "\ufeff" +
    [TAG_HEADER, "XL_1,From Excel,,PLCPRESS010001,PRESS_MOTION,D700,INT16,, 2 ,0,,,FALSE", ""].join(
      "\r\n",
    );
  const report = importCsv(store, { tags });
  assert.deepEqual(report.issues, []);
  const tag = store.tags.getByCode("XL_1");
  assert.deepEqual([tag.scale, tag.enabled], [2, false]);
});

Deno.test("alarms.csv may carry an enabled column; export writes it when a rule is disabled", () => {
  using store = testStore();
  importCsv(store, SAMPLE);
  assert.ok(
    !exportCsv(store, "alarms").startsWith(
      "tag,kind,limit,hysteresis,on_delay_ms,severity,message,enabled",
    ),
  );
  const report = importCsv(store, {
    alarms: csv(
      "tag,kind,limit,hysteresis,on_delay_ms,severity,message,enabled",
      "OVEN01_TEMP,LO,160,2,5000,400,Oven zone 1 below curing temperature,false",
    ),
  });
  assert.deepEqual(report.issues, []);
  const out = exportCsv(store, "alarms").split("\n");
  assert.equal(out[0], "tag,kind,limit,hysteresis,on_delay_ms,severity,message,enabled");
  assert.equal(out[3], "OVEN01_TEMP,LO,160,2,5000,400,Oven zone 1 below curing temperature,false");
});
