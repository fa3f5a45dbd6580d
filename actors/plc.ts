/**
 * The plc actor: owns one PLC's socket pool (made by an injected factory) and
 * applies the failure rule to the outcome of every request (after Kepware's
 * device settings: request timeout, attempts, demotion). A failed request
 * below the PLC's `attempts` is a silent retry: its socket is torn down and
 * reopened by the pool (3E frames carry no serial number, so a late reply
 * cannot be matched), the PLC stays `degraded`, and its tags keep their
 * previous values. `attempts` consecutive failed requests declare the PLC
 * `failed`: the gate closes (reads fail at once and their tags turn
 * bad-comm), reconnects back off, and after `commAlarmDelayMs` of failure
 * the "PLC not answering" condition is reported. It never reads for pollers
 * itself: it sets the gate of the {@link PlcLink} they read through. Nothing
 * here awaits another PLC.
 *
 * States: disconnected | online.{connecting, retrying, connected, degraded,
 * failed.{backoff, probing}}.
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
/** While a failed PLC retries at the longest backoff step, `plc.retrying` is reported this often, ms. */
export const RETRY_REPORT_MS = 60_000;

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
  /** Default {@link RETRY_REPORT_MS}. */
  readonly retryReportMs?: number;
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
  readonly retryReportMs: number;
  readonly random: () => number;
  /** Reconnect attempts (probes) since the PLC failed, or connect attempts before the first success. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly state: PlcState;
  readonly since: number;
  readonly nextRetryAt: number | undefined;
  readonly connects: number;
  readonly reads: number;
  readonly failedReads: number;
  /** Failed requests (reads, writes, probes) since the last one that was answered. */
  readonly consecutiveFailures: number;
  /** Failed requests that did not fail the PLC: each one's socket was reopened silently. */
  readonly retries: number;
  /** Times the PLC was declared failed. */
  readonly failures: number;
  /** Clock time the PLC was last declared failed, while it is. */
  readonly failedSince: number | undefined;
  /** The "PLC not answering" condition was reported active and not yet cleared. */
  readonly alarmed: boolean;
  /** Un-jittered delay of the backoff step last reported by `plc.retrying`. */
  readonly reportedStepMs: number;
  readonly reportedAt: number;
  readonly reportedAttempts: number;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  readonly model: string | undefined;
}

/**
 * Whether an outcome counts against the PLC: a request that failed on the
 * line (timeout, refused or closed connection, garbled stream). An end code
 * or a full queue means the PLC answers (or the pool is busy): degraded, not
 * a step toward failed.
 */
function unreachable(o: LinkOutcome): boolean {
  return !o.ok && o.error !== undefined && isTransportFailure(o.error);
}

/** Whether one more unreachable outcome reaches the PLC's attempts. */
function lastAttempt(context: PlcContext): boolean {
  return context.consecutiveFailures + 1 >= context.plc.attempts;
}

