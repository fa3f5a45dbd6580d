/**
 * Counters fed two ways: by increments where the code sees each event, or by
 * monotonic totals that another component keeps (a socket pool's failure
 * counts, a writer's batch count) and that the integrator reads from a status
 * snapshot at scrape time. prom-client counters only go up, so totals become
 * increments by the delta from the last total seen.
 *
 * @module
 */

import type { Counter, LabelValues } from "prom-client";

/** A stable key for one label set, independent of property order. */
function labelKey(labels: Readonly<Record<string, string | number | undefined>>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Turns totals held elsewhere into counter increments, per label set.
 *
 * A total below the last one seen means the source restarted (a PLC actor
 * respawned with a fresh pool): its whole new total is added, which is what
 * Prometheus' `rate()` expects of a counter that cannot go down. Totals that
 * are negative or not finite are ignored.
 */
export class CounterTotals<L extends string> {
  readonly #counter: Counter<L>;
  readonly #last = new Map<string, number>();

  /** Feeds `counter`; the counter must not also be fed by other means for the same labels. */
  constructor(counter: Counter<L>) {
    this.#counter = counter;
  }

  /** Records the source's current `total` for `labels`; returns the increment applied. */
  set(labels: LabelValues<L>, total: number): number {
    if (!Number.isFinite(total) || total < 0) return 0;
    const key = labelKey(labels);
    const last = this.#last.get(key);
    this.#last.set(key, total);
    const delta = last === undefined || total < last ? total : total - last;
    // Incrementing by 0 on first sight makes the series appear at 0.
    if (delta > 0 || last === undefined) this.#counter.inc(labels, delta);
    return delta;
  }

  /** Forgets the last total of `labels`, when their series is removed. */
  forget(labels: LabelValues<L>): void {
    this.#last.delete(labelKey(labels));
  }
}

/**
 * One counter series (a counter and fixed label values) with both ways of
 * feeding it. Use `inc` or `setTotal` for a given series, not both: a total
 * only knows about its own source, so mixing them counts events twice.
 */
export class Tally<L extends string = string> {
  readonly #counter: Counter<L>;
  readonly #labels: LabelValues<L>;
  readonly #totals: CounterTotals<L>;

  /** A handle on `counter` at `labels`; `totals` is shared by every handle of that counter. */
  constructor(counter: Counter<L>, labels: LabelValues<L>, totals: CounterTotals<L>) {
    this.#counter = counter;
    this.#labels = labels;
    this.#totals = totals;
    // Export the series at 0 from the start, so the first increase shows in rate().
    counter.inc(labels, 0);
  }

  /** Adds `n` events (default 1); values that are negative or not finite are ignored. */
  inc(n = 1): void {
    if (Number.isFinite(n) && n > 0) this.#counter.inc(this.#labels, n);
  }

  /** Sets the counter from the source's monotonic `total`; see {@link CounterTotals.set}. */
  setTotal(total: number): void {
    this.#totals.set(this.#labels, total);
  }

  /** Removes the series from the exposition and forgets its last total. */
  remove(): void {
    this.#counter.remove(this.#labels);
    this.#totals.forget(this.#labels);
  }
}
