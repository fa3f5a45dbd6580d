/**
 * The plc-bit handshake of a HANDSHAKE polling group, as its own machine
 * (the poller invokes it): watch the request bit every `intervalMs`; when the
 * PLC asks (request on, ack off) read the group and hand the samples on, set
 * the ack, wait for the PLC to drop the request, clear the ack. Each step
 * retries at the watch rate until `stepTimeoutMs`; then the group faults
 * (state, counter and a `group.fault` report) and watching resumes.
 *
 * Exactly once: a cycle's samples are handed on once. The request level, not
 * an edge we may have missed, starts a read; the data handed on but not yet
 * acknowledged is kept (`pending`), and when the request is still up after a
 * failed ack (a reconnect, say) the group is read again and handed on only if
 * its words differ (a new cycle the PLC started meanwhile); the same words
 * are the same cycle, which is then just acknowledged. Ack on and request on
 * means the ack went through: only the release is awaited.
 */
import { assign, fromPromise, setup, type SnapshotFrom } from "xstate";
import type { Address } from "../protocol/devices.ts";
import type { PlcError } from "../protocol/errors.ts";
import { extractValues, planReads, type ReadPlan } from "../protocol/planner.ts";
import { readPlanOptionsFor } from "../protocol/series.ts";
import type { Clock } from "./clock.ts";
import { errorMessage, type HandshakeStep, ignoreReports, type Report } from "./events.ts";
import type { BlockReads, PlcLink } from "./plc_link.ts";

/** What a handshake is started with. */
export interface HandshakeInput {
  readonly groupId: number;
  readonly code: string;
  readonly request: Address;
  readonly ack: Address;
  /** How often the request bit is watched (and failed steps retried), ms. */
  readonly intervalMs: number;
  /** Longest time one step may take, ms. */
  readonly stepTimeoutMs: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  readonly link: PlcLink;
  readonly clock: Clock;
  readonly report?: Report;
  /** Reads the group's blocks. */
  readonly readGroup: (signal: AbortSignal) => Promise<BlockReads>;
  /** Turns a read into samples and hands them on (stored once per cycle). */
  readonly hand: (read: BlockReads) => void;
  /** Marks the group's tags bad after the read step timed out. */
  readonly fail: (error: PlcError | undefined, at: number) => void;
}

/** A step's failure as recorded in status. */
export interface HandshakeFault {
  readonly step: HandshakeStep;
  readonly message: string;
  readonly at: number;
}

interface Bits {
  readonly ok: boolean;
  readonly request: boolean;
  readonly ack: boolean;
  readonly error?: PlcError;
}

interface HandshakeContext extends Omit<HandshakeInput, "report"> {
  readonly report: Report;
  readonly bits: ReadPlan<string>;
  readonly step: HandshakeStep | undefined;
  readonly deadline: number;
  readonly cycleStartedAt: number;
  readonly pending: BlockReads | undefined;
  readonly cycles: number;
  readonly duplicates: number;
  readonly readRetries: number;
  readonly faults: number;
  readonly faulted: boolean;
  readonly lastFault: HandshakeFault | undefined;
  readonly lastError: string | undefined;
  readonly lastCycleMs: number | undefined;
  readonly lastSampleTs: number | undefined;
}

