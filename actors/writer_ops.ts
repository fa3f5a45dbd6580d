/**
 * The historian writer's steps as XState actor logic: the wake-up watch
 * (buffer depth or a due time), the stop deadline timer, a sink write, a
 * spill, a replay step (read, write, commit) and a health probe. Every sink
 * call is bounded by a timeout on the injected clock, and abandoned when the
 * writer leaves the state that started it.
 */
import { fromCallback, fromPromise } from "xstate";
import type { Sample } from "../model/sample.ts";
import type { Sink, SinkHealth } from "../sinks/sink.ts";
import type { SampleBuffer } from "./buffer.ts";
import type { Clock } from "./clock.ts";
import type { AppendResult, JournalPort } from "./journal_port.ts";
import { errorText } from "./writer_state.ts";

/** Events the writer's own timers send it. */
export type WriterTimerEvent = { readonly type: "writer.wake" } | {
  readonly type: "writer.deadline";
};

/** How a replay step ended (a sink failure rejects instead). */
export type ReplayOutcome =
  | {
    readonly kind: "written";
    readonly values: number;
    readonly latencyMs: number;
    readonly commitError?: string;
  }
  | { readonly kind: "empty" }
  | { readonly kind: "journalError"; readonly error: string };

/** Settles with `work`, or rejects after `ms` on `clock`, or when `signal` aborts. */
export function withTimeout<T>(
  work: () => Promise<T>,
  clock: Clock,
  ms: number,
  what: string,
  signal: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      f();
    };
    const onAbort = () => finish(() => reject(new Error(`${what} abandoned`)));
    const timer = clock.setTimeout(
      () => finish(() => reject(new Error(`${what} timed out after ${ms} ms`))),
      ms,
    );
    signal.addEventListener("abort", onAbort, { once: true });
    let p: Promise<T>;
    try {
      p = work();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
  });
}

/** Sends `writer.wake` when the buffer holds `threshold` samples or at `until`, whichever is first. */
export const wake = fromCallback<
  WriterTimerEvent,
  { buffer: SampleBuffer; clock: Clock; threshold: number; until: number | null }
>(
  ({ input, sendBack }) => {
    let live = true;
    const fire = () => live && sendBack({ type: "writer.wake" });
    const unwatch = input.buffer.whenSize(input.threshold, fire);
    let timer: unknown;
    if (input.until !== null) {
      const ms = input.until - input.clock.now();
      if (ms > 0) timer = input.clock.setTimeout(fire, ms);
      else queueMicrotask(fire);
    }
    return () => {
      live = false;
      unwatch();
      if (timer !== undefined) input.clock.clearTimeout(timer);
    };
  },
);

/** Sends `writer.deadline` after `ms`: the end of a graceful stop's budget. */
export const deadlineTimer = fromCallback<WriterTimerEvent, { clock: Clock; ms: number }>(
  ({ input, sendBack }) => {
    const id = input.clock.setTimeout(() => sendBack({ type: "writer.deadline" }), input.ms);
    return () => input.clock.clearTimeout(id);
  },
);

/** Writes a batch to the sink; resolves with the latency, rejects on failure or timeout. */
export const writeBatch = fromPromise<
  { latencyMs: number },
  { sink: Sink; clock: Clock; batch: readonly Sample[]; timeoutMs: number }
>(
  async ({ input, signal }) => {
    const start = input.clock.now();
    await withTimeout(
      () => input.sink.write(input.batch),
      input.clock,
      input.timeoutMs,
      `${input.sink.kind} write`,
      signal,
    );
    return { latencyMs: input.clock.now() - start };
  },
);

/** Appends a batch to the journal (fsynced). */
export const spill = fromPromise<AppendResult, { journal: JournalPort; batch: readonly Sample[] }>(
  ({ input }) => input.journal.append(input.batch),
);

/** Replays one journal batch: read, write to the sink, commit; rejects when the sink fails. */
export const replayBatch = fromPromise<
  ReplayOutcome,
  { journal: JournalPort; sink: Sink; clock: Clock; max: number; timeoutMs: number }
>(
  async ({ input, signal }) => {
    const { journal, sink, clock } = input;
    let batch;
    try {
      batch = await journal.read(input.max);
    } catch (err) {
      return { kind: "journalError", error: `journal read: ${errorText(err)}` };
    }
    if (!batch) return { kind: "empty" };
    const start = clock.now();
    const samples = batch.samples;
    await withTimeout(
      () => sink.write(samples),
      clock,
      input.timeoutMs,
      `${sink.kind} replay write`,
      signal,
    );
    const latencyMs = clock.now() - start;
    // Abandoned at the stop deadline: leave the batch in the journal; it is
    // re-sent on the next start, and the sink's (tag, ts) key absorbs it.
    if (signal.aborted) return { kind: "written", values: samples.length, latencyMs };
    try {
      await journal.commit(batch);
    } catch (err) {
      return {
        kind: "written",
        values: samples.length,
        latencyMs,
        commitError: `journal commit: ${errorText(err)}`,
      };
    }
    return { kind: "written", values: samples.length, latencyMs };
  },
);

/** Asks the sink for its health, within a timeout. */
export const probe = fromPromise<SinkHealth, { sink: Sink; clock: Clock; timeoutMs: number }>((
  { input, signal },
) =>
  withTimeout(
    () => input.sink.health(),
    input.clock,
    input.timeoutMs,
    `${input.sink.kind} health`,
    signal,
  )
);
