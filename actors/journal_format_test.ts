import assert from "node:assert/strict";
import fc from "fast-check";
import { QUALITIES, type Sample } from "../model/sample.ts";
import {
  formatNumber,
  formatRows,
  JOURNAL_HEADER,
  parseNumber,
  parseSegment,
  SegmentReader,
} from "./journal_format.ts";

/** Samples with every kind of value, including the awkward ones. */
export const sampleArb: fc.Arbitrary<Sample> = fc.record({
  tagId: fc.nat({ max: 1_000_000 }),
  ts: fc.oneof(
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ),
  value: fc.oneof(
    fc.double(),
    fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 0.1 + 0.2),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.string({
      unit: fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é", "日", "😀", "\t", "="),
    }),
    fc.string({ unit: "grapheme" }),
  ),
  quality: fc.constantFrom(...QUALITIES),
});

const roundTrip = (samples: readonly Sample[]) => {
  const bytes = new TextEncoder().encode(JOURNAL_HEADER + formatRows(samples));
  return parseSegment(new TextDecoder().decode(bytes));
};

Deno.test("journal rows round-trip every value exactly (property)", () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { maxLength: 30 }), (samples) => {
      const parsed = roundTrip(samples);
      assert.deepEqual(parsed.problems, []);
      assert.equal(parsed.records, samples.length);
      assert.equal(parsed.rows.length, samples.length);
      parsed.rows.forEach((row, i) => {
        assert.equal(row.record, i);
        const want = samples[i];
        assert.equal(row.sample.tagId, want.tagId);
        assert.ok(Object.is(row.sample.ts, want.ts), `ts ${row.sample.ts} vs ${want.ts}`);
        assert.ok(
          Object.is(row.sample.value, want.value),
          `value ${row.sample.value} vs ${want.value}`,
        );
        assert.equal(row.sample.quality, want.quality);
      });
    }),
    { numRuns: 300 },
  );
});

Deno.test("numbers keep -0, NaN, infinities and every bit of a double", () => {
  for (
    const n of [
      -0,
      0,
      NaN,
      Infinity,
      -Infinity,
      5e-324,
      1.7976931348623157e308,
      0.30000000000000004,
      1e21,
    ]
  ) {
    assert.ok(Object.is(parseNumber(formatNumber(n)), n), String(n));
  }
  assert.equal(parseNumber("0x10"), undefined);
  assert.equal(parseNumber(""), undefined);
  assert.equal(parseNumber(" 1"), undefined);
});

Deno.test("a journal file reads like a spreadsheet", () => {
  const text = JOURNAL_HEADER + formatRows([
    { tagId: 12, ts: 1_700_000_000_000, value: 21.5, quality: "good" },
    { tagId: 13, ts: 1_700_000_000_000, value: 'say "hi", then\nleave', quality: "good" },
    { tagId: 14, ts: 1_700_000_000_000, value: null, quality: "bad-comm" },
  ]);
  assert.equal(
    text,
    "tag_id,ts,iso_time,type,value,quality\n" +
      "12,1700000000000,2023-11-14T22:13:20.000Z,number,21.5,good\n" +
      '13,1700000000000,2023-11-14T22:13:20.000Z,string,"say ""hi"", then\nleave",good\n' +
      "14,1700000000000,2023-11-14T22:13:20.000Z,null,,bad-comm\n",
  );
});

Deno.test("a torn last row is skipped and reported with its line", () => {
  const good = JOURNAL_HEADER + formatRows([
    { tagId: 1, ts: 1, value: 1, quality: "good" },
    { tagId: 1, ts: 2, value: "two\nlines", quality: "good" },
  ]);
  for (
    const torn of [
      "1,3,1970-01-01T00:00:00.003Z,number,3.1",
      "1,3,1970-01-01T00:00:00.003Z,number,3,goo",
      '1,3,1970-01-01T00:00:00.003Z,string,"half a\n',
      '1,3,1970-01-01T00:00:00.003Z,string,"half',
    ]
  ) {
    const parsed = parseSegment(good + torn);
    assert.equal(parsed.rows.length, 2, torn);
    assert.equal(parsed.problems.length, 1, torn);
    assert.equal(parsed.problems[0].kind, "torn");
    assert.equal(parsed.problems[0].line, 5, torn);
  }
});

Deno.test("a complete last row without its newline is kept", () => {
  const parsed = parseSegment(JOURNAL_HEADER + "1,3,,number,3,good");
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.rows[0].sample, { tagId: 1, ts: 3, value: 3, quality: "good" });
});

Deno.test("corrupt rows are reported by line and skipped, the rest is read", () => {
  const text = JOURNAL_HEADER +
    "1,1,,number,1,good\n" +
    "1,2,,number,abc,good\n" +
    "1,3,,number,3\n" +
    "x,4,,number,4,good\n" +
    "1,5,,boolean,yes,good\n" +
    "1,6,,number,6,excellent\n" +
    "1,7,,null,7,bad-comm\n" +
    "1,8,,number,8,good\n";
  const parsed = parseSegment(text);
  assert.deepEqual(parsed.rows.map((r) => [r.sample.ts, r.record]), [[1, 0], [8, 7]]);
  assert.equal(parsed.records, 8);
  assert.deepEqual(parsed.problems.map((p) => [p.kind, p.line]), [
    ["corrupt", 3],
    ["corrupt", 4],
    ["corrupt", 5],
    ["corrupt", 6],
    ["corrupt", 7],
    ["corrupt", 8],
  ]);
});

Deno.test("an empty or header-only segment has no rows and no problems", () => {
  assert.deepEqual(parseSegment(""), { records: 0, rows: [], problems: [] });
  assert.deepEqual(parseSegment(JOURNAL_HEADER), { records: 0, rows: [], problems: [] });
  const tornHeader = parseSegment("tag_id,ts,is");
  assert.equal(tornHeader.problems[0].kind, "torn");
});

Deno.test("a segment reader parses only as many rows as it is asked for, in order", () => {
  const samples = Array.from({ length: 1_000 }, (_, i) => ({
    tagId: 1 + (i % 7),
    ts: i,
    value: i % 5 === 0 ? `text, "${i}"\nline` : i / 3,
    quality: "good" as const,
  }));
  const text = JOURNAL_HEADER + formatRows(samples);
  const reader = new SegmentReader(text);
  const first = reader.next(10);
  assert.deepEqual(first.rows.map((r) => r.sample), samples.slice(0, 10));
  assert.equal(reader.records, 10);
  assert.ok(reader.position < text.length / 50, `read ${reader.position} of ${text.length}`);
  assert.equal(reader.done, false);
  const rest = reader.next(Infinity);
  assert.deepEqual(rest.rows.map((r) => r.record), [...Array(990).keys()].map((k) => k + 10));
  assert.deepEqual(rest.rows.map((r) => r.sample), samples.slice(10));
  assert.equal(reader.done, true);
  assert.deepEqual(parseSegment(text).rows.length, 1_000);
});
