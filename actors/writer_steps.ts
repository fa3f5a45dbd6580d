/**
 * The writer's bookkeeping, apart from the machine's shape: its starting
 * state, taking batches from the buffer, and what each step's outcome does
 * to the state (a patch) and tells the world (emitted events). Metrics
 * windows are updated here too.
 */
import type { SinkHealth } from "../sinks/sink.ts";
import { systemClock } from "./clock.ts";
import type { AppendResult } from "./journal_port.ts";
import { isDiskFull } from "./journal_fs.ts";
import { addLoss, extendEpisode, type LossReason } from "./journal_loss.ts";
import { MetricsWindow } from "./metrics_window.ts";
import type { ReplayOutcome } from "./writer_ops.ts";
import {
  DEFAULT_WRITER_SETTINGS,
  errorText,
  planNext,
  type SpillReason,
  type WriterContext,
  type WriterEmitted,
  type WriterPorts,
  type WriterSettings,
  ZERO_TOTALS,
} from "./writer_state.ts";

/** A change of the writer's context and the events to emit with it. */
export interface Step {
  /** Fields of the context that change. */
  readonly patch: Partial<WriterContext>;
  /** Events for the writer's listeners. */
  readonly emit: readonly WriterEmitted[];
}

/** The writer's state at start, from its ports and settings. */
export function initialContext(
  ports: Omit<WriterPorts, "clock"> & { clock?: WriterPorts["clock"] },
  partial: Partial<WriterSettings> = {},
): WriterContext {
  const clock = ports.clock ?? systemClock;
  const settings: WriterSettings = { ...DEFAULT_WRITER_SETTINGS, ...partial };
  const now = clock.now();
  const window = () =>
    new MetricsWindow({
      windowMs: settings.metricsWindowMs,
      bucketMs: Math.max(1, settings.metricsWindowMs / 60),
      origin: now,
    });
  return {
    ports: { sink: ports.sink, buffer: ports.buffer, journal: ports.journal, clock },
    settings,
    plan: { action: "wait", until: null, threshold: 1 },
    retry: null,
    sinkDown: false,
    probeAt: now,
    collectingSince: null,
    lastSource: "live",
    flushRequested: false,
    stopping: false,
    deadlinePassed: false,
    replayPausedUntil: now,
    inFlight: null,
    inFlightAttempts: 0,
    spillReason: "sink-down",
    totals: ZERO_TOTALS,
    windows: { values: window(), latency: window(), failures: window() },
    lastError: null,
    replayStartBytes: null,
    replayStart: null,
    replayBucket: { tokens: settings.replayMaxValuesPerSecond, at: now },
    replayNotBefore: now,
    bufferDroppedSeen: ports.buffer.dropped,
    loss: null,
    outage: null,
  };
}

/** Notes when the buffered samples started waiting, and plans the next step. */
export function decide(c: WriterContext): Partial<WriterContext> {
  const now = c.ports.clock.now();
  const bufferSize = c.ports.buffer.size;
  const collectingSince = bufferSize === 0 ? null : c.collectingSince ?? now;
  const journalPending = c.ports.journal.hasPending();
  const bufferCapacity = c.ports.buffer.capacity;
  const inputs = { now, bufferSize, bufferCapacity, journalPending };
  const plan = planNext({ ...c, collectingSince }, inputs, c.settings);
  return { collectingSince, plan };
}

/**
 * {@link decide}, after counting what the buffer dropped since the last
 * look as `buffer_full` losses (the buffer drops while the writer cannot
 * keep up).
 */
export function decideStep(c: WriterContext): Step {
  const dropped = c.ports.buffer.dropped;
  const lost = dropped - c.bufferDroppedSeen;
  if (lost <= 0) return { patch: decide(c), emit: [] };
  const l = lose(c, "buffer_full", lost, "the historian writer does not keep up with the pollers");
  return { patch: { ...decide(c), ...l.patch, bufferDroppedSeen: dropped }, emit: l.emit };
}

/**
 * `n` samples lost for `reason`: counted in the totals (besides
 * `buffer_full`, which the buffer counts) and in the run of losses; a new
 * run is announced with `lossStarted`.
 */
