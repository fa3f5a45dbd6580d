/**
 * The historian writer: an XState machine that takes samples from the buffer
 * and writes them to the sink in batches (by size or age), retries a failed
 * batch after 1, 2 and 4 s, spills to the journal while the sink keeps
 * failing, probes the sink's health while it is down, replays the journal
 * beside live data once it is back, and on `stop` drains everything into the
 * sink or the journal within a deadline. One step at a time: `decide` asks
 * planNext() (writer_state.ts) what to do, the other states do it, and
 * writer_steps.ts keeps the books. See docs/store_and_forward.md.
 */
import {
  type ActorRefFrom,
  assign,
  enqueueActions,
  setup,
  type SnapshotFrom,
  toPromise,
} from "xstate";
import type { Sink, SinkHealth } from "../sinks/sink.ts";
import type { SampleBuffer } from "./buffer.ts";
import type { Clock } from "./clock.ts";
import type { AppendResult, JournalPort } from "./journal_port.ts";
import {
  deadlineTimer,
  probe,
  replayBatch,
  type ReplayOutcome,
  spill,
  wake,
  writeBatch,
  type WriterTimerEvent,
} from "./writer_ops.ts";
import type { Plan, WriterContext, WriterEmitted, WriterSettings } from "./writer_state.ts";
import * as step from "./writer_steps.ts";
import { statusOf, type WriterActivity, type WriterStatus } from "./writer_status.ts";

export type { WriterEmitted, WriterSettings } from "./writer_state.ts";
export { DEFAULT_WRITER_SETTINGS } from "./writer_state.ts";
export type { WriterStatus } from "./writer_status.ts";

/** What the writer is given: its ports and, optionally, settings. */
export interface WriterInput {
  /** Where batches go (atomic, idempotent on (tag, ts)). */
  readonly sink: Sink;
  /** Where samples come from: the pollers' ring buffer. */
  readonly buffer: SampleBuffer;
  /** Where batches go while the sink cannot take them, and are replayed from. */
  readonly journal: JournalPort;
  /** Time and timers for batching, retries, probes and the stop deadline (default: real). */
  readonly clock?: Clock;
  /** Overrides of {@link DEFAULT_WRITER_SETTINGS}. */
  readonly settings?: Partial<WriterSettings>;
}

/**
 * Events the writer takes: `flush` writes what the buffer holds now without
 * waiting for the batch to fill; `stop` drains the buffer into the sink (or
 * the journal) within the stop deadline and ends the machine. `writer.*` are
 * its own timers'.
 */
export type WriterEvent =
  | { readonly type: "flush" }
  | { readonly type: "stop" }
  | WriterTimerEvent;

/** Time for a sink call: its own timeout, cut to the stop budget once stopping. */
const opTimeout = (c: WriterContext, ms: number) =>
  c.stopping ? Math.min(ms, c.settings.stopDeadlineMs) : ms;

const planIs = (action: Plan["action"]) => ({ type: "planIs", params: { action } }) as const;

