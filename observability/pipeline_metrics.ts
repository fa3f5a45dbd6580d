/**
 * Metrics of the historian pipeline after the pollers: the ring buffer, the
 * writer's batches to the sink, and the on-disk journal that holds samples
 * while the sink is down.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** Histogram buckets for one batch written to the sink, in seconds. */
export const BATCH_BUCKETS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** A label-less counter with its Tally, registered on `registry`. */
function tally(registry: Registry, name: string, help: string): Tally<never> {
  const counter = new Counter({ name, help, registers: [registry] });
  return new Tally(counter, {}, new CounterTotals(counter));
}

/** The reasons samples are lost for (actors/journal_loss.ts), exported at 0 from the start. */
const LOSS_REASON_LABELS = [
  "buffer_full",
  "journal_full",
  "disk_low",
  "disk_full",
  "journal_error",
];

/** A label-less gauge registered on `registry`. */
function gauge(registry: Registry, name: string, help: string): Gauge {
  return new Gauge({ name, help, registers: [registry] });
}

/** The bounded ring buffer between the pollers and the writer. */
export class BufferMetrics {
  /** Samples dropped because the buffer was full; `inc(n)` or `setTotal(total)`. */
  readonly dropped: Tally<never>;
  readonly #depth: Gauge;
  readonly #capacity: Gauge;

  /** Registers the buffer metrics on `registry`. */
  constructor(registry: Registry) {
    this.#depth = gauge(
      registry,
      "jsscada_buffer_samples",
      "Samples waiting in the ring buffer for the writer.",
    );
    this.#capacity = gauge(
      registry,
      "jsscada_buffer_capacity_samples",
      "Most samples the ring buffer holds before it drops the oldest.",
    );
    this.dropped = tally(
      registry,
      "jsscada_buffer_dropped_samples_total",
      "Samples dropped from the ring buffer because it was full.",
    );
  }

  /** Sets the depth (samples waiting) and, when given, the capacity. */
  set(depth: number, capacity?: number): void {
    this.#depth.set(depth);
    if (capacity !== undefined) this.#capacity.set(capacity);
  }
}

/** The writer that takes batches from the buffer to the historian sink. */
export class WriterMetrics {
  /** Batches written to the sink; `inc()` or `setTotal(total)`. */
  readonly batches: Tally<never>;
  /** Samples written to the sink; `inc(n)` or `setTotal(total)`. */
  readonly written: Tally<never>;
  /** Batch writes that failed (each retry counts); `inc()` or `setTotal(total)`. */
  readonly failures: Tally<never>;
  readonly #latency: Histogram;
  readonly #lost: Counter<"reason">;
  readonly #lostTotals: CounterTotals<"reason">;
  readonly #lostByReason = new Map<string, Tally<"reason">>();

  /** Registers the writer metrics on `registry`. */
  constructor(registry: Registry) {
    this.#latency = new Histogram({
      name: "jsscada_writer_batch_duration_seconds",
      help: "Time to write one batch to the historian sink, successful writes only.",
      buckets: [...BATCH_BUCKETS],
      registers: [registry],
    });
    this.batches = tally(
      registry,
      "jsscada_writer_batches_total",
      "Batches written to the historian sink.",
    );
    this.written = tally(
      registry,
      "jsscada_writer_written_samples_total",
      "Samples written to the historian sink.",
    );
    this.failures = tally(
      registry,
      "jsscada_writer_failures_total",
      "Batch writes to the historian sink that failed, retries included.",
    );
    this.#lost = new Counter({
      name: "jsscada_samples_lost_total",
      help: "Samples that never reached the historian, by reason (buffer_full, journal_full, " +
        "disk_low, disk_full, journal_error).",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.#lostTotals = new CounterTotals(this.#lost);
    this.setLost(Object.fromEntries(LOSS_REASON_LABELS.map((r) => [r, 0])));
  }

  /** Sets the lost-sample counter of each reason from the writer's running totals. */
  setLost(byReason: Readonly<Record<string, number>>): void {
    for (const [reason, total] of Object.entries(byReason)) {
      let t = this.#lostByReason.get(reason);
      if (!t) {
        this.#lostByReason.set(reason, t = new Tally(this.#lost, { reason }, this.#lostTotals));
      }
      t.setTotal(total);
    }
  }

  /** Records one batch write's latency in the histogram (counters are fed apart). */
  observeBatchMs(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.#latency.observe(ms / 1000);
  }
}

/** The on-disk journal that keeps samples while the sink is down, replayed on recovery. */
export class JournalMetrics {
  /** Samples the journal refused (full or failing disk); `inc(n)` or `setTotal(total)`. */
  readonly dropped: Tally<never>;
  /** Samples replayed from the journal into the sink; `inc(n)` or `setTotal(total)`. */
  readonly replayed: Tally<never>;
  readonly #size: Gauge;
  readonly #segments: Gauge;
  readonly #progress: Gauge;

  /** Registers the journal metrics on `registry`. */
  constructor(registry: Registry) {
    this.#size = gauge(registry, "jsscada_journal_size_bytes", "Bytes of journal on disk.");
    this.#segments = gauge(registry, "jsscada_journal_segments", "Journal segment files on disk.");
    this.#progress = gauge(
      registry,
      "jsscada_journal_replay_progress_ratio",
      "Share of the journal replayed into the sink, 0 to 1; 1 when nothing waits.",
    );
    this.#progress.set(1);
    this.dropped = tally(
      registry,
      "jsscada_journal_dropped_samples_total",
      "Samples lost because the journal was full or could not be written.",
    );
    this.replayed = tally(
      registry,
      "jsscada_journal_replayed_samples_total",
      "Samples replayed from the journal into the historian sink.",
    );
  }

  /** Sets the journal's size on disk and its number of segment files. */
  set(sizeBytes: number, segments: number): void {
    this.#size.set(sizeBytes);
    this.#segments.set(segments);
  }

  /** Sets replay progress as `done` of `total` (1 when `total` is 0). */
  setReplayProgress(done: number, total: number): void {
    const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    this.#progress.set(Number.isFinite(ratio) ? ratio : 1);
  }
}
