/**
 * The Sparkplug edge node session as an XState machine: `disconnected`
 * (waiting out a backoff), `connecting` (a new MQTT session with the next
 * bdSeq in its Will), `connected.deciding` → `connected.holding` (waiting for
 * the primary host application's STATE online=true, Sparkplug 3.0 §5) or
 * `connected.online` (born: publishing), and `stopped`. The machine decides;
 * the publisher (publisher.ts) supplies the `connect` actor and the effects
 * (`birth`, `leaveOnline`, `dropSession`, `disconnect`) through `provide`.
 */
import { assign, fromPromise, setup } from "xstate";

/** Backoff between connection attempts, ms: one step per failed attempt, the last repeats. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000];

/** What the session machine hears. */
export type SessionEvent =
  /** The MQTT connection closed (broker gone, network, or after our own drop). */
  | { readonly type: "CLOSED"; readonly reason: string }
  /**
   * A valid STATE message of the primary host (its timestamp not older than
   * the last one seen on this connection; the publisher checks that).
   */
  | { readonly type: "HOST"; readonly online: boolean }
  /** Graceful stop: NDEATH, disconnect, no reconnect. */
  | { readonly type: "STOP" };

/** Input of the session machine. */
export interface SessionInput {
  /** The primary host application's ID, or undefined when the edge node does not wait for one. */
  readonly primaryHost: string | undefined;
  readonly backoffMs?: readonly number[];
}

interface SessionContext {
  readonly primaryHost: string | undefined;
  readonly backoffMs: readonly number[];
  /** Failed connection attempts in a row. */
  attempt: number;
  hostOnline: boolean;
  lastError: string | undefined;
}

/** The session machine; see the module comment. Effects are no-ops until provided. */
export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
  },
  actors: {
    /** Opens an MQTT session (Will NDEATH with the next bdSeq) and subscribes; provided by the publisher. */
    connect: fromPromise<void, void>(() => Promise.reject(new Error("connect not provided"))),
  },
  actions: {
    /** Publishes NBIRTH and every DBIRTH, then starts replaying the spool. */
    birth: () => {},
    /** Leaves the born state: spools what the broker may not have received. */
    leaveOnline: () => {},
    /** The primary host went offline: NDEATH and close this MQTT session (3.0 §5). */
    dropSession: () => {},
    /** Graceful stop: NDEATH if born, then DISCONNECT. */
    disconnect: () => {},
  },
  guards: {
    waitsForHost: ({ context }) => context.primaryHost !== undefined && !context.hostOnline,
  },
  delays: {
    backoff: ({ context }) =>
      context.backoffMs[
        Math.min(Math.max(context.attempt - 1, 0), context.backoffMs.length - 1)
      ] ?? 1_000,
  },
}).createMachine({
  id: "sparkplugSession",
  context: ({ input }) => ({
    primaryHost: input.primaryHost,
    backoffMs: input.backoffMs ?? DEFAULT_BACKOFF_MS,
    attempt: 0,
    hostOnline: false,
    lastError: undefined,
  }),
  initial: "connecting",
  on: {
    HOST: { actions: assign({ hostOnline: ({ event }) => event.online }) },
    STOP: { target: ".stopped" },
  },
  states: {
    disconnected: {
      after: { backoff: "connecting" },
    },
    connecting: {
      entry: assign({ hostOnline: false }),
      invoke: {
        src: "connect",
        onDone: { target: "connected", actions: assign({ attempt: 0, lastError: undefined }) },
        onError: {
          target: "disconnected",
          actions: assign({
            attempt: ({ context }) => context.attempt + 1,
            lastError: ({ event }) => String((event.error as Error)?.message ?? event.error),
          }),
        },
      },
      on: { CLOSED: {} },
    },
    connected: {
      initial: "deciding",
      on: {
        CLOSED: {
          target: "disconnected",
          actions: assign({ lastError: ({ event }) => event.reason }),
        },
      },
      states: {
        deciding: {
          always: [{ guard: "waitsForHost", target: "holding" }, { target: "online" }],
        },
        holding: {
          on: {
            HOST: {
              target: "deciding",
              actions: assign({ hostOnline: ({ event }) => event.online }),
            },
          },
        },
        online: {
          entry: "birth",
          exit: "leaveOnline",
          on: {
            HOST: [{
              guard: ({ event }) => !event.online,
              target: "dropping",
              actions: assign({ hostOnline: false }),
            }, { actions: assign({ hostOnline: true }) }],
          },
        },
        dropping: {
          entry: "dropSession",
        },
      },
    },
    stopped: {
      type: "final",
      entry: "disconnect",
    },
  },
});

/** The session's mode, as the publisher's status reports it. */
export type SessionMode = "disconnected" | "connecting" | "holding" | "online" | "stopped";

/** The mode of a session machine snapshot value. */
export function sessionMode(value: unknown): SessionMode {
  if (typeof value === "string") {
    return value === "connected" ? "holding" : value as SessionMode;
  }
  const connected = (value as { connected?: string }).connected;
  return connected === "online" ? "online" : connected === "dropping" ? "disconnected" : "holding";
}
