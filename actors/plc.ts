/**
 * The plc actor: owns one PLC's socket pool (made by an injected factory) and
 * decides, from the outcome of every read, whether the PLC is connected,
 * degraded (errors, but it still answers) or unreachable (backoff, then a
 * probe). It never reads for pollers itself: it sets the gate of the
 * {@link PlcLink} they read through, so reads stay one pool request per block
 * and a dead PLC fails them at once. Nothing here awaits another PLC.
 *
 * States: disconnected | online.{connecting, connected, degraded, backoff}.
 */
import {
  assign,
  enqueueActions,
  fromCallback,
  fromPromise,
  setup,
  type SnapshotFrom,
} from "xstate";
import type { PlcConfig } from "../model/config.ts";
import type { PoolStats } from "../protocol/pool.ts";
import type { Clock } from "./clock.ts";
import { errorMessage, ignoreReports, type PlcState, type Report } from "./events.ts";
import {
  type CreatePool,
  createTcpPool,
  isTransportFailure,
  type LinkOutcome,
  type PlcLink,
  type ProbeResult,
} from "./plc_link.ts";
import { backoffDelay, type BackoffPolicy, PLC_BACKOFF } from "./schedule.ts";

/** Longest probe (CPU model read) while reconnecting, ms (the PLC's own timeout when shorter). */
export const PROBE_TIMEOUT_MS = 500;
/** A degraded PLC counts as connected again after this long without a failure, ms. */
export const QUIET_MS = 5_000;

