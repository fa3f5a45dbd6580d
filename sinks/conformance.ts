/**
 * The one conformance suite every historian sink runs (DESIGN.md, convention
 * 3): round trips of every value type and quality, atomic batches, (tag, ts)
 * uniqueness and replay idempotence, large and empty batches, health and
 * close, concurrent writes, and for HistorySources the raw and downsampled
 * range queries. Each sink's test file supplies a harness: the sink plus a
 * way to read back every stored row and to make a write fail midway.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Sample } from "../model/sample.ts";
import type { HistoryBucket, HistorySource, Sink } from "./sink.ts";
import { bucketize } from "./buckets.ts";

/** What a sink's test file hands the suite for one fresh, empty sink. */
export interface SinkHarness {
  readonly sink: Sink & Partial<HistorySource>;
  /**
   * Every stored row, read back through the sink's own storage (not through
   * the sink under test where that can be avoided), duplicates included.
   */
  readAll(): Promise<Sample[]>;
  /**
   * Arranges that storing `sample` fails inside the database (a trigger, or
   * the fake connection throwing at that row) after earlier rows of the same
   * write were stored; returns a function that removes the fault.
   */
  failAt(sample: Sample): Promise<() => Promise<void>>;
  /** Closes the sink (if still open) and removes what the harness made. */
  cleanup(): Promise<void>;
}

/** Knobs of the suite. */
export interface ConformanceOptions {
  /** Skip the whole suite (e.g. PostgreSQL binaries missing). */
  readonly ignore?: boolean;
  /** Runs once before the cases (e.g. start a server). */
  readonly setup?: () => Promise<void>;
  /** Runs once after the cases, also when one failed. */
  readonly teardown?: () => Promise<void>;
  /** Size of the large batch (default 5,000). */
  readonly largeBatch?: number;
  /** Runs of the history property (default 15). */
  readonly propertyRuns?: number;
}

/** 2024-05-01T23:59:00Z: batches cross a UTC day boundary (SQLite partitions by day). */
export const BASE_TS = Date.UTC(2024, 4, 1, 23, 59, 0);

/** One sample of every value type and quality, on tags from `tagBase`. */
export function valueZoo(tagBase: number, ts = BASE_TS): Sample[] {
  const values: Array<Sample["value"]> = [
    0,
    1,
    -1,
    -123.456,
    Math.PI,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Infinity,
    -Infinity,
    NaN,
    true,
    false,
    "",
    "plain",
    "007",
    "1e3",
    `quotes ' and " and ''`,
    "commas, semicolons; tabs\tand\nnewlines\r\n",
    "back\\slash and %_ wildcards",
    "unicode 温度 °C Ω ✓ 🙂 é",
    "x".repeat(1000),
    null,
  ];
  const qualities = ["good", "bad-comm", "bad-config", "stale"] as const;
  const out: Sample[] = values.map((value, i) => ({
    tagId: tagBase + i,
    ts: ts + i * 7_000,
    value,
    quality: value === null ? "bad-comm" : "good",
  }));
  qualities.forEach((quality, i) => {
    out.push({ tagId: tagBase + 100 + i, ts, value: i === 0 ? 42.5 : null, quality });
    out.push({ tagId: tagBase + 100 + i, ts: ts + 1, value: 7, quality });
  });
  return out;
}

/** Samples sorted by (tagId, ts), the order readAll results are compared in. */
export function byKey(samples: readonly Sample[]): Sample[] {
  return [...samples].sort((a, b) => a.tagId - b.tagId || a.ts - b.ts);
}

/** A grid of `tags` × `steps` numeric samples, tags interleaved as a poller emits them. */
export function grid(tagBase: number, tags: number, steps: number, ts = BASE_TS): Sample[] {
  const out: Sample[] = [];
  for (let k = 0; k < steps; k++) {
    for (let t = 0; t < tags; t++) {
      out.push({
        tagId: tagBase + t,
        ts: ts + k * 1000,
        value: Math.sin(k * tags + t),
        quality: "good",
      });
    }
  }
  return out;
}

