/**
 * The writer's status snapshot for the REST status endpoint, metrics and
 * logs: what it is doing, how deep the buffer is, totals, the journal, replay
 * progress and the rolling 5-minute window.
 */
import type { BufferStats } from "./buffer.ts";
import type { JournalStats } from "./journal_port.ts";
import type { LossCounts, LossReason } from "./journal_loss.ts";
import type { WriterContext, WriterTotals } from "./writer_state.ts";

/**
 * The writer's condition: `healthy` (writing live data), `retrying` (a batch
 * failed and waits for its next attempt; new batches spill), `degraded` (the
 * sink is down: batches spill, health is probed), `recovering` (replaying the
 * journal beside live data), `stopping`, `stopped`.
 */
export type WriterCondition =
  | "healthy"
  | "retrying"
  | "degraded"
  | "recovering"
  | "stopping"
  | "stopped";

/** What the writer is busy with right now. */
export type WriterActivity =
  | "waiting"
  | "writing"
  | "spilling"
  | "replaying"
  | "probing"
  | "stopped";

/** A snapshot of the writer for the status endpoint. */
export interface WriterStatus {
  /** Healthy, retrying, degraded, recovering, stopping or stopped. */
  readonly condition: WriterCondition;
  /** The step under way. */
  readonly activity: WriterActivity;
  /** The sink's kind (`sqlite`, `postgres`, `oracle`). */
  readonly sink: string;
  /** Depth, capacity and drops of the ring buffer. */
  readonly buffer: BufferStats;
  /** Running totals since start. */
  readonly totals: WriterTotals;
  /** The batch waiting for a retry, if any. */
  readonly retry:
    | { readonly attempts: number; readonly nextAt: number; readonly values: number }
    | null;
  /** Size on disk and counters of the journal. */
  readonly journal: JournalStats;
  /** Replay of the journal into the sink. */
  readonly replay: {
    /** The journal holds data to replay. */
    readonly pending: boolean;
    /** Fraction of the backlog replayed since this replay began (0–1), null when none. */
    readonly progress: number | null;
    /** Values waiting in the journal (estimated for a previous run's segments until read). */
    readonly pendingValues: number;
    /** When this replay began, clock ms; null when none runs. */
    readonly startedAt: number | null;
    /** Catch-up rate since this replay began, values/s; null when none runs. */
    readonly valuesPerSecond: number | null;
    /** Estimated time until the journal is empty at that rate, ms; null when unknown. */
    readonly etaMs: number | null;
  };
  /**
   * Samples lost since start, by reason (`buffer_full` from the buffer, the
   * rest from the writer): publish as one counter with a `reason` label.
   */
  readonly losses: LossCounts;
  /**
   * The run of losses going on (for the system alarm, see
   * journal_alarm_text.ts), null when samples are kept: the latest reason,
   * since when, how many.
   */
  readonly loss: {
    readonly reason: LossReason;
    readonly since: number;
    readonly lost: number;
    readonly detail: string | null;
  } | null;
  /** The historian outage going on: since when and why; null when the sink takes data. */
  readonly outage: { readonly since: number; readonly reason: string } | null;
  /** The rolling window (default 5 minutes). */
  readonly window: {
    readonly windowMs: number;
    readonly valuesPerSecond: number;
    readonly batches: number;
    readonly latencyP50Ms: number | null;
    readonly latencyP99Ms: number | null;
    readonly failures: number;
  };
  /** The most recent failure (sink, probe or journal) and when, clock ms. */
  readonly lastError: { readonly message: string; readonly at: number } | null;
}

/** The status of a writer whose context is `c`, busy with `activity`. */
export function statusOf(c: WriterContext, activity: WriterActivity): WriterStatus {
  const now = c.ports.clock.now();
  const journal = c.ports.journal.stats();
  const pending = c.ports.journal.hasPending();
  const latency = c.windows.latency.summary(now);
  const condition: WriterCondition = activity === "stopped"
    ? "stopped"
    : c.stopping
    ? "stopping"
    : c.sinkDown
    ? "degraded"
    : c.retry || (activity === "writing" && c.inFlightAttempts > 0)
    ? "retrying"
    : pending
    ? "recovering"
    : "healthy";
  const start = c.replayStartBytes;
  const rs = pending ? c.replayStart : null;
  const elapsedS = rs ? (now - rs.at) / 1000 : 0;
  const rate = rs && elapsedS > 0 ? (c.totals.valuesReplayed - rs.valuesBefore) / elapsedS : null;
  return {
    condition,
    activity,
    sink: c.ports.sink.kind,
    buffer: c.ports.buffer.stats(),
    totals: c.totals,
    retry: c.retry
      ? { attempts: c.retry.attempts, nextAt: c.retry.dueAt, values: c.retry.batch.length }
      : null,
    journal,
    replay: {
      pending,
      progress: start && pending ? Math.min(1, Math.max(0, 1 - journal.bytes / start)) : null,
      pendingValues: journal.pendingValues,
      startedAt: rs?.at ?? null,
      valuesPerSecond: rate,
      etaMs: rate && rate > 0 ? Math.round(journal.pendingValues / rate * 1000) : null,
    },
    losses: { ...c.totals.lostByReason, buffer_full: c.ports.buffer.dropped },
    loss: c.loss
      ? { reason: c.loss.reason, since: c.loss.since, lost: c.loss.lost, detail: c.loss.detail }
      : null,
    outage: c.outage ? { since: c.outage.since, reason: c.outage.reason } : null,
    window: {
      windowMs: c.settings.metricsWindowMs,
      valuesPerSecond: c.windows.values.summary(now).ratePerSecond,
      batches: latency.observations,
      latencyP50Ms: latency.p50,
      latencyP99Ms: latency.p99,
      failures: c.windows.failures.summary(now).total,
    },
    lastError: c.lastError,
  };
}
