/**
 * Fuzzing the CSV import endpoints with fast-check: random files (real and
 * unknown columns in any order, cells from plausible values and junk, broken
 * quoting, random bytes), one at a time or several in one multipart upload,
 * dry runs and real imports, merge and replace. Every answer must be 2xx or a
 * 4xx with a message, never a 5xx; a refused import and every dry run must
 * leave the store exactly as it was.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { CSV_COLUMNS, CSV_RESOURCES, type CsvResource } from "../store/mod.ts";
import { type Answer, checkAnswer, sendAsAdmin, snapshot, testApp } from "./testing.ts";

const CELLS = [
  "",
  "LINE01",
  "PRESS",
  "PLCPRESS010001",
  "PLCPAINT010001",
  "PRESS_MOTION",
  "PAINT_BOOTH",
  "PRESS01_VEL",
  "PRESS01_ALM",
  "D100",
  "M10",
  "D100.3",
  "ZR1000000",
  "X1F",
  "INT16",
  "BOOL",
  "STRING",
  "FLOAT32",
  "FIXED",
  "HANDSHAKE",
  "plc-bit",
  "rest",
  "M3000",
  "M3001",
  "ascii",
  "binary",
  "HI",
  "ON",
  "OFF",
  "LOLO",
  "1",
  "0",
  "-1",
  "50",
  "100",
  "65535",
  "1e3",
  "0.1",
  "true",
  "false",
  "yes",
  "NEW_CODE",
  "New name",
  "127.0.0.1",
  '"',
  '""',
  ",",
  "\n",
  "\r\n",
  "\uFEFF",
  "ＡＢＣ",
];

const cell = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CELLS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

function csvText(resource: CsvResource): fc.Arbitrary<string> {
  const columns = [...CSV_COLUMNS[resource].map((c) => c.name), "junk"];
  const structured = fc.shuffledSubarray(columns, { minLength: 1 }).chain((header) =>
    fc.array(
      fc.array(fc.tuple(cell, fc.boolean()), { minLength: 0, maxLength: header.length + 1 }),
      { maxLength: 8 },
    ).map((rows) =>
      [
        header,
        ...rows.map((r) => r.map(([v, quote]) => (quote ? `"${v.replaceAll('"', '""')}"` : v))),
      ]
        .map((r) => r.join(","))
        .join("\n")
    )
  );
  return fc.oneof(
    { weight: 4, arbitrary: structured },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  );
}

Deno.test("random CSV files to the import endpoints get 2xx or 4xx, and refused or dry runs change nothing", async () => {
  using t = await testApp();
  let before = snapshot(t);
  const single = fc.record({
    resource: fc.constantFrom(...CSV_RESOURCES),
    dryRun: fc.boolean(),
    mode: fc.constantFrom("merge", "merge", "merge", "replace"),
  }).chain((q) => csvText(q.resource).map((text) => ({ ...q, files: { [q.resource]: text } })));
  const multi = fc.record({
    resource: fc.constant(undefined),
    dryRun: fc.boolean(),
    mode: fc.constant("merge"),
    files: fc.uniqueArray(fc.constantFrom(...CSV_RESOURCES), { minLength: 1, maxLength: 3 }).chain((
      rs,
    ) =>
      fc.tuple(...rs.map((r) => csvText(r).map((text) => [r, text] as const))).map(
        Object.fromEntries,
      )
    ),
  });
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: single }, multi), async (q) => {
      const query = `?dryRun=${q.dryRun}&mode=${q.mode}`;
      let answer: Answer;
      if (q.resource) {
        const text = q.files[q.resource] as string;
        answer = await sendAsAdmin(t, "POST", `/api/v1/import/${q.resource}${query}`, {
          text,
          type: "text/csv",
        });
      } else {
        const data = new FormData();
        for (const [r, text] of Object.entries(q.files)) {
          data.append(r, new File([text as string], `${r}.csv`));
        }
        answer = await sendAsAdmin(t, "POST", `/api/v1/import${query}`, data);
      }
      checkAnswer(answer, `import ${JSON.stringify(q).slice(0, 300)}`);
      const after = snapshot(t);
      if (answer.status >= 400 || q.dryRun) {
        assert.equal(after, before, "refused or dry run changed the store");
      }
      before = after;
    }),
    { numRuns: 2_000 },
  );
});
