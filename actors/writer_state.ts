/**
 * The historian writer's state and its one decision, pure: given what the
 * writer holds (a batch under retry, sink up or down, stop requested) and
 * what it sees (buffer depth, journal backlog, the time), what to do next —
 * write a live batch, retry, spill, replay a journal batch, probe the sink,
 * finish, or wait until when. The machine in writer.ts runs what this says.
 */
import type { Sample } from "../model/sample.ts";
import type { Sink } from "../sinks/sink.ts";
import type { SampleBuffer } from "./buffer.ts";
import type { Clock } from "./clock.ts";
import type { JournalPort } from "./journal_port.ts";
import type { LossCounts, LossEpisode, LossReason } from "./journal_loss.ts";
import type { MetricsWindow } from "./metrics_window.ts";

/** The writer's settings; every one has a default. */
export interface WriterSettings {
  /** Samples per batch: a live batch is written as soon as this many wait (default 500). */
  readonly batchSize: number;
  /**
   * Most samples per live batch when a backlog waits (default 5,000): a due
   * batch takes up to this many, so a writer that fell behind catches up in
   * fewer sink round trips instead of dropping samples at the buffer's end.
   */
  readonly maxBatchSize: number;
  /** Longest a sample waits for its batch to fill, ms (default 500). */
  readonly batchMs: number;
  /** Waits before each retry of a failed batch, ms (default 1 s, 2 s, 4 s); then it is spilled. */
  readonly retryDelaysMs: readonly number[];
  /** Most samples per spill while the sink is down (default 20,000). */
  readonly spillBatchSize: number;
  /**
   * Buffer fill (fraction of its capacity) at which a batch under retry is
   * given up and spilled, so the buffer never overflows while a retry waits
   * (default 0.5).
   */
  readonly retryHighWater: number;
  /** Time between health probes while the sink is down, ms (default 1 s). */
  readonly probeIntervalMs: number;
  /**
   * A sink write that takes longer has failed, ms (default 5 s: a hung write must
   * fail before the pollers fill the ring buffer, 100,000 samples ≈ 7 s of the
   * sample plant, so the retry logic can spill instead of the buffer dropping).
   */
  readonly writeTimeoutMs: number;
  /** A health probe that takes longer has failed, ms (default 2 s). */
  readonly healthTimeoutMs: number;
  /** Budget of a graceful stop, ms (default 3 s); what is not written by then is spilled. */
  readonly stopDeadlineMs: number;
  /** Length of the rolling metrics window, ms (default 5 minutes). */
  readonly metricsWindowMs: number;
  /** Samples per replayed batch; 0 means `batchSize` (the default). */
  readonly replayBatchSize: number;
  /**
   * Most of the sink's time replay may take (default 0.5): after a replayed
   * batch that took L ms, the next one waits L × (1 − d) / d, so live data
   * always finds the sink free again at once.
   */
  readonly replayDutyCycle: number;
  /** Bound on the replay rate, values/s (default 50,000; a burst of one second's worth is allowed). */
  readonly replayMaxValuesPerSecond: number;
  /** A run of lost samples ends once samples are kept again and none was lost for this long, ms (default 10 s). */
  readonly lossQuietMs: number;
}

/** The defaults of {@link WriterSettings}. */
export const DEFAULT_WRITER_SETTINGS: WriterSettings = {
  batchSize: 500,
  maxBatchSize: 5_000,
  batchMs: 500,
  retryDelaysMs: [1_000, 2_000, 4_000],
  spillBatchSize: 20_000,
  retryHighWater: 0.5,
  probeIntervalMs: 1_000,
  writeTimeoutMs: 5_000,
  healthTimeoutMs: 2_000,
  stopDeadlineMs: 3_000,
  metricsWindowMs: 300_000,
  replayBatchSize: 0,
  replayDutyCycle: 0.5,
  replayMaxValuesPerSecond: 50_000,
  lossQuietMs: 10_000,
};

/** A batch the sink refused, waiting for its next attempt. */
export interface RetryState {
  /** The samples, as first taken from the buffer. */
  readonly batch: Sample[];
  /** Attempts made so far (the first write counts). */
  readonly attempts: number;
  /** When to try again, ms. */
  readonly dueAt: number;
  /** No attempt is left (or the writer is stopping): spill it. */
  readonly exhausted: boolean;
}

/** Why a batch went to the journal. */
export type SpillReason = "retries-exhausted" | "buffer-high" | "sink-down" | "stopping";