export function lose(
  c: WriterContext,
  reason: LossReason,
  n: number,
  detail: string | null = null,
): Step {
  if (n <= 0) return { patch: {}, emit: [] };
  const now = c.ports.clock.now();
  const episode = extendEpisode(c.loss, reason, n, now, detail)!;
  const totals = reason === "buffer_full" ? c.totals : {
    ...c.totals,
    valuesLost: c.totals.valuesLost + n,
    lostByReason: addLoss(c.totals.lostByReason, reason, n),
  };
  return {
    patch: { totals, loss: { ...episode, lastAt: now } },
    emit: c.loss ? [] : [{ type: "lossStarted", at: now, reason, values: n, detail }],
  };
}

/** Samples were kept (in the sink or the journal): a run of losses ends once it has been quiet long enough. */
export function kept(c: WriterContext): Step {
  const loss = c.loss;
  if (!loss) return { patch: {}, emit: [] };
  const now = c.ports.clock.now();
  if (now - loss.lastAt < c.settings.lossQuietMs) return { patch: {}, emit: [] };
  return {
    patch: { loss: null },
    emit: [{ type: "lossEnded", at: now, since: loss.since, lost: loss.lost, reason: loss.reason }],
  };
}

/** The first failure of a healthy historian starts an outage (announced with `outageStarted`). */
function outageStart(c: WriterContext, reason: string): Step {
  if (c.outage) return { patch: {}, emit: [] };
  const now = c.ports.clock.now();
  return {
    patch: {
      outage: {
        since: now,
        reason,
        spilledBefore: c.totals.valuesSpilled,
        lostBefore: c.totals.valuesLost,
      },
    },
    emit: [{ type: "outageStarted", sink: c.ports.sink.kind, at: now, reason }],
  };
}

/** The historian takes data again: the outage ends with its duration and what went where. */
function outageEnd(c: WriterContext): Step {
  const o = c.outage;
  if (!o) return { patch: {}, emit: [] };
  const now = c.ports.clock.now();
  return {
    patch: { outage: null },
    emit: [{
      type: "outageEnded",
      sink: c.ports.sink.kind,
      at: now,
      durationMs: now - o.since,
      valuesJournaled: c.totals.valuesSpilled - o.spilledBefore,
      valuesLost: c.totals.valuesLost - o.lostBefore,
    }],
  };
}

/** Steps applied one after another: each sees the context the previous ones patched. */
function chain(c: WriterContext, ...steps: ((c: WriterContext) => Step)[]): Step {
  let ctx = c;
  let patch: Partial<WriterContext> = {};
  const emit: WriterEmitted[] = [];
  for (const f of steps) {
    const s = f(ctx);
    patch = { ...patch, ...s.patch };
    ctx = { ...ctx, ...s.patch };
    emit.push(...s.emit);
  }
  return { patch, emit };
}

/** Takes up to `max` samples from the buffer as the batch in flight. */
export function takeFromBuffer(c: WriterContext, max: number): Partial<WriterContext> {
  const inFlight = c.ports.buffer.take(max);
  const left = c.ports.buffer.size;
  return {
    inFlight,
    inFlightAttempts: 0,
    collectingSince: left > 0 ? c.ports.clock.now() : null,
    flushRequested: c.flushRequested && left > 0,
  };
}

/** Takes a batch to spill straight to the journal while the sink is down. */
export function takeSpill(c: WriterContext): Partial<WriterContext> {
  return { ...takeFromBuffer(c, c.settings.spillBatchSize), spillReason: "sink-down" };
}

/**
 * Takes the batch under retry to spill it: out of attempts, stopping, or
 * given up because the buffer behind it reached the high-water mark (then
 * the sink counts as down from here on, so the rest spills directly).
 */
export function takeRetryToSpill(c: WriterContext): Step {
  const reason: SpillReason = c.stopping
    ? "stopping"
    : c.retry?.exhausted
    ? "retries-exhausted"
    : "buffer-high";
  const patch = { inFlight: c.retry?.batch ?? [], spillReason: reason, retry: null };
  if (reason !== "buffer-high") return { patch, emit: [] };
  const error = "buffer reached its high-water mark while a batch waited for a retry";
  return {
    patch: { ...patch, sinkDown: true, probeAt: c.ports.clock.now() + c.settings.probeIntervalMs },
    emit: [{ type: "sinkDown", error }],
  };
}

