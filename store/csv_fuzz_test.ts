import assert from "node:assert/strict";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { CSV_COLUMNS, CSV_RESOURCES, type CsvResource } from "./csv_format.ts";
import { exportAllCsv } from "./csv_export.ts";
import { importCsv, type ImportReport } from "./csv_import.ts";
import type { Store } from "./store.ts";
import { seedPlant, testStore } from "./testing.ts";

function checkReport(report: ImportReport): void {
  assert.equal(report.ok, report.issues.length === 0);
  for (const i of report.issues) {
    assert.equal(typeof i.message, "string");
    assert.ok(i.message.length > 0);
    assert.ok(i.file.endsWith(".csv"));
    assert.ok(i.row === null || (Number.isInteger(i.row) && i.row >= 1));
  }
}

/** Imports; asserts the store is unchanged unless the import succeeded. */
function importChecked(
  store: Store,
  files: Partial<Record<CsvResource, string>>,
  mode: "merge" | "replace",
) {
  const before = exportAllCsv(store);
  const report = importCsv(store, files, { mode });
  checkReport(report);
  if (!report.ok) {
    assert.deepEqual(exportAllCsv(store), before, "a failed import changed the store");
  }
  return report;
}

const csvChars = fc.constantFrom(
  ",",
  ",",
  '"',
  "\n",
  "\r\n",
  " ",
  "a",
  "Z",
  "1",
  "0",
  ".",
  "-",
  "\ufeff",
  "true",
  "D100",
  "M10",
  "PLCPRESS010001",
  "PRESS_MOTION",
  "INT16",
  "BOOL",
  "STRING",
  "HI",
  "ON",
  "é",
  "\u0000",
);
const header = fc.constantFrom(...CSV_RESOURCES).map((r) =>
  CSV_COLUMNS[r].map((c) => c.name).join(",")
);

Deno.test("random CSV text gets reports, never a throw, and a failed import changes nothing", () => {
  using store = testStore();
  seedPlant(store);
  fc.assert(
    fc.property(
      fc.constantFrom(...CSV_RESOURCES),
      fc.option(header, { nil: undefined }),
      fc.array(csvChars, { maxLength: 120 }),
      fc.constantFrom("merge" as const, "replace" as const),
      (resource, head, body, mode) => {
        const text = (head ? `${head}\n` : "") + body.join("");
        importChecked(store, { [resource]: text }, mode);
      },
    ),
    { numRuns: 400 },
  );
});

const junk = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    "",
    " ",
    "-1",
    "1e400",
    "NaN",
    "0x10",
    "D99999",
    "M10.1",
    "REAL",
    "PLCNONE0000001",
  ),
);

/** A tag row that is valid on its own (codes may clash with the seed plant, or repeat). */
const goodRow = fc.tuple(
  fc.constantFrom("PRESS01_VEL", "PRESS01_ALM", "NEW_1", "NEW_2", "NEW_3", "NEW_4"),
  fc.string({ minLength: 1, maxLength: 10 }).filter((s) => /\S/.test(s)),
  fc.string({ maxLength: 10 }),
  fc.nat(99),
  fc.constantFrom(
    ["INT16", "D", "", "0.1", "0", "mm", "0.5"],
    ["FLOAT32", "D", "", "1", "-5", "°C", ""],
    ["STRING", "D", "8", "", "", "", ""],
    ["BOOL", "M", "", "", "", "", ""],
    ["BOOL", "D", "", "", "", "", ""],
  ),
  fc.constantFrom("true", "false", "TRUE"),
).map(([code, name, description, n, [type, device, length, scale, offset, unit, deadband], on]) => {
  const address = device === "M"
    ? `M${n}`
    : type === "BOOL"
    ? `D${2000 + n}.${n % 16}`
    : `D${2000 + 10 * n}`;
  return [
    code,
    name,
    description,
    "PLCPRESS010001",
    "PRESS_MOTION",
    address,
    type,
    length,
    scale,
    offset,
    unit,
    deadband,
    on,
  ];
});

/** A good row with up to two cells replaced by junk. */
const tagRow = fc.tuple(goodRow, fc.array(fc.tuple(fc.nat(12), junk), { maxLength: 2 }), fc.nat(3))
  .map(([row, edits, keep]) => {
    const out = [...row];
    if (keep !== 0) { for (const [at, cell] of edits) out[at] = cell; }
    return out;
  });

Deno.test("random tag rows: either a clean import that round-trips, or a report and no change", () => {
  const columns = CSV_COLUMNS.tags.map((c) => c.name);
  fc.assert(
    fc.property(fc.array(tagRow, { minLength: 1, maxLength: 6 }), fc.boolean(), (rows, replace) => {
      using store = testStore();
      seedPlant(store);
      const text = stringify(rows, { header: true, columns, record_delimiter: "unix" });
      const report = importChecked(store, { tags: text }, replace ? "replace" : "merge");
      if (!report.ok) return;
      const first = exportAllCsv(store);
      using copy = testStore();
      const files = Object.fromEntries(CSV_RESOURCES.map((r) => [r, first[`${r}.csv`]]));
      assert.deepEqual(importCsv(copy, files).issues, []);
      assert.deepEqual(exportAllCsv(copy), first);
    }),
    { numRuns: 300 },
  );
});
