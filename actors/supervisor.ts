/**
 * Supervision, written once: {@link supervise} wraps any actor logic in a
 * machine that runs it as its child, restarts it with exponential backoff
 * when it crashes (`xstate.error.actor.child`), and gives up once the child
 * has crashed more often than the restart budget allows within its window
 * (the supervisor then sits in `failed`, reported; its siblings keep
 * running). Events sent to the supervisor are forwarded to the child.
 *
 * XState stops an errored child but not that child's own children (its
 * invoked pool callback, handshake machine, timers …), so a crash would leak
 * them: {@link stopOrphans} stops them before the restart.
 */
import {
  type AnyActorLogic,
  type AnyActorRef,
  type AnyEventObject,
  assign,
  fromCallback,
  sendTo,
  setup,
  type SnapshotFrom,
} from "xstate";
import type { Clock } from "./clock.ts";
import { errorMessage, ignoreReports, type Report } from "./events.ts";

/** How often and how fast a crashed child is restarted. */
export interface RestartPolicy {
  /** Delay before the first restart, ms. */
  readonly initialDelayMs: number;
  /** Growth of the delay per crash within the window. */
  readonly factor: number;
  readonly maxDelayMs: number;
  /** Restarts allowed within `windowMs`; one crash more marks the child failed. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

/** 5 restarts in 60 s, after 250 ms, 500 ms, 1 s, 2 s, 4 s. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 250,
  factor: 2,
  maxDelayMs: 5_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

/** What to do about a crash. `crashes` are the crash times still inside the window. */
export type CrashDecision =
  | { readonly restart: true; readonly delayMs: number; readonly crashes: readonly number[] }
  | { readonly restart: false; readonly crashes: readonly number[] };

/**
 * The restart decision for a crash at `now`, given earlier crash times: the
 * n-th crash inside the window is restarted after initial × factor^(n−1)
 * (capped) while n ≤ maxRestarts; crash maxRestarts + 1 gives up.
 */
export function decideRestart(
  earlier: readonly number[],
  now: number,
  policy: RestartPolicy,
): CrashDecision {
  const crashes = [...earlier.filter((t) => now - t < policy.windowMs), now];
  if (crashes.length > policy.maxRestarts) return { restart: false, crashes };
  const delayMs = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.factor ** (crashes.length - 1),
  );
  return { restart: true, delayMs, crashes };
}

/**
 * Stops the children an errored actor left running (XState stops only the
 * errored actor itself), and recursively those of errored grandchildren.
 */
export function stopOrphans(ref: AnyActorRef): void {
  const snapshot = ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> };
  for (const child of Object.values(snapshot?.children ?? {})) {
    if (!child) continue;
    const status = (child.getSnapshot() as { status?: string } | undefined)?.status;
    if (status === "active") (child as unknown as { _stop(): void })._stop();
    else if (status === "error") stopOrphans(child);
  }
}

/** What a supervisor is started with. */
export interface SupervisorInput<TInput = unknown> {
  /** The child's name in reports (e.g. `group:3`). */
  readonly id: string;
  /** The child's input, again at every restart (see {@link remember}). */
  readonly input: TInput;
  readonly clock: Clock;
  readonly policy?: Partial<RestartPolicy>;
  readonly report?: Report;
  /**
   * Folds a forwarded event into the input that the next restart gets, so
   * that e.g. a group stopped by the operator stays stopped after a restart.
   */
  remember?(input: TInput, event: AnyEventObject): TInput;
  /** Called for an event that arrives while the child is down (to answer a caller waiting on it). */
  unavailable?(event: AnyEventObject, reason: string): void;
}

interface SupervisorContext {
  readonly id: string;
  readonly input: unknown;
  readonly clock: Clock;
  readonly policy: RestartPolicy;
  readonly report: Report;
  readonly remember: (input: unknown, event: AnyEventObject) => unknown;
  readonly unavailable: (event: AnyEventObject, reason: string) => void;
  readonly crashes: readonly number[];
  readonly restarts: number;
  readonly delayMs: number;
  readonly lastError: string | undefined;
  readonly lastCrashAt: number | undefined;
}

/** The supervisor's reset command: a failed child gets a fresh budget and starts again. */
export const RESET = "supervisor.reset";

/** Stands in for the child until {@link supervise} provides the real logic. */
const noChild: AnyActorLogic = fromCallback(() => {});

/**
 * The supervisor machine, with a placeholder child; {@link supervise} gives
 * it the child's logic. States: running (the child runs), restarting (after
 * a crash, waiting out the backoff), failed (budget spent), finished (the
 * child reached its final state).
 */