/** What the writer does next. */
export type Plan =
  | { readonly action: "finalSpill" }
  | { readonly action: "spillRetry" }
  | { readonly action: "retry" }
  | { readonly action: "probe" }
  | { readonly action: "spillLive" }
  | { readonly action: "writeLive" }
  | { readonly action: "replay" }
  | { readonly action: "finish" }
  | {
    readonly action: "wait";
    /** Wake at this time (ms) at the latest; null: only on data or an event. */
    readonly until: number | null;
    /** Wake when the buffer holds this many samples. */
    readonly threshold: number;
  };

/** The part of the writer's state that decides what comes next. */
export interface PlanState {
  readonly retry: RetryState | null;
  /** Retries ran out (or a replay failed): spill, and probe health until it is back. */
  readonly sinkDown: boolean;
  readonly probeAt: number;
  /** When the samples now in the buffer started waiting for their batch; null when empty. */
  readonly collectingSince: number | null;
  /** Source of the last batch written: live and journal batches take turns. */
  readonly lastSource: "live" | "journal";
  readonly flushRequested: boolean;
  readonly stopping: boolean;
  readonly deadlinePassed: boolean;
  /** After a journal read error, replay waits until then. */
  readonly replayPausedUntil: number;
  /** Pacing: the next replay batch waits until then (duty cycle and rate bound). */
  readonly replayNotBefore?: number;
}

/** What the plan looks at besides the state. */
export interface PlanInputs {
  readonly now: number;
  readonly bufferSize: number;
  readonly bufferCapacity: number;
  readonly journalPending: boolean;
}

/**
 * What to do next. In order: a passed stop deadline spills everything; a
 * batch out of retries (or when stopping, or when the buffer behind it
 * reaches the high-water mark) is spilled; a due retry runs; a due probe
 * runs; while a batch waits for its retry, live samples wait behind it in
 * the buffer, so the journal stays in arrival order; a live batch that is
 * due goes to the sink (or, while the sink is down, to the journal) first,
 * always; journal replay only fills the gaps live data leaves, paced (see
 * `replayNotBefore`); otherwise wait for data or the next due time.
 */
export function planNext(s: PlanState, inp: PlanInputs, settings: WriterSettings): Plan {
  const { now, bufferSize } = inp;
  const highWater = Math.max(1, Math.floor(inp.bufferCapacity * settings.retryHighWater));
  if (s.deadlinePassed) return { action: "finalSpill" };
  if (s.retry) {
    if (s.retry.exhausted || s.stopping || bufferSize >= highWater) return { action: "spillRetry" };
    if (now >= s.retry.dueAt) return { action: "retry" };
    return { action: "wait", until: s.retry.dueAt, threshold: highWater };
  }
  if (s.sinkDown && !s.stopping && now >= s.probeAt) return { action: "probe" };
  const batchStarted = s.collectingSince ?? now;
  const liveDue = bufferSize >= settings.batchSize ||
    (bufferSize > 0 && (s.stopping || s.flushRequested || now - batchStarted >= settings.batchMs));
  const replayFrom = Math.max(s.replayPausedUntil, s.replayNotBefore ?? -Infinity);
  const mayReplay = inp.journalPending && !s.sinkDown && !s.stopping;
  if (liveDue) return { action: s.sinkDown ? "spillLive" : "writeLive" };
  if (mayReplay && now >= replayFrom) return { action: "replay" };
  if (s.stopping && bufferSize === 0) return { action: "finish" };
  const due: number[] = [];
  if (bufferSize > 0) due.push(batchStarted + settings.batchMs);
  if (s.sinkDown && !s.stopping) due.push(s.probeAt);
  if (mayReplay && replayFrom > now) due.push(replayFrom);
  return {
    action: "wait",
    until: due.length ? Math.min(...due) : null,
    threshold: bufferSize > 0 ? settings.batchSize : 1,
  };
}

/** Running totals since the writer started. */
export interface WriterTotals {
  /** Batches the sink committed (live and replayed). */
  readonly batches: number;
  /** Values the sink committed (live and replayed). */
  readonly valuesWritten: number;
  readonly replayedBatches: number;
  readonly valuesReplayed: number;
  /** Failed sink writes (each attempt counts) and failed replays. */
  readonly failures: number;
  readonly spills: number;
  readonly valuesSpilled: number;
  /** Values lost: refused by a full journal, or a spill that failed on disk. */
  readonly valuesLost: number;
  /**
   * Values the writer lost, by reason (`buffer_full` here counts nothing:
   * the buffer's own `dropped` does; the status merges both into `losses`).
   */
  readonly lostByReason: LossCounts;
}

