import assert from "node:assert/strict";
import { CSV_RESOURCES, csvFileName, exportAllCsv, samplePlantFiles } from "../store/mod.ts";
import { testApp } from "./testing.ts";

const CSV = { "Content-Type": "text/csv" };
const TAGS_HEADER =
  "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";

function form(
  fields: Record<string, string | Uint8Array<ArrayBuffer>>,
  fileNames: Record<string, string> = {},
) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    data.append(name, new File([value], fileNames[name] ?? `${name}.csv`, { type: "text/csv" }));
  }
  return data;
}

Deno.test("a dry run reports every problem by row and column, answers 200 and writes nothing", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  const csv = [
    TAGS_HEADER,
    "NEW_A,New A,,PLCPRESS010001,PRESS_MOTION,D200,INT16,,1,0,,,true",
    "NEW_B,New B,,PLCPRESS010001,PRESS_MOTION,D201,INT8,,1,0,,,true",
    "NEW_C,New C,,PLCGONE0000001,PRESS_MOTION,D202,INT16,,1,0,,,true",
  ].join("\n");
  const answer = await t.call("POST", "/api/v1/import/tags?dryRun=true", {
    body: csv,
    headers: CSV,
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.ok, false);
  assert.equal(answer.body.dryRun, true);
  assert.deepEqual(
    answer.body.issues.map((i: Record<string, unknown>) => [i.file, i.row, i.line, i.column]),
    [["tags.csv", 2, 3, "data_type"], ["tags.csv", 3, 4, "plc"]],
  );
  assert.match(answer.body.issues[0].message, /^must be one of BOOL, INT16/);
  assert.equal(answer.body.issues[1].message, "no PLC with code PLCGONE0000001");
  assert.deepEqual(exportAllCsv(t.store), before);

  const clean = await t.call("POST", "/api/v1/import/tags?dryRun=true", {
    body: [TAGS_HEADER, "NEW_A,New A,,PLCPRESS010001,PRESS_MOTION,D200,INT16,,1,0,,,true"].join(
      "\n",
    ),
    headers: CSV,
  });
  assert.equal(clean.status, 200);
  assert.equal(clean.body.ok, true);
  assert.equal(clean.body.counts.tags.created, 1);
  assert.deepEqual(exportAllCsv(t.store), before);
});

Deno.test("an import with one bad row is refused with 400 and leaves the store unchanged", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  const csv = [
    TAGS_HEADER,
    "NEW_A,New A,,PLCPRESS010001,PRESS_MOTION,D200,INT16,,1,0,,,true",
    "NEW_B,New B,,PLCPRESS010001,PRESS_MOTION,D99999,INT16,,1,0,,,true",
    "NEW_C,New C,,PLCPRESS010001,PRESS_MOTION,D202,INT16,,1,0,,,true",
  ].join("\n");
  const answer = await t.call("POST", "/api/v1/import/tags", { body: csv, headers: CSV });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error, "validation");
  assert.equal(answer.body.message, "1 problem; nothing was written");
  assert.equal(answer.body.ok, false);
  assert.deepEqual(answer.body.issues.map((i: { path: string }) => i.path), ["tags.csv/2/address"]);
  assert.deepEqual(exportAllCsv(t.store), before);
  const audit = await t.call("GET", "/api/v1/audit?action=import");
  assert.equal(audit.body.total, 0);
});

Deno.test("export → import → export is byte-identical over HTTP (the sample plant)", async () => {
  using source = await testApp({ seed: false });
  const sample = samplePlantFiles();
  const data = new FormData();
  for (const r of CSV_RESOURCES) data.append(r, new File([sample[r]], csvFileName(r)));
  const loaded = await source.call("POST", "/api/v1/import", { body: data });
  assert.equal(loaded.status, 200, JSON.stringify(loaded.body.issues?.slice(0, 3)));
  assert.equal(loaded.body.counts.tags.created, 3491);

  const first = await source.call("GET", "/api/v1/export", { as: "viewer" });
  assert.equal(first.status, 200);
  for (const r of CSV_RESOURCES) assert.equal(first.body.files[csvFileName(r)], sample[r], r);

  using target = await testApp({ seed: false });
  const upload = new FormData();
  for (const [name, text] of Object.entries(first.body.files as Record<string, string>)) {
    upload.append("files", new File([text], name));
  }
  const imported = await target.call("POST", "/api/v1/import", { body: upload });
  assert.equal(imported.status, 200);
  for (const r of CSV_RESOURCES) {
    const one = await target.call("GET", `/api/v1/export/${r}`);
    assert.equal(one.body, first.body.files[csvFileName(r)], r);
  }
  // Importing the same files again changes nothing.
  const again = await target.call("POST", "/api/v1/import", { body: upload });
  assert.equal(again.body.counts.tags.unchanged, 3491);
});