/** Asserts two bucket lists equal, avg within a relative 1e-9 (sums run in other orders). */
export function assertBucketsEqual(actual: HistoryBucket[], expected: HistoryBucket[]): void {
  assert.equal(actual.length, expected.length, "bucket count");
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.deepEqual({ ...a, avg: null }, { ...e, avg: null }, `bucket ${i}`);
    if (e.avg === null || a.avg === null) assert.equal(a.avg, e.avg, `bucket ${i} avg`);
    else if (!Object.is(a.avg, e.avg)) {
      assert.ok(
        Math.abs(a.avg - e.avg) <= 1e-9 * Math.max(1, Math.abs(e.avg)),
        `bucket ${i} avg ${a.avg} vs ${e.avg}`,
      );
    }
  });
}

interface Knobs {
  readonly largeBatch: number;
  readonly propertyRuns: number;
}

type Case = (h: SinkHarness, knobs: Knobs) => Promise<void>;

const CASES: Record<string, Case> = {
  "stores and reads back every value type and quality": async (h) => {
    const zoo = valueZoo(1);
    await h.sink.write(zoo);
    assert.deepEqual(byKey(await h.readAll()), byKey(zoo));
  },
  "an empty batch is a no-op": async (h) => {
    await h.sink.write([]);
    assert.deepEqual(await h.readAll(), []);
  },
  "writing the same batch twice leaves one row per (tag, ts)": async (h) => {
    const batch = valueZoo(1);
    await h.sink.write(batch);
    await h.sink.write(batch);
    assert.deepEqual(byKey(await h.readAll()), byKey(batch));
  },
  "a re-written (tag, ts) keeps one row and the last write wins": async (h) => {
    const first: Sample[] = [{ tagId: 5, ts: BASE_TS, value: 1, quality: "good" }];
    const second: Sample[] = [{ tagId: 5, ts: BASE_TS, value: "two", quality: "stale" }];
    await h.sink.write(first);
    await h.sink.write(second);
    assert.deepEqual(await h.readAll(), second);
  },
  "a batch partly stored already keeps one row per (tag, ts), the new samples winning": async (
    h,
  ) => {
    const stored = grid(1, 30, 4);
    await h.sink.write(stored);
    // A replayed batch whose first half is stored (with other values) and second half new.
    const mixed = [...stored.slice(60), ...grid(1, 30, 2, BASE_TS + 4_000)].map((s) => ({
      ...s,
      value: -s.tagId,
    }));
    await h.sink.write(mixed);
    await h.sink.write(mixed);
    assert.deepEqual(byKey(await h.readAll()), byKey([...stored.slice(0, 60), ...mixed]));
  },
  "a (tag, ts) twice in one batch keeps the later sample": async (h) => {
    const batch: Sample[] = [
      { tagId: 5, ts: BASE_TS, value: 1, quality: "good" },
      { tagId: 6, ts: BASE_TS, value: true, quality: "good" },
      { tagId: 5, ts: BASE_TS, value: 2, quality: "stale" },
    ];
    await h.sink.write(batch);
    assert.deepEqual(byKey(await h.readAll()), byKey(batch.slice(1)));
  },
  "a batch that fails midway stores nothing, and the sink goes on": async (h) => {
    const batch = grid(10, 40, 30); // 1,200 samples over a day boundary
    const undo = await h.failAt(batch[batch.length - 1]);
    await assert.rejects(() => h.sink.write(batch));
    assert.deepEqual(await h.readAll(), [], "nothing of the failed batch is stored");
    assert.equal((await h.sink.health()).ok, true);
    await undo();
    await h.sink.write(batch);
    assert.deepEqual(byKey(await h.readAll()), byKey(batch));
  },
  "a large batch is stored whole": async (h, knobs) => {
    const batch = grid(1, 50, Math.ceil(knobs.largeBatch / 50));
    await h.sink.write(batch);
    const rows = await h.readAll();
    assert.equal(rows.length, batch.length);
    assert.deepEqual(byKey(rows), byKey(batch));
  },
  "a bad sample fails the whole batch before anything is stored": async (h) => {
    const bad = [
      { tagId: 1, ts: BASE_TS, value: 1, quality: "good" },
      { tagId: 2.5, ts: BASE_TS, value: 1, quality: "good" },
    ] as Sample[];
    await assert.rejects(() => h.sink.write(bad), RangeError);
    await assert.rejects(
      () => h.sink.write([{ tagId: 1, ts: BASE_TS, value: 1, quality: "fine" as "good" }]),
      RangeError,
    );
    assert.deepEqual(await h.readAll(), []);
  },
  "health is ok while open; after close writes throw and close is idempotent": async (h) => {
    assert.deepEqual(await h.sink.health(), { ok: true });
    await h.sink.close();
    await assert.rejects(() => h.sink.write(valueZoo(1)));
    assert.equal((await h.sink.health()).ok, false);
    await h.sink.close();
  },
  "concurrent writes commit whole batches": async (h) => {
    const shared = grid(1, 100, 2);
    const overlapping = [0, 1, 2, 3].map((b) => shared.map((s) => ({ ...s, value: b })));
    const disjoint = [0, 1, 2, 3].map((b) => grid(1000 + b * 100, 100, 3));
    await Promise.all([...overlapping, ...disjoint].map((batch) => h.sink.write(batch)));
    const rows = await h.readAll();
    assert.equal(rows.length, shared.length + 4 * 300);
    const winners = new Set(rows.filter((r) => r.tagId < 1000).map((r) => r.value));
    assert.equal(winners.size, 1, "every shared key holds the value of one and the same batch");
    assert.deepEqual(
      byKey(rows.filter((r) => r.tagId >= 1000)),
      byKey(disjoint.flat()),
    );
  },
};

