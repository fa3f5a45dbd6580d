/**
 * A rolling time window of one metric (default: the last 5 minutes in 5 s
 * buckets): amounts added (values written, failures) for totals and rates,
 * and observations (batch latencies) for percentiles. Time is passed in by
 * the caller, so the window is pure and tested without a clock.
 */

/** Default window length: 5 minutes. */
export const DEFAULT_WINDOW_MS = 300_000;
/** Default bucket length: 5 s (60 buckets in a 5-minute window). */
export const DEFAULT_BUCKET_MS = 5_000;
/** Observations kept per bucket before sampling kicks in. */
export const DEFAULT_MAX_OBSERVATIONS_PER_BUCKET = 4096;

/** Settings of a {@link MetricsWindow}. */
export interface MetricsWindowOptions {
  /** Length of the window, ms (default 5 minutes). */
  readonly windowMs?: number;
  /** Length of one bucket, ms (default 5 s); the window's resolution. */
  readonly bucketMs?: number;
  /**
   * Observations kept per bucket; past it, a uniform reservoir sample is
   * kept, so percentiles stay exact below the cap and close above it.
   */
  readonly maxObservationsPerBucket?: number;
  /**
   * When counting started (ms); rates divide by the time since then until the
   * window is full. Default: the first time anything is recorded.
   */
  readonly origin?: number;
  /** Random source in [0, 1) for reservoir sampling (default Math.random). */
  readonly random?: () => number;
}

/** What a window holds at one moment. */
export interface WindowSummary {
  /** The window's configured length, ms. */
  readonly windowMs: number;
  /** Time the summary covers, ms (shorter than windowMs right after start). */
  readonly spanMs: number;
  /** Sum of the amounts added in the window. */
  readonly total: number;
  /** `total` per second over the span (the span counts as at least 1 s). */
  readonly ratePerSecond: number;
  /** Observations in the window (all of them, sampled or not). */
  readonly observations: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Median of the observations (nearest rank). */
  readonly p50: number | null;
  /** 99th percentile of the observations (nearest rank). */
  readonly p99: number | null;
}

interface Bucket {
  index: number;
  total: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  kept: number[];
}

/** A time-bucketed rolling window; see the module comment. */
export class MetricsWindow {
  /** Length of the window, ms. */
  readonly windowMs: number;
  /** Length of one bucket, ms. */
  readonly bucketMs: number;
  readonly #maxKept: number;
  readonly #random: () => number;
  readonly #buckets: Bucket[];
  #origin: number | undefined;

  /** A window with the given settings (all optional). */
  constructor(options: MetricsWindowOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
    if (!(this.bucketMs > 0) || !(this.windowMs >= this.bucketMs)) {
      throw new RangeError("metrics window: need 0 < bucketMs <= windowMs");
    }
    this.#maxKept = Math.max(
      1,
      options.maxObservationsPerBucket ?? DEFAULT_MAX_OBSERVATIONS_PER_BUCKET,
    );
    this.#random = options.random ?? Math.random;
    this.#origin = options.origin;
    const n = Math.ceil(this.windowMs / this.bucketMs);
    this.#buckets = Array.from({ length: n }, () => emptyBucket(-Infinity));
  }

  /** Adds `amount` (default 1) at time `at` (ms): values written, failures. */
  add(at: number, amount = 1): void {
    this.#bucket(at).total += amount;
  }

  /** Records one observation at time `at` (ms): a batch latency. */
  observe(at: number, value: number): void {
    const b = this.#bucket(at);
    b.count++;
    b.sum += value;
    if (value < b.min) b.min = value;
    if (value > b.max) b.max = value;
    if (b.kept.length < this.#maxKept) b.kept.push(value);
    else {
      const j = Math.floor(this.#random() * b.count);
      if (j < this.#maxKept) b.kept[j] = value;
    }
  }

  /** The window ending at `at` (ms). */
  summary(at: number): WindowSummary {
    const current = Math.floor(at / this.bucketMs);
    const oldest = current - this.#buckets.length + 1;
    let total = 0, count = 0, sum = 0, min = Infinity, max = -Infinity;
    const kept: number[] = [];
    for (const b of this.#buckets) {
      if (b.index < oldest || b.index > current) continue;
      total += b.total;
      count += b.count;
      sum += b.sum;
      if (b.min < min) min = b.min;
      if (b.max > max) max = b.max;
      for (const v of b.kept) kept.push(v);
    }
    kept.sort((a, b) => a - b);
    const windowStart = oldest * this.bucketMs;
    const spanMs = Math.max(0, at - Math.max(windowStart, this.#origin ?? at));
    return {
      windowMs: this.windowMs,
      spanMs,
      total,
      ratePerSecond: total / (Math.max(spanMs, 1000) / 1000),
      observations: count,
      min: count ? min : null,
      max: count ? max : null,
      mean: count ? sum / count : null,
      p50: percentile(kept, 0.5),
      p99: percentile(kept, 0.99),
    };
  }

  #bucket(at: number): Bucket {
    if (this.#origin === undefined) this.#origin = at;
    const index = Math.floor(at / this.bucketMs);
    const slot = ((index % this.#buckets.length) + this.#buckets.length) % this.#buckets.length;
    let b = this.#buckets[slot];
    if (b.index !== index) {
      // A bucket index older than the slot's holder is a late record: it would
      // be outside the window anyway, so it lands in a throwaway bucket.
      if (index < b.index) return emptyBucket(index);
      b = this.#buckets[slot] = emptyBucket(index);
    }
    return b;
  }
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

function emptyBucket(index: number): Bucket {
  return { index, total: 0, count: 0, sum: 0, min: Infinity, max: -Infinity, kept: [] };
}