export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as AnyEventObject,
  },
  actors: { child: noChild },
  actions: {
    remember: assign(({ context, event }) => ({ input: context.remember(context.input, event) })),
    refuse: ({ context, event }, params: { reason: string }) =>
      context.unavailable(event, params.reason),
  },
  delays: { restart: ({ context }) => context.delayMs },
}).createMachine({
  id: "supervisor",
  context: ({ input }) => ({
    id: input.id,
    input: input.input,
    clock: input.clock,
    policy: { ...DEFAULT_RESTART_POLICY, ...input.policy },
    report: input.report ?? ignoreReports,
    remember: input.remember?.bind(input) ?? ((i: unknown) => i),
    unavailable: input.unavailable?.bind(input) ?? (() => {}),
    crashes: [],
    restarts: 0,
    delayMs: 0,
    lastError: undefined,
    lastCrashAt: undefined,
  }),
  initial: "running",
  states: {
    running: {
      invoke: {
        id: "child",
        src: "child",
        input: ({ context }: { context: SupervisorContext }) => context.input,
        onDone: "finished",
        onError: {
          target: "crashed",
          actions: [
            ({ self }) => {
              const child = (self.getSnapshot().children as Record<string, AnyActorRef>).child;
              if (child) stopOrphans(child);
            },
            assign(({ context, event }) => ({
              lastError: errorMessage(event.error),
              lastCrashAt: context.clock.now(),
            })),
          ],
        },
      },
      on: {
        [RESET]: {},
        "*": { actions: ["remember", sendTo("child", ({ event }) => event)] },
      },
    },
    crashed: {
      always: [
        {
          guard: ({ context }) =>
            decideRestart(context.crashes, context.lastCrashAt!, context.policy).restart,
          target: "restarting",
          actions: assign(({ context }) => {
            const d = decideRestart(context.crashes, context.lastCrashAt!, context.policy);
            const delayMs = d.restart ? d.delayMs : 0;
            context.report({
              type: "child.restarting",
              id: context.id,
              crashes: d.crashes.length,
              delayMs,
              error: context.lastError ?? "",
              at: context.lastCrashAt!,
            });
            return { crashes: d.crashes, delayMs };
          }),
        },
        {
          target: "failed",
          actions: assign(({ context }) => {
            const d = decideRestart(context.crashes, context.lastCrashAt!, context.policy);
            context.report({
              type: "child.failed",
              id: context.id,
              crashes: d.crashes.length,
              error: context.lastError ?? "",
              at: context.lastCrashAt!,
            });
            return { crashes: d.crashes };
          }),
        },
      ],
    },
    restarting: {
      after: {
        restart: {
          target: "running",
          actions: assign(({ context }) => ({ restarts: context.restarts + 1 })),
        },
      },
      on: {
        "*": {
          actions: ["remember", {
            type: "refuse",
            params: { reason: "restarting after a crash" },
          }],
        },
      },
    },
    failed: {
      on: {
        [RESET]: { target: "running", actions: assign({ crashes: [] }) },
        "*": {
          actions: [
            "remember",
            { type: "refuse", params: { reason: "failed (restart budget spent)" } },
          ],
        },
      },
    },
    finished: {},
  },
});

/** A machine that runs `logic` as its child and restarts it on crashes (module notes). */
export function supervise(logic: AnyActorLogic): SupervisorMachine {
  return supervisorMachine.provide({ actors: { child: logic } });
}

/** A supervisor machine of any child logic. */
export type SupervisorMachine = typeof supervisorMachine;

/** The supervisor's side of a child's status. */
export interface SupervisionStatus {
  readonly state: "running" | "restarting" | "failed" | "finished";
  /** Restarts done so far. */
  readonly restarts: number;
  /** Crashes inside the current window. */
  readonly crashes: number;
  readonly lastError: string | undefined;
  readonly lastCrashAt: number | undefined;
}

/** Supervision status, and the child's actor while it runs. */
export function supervision(
  snapshot: SnapshotFrom<SupervisorMachine>,
): SupervisionStatus & { readonly child: AnyActorRef | undefined } {
  const c = snapshot.context;
  const state =
    (["running", "restarting", "failed", "finished"] as const).find((s) => snapshot.matches(s)) ??
      "restarting";
  return {
    state,
    restarts: c.restarts,
    crashes: c.crashes.length,
    lastError: c.lastError,
    lastCrashAt: c.lastCrashAt,
    child: state === "running"
      ? (snapshot.children as Record<string, AnyActorRef | undefined>).child
      : undefined,
  };
}