/** What a plc actor is started with. */
export interface PlcActorInput {
  readonly plc: PlcConfig;
  /** The link its pollers read through; the actor attaches its pool and sets the gate. */
  readonly link: PlcLink;
  /** Pool factory; default {@link createTcpPool}. */
  readonly createPool?: CreatePool;
  readonly clock: Clock;
  readonly report?: Report;
  /** Reconnect backoff; default {@link PLC_BACKOFF}. */
  readonly backoff?: BackoffPolicy;
  /** Default min(plc.timeoutMs, {@link PROBE_TIMEOUT_MS}). */
  readonly probeTimeoutMs?: number;
  /** Default {@link QUIET_MS}. */
  readonly quietMs?: number;
  /** Jitter source, [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** Events a plc actor takes: read outcomes (from its link) and connect/disconnect commands. */
export type PlcEvent =
  | { readonly type: "outcome"; readonly outcome: LinkOutcome }
  | { readonly type: "CONNECT" }
  | { readonly type: "DISCONNECT" };

interface PlcContext {
  readonly plc: PlcConfig;
  readonly link: PlcLink;
  readonly createPool: CreatePool;
  readonly clock: Clock;
  readonly report: Report;
  readonly backoff: BackoffPolicy;
  readonly probeTimeoutMs: number;
  readonly quietMs: number;
  readonly random: () => number;
  /** Failed connection attempts since the last success. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly state: PlcState;
  readonly since: number;
  readonly nextRetryAt: number | undefined;
  readonly connects: number;
  readonly reads: number;
  readonly failedReads: number;
  readonly consecutiveFailures: number;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  readonly model: string | undefined;
}

const failed = (o: LinkOutcome) => !o.ok;

/**
 * Whether an outcome says the PLC cannot be reached: a timeout, a refused or
 * closed connection, a garbled stream. One is enough: waiting for a second
 * would let reads of the other groups pile up behind the stalled sockets,
 * while a false alarm (this process too busy to read a response in time)
 * costs one short backoff and a probe.
 */
function unreachable(o: LinkOutcome): boolean {
  return !o.ok && o.error !== undefined && isTransportFailure(o.error);
}

/** The plc actor's machine. */
export const plcMachine = setup({
  types: {
    input: {} as PlcActorInput,
    context: {} as PlcContext,
    events: {} as PlcEvent,
  },
  actors: {
    pool: fromCallback<PlcEvent, { link: PlcLink; plc: PlcConfig; createPool: CreatePool }>(
      ({ input, sendBack }) => {
        input.link.attach(input.createPool(input.plc));
        const off = input.link.onOutcome((outcome) => sendBack({ type: "outcome", outcome }));
        return () => {
          off();
          input.link.detach("the PLC's connection was stopped");
        };
      },
    ),
    probe: fromPromise<ProbeResult, { link: PlcLink; timeoutMs: number }>(({ input }) =>
      input.link.probe(input.timeoutMs)
    ),
  },
  actions: {
    /** Counts a read outcome. */
    record: assign(({ context, event }) => {
      if (event.type !== "outcome") return {};
      const o = event.outcome;
      return o.ok ? { reads: context.reads + 1, consecutiveFailures: 0 } : {
        reads: context.reads + 1,
        failedReads: context.failedReads + 1,
        consecutiveFailures: context.consecutiveFailures + 1,
        lastError: o.error ? errorMessage(o.error) : `${o.failed} of ${o.requests} requests failed`,
        lastErrorAt: context.clock.now(),
      };
    }),
    /** Sets the gate for the state entered and reports the state when it changed. */
    enter: enqueueActions(({ context, enqueue }, params: { state: PlcState }) => {
      const { link, clock } = context;
      const { state } = params;
      if (state === "connected" || state === "degraded") link.setGate("open");
      else if (state === "connecting") {
        link.setGate(context.attempt === 0 ? "wait" : "closed", "reconnecting");
      } else if (state === "backoff") {
        link.setGate("closed", `reconnecting in ${context.delayMs} ms after: ${context.lastError}`);
      } else link.setGate("closed", "disconnected");
      if (context.state === state) return;
      const now = clock.now();
      enqueue.assign({ state, since: now });
      context.report({
        type: "plc.state",
        plcId: context.plc.id,
        code: context.plc.code,
        state,
        ...(state === "connected" ? {} : context.lastError ? { error: context.lastError } : {}),
        at: now,
      });
    }),
  },
  delays: {
    backoff: ({ context }) => context.delayMs,
    quiet: ({ context }) => context.quietMs,
  },
}).createMachine({
  id: "plc",
  context: ({ input }) => ({
    plc: input.plc,
    link: input.link,
    createPool: input.createPool ?? createTcpPool,
    clock: input.clock,
    report: input.report ?? ignoreReports,
    backoff: input.backoff ?? PLC_BACKOFF,
    probeTimeoutMs: input.probeTimeoutMs ?? Math.min(input.plc.timeoutMs, PROBE_TIMEOUT_MS),
    quietMs: input.quietMs ?? QUIET_MS,
    random: input.random ?? Math.random,
    attempt: 0,
    delayMs: 0,
    state: "disconnected",
    since: input.clock.now(),
    nextRetryAt: undefined,
    connects: 0,
    reads: 0,
    failedReads: 0,
    consecutiveFailures: 0,
    lastError: undefined,
    lastErrorAt: undefined,
    model: undefined,
  }),
  initial: "online",
  on: { outcome: { actions: "record" } },
  states: {
    disconnected: {
      entry: { type: "enter", params: { state: "disconnected" } },
      on: { CONNECT: { target: "online", actions: assign({ attempt: 0 }) } },
    },
    online: {
      invoke: {
        src: "pool",
        input: ({ context }) => ({
          link: context.link,
          plc: context.plc,
          createPool: context.createPool,
        }),
      },
      on: { DISCONNECT: "disconnected" },
      initial: "connecting",
      states: {
        connecting: {
          entry: { type: "enter", params: { state: "connecting" } },
          invoke: {
            src: "probe",
            input: ({ context }) => ({ link: context.link, timeoutMs: context.probeTimeoutMs }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: "connected",
                actions: assign(({ context, event }) => ({
                  attempt: 0,
                  nextRetryAt: undefined,
                  connects: context.connects + 1,
                  consecutiveFailures: 0,
                  model: event.output.model ?? context.model,
                })),
              },
              {
                target: "backoff",
                actions: assign(({ context, event }) => ({
                  lastError: event.output.error ? errorMessage(event.output.error) : "probe failed",
                  lastErrorAt: context.clock.now(),
                })),
              },
            ],
          },
        },
        connected: {
          entry: { type: "enter", params: { state: "connected" } },
          on: {
            outcome: [
              {
                guard: ({ event }) => unreachable(event.outcome),
                target: "backoff",
                actions: "record",
              },
              {
                guard: ({ event }) => failed(event.outcome),
                target: "degraded",
                actions: "record",
              },
              { actions: "record" },
            ],
          },
        },
        degraded: {
          entry: { type: "enter", params: { state: "degraded" } },
          after: { quiet: "connected" },
          on: {
            outcome: [
              {
                guard: ({ event }) => unreachable(event.outcome),
                target: "backoff",
                actions: "record",
              },
              {
                guard: ({ event }) => failed(event.outcome),
                target: "degraded",
                reenter: true,
                actions: "record",
              },
              { actions: "record" },
            ],
          },
        },
        backoff: {
          entry: [
            assign(({ context }) => {
              const delayMs = backoffDelay(context.attempt, context.backoff, context.random);
              return { delayMs, nextRetryAt: context.clock.now() + delayMs };
            }),
            { type: "enter", params: { state: "backoff" } },
          ],
          after: {
            backoff: {
              target: "connecting",
              actions: assign(({ context }) => ({ attempt: context.attempt + 1 })),
            },
          },
        },
      },
    },
  },
});

/** A plc actor's status, for the admin pages and metrics. */
export interface PlcStatus {
  readonly plcId: number;
  readonly code: string;
  readonly state: PlcState;
  /** Clock time the state was entered. */
  readonly since: number;
  /** Failed connection attempts since the last success. */
  readonly attempt: number;
  readonly nextRetryAt: number | undefined;
  readonly connects: number;
  readonly reads: number;
  readonly failedReads: number;
  readonly consecutiveFailures: number;
  /** Reads refused at once because the PLC was not connected. */
  readonly fastFailures: number;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  /** CPU model from the last probe. */
  readonly model: string | undefined;
  /** Moving average round trip of the pool's requests, ms. */
  readonly rttMs: number | undefined;
  readonly pool: PoolStats | undefined;
}

/** The status of a plc actor from its snapshot. */
export function plcStatus(snapshot: SnapshotFrom<typeof plcMachine>): PlcStatus {
  const c = snapshot.context;
  const pool = c.link.poolStats;
  return {
    plcId: c.plc.id,
    code: c.plc.code,
    state: c.state,
    since: c.since,
    attempt: c.attempt,
    nextRetryAt: c.state === "backoff" ? c.nextRetryAt : undefined,
    connects: c.connects,
    reads: c.reads,
    failedReads: c.failedReads,
    consecutiveFailures: c.consecutiveFailures,
    fastFailures: c.link.fastFailures,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    model: c.model,
    rttMs: pool?.rttEwmaMs,
    pool,
  };
}