/** Takes everything left (retry batch, batch in flight, buffer) for the last spill of a stop. */
export function takeAll(c: WriterContext): Partial<WriterContext> {
  const all = [...(c.retry?.batch ?? []), ...(c.inFlight ?? []), ...c.ports.buffer.take(Infinity)];
  return { inFlight: all, spillReason: "stopping", retry: null };
}

/** The sink stored a live batch. */
export function written(c: WriterContext, latencyMs: number): Step {
  const now = c.ports.clock.now();
  const n = c.inFlight?.length ?? 0;
  c.windows.values.add(now, n);
  c.windows.latency.observe(now, latencyMs);
  const t = c.totals;
  const base: Step = {
    patch: {
      inFlight: null,
      inFlightAttempts: 0,
      lastSource: "live",
      totals: { ...t, batches: t.batches + 1, valuesWritten: t.valuesWritten + n },
    },
    emit: [{ type: "batchWritten", source: "live", values: n, latencyMs }],
  };
  // A write that succeeds ends an outage that never reached "sink down" (a retry got through).
  return chain(c, () => base, kept, (x) => x.sinkDown ? { patch: {}, emit: [] } : outageEnd(x));
}

/**
 * A live batch failed: schedule its next attempt (1 s, 2 s, 4 s by
 * default), or, with no attempt left, mark the sink down so the batch is
 * spilled and health is probed. When stopping there are no retries.
 */
export function writeFailed(c: WriterContext, err: unknown): Step {
  const now = c.ports.clock.now();
  c.windows.failures.add(now);
  const error = errorText(err);
  const attempts = c.inFlightAttempts + 1;
  const delays = c.settings.retryDelaysMs;
  const exhausted = c.stopping || attempts > delays.length;
  const dueAt = exhausted ? now : now + delays[attempts - 1];
  // Out of attempts, the sink counts as down: later batches spill directly
  // (when stopping, too: the rest of the buffer goes to the journal at once).
  const down = exhausted && !c.sinkDown;
  const start = outageStart(c, error);
  return {
    patch: {
      ...start.patch,
      retry: { batch: c.inFlight ?? [], attempts, dueAt, exhausted },
      inFlight: null,
      inFlightAttempts: 0,
      totals: { ...c.totals, failures: c.totals.failures + 1 },
      lastError: { message: error, at: now },
      ...(down ? { sinkDown: true, probeAt: now + c.settings.probeIntervalMs } : {}),
    },
    emit: [
      ...start.emit,
      { type: "writeFailed", attempts, error, retryInMs: exhausted ? null : dueAt - now },
      ...(down ? [{ type: "sinkDown", error } as const] : []),
    ],
  };
}

/** The stop deadline passed during a write: the batch goes to the final spill. */
export function writeAbandoned(c: WriterContext): Step {
  const now = c.ports.clock.now();
  const error = "write abandoned at the stop deadline";
  const attempts = c.inFlightAttempts + 1;
  return {
    patch: {
      retry: { batch: c.inFlight ?? [], attempts, dueAt: now, exhausted: true },
      inFlight: null,
      lastError: { message: error, at: now },
    },
    emit: [{ type: "writeFailed", attempts, error, retryInMs: null }],
  };
}

/** A spill is on disk (what the journal refused at its bound is counted as lost). */
export function spilled(c: WriterContext, result: AppendResult): Step {
  if (result.written === 0 && result.dropped === 0) return { patch: { inFlight: null }, emit: [] };
  const t = c.totals;
  const base: Step = {
    patch: {
      inFlight: null,
      totals: {
        ...t,
        spills: t.spills + (result.written > 0 ? 1 : 0),
        valuesSpilled: t.valuesSpilled + result.written,
      },
    },
    emit: [{
      type: "spilled",
      values: result.written,
      dropped: result.dropped,
      reason: c.spillReason,
    }],
  };
  if (result.dropped === 0) return chain(c, () => base, kept);
  const parts = Object.entries(result.droppedByReason ?? {}) as [LossReason, number][];
  const losses: [LossReason, number][] = parts.length > 0
    ? parts
    : [[result.reason ?? "journal_full", result.dropped]];
  return chain(c, () => base, ...losses.map(([r, n]) => (x: WriterContext) => lose(x, r, n)));
}