Deno.test("one file exports as a text/csv attachment", async () => {
  using t = await testApp();
  const answer = await t.call("GET", "/api/v1/export/tags", { as: "viewer" });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(answer.headers.get("Content-Disposition"), 'attachment; filename="tags.csv"');
  assert.ok(answer.body.startsWith(`${TAGS_HEADER}\nPRESS01_VEL,`));
  const unknown = await t.call("GET", "/api/v1/export/recipes");
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.body.issues, [
    { path: "resource", message: "must be one of lines, processes, plcs, groups, tags, alarms" },
  ]);
});

Deno.test("a single-file import takes multipart with a field named file", async () => {
  using t = await testApp();
  const lines = "code,name\nLINE01,Body line\nLINE02,Paint line\n";
  const answer = await t.call("POST", "/api/v1/import/lines", { body: form({ file: lines }) });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.counts.lines, {
    rows: 2,
    created: 1,
    updated: 0,
    deleted: 0,
    unchanged: 1,
  });
  const named = await t.call("POST", "/api/v1/import/lines", {
    body: form({ lines: "code,name\nLINE03,Third\n" }),
  });
  assert.equal(named.status, 200);
  const other = new FormData();
  other.append("a", new File(["x"], "a.csv"));
  other.append("b", new File(["y"], "b.csv"));
  const missing = await t.call("POST", "/api/v1/import/lines", { body: other });
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body.issues, [
    { path: "file", message: "is required: send lines.csv as a multipart field named file" },
  ]);
  const audit = await t.call("GET", "/api/v1/audit?action=import&user=admin1");
  assert.equal(audit.body.total, 2);
  assert.equal(audit.body.items[0].resource, "lines");
});

Deno.test("replace mode deletes the records the file leaves out", async () => {
  using t = await testApp();
  await t.call("POST", "/api/v1/lines", { body: { code: "LINE02", name: "Spare" } });
  const answer = await t.call("POST", "/api/v1/import/lines?mode=replace", {
    body: "code,name\nLINE01,Body line\n",
    headers: CSV,
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.mode, "replace");
  assert.equal(answer.body.counts.lines.deleted, 1);
  assert.equal((await t.call("GET", "/api/v1/lines")).body.total, 1);
  const badMode = await t.call("POST", "/api/v1/import/lines?mode=wipe", {
    body: "code,name\n",
    headers: CSV,
  });
  assert.equal(badMode.status, 400);
  assert.deepEqual(badMode.body.issues, [{ path: "mode", message: "must be merge or replace" }]);
});

Deno.test("bodies that are not UTF-8 CSV are refused with a reason", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  // "ライン" in Shift_JIS, as Japanese Excel saves CSV.
  const shiftJis = new Uint8Array([
    0x63,
    0x6f,
    0x64,
    0x65,
    0x2c,
    0x6e,
    0x61,
    0x6d,
    0x65,
    0x0a,
    0x4c,
    0x31,
    0x2c,
    0x83,
    0x89,
    0x83,
    0x43,
    0x83,
    0x93,
    0x0a,
  ]);
  const sjis = await t.call("POST", "/api/v1/import/lines", { body: form({ file: shiftJis }) });
  assert.equal(sjis.status, 400);
  assert.match(sjis.body.issues[0].message, /^is not UTF-8: byte 0x[0-9a-f]{2} at byte offset \d+/);
  const json = await t.call("POST", "/api/v1/import/lines", { body: { code: "L1" } });
  assert.equal(json.status, 415);
  assert.equal(json.body.error, "unsupported_media_type");
  const multi = await t.call("POST", "/api/v1/import", { body: "code,name\n", headers: CSV });
  assert.equal(multi.status, 415);
  const stray = await t.call("POST", "/api/v1/import", { body: form({ recipes: "a,b\n" }) });
  assert.equal(stray.status, 400);
  assert.equal(stray.body.issues[0].path, "recipes");
  const broken = await t.call("POST", "/api/v1/import", {
    body: "--x\r\nnot really multipart",
    headers: { "Content-Type": "multipart/form-data; boundary=x" },
  });
  assert.equal(broken.status, 400);
  assert.deepEqual(exportAllCsv(t.store), before);
});