const HISTORY_CASES: Record<string, Case> = {
  "samples() returns one tag's [from, to) oldest first, at most limit": async (h) => {
    const src = h.sink as Sink & HistorySource;
    const data = grid(1, 3, 100);
    await src.write([...data].reverse());
    const tag2 = data.filter((s) => s.tagId === 2);
    const from = BASE_TS + 10_000;
    const to = BASE_TS + 20_000;
    assert.deepEqual(
      await src.samples(2, from, to, 1000),
      tag2.filter((s) => s.ts >= from && s.ts < to),
    );
    assert.deepEqual(await src.samples(2, from, to, 3), tag2.slice(10, 13));
    assert.deepEqual(await src.samples(2, from, to, 0), []);
    assert.deepEqual(await src.samples(2, to, from, 10), []);
    assert.deepEqual(await src.samples(99, BASE_TS, BASE_TS + 1e9, 10), []);
    assert.deepEqual(await src.samples(2, 0, BASE_TS + 1e9, 1e6), tag2);
  },
  "history() gives min/max/avg/count/last per bucket, empty buckets left out": async (h) => {
    const src = h.sink as Sink & HistorySource;
    const ts = (s: number) => BASE_TS + s * 1000;
    const data: Sample[] = [
      ...[0, 1, 2, 3].map((s) => ({
        tagId: 7,
        ts: ts(s),
        value: s * 1.5 - 2,
        quality: "good" as const,
      })),
      { tagId: 7, ts: ts(4), value: null, quality: "bad-comm" },
      ...[30, 31, 59, 60, 61, 99].map((s) => ({
        tagId: 7,
        ts: ts(s),
        value: -s,
        quality: "good" as const,
      })),
      { tagId: 7, ts: ts(100), value: 1e6, quality: "good" }, // at `to`: left out
      { tagId: 8, ts: ts(1), value: 555, quality: "good" }, // another tag
    ];
    await src.write(data);
    const from = ts(0);
    const to = ts(100);
    const buckets = await src.history(7, from, to, 10);
    assertBucketsEqual(buckets, bucketize(data.filter((s) => s.tagId === 7), from, to, 10));
    assert.deepEqual(buckets.map((b) => b.ts), [ts(0), ts(30), ts(50), ts(60), ts(90)]);
    assert.deepEqual(buckets[0], { ts: ts(0), min: -2, max: 2.5, avg: 0.25, count: 5, last: null });
    assert.ok((await src.history(7, from, to, 1)).length === 1);
    assert.deepEqual(await src.history(7, to, from, 10), []);
    assert.deepEqual(await src.history(99, from, to, 10), []);
    await assert.rejects(() => src.history(7, from, to, 0), RangeError);
  },
  "history() of booleans, strings and NaN": async (h) => {
    const src = h.sink as Sink & HistorySource;
    const data: Sample[] = [
      { tagId: 3, ts: BASE_TS, value: true, quality: "good" },
      { tagId: 3, ts: BASE_TS + 1, value: false, quality: "good" },
      { tagId: 4, ts: BASE_TS, value: "a", quality: "good" },
      { tagId: 4, ts: BASE_TS + 5, value: "b,'c'", quality: "good" },
      { tagId: 5, ts: BASE_TS, value: NaN, quality: "good" },
      { tagId: 5, ts: BASE_TS + 2, value: 4, quality: "good" },
    ];
    await src.write(data);
    const to = BASE_TS + 10;
    assert.deepEqual(await src.history(3, BASE_TS, to, 1), [
      { ts: BASE_TS, min: 0, max: 1, avg: 0.5, count: 2, last: 0 },
    ]);
    assert.deepEqual(await src.history(4, BASE_TS, to, 1), [
      { ts: BASE_TS, min: null, max: null, avg: null, count: 2, last: "b,'c'" },
    ]);
    assert.deepEqual(await src.history(5, BASE_TS, to, 1), [
      { ts: BASE_TS, min: 4, max: 4, avg: 4, count: 2, last: 4 },
    ]);
  },
  "history() matches the reference downsampling (property)": async (h, knobs) => {
    const src = h.sink as Sink & HistorySource;
    let tag = 10_000;
    const value = fc.oneof(
      fc.double({ noNaN: true, min: -1e9, max: 1e9 }),
      fc.integer({ min: -1000, max: 1000 }),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 200_000 }), { maxLength: 60 }),
        fc.array(value, { minLength: 60, maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        async (offsets, values, points, fromOff, span) => {
          tag++;
          const data: Sample[] = offsets.map((o, i) => ({
            tagId: tag,
            ts: BASE_TS + o,
            value: values[i],
            quality: values[i] === null ? "bad-comm" : "good",
          }));
          await src.write(data);
          const from = BASE_TS + fromOff;
          const to = from + span;
          assertBucketsEqual(
            await src.history(tag, from, to, points),
            bucketize(data, from, to, points),
          );
        },
      ),
      { numRuns: knobs.propertyRuns },
    );
  },
};

/**
 * Registers one Deno.test named `<name> sink conformance` whose steps are the
 * cases; each step gets a fresh sink from `makeSink` and cleans it up. The
 * history cases run when the sink has `history()`.
 */
export function runSinkConformance(
  name: string,
  makeSink: () => Promise<SinkHarness>,
  options: ConformanceOptions = {},
): void {
  Deno.test({
    name: `${name} sink conformance`,
    ignore: options.ignore ?? false,
    fn: async (t) => {
      const knobs = {
        largeBatch: options.largeBatch ?? 5000,
        propertyRuns: options.propertyRuns ?? 15,
      };
      await options.setup?.();
      try {
        const probe = await makeSink();
        const hasHistory = typeof probe.sink.history === "function";
        await probe.cleanup();
        const cases = { ...CASES, ...(hasHistory ? HISTORY_CASES : {}) };
        for (const [caseName, run] of Object.entries(cases)) {
          await t.step(caseName, async () => {
            const h = await makeSink();
            try {
              await run(h, knobs);
            } finally {
              await h.cleanup();
            }
          });
        }
      } finally {
        await options.teardown?.();
      }
    },
  });
}