/** A spill failed on disk: its samples are lost, and counted. */
export function spillFailed(c: WriterContext, err: unknown): Step {
  const error = errorText(err);
  const values = c.inFlight?.length ?? 0;
  const base: Step = {
    patch: {
      inFlight: null,
      lastError: { message: `journal spill: ${error}`, at: c.ports.clock.now() },
    },
    emit: [{ type: "spillFailed", values, error }],
  };
  const reason: LossReason = isDiskFull(err) ? "disk_full" : "journal_error";
  return chain(c, () => base, (x) => lose(x, reason, values, error));
}

/** A replay step ended without a sink failure. */
export function replayed(c: WriterContext, o: ReplayOutcome): Step {
  const now = c.ports.clock.now();
  if (o.kind === "journalError") {
    return {
      patch: {
        replayPausedUntil: now + c.settings.probeIntervalMs,
        lastError: { message: o.error, at: now },
      },
      emit: [{ type: "replayFailed", error: o.error }],
    };
  }
  let patch: Partial<WriterContext> = {};
  const emit: WriterEmitted[] = [];
  if (o.kind === "written") {
    c.windows.values.add(now, o.values);
    c.windows.latency.observe(now, o.latencyMs);
    const t = c.totals;
    patch = {
      lastSource: "journal",
      totals: {
        ...t,
        batches: t.batches + 1,
        valuesWritten: t.valuesWritten + o.values,
        replayedBatches: t.replayedBatches + 1,
        valuesReplayed: t.valuesReplayed + o.values,
      },
      ...(o.commitError ? { lastError: { message: o.commitError, at: now } } : {}),
    };
    emit.push({
      type: "batchWritten",
      source: "journal",
      values: o.values,
      latencyMs: o.latencyMs,
    });
    patch = { ...patch, ...pace(c, o.values, o.latencyMs, now) };
  }
  if (!c.ports.journal.hasPending()) {
    patch = { ...patch, replayStartBytes: null, replayStart: null };
    emit.push({ type: "replayDone" });
  }
  return { patch, emit };
}

/**
 * Replay's pacing after a batch of `values` that took `latencyMs`: the duty
 * cycle leaves the sink idle for L × (1 − d) / d, and the token bucket holds
 * the rate at `replayMaxValuesPerSecond` (one second's worth of burst).
 */
export function pace(
  c: WriterContext,
  values: number,
  latencyMs: number,
  now: number,
): Pick<WriterContext, "replayBucket" | "replayNotBefore"> {
  const rate = c.settings.replayMaxValuesPerSecond;
  const duty = Math.min(1, Math.max(0.01, c.settings.replayDutyCycle));
  const idle = latencyMs * (1 - duty) / duty;
  if (!(rate > 0) || !Number.isFinite(rate)) {
    return { replayBucket: { tokens: 0, at: now }, replayNotBefore: now + idle };
  }
  const b = c.replayBucket;
  const tokens = Math.min(rate, b.tokens + (now - b.at) * rate / 1000) - values;
  const refill = tokens < 0 ? -tokens / rate * 1000 : 0;
  return { replayBucket: { tokens, at: now }, replayNotBefore: now + Math.max(idle, refill) };
}

/** The sink refused a replayed batch: it stays in the journal, and the sink counts as down. */
export function replayFailed(c: WriterContext, err: unknown): Step {
  const now = c.ports.clock.now();
  c.windows.failures.add(now);
  const error = errorText(err);
  const start = outageStart(c, error);
  return {
    patch: {
      ...start.patch,
      sinkDown: true,
      probeAt: now + c.settings.probeIntervalMs,
      totals: { ...c.totals, failures: c.totals.failures + 1 },
      lastError: { message: error, at: now },
    },
    emit: [...start.emit, { type: "replayFailed", error }, { type: "sinkDown", error }],
  };
}

/** A health probe answered (or failed): back up, or probe again later. */
export function probed(c: WriterContext, health: SinkHealth | undefined, err?: unknown): Step {
  if (health?.ok) {
    return chain(c, () => ({ patch: { sinkDown: false }, emit: [{ type: "sinkUp" }] }), outageEnd);
  }
  const now = c.ports.clock.now();
  const message = health ? health.detail ?? "sink not healthy" : errorText(err);
  return {
    patch: { probeAt: now + c.settings.probeIntervalMs, lastError: { message, at: now } },
    emit: [],
  };
}
