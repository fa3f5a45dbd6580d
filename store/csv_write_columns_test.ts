import assert from "node:assert/strict";
import { exportCsv } from "./csv_export.ts";
import { importCsv } from "./csv_import.ts";
import { seedPlant, testStore } from "./testing.ts";

const HEADER =
  "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";

Deno.test("tags.csv: the write columns are optional, import with their rules, and export only when used", () => {
  using store = testStore();
  seedPlant(store);
  // Without the write columns: the defaults (not writable), and export leaves them out.
  assert.ok(!exportCsv(store, "tags").split("\n")[0].includes("writable"));
  const plain = importCsv(store, {
    tags: `${HEADER}\nPLAIN_T,Plain,,PLCPRESS010001,PRESS_MOTION,D600,INT16,,1,0,,,true\n`,
  });
  assert.equal(plain.ok, true, JSON.stringify(plain.issues));
  assert.equal(store.tags.getByCode("PLAIN_T").writable, false);

  const withWrites = `${HEADER},writable,write_min,write_max,bit_write\n` +
    "SP_T,Setpoint,,PLCPRESS010001,PRESS_MOTION,D601,INT16,,0.1,0,°C,,true,true,0,150,\n" +
    "CMD_T,Command,,PLCPRESS010001,PRESS_MOTION,D602.3,BOOL,,,,,,true,true,,,true\n";
  const report = importCsv(store, { tags: withWrites });
  assert.equal(report.ok, true, JSON.stringify(report.issues));
  const sp = store.tags.getByCode("SP_T");
  assert.deepEqual([sp.writable, sp.writeMin, sp.writeMax, sp.bitWrite], [true, 0, 150, false]);
  assert.equal(store.tags.getByCode("CMD_T").bitWrite, true);
  const exported = exportCsv(store, "tags").split("\n");
  assert.ok(exported[0].endsWith(",writable,write_min,write_max,bit_write"));
  assert.ok(exported.some((l) => l.startsWith("SP_T,") && l.endsWith(",true,0,150,false")));

  const bad = importCsv(store, {
    tags: `${HEADER},writable,write_min,write_max\n` +
      "BAD_T,Bad,,PLCPRESS010001,PRESS_MOTION,D603,INT16,,1,0,,,true,true,10,5\n",
  }, { dryRun: true });
  assert.equal(bad.ok, false);
  assert.deepEqual(
    bad.issues.map((i) => [i.column, i.message]),
    [["write_max", "must be at least writeMin (10)"]],
  );
});
