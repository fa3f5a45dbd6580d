import assert from "node:assert/strict";
import fc from "fast-check";
import { CSV_RESOURCES, csvFileName, escapeFormula, unescapeFormula } from "./csv_format.ts";
import { exportAllCsv } from "./csv_export.ts";
import { importCsv } from "./csv_import.ts";
import { seedPlant, testStore } from "./testing.ts";

Deno.test("text cells that a spreadsheet would run as a formula get a leading single quote", () => {
  for (const text of ["=1+1", "+41", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x"]) {
    assert.equal(escapeFormula(text), `'${text}`, JSON.stringify(text));
    assert.equal(unescapeFormula(escapeFormula(text)), text);
  }
  for (const text of ["Press 1", "'quoted", "a=b", " =x", "", "°C", "'"]) {
    assert.equal(escapeFormula(text), text, JSON.stringify(text));
    assert.equal(unescapeFormula(text), text);
  }
});

Deno.test("formula escaping round-trips any text and never leaves a formula start", () => {
  const formulaish = fc.stringMatching(/^'{0,3}[=+\-@\t\r'a ]{0,4}.{0,6}$/);
  fc.assert(
    fc.property(fc.oneof(fc.string(), formulaish), (text) => {
      const cell = escapeFormula(text);
      assert.equal(unescapeFormula(cell), text);
      assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("export escapes formula text (not negative numbers) and export → import → export stays byte-identical", () => {
  using store = testStore();
  const seed = seedPlant(store);
  const line = store.lines.create({ code: "-L9", name: '=HYPERLINK("http://evil.example","x")' });
  const process = store.processes.create({ code: "P9", name: "@SUM(1+1)", lineId: line.id });
  store.plcs.update(seed.plc.id, { processId: process.id, name: "+cmd|' /C calc'!A0" });
  store.tags.create({
    code: "FORMULA_TEXT",
    name: "\tTabbed",
    description: "'=already quoted",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D910",
    dataType: "FLOAT32",
    offset: -40,
    unit: "-",
  });
  store.alarmRules.create({
    tagId: seed.tag.id,
    kind: "LO",
    limit: -5,
    hysteresis: 0.5,
    severity: 10,
    message: "\rcarriage",
  });
  const first = exportAllCsv(store);
  assert.match(first["lines.csv"], /^'-L9,"'=HYPERLINK\(""http:\/\/evil.example"",""x""\)"$/m);
  assert.match(first["processes.csv"], /^P9,'@SUM\(1\+1\),'-L9$/m);
  assert.match(first["plcs.csv"], /,'\+cmd\|' \/C calc'!A0,P9,/);
  assert.match(first["tags.csv"], /^FORMULA_TEXT,'\tTabbed,''=already quoted,/m);
  assert.match(first["tags.csv"], /,D910,FLOAT32,,1,-40,'-,/, "the number stays -40");
  assert.match(first["alarms.csv"], /,LO,-5,0.5,/);
  for (const text of Object.values(first)) {
    for (const line of text.split("\n")) {
      for (const cell of line.split(",")) assert.doesNotMatch(cell, /^"?[=+@\t]/, line);
    }
  }
  using fresh = testStore();
  const report = importCsv(
    fresh,
    Object.fromEntries(CSV_RESOURCES.map((r) => [r, first[csvFileName(r)]])),
  );
  assert.deepEqual(report.issues, []);
  assert.deepEqual(fresh.loadPlant(), store.loadPlant());
  assert.deepEqual(exportAllCsv(fresh), first);
});
