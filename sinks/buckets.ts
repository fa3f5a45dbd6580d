/**
 * The bucket arithmetic of downsampled trend queries, shared by every
 * HistorySource so that they all cut [from, to) the same way, and a plain
 * in-memory implementation that the conformance suite holds the databases to.
 */
import type { Sample } from "../model/sample.ts";
import type { HistoryBucket } from "./sink.ts";
import { numericOf } from "./codes.ts";

/**
 * Width in ms of each of at most `points` equal buckets covering [from, to):
 * ceil((to - from) / points), at least 1. Bucket k starts at from + k × width.
 * Throws a RangeError when the arguments are not integers or `points` < 1.
 */
export function bucketWidth(from: number, to: number, points: number): number {
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    throw new RangeError("from and to must be integer ms times");
  }
  if (!Number.isInteger(points) || points < 1) {
    throw new RangeError("points must be an integer ≥ 1");
  }
  return Math.max(1, Math.ceil((to - from) / points));
}

/** Checks the arguments of `samples()`: integer times and a limit ≥ 0. */
export function checkSamplesArgs(from: number, to: number, limit: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    throw new RangeError("from and to must be integer ms times");
  }
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError("limit must be an integer ≥ 0");
}

/**
 * One bucket being built: running min, max, sum and counts, plus the time of
 * its newest sample (the sinks look the `last` value up by it).
 */
export interface BucketAccumulator {
  ts: number;
  min: number | null;
  max: number | null;
  sum: number;
  /** Samples with a numeric value (numbers other than NaN, booleans as 0/1). */
  numeric: number;
  count: number;
  lastTs: number;
}

/**
 * Merges a partial aggregate of one bucket (from one partition or one query)
 * into `into`, keyed by bucket start; used where a bucket spans partitions.
 */
export function mergeBucket(into: Map<number, BucketAccumulator>, part: BucketAccumulator): void {
  const acc = into.get(part.ts);
  if (acc === undefined) {
    into.set(part.ts, { ...part });
    return;
  }
  if (part.min !== null) acc.min = acc.min === null ? part.min : Math.min(acc.min, part.min);
  if (part.max !== null) acc.max = acc.max === null ? part.max : Math.max(acc.max, part.max);
  acc.sum += part.sum;
  acc.numeric += part.numeric;
  acc.count += part.count;
  acc.lastTs = Math.max(acc.lastTs, part.lastTs);
}

/** A finished bucket from its accumulator and its newest sample's value. */
export function finishBucket(acc: BucketAccumulator, last: number | string | null): HistoryBucket {
  return {
    ts: acc.ts,
    min: acc.numeric > 0 ? acc.min : null,
    max: acc.numeric > 0 ? acc.max : null,
    avg: acc.numeric > 0 ? acc.sum / acc.numeric : null,
    count: acc.count,
    last,
  };
}

/**
 * The reference downsampling: samples of one tag (any order, (tag, ts)
 * unique) into at most `points` buckets of [from, to), oldest first, empty
 * buckets left out. min/max/avg cover numbers other than NaN and booleans as
 * 0/1 (null when a bucket has none); count counts every sample; last is the
 * newest sample's value (booleans as 0/1).
 */
export function bucketize(
  samples: readonly Sample[],
  from: number,
  to: number,
  points: number,
): HistoryBucket[] {
  const width = bucketWidth(from, to, points);
  const accs = new Map<number, BucketAccumulator>();
  const lastValue = new Map<number, number | string | null>();
  for (const s of samples) {
    if (s.ts < from || s.ts >= to) continue;
    const start = from + Math.floor((s.ts - from) / width) * width;
    const n = numericOf(s.value);
    const numeric = n !== null && !Number.isNaN(n);
    mergeBucket(accs, {
      ts: start,
      min: numeric ? n : null,
      max: numeric ? n : null,
      sum: numeric ? n : 0,
      numeric: numeric ? 1 : 0,
      count: 1,
      lastTs: s.ts,
    });
    if (accs.get(start)!.lastTs === s.ts) {
      lastValue.set(start, typeof s.value === "boolean" ? (s.value ? 1 : 0) : s.value);
    }
  }
  return [...accs.values()].sort((a, b) => a.ts - b.ts).map((acc) =>
    finishBucket(acc, lastValue.get(acc.ts) ?? null)
  );
}