/** Zero totals. */
export const ZERO_TOTALS: WriterTotals = {
  batches: 0,
  valuesWritten: 0,
  replayedBatches: 0,
  valuesReplayed: 0,
  failures: 0,
  spills: 0,
  valuesSpilled: 0,
  valuesLost: 0,
  lostByReason: {
    buffer_full: 0,
    journal_full: 0,
    disk_low: 0,
    disk_full: 0,
    journal_error: 0,
  },
};

/** The ports the writer is given: where samples come from, go to, and wait. */
export interface WriterPorts {
  readonly sink: Sink;
  readonly buffer: SampleBuffer;
  readonly journal: JournalPort;
  readonly clock: Clock;
}

/** Rolling 5-minute metrics. */
export interface WriterWindows {
  /** Values committed by the sink (rate: values/s). */
  readonly values: MetricsWindow;
  /** Batch write latency, ms (p50, p99). */
  readonly latency: MetricsWindow;
  /** Failed writes and replays. */
  readonly failures: MetricsWindow;
}

/** The writer machine's context. */
export interface WriterContext extends PlanState {
  readonly ports: WriterPorts;
  readonly settings: WriterSettings;
  /** What `decide` chose last. */
  readonly plan: Plan;
  /** The batch of the write or spill under way. */
  readonly inFlight: Sample[] | null;
  /** Attempts already made with `inFlight` (0 for a fresh batch). */
  readonly inFlightAttempts: number;
  readonly spillReason: SpillReason;
  readonly totals: WriterTotals;
  readonly windows: WriterWindows;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  /** Journal bytes when the current replay began, for progress. */
  readonly replayStartBytes: number | null;
  /** When the current replay began (clock ms) and the values replayed before it, for its rate. */
  readonly replayStart: { readonly at: number; readonly valuesBefore: number } | null;
  /** Replay's token bucket: values it may still send at once, as of `at`. */
  readonly replayBucket: { readonly tokens: number; readonly at: number };
  /** The buffer's drop counter as last seen, to count `buffer_full` losses. */
  readonly bufferDroppedSeen: number;
  /** The run of losses going on, for the system alarm; null when samples are kept. */
  readonly loss: (LossEpisode & { readonly lastAt: number }) | null;
  /** The historian outage going on (first failure until the sink takes data again). */
  readonly outage: {
    readonly since: number;
    readonly reason: string;
    readonly spilledBefore: number;
    readonly lostBefore: number;
  } | null;
}

/** What the writer emits for logs and metrics (`actor.on(type, handler)`). */
export type WriterEmitted =
  | {
    readonly type: "batchWritten";
    readonly source: "live" | "journal";
    readonly values: number;
    readonly latencyMs: number;
  }
  | {
    readonly type: "writeFailed";
    readonly attempts: number;
    readonly error: string;
    readonly retryInMs: number | null;
  }
  | {
    readonly type: "spilled";
    readonly values: number;
    readonly dropped: number;
    readonly reason: SpillReason;
  }
  | { readonly type: "spillFailed"; readonly values: number; readonly error: string }
  | { readonly type: "sinkDown"; readonly error: string }
  | { readonly type: "sinkUp" }
  | { readonly type: "replayFailed"; readonly error: string }
  | { readonly type: "replayDone" }
  | {
    /** The historian stopped taking data (first failed write since it was well). */
    readonly type: "outageStarted";
    readonly sink: string;
    readonly at: number;
    readonly reason: string;
  }
  | {
    /** The historian takes data again: how long it was out and what went where meanwhile. */
    readonly type: "outageEnded";
    readonly sink: string;
    readonly at: number;
    readonly durationMs: number;
    /** Samples fsynced in the journal during the outage (to be replayed). */
    readonly valuesJournaled: number;
    /** Samples lost during the outage (journal full, disk full …). */
    readonly valuesLost: number;
  }
  | {
    /** Samples began to be lost (a new run of losses). */
    readonly type: "lossStarted";
    readonly at: number;
    readonly reason: LossReason;
    readonly values: number;
    readonly detail: string | null;
  }
  | {
    /** Samples are kept again: the run of losses is over. */
    readonly type: "lossEnded";
    readonly at: number;
    readonly since: number;
    readonly lost: number;
    readonly reason: LossReason;
  };

/** The text of an error for logs and the status page. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