/** The writer machine; start it with `createActor(writerMachine, { input })`. */
export const writerMachine = setup({
  types: {
    context: {} as WriterContext,
    input: {} as WriterInput,
    events: {} as WriterEvent,
    emitted: {} as WriterEmitted,
    output: {} as WriterStatus,
  },
  actors: { wake, deadlineTimer, writeBatch, spill, replayBatch, probe },
  guards: {
    planIs: ({ context }, params: { action: Plan["action"] }) =>
      context.plan.action === params.action,
  },
  actions: {
    plan: enqueueActions(({ context, enqueue }) => apply(enqueue, step.decideStep(context))),
    requestStop: enqueueActions(({ context, enqueue }) => {
      if (context.stopping) return;
      enqueue.assign({ stopping: true });
      enqueue.spawnChild("deadlineTimer", {
        id: "deadline",
        input: { clock: context.ports.clock, ms: context.settings.stopDeadlineMs },
      });
    }),
    requestFlush: assign({ flushRequested: true }),
    markDeadline: assign({ deadlinePassed: true }),
    takeLive: assign(({ context: c }) =>
      step.takeFromBuffer(c, Math.max(c.settings.batchSize, c.settings.maxBatchSize))
    ),
    takeSpill: assign(({ context }) => step.takeSpill(context)),
    takeRetry: assign(({ context: c }) => ({
      inFlight: c.retry!.batch,
      inFlightAttempts: c.retry!.attempts,
      retry: null,
    })),
    takeRetryToSpill: enqueueActions(({ context, enqueue }) =>
      apply(enqueue, step.takeRetryToSpill(context))
    ),
    takeAll: assign(({ context }) => step.takeAll(context)),
    written: enqueueActions(({ context, enqueue }, p: { latencyMs: number }) => {
      apply(enqueue, step.written(context, p.latencyMs));
    }),
    writeFailed: enqueueActions(({ context, enqueue }, p: { error: unknown }) => {
      apply(enqueue, step.writeFailed(context, p.error));
    }),
    writeAbandoned: enqueueActions(({ context, enqueue }) =>
      apply(enqueue, step.writeAbandoned(context))
    ),
    spilled: enqueueActions(({ context, enqueue }, p: { result: AppendResult }) => {
      apply(enqueue, step.spilled(context, p.result));
    }),
    spillFailed: enqueueActions(({ context, enqueue }, p: { error: unknown }) => {
      apply(enqueue, step.spillFailed(context, p.error));
    }),
    replayed: enqueueActions(({ context, enqueue }, p: { outcome: ReplayOutcome }) => {
      apply(enqueue, step.replayed(context, p.outcome));
    }),
    replayFailed: enqueueActions(({ context, enqueue }, p: { error: unknown }) => {
      apply(enqueue, step.replayFailed(context, p.error));
    }),
    probed: enqueueActions(({ context, enqueue }, p: { health?: SinkHealth; error?: unknown }) => {
      apply(enqueue, step.probed(context, p.health, p.error));
    }),
    noteReplayStart: assign(({ context: c }) => ({
      replayStartBytes: Math.max(c.replayStartBytes ?? 0, c.ports.journal.stats().bytes),
      replayStart: c.replayStart ??
        { at: c.ports.clock.now(), valuesBefore: c.totals.valuesReplayed },
    })),
  },
}).createMachine({
  id: "writer",
  context: ({ input }) => step.initialContext(input, input.settings),
  initial: "running",
  states: {
    running: {
      initial: "decide",
      on: {
        stop: { actions: "requestStop" },
        flush: { actions: "requestFlush" },
        "writer.deadline": { actions: "markDeadline" },
      },
      states: {
        decide: {
          entry: "plan",
          always: [
            { guard: planIs("finalSpill"), target: "#writer.finalSpill" },
            { guard: planIs("spillRetry"), target: "spilling", actions: "takeRetryToSpill" },
            { guard: planIs("retry"), target: "writing", actions: "takeRetry" },
            { guard: planIs("probe"), target: "probing" },
            { guard: planIs("spillLive"), target: "spilling", actions: "takeSpill" },
            { guard: planIs("writeLive"), target: "writing", actions: "takeLive" },
            { guard: planIs("replay"), target: "replaying" },
            { guard: planIs("finish"), target: "#writer.stopped" },
            { target: "waiting" },
          ],
        },
        waiting: {
          invoke: {
            src: "wake",
            input: ({ context: c }) => ({
              buffer: c.ports.buffer,
              clock: c.ports.clock,
              threshold: c.plan.action === "wait" ? c.plan.threshold : 1,
              until: c.plan.action === "wait" ? c.plan.until : null,
            }),
          },
          on: {
            "writer.wake": { target: "decide" },
            stop: { target: "decide", actions: "requestStop" },
            flush: { target: "decide", actions: "requestFlush" },
            "writer.deadline": { target: "decide", actions: "markDeadline" },
          },
        },
        writing: {
          invoke: {
            src: "writeBatch",
            input: ({ context: c }) => ({
              sink: c.ports.sink,
              clock: c.ports.clock,
              batch: c.inFlight!,
              timeoutMs: opTimeout(c, c.settings.writeTimeoutMs),
            }),
            onDone: {
              target: "decide",
              actions: { type: "written", params: ({ event }) => event.output },
            },
            onError: {
              target: "decide",
              actions: { type: "writeFailed", params: ({ event }) => ({ error: event.error }) },
            },
          },
          on: {
            "writer.deadline": { target: "decide", actions: ["markDeadline", "writeAbandoned"] },
          },
        },
        spilling: {
          invoke: {
            src: "spill",
            input: ({ context: c }) => ({ journal: c.ports.journal, batch: c.inFlight! }),
            onDone: {
              target: "decide",
              actions: { type: "spilled", params: ({ event }) => ({ result: event.output }) },
            },
            onError: {
              target: "decide",
              actions: { type: "spillFailed", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        replaying: {
          entry: "noteReplayStart",
          invoke: {
            src: "replayBatch",
            input: ({ context: c }) => ({
              journal: c.ports.journal,
              sink: c.ports.sink,
              clock: c.ports.clock,
              max: c.settings.replayBatchSize > 0
                ? c.settings.replayBatchSize
                : c.settings.batchSize,
              timeoutMs: opTimeout(c, c.settings.writeTimeoutMs),
            }),
            onDone: {
              target: "decide",
              actions: { type: "replayed", params: ({ event }) => ({ outcome: event.output }) },
            },
            onError: {
              target: "decide",
              actions: { type: "replayFailed", params: ({ event }) => ({ error: event.error }) },
            },
          },
          on: { "writer.deadline": { target: "decide", actions: "markDeadline" } },
        },
        probing: {
          invoke: {
            src: "probe",
            input: ({ context: c }) => ({
              sink: c.ports.sink,
              clock: c.ports.clock,
              timeoutMs: c.settings.healthTimeoutMs,
            }),
            onDone: {
              target: "decide",
              actions: { type: "probed", params: ({ event }) => ({ health: event.output }) },
            },
            onError: {
              target: "decide",
              actions: { type: "probed", params: ({ event }) => ({ error: event.error }) },
            },
          },
          on: { "writer.deadline": { target: "decide", actions: "markDeadline" } },
        },
      },
    },
    finalSpill: {
      entry: "takeAll",
      invoke: {
        src: "spill",
        input: ({ context: c }) => ({ journal: c.ports.journal, batch: c.inFlight! }),
        onDone: {
          target: "stopped",
          actions: { type: "spilled", params: ({ event }) => ({ result: event.output }) },
        },
        onError: {
          target: "stopped",
          actions: { type: "spillFailed", params: ({ event }) => ({ error: event.error }) },
        },
      },
    },
    stopped: { type: "final" },
  },
  output: ({ context }) => statusOf(context, "stopped"),
});

interface Enqueue {
  assign(patch: Partial<WriterContext>): void;
  emit(event: WriterEmitted): void;
}

function apply(enqueue: Enqueue, s: step.Step): void {
  enqueue.assign(s.patch);
  for (const e of s.emit) enqueue.emit(e);
}

/** A running writer. */
export type WriterActor = ActorRefFrom<typeof writerMachine>;

/** A writer's snapshot. */
export type WriterSnapshot = SnapshotFrom<typeof writerMachine>;

/** What the writer is doing, from a snapshot's state. */
export function writerActivity(snapshot: WriterSnapshot): WriterActivity {
  if (snapshot.status !== "active") return "stopped";
  if (snapshot.matches("finalSpill")) return "spilling";
  for (const a of ["writing", "spilling", "replaying", "probing"] as const) {
    if (snapshot.matches({ running: a })) return a;
  }
  return "waiting";
}

/** The status snapshot of a writer, for the REST status endpoint and metrics. */
export function writerStatus(snapshot: WriterSnapshot): WriterStatus {
  return snapshot.status === "done" && snapshot.output
    ? snapshot.output
    : statusOf(snapshot.context, writerActivity(snapshot));
}

/**
 * Stops a writer gracefully: sends `stop` and resolves with its final status
 * once everything is in the sink or the journal (within the stop deadline,
 * plus the last spill's fsync).
 */
export function stopWriter(actor: WriterActor): Promise<WriterStatus> {
  actor.send({ type: "stop" });
  return toPromise(actor);
}