/** Whether two reads returned the same words in every block. */
export function sameWords(a: BlockReads, b: BlockReads): boolean {
  if (a.words.length !== b.words.length) return false;
  for (let k = 0; k < a.words.length; k++) {
    const x = a.words[k], y = b.words[k];
    if (!x || !y || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

type StepResult = { ok: boolean; error?: PlcError };

/** The handshake machine. */
export const handshakeMachine = setup({
  types: { input: {} as HandshakeInput, context: {} as HandshakeContext },
  actors: {
    bits: fromPromise<Bits, { link: PlcLink; plan: ReadPlan<string>; timeoutMs: number }>(
      async ({ input, signal }) => {
        const r = await input.link.readBlocks(input.plan.blocks, {
          timeoutMs: input.timeoutMs,
          signal,
        });
        if (r.failed > 0) return { ok: false, request: false, ack: false, error: r.error };
        const [request, ack] = extractValues(input.plan, r.words as Uint16Array[]);
        return { ok: true, request: request === true, ack: ack === true };
      },
    ),
    read: fromPromise<BlockReads, { readGroup: (signal: AbortSignal) => Promise<BlockReads> }>(
      ({ input, signal }) => input.readGroup(signal),
    ),
    write: fromPromise<
      StepResult,
      { link: PlcLink; ack: Address; value: boolean; timeoutMs: number }
    >(
      async ({ input, signal }) => {
        const error = await input.link.writeBit(input.ack, input.value, {
          timeoutMs: input.timeoutMs,
          signal,
        });
        return error ? { ok: false, error } : { ok: true };
      },
    ),
  },
  guards: {
    late: ({ context }) => context.clock.now() >= context.deadline,
  },
  actions: {
    begin: assign(({ context }, params: { step: HandshakeStep }) => ({
      step: params.step,
      deadline: context.clock.now() + context.stepTimeoutMs,
      ...(params.step === "read" ? { cycleStartedAt: context.clock.now() } : {}),
    })),
    countReadRetry: assign(({ context }) => ({ readRetries: context.readRetries + 1 })),
    noteError: assign((_, params: { error: PlcError | undefined }) => ({
      lastError: params.error ? errorMessage(params.error) : undefined,
    })),
    fault: assign(({ context }) => {
      const at = context.clock.now();
      const step = context.step ?? "read";
      const message = `handshake step "${step}" of group ${context.code} took longer than ` +
        `${context.stepTimeoutMs} ms` + (context.lastError ? `: ${context.lastError}` : "");
      context.report({
        type: "group.fault",
        groupId: context.groupId,
        code: context.code,
        step,
        message,
        at,
      });
      if (step === "read") context.fail(undefined, at);
      return {
        faults: context.faults + 1,
        faulted: true,
        lastFault: { step, message, at },
        step: undefined,
      };
    }),
    complete: assign(({ context }) => {
      const now = context.clock.now();
      if (context.faulted) {
        context.report({
          type: "group.recovered",
          groupId: context.groupId,
          code: context.code,
          at: now,
        });
      }
      return {
        cycles: context.cycles + 1,
        pending: undefined,
        faulted: false,
        step: undefined,
        lastCycleMs: now - context.cycleStartedAt,
      };
    }),
  },
  delays: { interval: ({ context }) => context.intervalMs },
}).createMachine({
  id: "handshake",
  context: ({ input }) => ({
    ...input,
    report: input.report ?? ignoreReports,
    bits: planReads([
      { id: "request", address: input.request, type: "BOOL" },
      { id: "ack", address: input.ack, type: "BOOL" },
    ], readPlanOptionsFor(input.link.plc.series)),
    step: undefined,
    deadline: 0,
    cycleStartedAt: input.clock.now(),
    pending: undefined,
    cycles: 0,
    duplicates: 0,
    readRetries: 0,
    faults: 0,
    faulted: false,
    lastFault: undefined,
    lastError: undefined,
    lastCycleMs: undefined,
    lastSampleTs: undefined,
  }),
  initial: "checking",
  states: {
    watching: { after: { interval: "checking" } },
    checking: {
      invoke: {
        src: "bits",
        input: ({ context }) => ({
          link: context.link,
          plan: context.bits,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          {
            guard: ({ event }) => !event.output.ok,
            target: "watching",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
          {
            guard: ({ event }) => event.output.request && !event.output.ack,
            target: "reading",
            actions: { type: "begin", params: { step: "read" } },
          },
          {
            guard: ({ event }) => event.output.request,
            target: "releasing",
            actions: { type: "begin", params: { step: "release" } },
          },
          {
            guard: ({ event }) => event.output.ack,
            target: "clearing",
            actions: { type: "begin", params: { step: "clear" } },
          },
          { target: "watching", actions: assign({ pending: undefined }) },
        ],
      },
    },
    reading: {
      invoke: {
        src: "read",
        input: ({ context }) => ({ readGroup: context.readGroup }),
        onDone: [
          {
            guard: ({ event }) => event.output.failed === 0,
            target: "acking",
            actions: [
              assign(({ context, event }) => {
                const read = event.output;
                if (context.pending && sameWords(context.pending, read)) {
                  return { duplicates: context.duplicates + 1 };
                }
                context.hand(read);
                return { pending: read, lastSampleTs: read.startedAt };
              }),
              { type: "begin", params: { step: "ack" } },
            ],
          },
          {
            guard: "late",
            target: "fault",
            actions: [
              { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
              "countReadRetry",
            ],
          },
          {
            target: "readRetry",
            actions: [
              { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
              "countReadRetry",
            ],
          },
        ],
      },
    },
    readRetry: { after: { interval: "reading" } },
    acking: {
      invoke: {
        src: "write",
        input: ({ context }) => ({
          link: context.link,
          ack: context.ack,
          value: true,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.ok,
            target: "releasing",
            actions: { type: "begin", params: { step: "release" } },
          },
          {
            guard: "late",
            target: "fault",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
          {
            target: "ackRetry",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
        ],
      },
    },
    ackRetry: { after: { interval: "acking" } },
    releasing: { after: { interval: "releaseCheck" } },
    releaseCheck: {
      invoke: {
        src: "bits",
        input: ({ context }) => ({
          link: context.link,
          plan: context.bits,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.ok && !event.output.request,
            target: "clearing",
            actions: { type: "begin", params: { step: "clear" } },
          },
          {
            guard: "late",
            target: "fault",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
          { target: "releasing" },
        ],
      },
    },
    clearing: {
      invoke: {
        src: "write",
        input: ({ context }) => ({
          link: context.link,
          ack: context.ack,
          value: false,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          { guard: ({ event }) => event.output.ok, target: "watching", actions: "complete" },
          {
            guard: "late",
            target: "fault",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
          {
            target: "clearRetry",
            actions: { type: "noteError", params: ({ event }) => ({ error: event.output.error }) },
          },
        ],
      },
    },
    clearRetry: { after: { interval: "clearing" } },
    fault: { entry: "fault", always: "watching" },
  },
});

/** A handshake's counters, for the group's status. */
export interface HandshakeStatus {
  /** Where the cycle stands: watching, reading, acking, releasing, clearing (retries included). */
  readonly state: string;
  /** Completed cycles (request seen, read, acked, released, ack cleared). */
  readonly cycles: number;
  /** Re-reads of a still-pending cycle that matched it and were not handed on again. */
  readonly duplicates: number;
  /**
   * Group reads that failed (and were retried or faulted): each may have been
   * served by the PLC with its answer lost, so the PLC may serve up to
   * cycles + duplicates + readRetries reads of the cycle data.
   */
  readonly readRetries: number;
  readonly faults: number;
  /** A step timed out and no cycle has completed since. */
  readonly faulted: boolean;
  readonly lastFault: HandshakeFault | undefined;
  readonly lastError: string | undefined;
  readonly lastCycleMs: number | undefined;
  readonly lastSampleTs: number | undefined;
}

/** Machine states by what the cycle is doing (retries and checks fold into their step). */
const STATE_NAMES: Record<string, string> = {
  watching: "watching",
  checking: "watching",
  reading: "reading",
  readRetry: "reading",
  acking: "acking",
  ackRetry: "acking",
  releasing: "releasing",
  releaseCheck: "releasing",
  clearing: "clearing",
  clearRetry: "clearing",
  fault: "fault",
};

/** The status of a handshake from its snapshot. */
export function handshakeStatus(snapshot: SnapshotFrom<typeof handshakeMachine>): HandshakeStatus {
  const c = snapshot.context;
  const value = String(snapshot.value);
  return {
    state: STATE_NAMES[value] ?? value,
    cycles: c.cycles,
    duplicates: c.duplicates,
    readRetries: c.readRetries,
    faults: c.faults,
    faulted: c.faulted,
    lastFault: c.lastFault,
    lastError: c.lastError,
    lastCycleMs: c.lastCycleMs,
    lastSampleTs: c.lastSampleTs,
  };
}
