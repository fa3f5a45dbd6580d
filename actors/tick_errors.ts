/**
 * How late FIXED ticks start, as a cumulative histogram with fixed bucket
 * bounds (Prometheus style: a count per "at most N ms"), so that p50 and p99
 * over any window come from two snapshots without keeping every tick. Bounds
 * are 1 ms apart up to 10 ms: the runtime's clock is `Date.now()`, so tick
 * errors are whole milliseconds and the p99 < 5 ms goal reads exactly.
 */

/** Upper bounds of the buckets, ms; one more bucket above the last holds the rest. */
export const TICK_ERROR_BOUNDS_MS: readonly number[] = [
  0,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  15,
  20,
  30,
  50,
  100,
  200,
  500,
  1000,
];

/** A snapshot of tick errors: `counts[i]` ticks were at most `boundsMs[i]` ms late (and more than the bound before); the last count is above every bound. */
export interface TickErrorHistogram {
  readonly boundsMs: readonly number[];
  readonly counts: readonly number[];
  /** Ticks counted. */
  readonly count: number;
}

/** A poller's running histogram of tick errors. Recording is O(buckets) and allocates nothing. */
export class TickErrors {
  readonly #counts = new Uint32Array(TICK_ERROR_BOUNDS_MS.length + 1);
  #count = 0;

  /** Counts one tick that started `lateMs` after its scheduled time. */
  record(lateMs: number): void {
    let i = 0;
    while (i < TICK_ERROR_BOUNDS_MS.length && lateMs > TICK_ERROR_BOUNDS_MS[i]) i++;
    this.#counts[i]++;
    this.#count++;
  }

  /** The counts so far. */
  snapshot(): TickErrorHistogram {
    return { boundsMs: TICK_ERROR_BOUNDS_MS, counts: [...this.#counts], count: this.#count };
  }
}

/** The ticks counted in `later` but not in `earlier` (two snapshots of one poller, or sums). */
export function histogramDelta(
  later: TickErrorHistogram,
  earlier: TickErrorHistogram | undefined,
): TickErrorHistogram {
  if (!earlier) return later;
  const counts = later.counts.map((c, i) => c - (earlier.counts[i] ?? 0));
  return { boundsMs: later.boundsMs, counts, count: later.count - earlier.count };
}

/** The bucket-wise sum of histograms with the same bounds (e.g. every group of a plant). */
export function histogramSum(histograms: readonly TickErrorHistogram[]): TickErrorHistogram {
  const counts = new Array<number>(TICK_ERROR_BOUNDS_MS.length + 1).fill(0);
  let count = 0;
  for (const h of histograms) {
    h.counts.forEach((c, i) => counts[i] += c);
    count += h.count;
  }
  return { boundsMs: TICK_ERROR_BOUNDS_MS, counts, count };
}

/**
 * The nearest-rank quantile `q` (0–1) as the upper bound of its bucket, ms:
 * "q of the ticks were at most this late". Infinity when it falls above the
 * last bound; null when nothing was counted.
 */
export function histogramQuantile(h: TickErrorHistogram, q: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.min(h.count, Math.max(1, Math.ceil(q * h.count)));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i];
    if (seen >= rank) return i < h.boundsMs.length ? h.boundsMs[i] : Infinity;
  }
  return Infinity;
}