/** Un-jittered delay of backoff step `attempt`. */
function stepMs(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.initialMs * policy.factor ** Math.max(0, attempt), policy.maxMs);
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
  guards: {
    unreachable: ({ event }) => event.type === "outcome" && unreachable(event.outcome),
    lastAttempt: ({ context }) => lastAttempt(context),
    failedOutcome: ({ event }) => event.type === "outcome" && !event.outcome.ok,
  },
  actions: {
    /** Counts a request's outcome. */
    record: assign(({ context, event }) => {
      if (event.type !== "outcome") return {};
      const o = event.outcome;
      return o.ok ? { reads: context.reads + 1, consecutiveFailures: 0 } : {
        reads: context.reads + 1,
        failedReads: context.failedReads + 1,
        // An end code or a busy pool: the PLC (or this side) answered, so the run is broken.
        consecutiveFailures: unreachable(o) ? context.consecutiveFailures + 1 : 0,
        lastError: o.error ? errorMessage(o.error) : `${o.failed} of ${o.requests} requests failed`,
        lastErrorAt: context.clock.now(),
      };
    }),
    /** Counts a failed request that the PLC's attempts absorb (its socket reopens silently). */
    retry: assign(({ context }) => ({ retries: context.retries + 1 })),
    /** Counts a failed probe. */
    probeFailed: assign(({ context }, params: { result: ProbeResult }) => ({
      consecutiveFailures: context.consecutiveFailures + 1,
      lastError: params.result.error ? errorMessage(params.result.error) : "probe failed",
      lastErrorAt: context.clock.now(),
    })),
    /** A probe answered: the PLC talks again. */
    answered: enqueueActions(({ context, enqueue }, params: { result: ProbeResult }) => {
      const now = context.clock.now();
      if (context.alarmed) {
        context.report({
          type: "plc.commAlarm",
          plcId: context.plc.id,
          code: context.plc.code,
          active: false,
          message: `PLC ${context.plc.code} answers again after ${
            Math.round(now - (context.failedSince ?? now))
          } ms and ${context.attempt + 1} reconnect attempt(s)`,
          at: now,
        });
      }
      enqueue.assign({
        attempt: 0,
        nextRetryAt: undefined,
        connects: context.connects + 1,
        consecutiveFailures: 0,
        failedSince: undefined,
        alarmed: false,
        model: params.result.model ?? context.model,
      });
    }),
    /** Sets the gate for the state entered and reports the state when it changed. */
    enter: enqueueActions(({ context, enqueue }, params: { state: PlcState }) => {
      const { link, clock } = context;
      const { state } = params;
      link.setFailed(state === "failed");
      if (state === "connected" || state === "degraded") link.setGate("open");
      else if (state === "connecting") link.setGate("wait", "connecting");
      else if (state === "failed") {
        link.setGate(
          "closed",
          `failed after ${context.plc.attempts} attempt(s): ${context.lastError}`,
        );
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
    /** Entering failed: counted, remembered, and the gate closed by `enter`. */
    fail: assign(({ context }) => ({
      failures: context.failures + 1,
      failedSince: context.clock.now(),
      attempt: 0,
      reportedStepMs: 0,
      reportedAt: context.clock.now(),
      reportedAttempts: 0,
    })),
    /** Disconnected while failed: a raised condition is cleared. */
    leaveFailed: enqueueActions(({ context, enqueue }) => {
      if (!context.alarmed) return;
      context.report({
        type: "plc.commAlarm",
        plcId: context.plc.id,
        code: context.plc.code,
        active: false,
        message: `PLC ${context.plc.code} is no longer polled`,
        at: context.clock.now(),
      });
      enqueue.assign({ alarmed: false });
    }),
    /** The PLC stayed failed for commAlarmDelayMs. */
    raiseAlarm: enqueueActions(({ context, enqueue }) => {
      const now = context.clock.now();
      context.report({
        type: "plc.commAlarm",
        plcId: context.plc.id,
        code: context.plc.code,
        active: true,
        message: `PLC ${context.plc.code} is not answering (failed for ${
          Math.round(now - (context.failedSince ?? now))
        } ms)${context.lastError ? `: ${context.lastError}` : ""}`,
        at: now,
      });
      enqueue.assign({ alarmed: true });
    }),
    /** Schedules the next reconnect and reports it at most once per backoff step. */
    scheduleRetry: enqueueActions(({ context, enqueue }) => {
      const now = context.clock.now();
      const delayMs = backoffDelay(context.attempt, context.backoff, context.random);
      const step = stepMs(context.attempt, context.backoff);
      const newAttempts = context.attempt - context.reportedAttempts;
      enqueue.assign({ delayMs, nextRetryAt: now + delayMs });
      const due = context.attempt > 0 &&
        (step !== context.reportedStepMs || now - context.reportedAt >= context.retryReportMs);
      if (!due) return;
      enqueue.assign({ reportedStepMs: step, reportedAt: now, reportedAttempts: context.attempt });
      context.report({
        type: "plc.retrying",
        plcId: context.plc.id,
        code: context.plc.code,
        attempts: context.attempt,
        newAttempts,
        delayMs,
        ...(context.lastError ? { error: context.lastError } : {}),
        since: context.failedSince ?? now,
        at: now,
      });
    }),
  },
  delays: {
    backoff: ({ context }) => context.delayMs,
    quiet: ({ context }) => context.quietMs,
    commAlarm: ({ context }) => context.plc.commAlarmDelayMs,
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
    retryReportMs: input.retryReportMs ?? RETRY_REPORT_MS,
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
    retries: 0,
    failures: 0,
    failedSince: undefined,
    alarmed: false,
    reportedStepMs: 0,
    reportedAt: 0,
    reportedAttempts: 0,
    lastError: undefined,
    lastErrorAt: undefined,
    model: undefined,
  }),
  initial: "online",
  on: { outcome: { actions: "record" } },
  states: {
    disconnected: {
      entry: { type: "enter", params: { state: "disconnected" } },
      on: {
        CONNECT: { target: "online", actions: assign({ attempt: 0, consecutiveFailures: 0 }) },
      },
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
      on: { DISCONNECT: { target: "disconnected", actions: "leaveFailed" } },
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
                actions: { type: "answered", params: ({ event }) => ({ result: event.output }) },
              },
              {
                guard: "lastAttempt",
                target: "failed",
                actions: { type: "probeFailed", params: ({ event }) => ({ result: event.output }) },
              },
              {
                target: "retrying",
                actions: [
                  { type: "probeFailed", params: ({ event }) => ({ result: event.output }) },
                  "retry",
                ],
              },
            ],
          },
        },
        /** A first connect failed, below the PLC's attempts: try again after the backoff step. */
        retrying: {
          entry: [
            assign(({ context }) => {
              const delayMs = backoffDelay(context.attempt, context.backoff, context.random);
              return { delayMs, nextRetryAt: context.clock.now() + delayMs };
            }),
          ],
          after: {
            backoff: {
              target: "connecting",
              actions: assign(({ context }) => ({ attempt: context.attempt + 1 })),
            },
          },
        },
        connected: {
          entry: { type: "enter", params: { state: "connected" } },
          on: {
            outcome: [
              {
                guard: ({ context, event }) =>
                  event.type === "outcome" && unreachable(event.outcome) && lastAttempt(context),
                target: "failed",
                actions: "record",
              },
              { guard: "unreachable", target: "degraded", actions: ["record", "retry"] },
              { guard: "failedOutcome", target: "degraded", actions: "record" },
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
                guard: ({ context, event }) =>
                  event.type === "outcome" && unreachable(event.outcome) && lastAttempt(context),
                target: "failed",
                actions: "record",
              },
              {
                guard: "unreachable",
                target: "degraded",
                reenter: true,
                actions: ["record", "retry"],
              },
              { guard: "failedOutcome", target: "degraded", reenter: true, actions: "record" },
              { actions: "record" },
            ],
          },
        },
        failed: {
          entry: ["fail", { type: "enter", params: { state: "failed" } }],
          after: { commAlarm: { actions: "raiseAlarm" } },
          initial: "backoff",
          states: {
            backoff: {
              entry: "scheduleRetry",
              after: { backoff: "probing" },
            },
            probing: {
              invoke: {
                src: "probe",
                input: ({ context }) => ({ link: context.link, timeoutMs: context.probeTimeoutMs }),
                onDone: [
                  {
                    guard: ({ event }) => event.output.ok,
                    target: "#plc.online.connected",
                    actions: {
                      type: "answered",
                      params: ({ event }) => ({ result: event.output }),
                    },
                  },
                  {
                    target: "backoff",
                    actions: [
                      { type: "probeFailed", params: ({ event }) => ({ result: event.output }) },
                      assign(({ context }) => ({ attempt: context.attempt + 1 })),
                    ],
                  },
                ],
              },
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
  /** Reconnect attempts since the PLC failed (or connect attempts before the first success). */
  readonly attempt: number;
  readonly nextRetryAt: number | undefined;
  readonly connects: number;
  readonly reads: number;
  readonly failedReads: number;
  /** Failed requests since the last answered one; the PLC fails when it reaches `attempts`. */
  readonly consecutiveFailures: number;
  /** The PLC's attempts setting. */
  readonly attempts: number;
  /** Failed requests absorbed by the attempts rule: the socket reopened silently, no bad-comm. */
  readonly retries: number;
  /** Times the PLC was declared failed. */
  readonly failures: number;
  /** Whether the PLC stands declared failed now. */
  readonly failed: boolean;
  /** Clock time the PLC was declared failed, while it is. */
  readonly failedSince: number | undefined;
  /** The "PLC not answering" condition is active (failed for longer than commAlarmDelayMs). */
  readonly commAlarm: boolean;
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
  const retrying = c.state === "failed" || snapshot.matches({ online: "retrying" });
  return {
    plcId: c.plc.id,
    code: c.plc.code,
    state: c.state,
    since: c.since,
    attempt: c.attempt,
    nextRetryAt: retrying ? c.nextRetryAt : undefined,
    connects: c.connects,
    reads: c.reads,
    failedReads: c.failedReads,
    consecutiveFailures: c.consecutiveFailures,
    attempts: c.plc.attempts,
    retries: c.retries,
    failures: c.failures,
    failed: c.state === "failed",
    failedSince: c.failedSince,
    commAlarm: c.alarmed,
    fastFailures: c.link.fastFailures,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    model: c.model,
    rttMs: pool?.rttEwmaMs,
    pool,
  };
}