Deno.test("a multi-file import applies files in dependency order, all or nothing", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  // processes.csv names a line that is new in lines.csv, whatever the field order.
  const upload = form({
    processes: "code,name,line\nWELD,Weld shop,LINE09\n",
    lines: "code,name\nLINE09,Weld line\n",
    tags: `${TAGS_HEADER}\nBAD,Bad,,PLCPRESS010001,PRESS_MOTION,Q1,INT16,,1,0,,,true\n`,
  });
  const refused = await t.call("POST", "/api/v1/import", { body: upload });
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body.issues.map((i: { path: string }) => i.path), [
    "tags.csv/1/address",
  ]);
  assert.deepEqual(exportAllCsv(t.store), before);
  const good = form({
    processes: "code,name,line\nWELD,Weld shop,LINE09\n",
    lines: "code,name\nLINE09,Weld line\n",
  });
  const applied = await t.call("POST", "/api/v1/import", { body: good });
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  assert.equal(applied.body.counts.processes.created, 1);
});

const gxFixture = (name: string) =>
  Deno.readFileSync(new URL(`../fixtures/gxworks/${name}`, import.meta.url));
const GX = "/api/v1/import/gxworks";

Deno.test("a GX Works3 label dry run answers the issues by the file's row and column and writes nothing", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  const body = new FormData();
  body.append("file", new File([gxFixture("gxworks3_labels_refused.csv")], "labels.csv"));
  const answer = await t.call(
    "POST",
    `${GX}/gxworks3-labels?plc=PLCPRESS010001&group=PRESS_MOTION&dryRun=true`,
    { body },
  );
  assert.equal(answer.status, 200);
  assert.equal(answer.body.ok, false);
  assert.equal(answer.body.dryRun, true);
  assert.deepEqual(answer.body.source, {
    kind: "gxworks3-labels",
    file: "labels.csv",
    records: 16,
    skipped: 0,
    tags: 1,
  });
  const issues = answer.body.issues as Record<string, unknown>[];
  assert.equal(issues.length, 15);
  assert.deepEqual([issues[0].file, issues[0].row, issues[0].column], [
    "labels.csv",
    3,
    "Data Type",
  ]);
  assert.deepEqual(
    [issues[6].row, issues[6].column, issues[6].message],
    [
      9,
      "Assign (Device/Label)",
      "Unassigned has no device: JSScada reads devices; assign the label to a device in GX Works3",
    ],
  );
  assert.deepEqual(exportAllCsv(t.store), before);
});

Deno.test("a GX Works3 Unicode label import applies: the tags are created in the PLC's group", async () => {
  using t = await testApp();
  const path = `${GX}/gxworks3-labels?plc=PLCPRESS010001&group=PRESS_MOTION&prefix=gx_`;
  const answer = await t.call("POST", path, {
    body: gxFixture("gxworks3_labels_unicode.txt"),
    headers: { "Content-Type": "text/tab-separated-values" },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.ok, true);
  assert.equal(answer.body.counts.tags.created, 4);
  const level = t.store.tags.getByCode("GX_TANK_LEVEL");
  assert.deepEqual(
    [level.address, level.dataType, level.description, t.store.groups.get(level.groupId).code],
    ["D1000", "INT16", "タンク液位 (mm)", "PRESS_MOTION"],
  );
});

Deno.test("a refused GX Works import answers 400 with the report; bad parameters answer 400", async () => {
  using t = await testApp();
  const refused = await t.call(
    "POST",
    `${GX}/gxworks2-comments?plc=PLCPRESS010001&group=PRESS_MOTION&wordType=INT32`,
    { body: gxFixture("gxworks2_comments_refused.csv"), headers: CSV },
  );
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, "validation");
  assert.equal(refused.body.message, "5 problems; nothing was written");
  assert.equal(refused.body.issues[0].column, "Device Name");
  assert.equal(refused.body.issues[0].file, "gxworks2-comments.csv");
  assert.throws(() => t.store.tags.getByCode("D10"));

  const noGroup = await t.call("POST", `${GX}/gxworks2-comments?plc=PLCPRESS010001`, {
    body: "x",
    headers: CSV,
  });
  assert.equal(noGroup.status, 400);
  const kind = await t.call("POST", `${GX}/gxworks4?plc=P&group=G`, { body: "x", headers: CSV });
  assert.equal(kind.status, 400);
  const type = await t.call("POST", `${GX}/gxworks2-comments?plc=P&group=G`, {
    body: "x",
    headers: { "Content-Type": "image/png" },
  });
  assert.equal(type.status, 415);
  const garbage = await t.call(
    "POST",
    `${GX}/gxworks3-labels?plc=PLCPRESS010001&group=PRESS_MOTION&dryRun=true`,
    {
      body: new Uint8Array([0, 159, 146, 150, 1, 2]),
      headers: { "Content-Type": "application/octet-stream" },
    },
  );
  assert.equal(garbage.status, 200);
  assert.equal(garbage.body.ok, false);
  assert.match(
    garbage.body.issues[0].message,
    /^is not UTF-8: the byte at offset 1 is not valid there/,
  );
});
