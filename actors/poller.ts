/**
 * The poller actor: one per polling group. Its read plan is made once, when
 * it starts (planGroup); every cycle reads the plan's blocks through the
 * PLC's link (in parallel over the pool's sockets), turns the words into
 * samples (samples.ts), gives every sample to the live cache and the ones
 * the deadband keeps to the sample sink.
 *
 * - FIXED ticks on the absolute schedule t0 + k × interval (t0 aligned to
 *   the epoch); a tick that came due while a read ran is skipped and counted
 *   as an overrun, never run late in a burst. Samples are stamped with the
 *   tick's scheduled time.
 * - HANDSHAKE `rest` reads once per TRIGGER and replies with the samples
 *   (stamped with the time the read started); triggers arriving during a read
 *   share it.
 * - HANDSHAKE `plc-bit` runs the handshake machine (handshake.ts).
 *
 * States: stopped | running.{fixed.{waiting, reading}, rest.{idle, reading},
 * plcBit, misconfigured}. Read failures are samples with a bad quality, not
 * errors, once the PLC is declared failed; before that, the tags of blocks
 * lost on the line get no sample (they keep their previous values, see
 * publishableSamples). A read that rejects is a bug and crashes the poller.
 */
import { assign, fromPromise, setup } from "xstate";
import type { GroupConfig, PlcConfig, TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { Address } from "../protocol/devices.ts";
import { parseAddressFor } from "../protocol/series.ts";
import type { PlanOptions } from "../protocol/planner.ts";
import type { Clock } from "./clock.ts";
import { errorMessage, ignoreReports, type Report, type SampleSink } from "./events.ts";
import { type GroupPlan, planGroup } from "./group_plan.ts";
import { handshakeMachine } from "./handshake.ts";
import type { LivePort } from "./live_cache.ts";
import type { BlockReads, PlcLink } from "./plc_link.ts";
import { badSamples, DeadbandFilter, type Publishable, publishableSamples } from "./samples.ts";
import { delayUntil, firstTick, nextTick } from "./schedule.ts";
import { TickErrors } from "./tick_errors.ts";

/** What a poller is started with. */
export interface PollerInput {
  readonly group: GroupConfig;
  /** The group's enabled tags; samples follow this order. */
  readonly tags: readonly TagConfig[];
  /** The group's PLC (its timeoutMs bounds every request). */
  readonly plc: PlcConfig;
  readonly link: PlcLink;
  readonly sink: SampleSink;
  readonly live?: LivePort;
  readonly clock: Clock;
  readonly report?: Report;
  /** Deadband heartbeat, ms (samples.ts default 60 s). */
  readonly heartbeatMs?: number;
  /** Start polling at once (default true); false starts in `stopped`. */
  readonly autostart?: boolean;
  readonly planOptions?: PlanOptions;
}

/** The answer to a TRIGGER. */
export type TriggerResult =
  | { readonly ok: true; readonly samples: readonly Sample[] }
  | { readonly ok: false; readonly error: string };

/** Events a poller takes. */
export type PollerEvent =
  | { readonly type: "START" }
  | { readonly type: "STOP" }
  /** Read a `rest` group now; `reply` gets the samples (or why not). */
  | { readonly type: "TRIGGER"; readonly reply: (result: TriggerResult) => void };

/** A poller's counters (FIXED and rest; plc-bit counters live in its handshake). */
export interface PollerStats {
  readonly cycles: number;
  readonly overruns: number;
  /** Cycles in which at least one block failed. */
  readonly errors: number;
  /**
   * Cycles whose read failed on the line while the PLC was not failed: a
   * retry under the failure rule; those tags kept their previous values.
   */
  readonly retries: number;
  /** Of the overruns, ticks skipped behind a read that then failed (a timeout, mostly). */
  readonly failedReadOverruns: number;
  readonly lastCycleMs: number | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  readonly lastSampleTs: number | undefined;
  /** How late the last tick's read started (FIXED), ms. */
  readonly lastTickErrorMs: number | undefined;
  readonly maxTickErrorMs: number;
}

interface PollerContext {
  readonly input: PollerInput;
  readonly report: Report;
  readonly plan: GroupPlan;
  readonly filter: DeadbandFilter;
  /** How late each FIXED tick started (mutable, like the filter: one count per tick). */
  readonly tickErrors: TickErrors;
  /** Request and ack bits of a plc-bit group, or why they cannot be used. */
  readonly bits: { request: Address; ack: Address } | string | undefined;
  /** Scheduled time of the current or next FIXED tick. */
  readonly tick: number;
  readonly replies: readonly ((r: TriggerResult) => void)[];
  readonly stats: PollerStats;
}

const NO_STATS: PollerStats = {
  cycles: 0,
  overruns: 0,
  errors: 0,
  retries: 0,
  failedReadOverruns: 0,
  lastCycleMs: undefined,
  lastError: undefined,
  lastErrorAt: undefined,
  lastSampleTs: undefined,
  lastTickErrorMs: undefined,
  maxTickErrorMs: 0,
};

/**
 * The per-request timeout of a group's reads: the PLC's `timeoutMs`, never
 * the group's interval (a FIXED read still running at the next tick makes
 * that tick an overrun, not a failure); a plc-bit handshake's requests also
 * end with its step timeout.
 */
export function readTimeoutMs(group: GroupConfig, plc: PlcConfig): number {
  if (group.trigger === "plc-bit" && group.stepTimeoutMs) {
    return Math.min(plc.timeoutMs, group.stepTimeoutMs);
  }
  return plc.timeoutMs;
}

/** Samples of a read go to the live cache (all) and the sink (those the deadband keeps). */
function handOff(context: PollerContext, samples: Sample[]): Sample[] {
  return publish(context, { samples, positions: undefined, held: 0 }).samples;
}

/** Like {@link handOff}, for a read whose held tags have no sample. */
function publish(context: PollerContext, p: Publishable): Publishable {
  if (p.samples.length === 0) return p;
  const stored = context.filter.select(p.samples, p.positions);
  context.input.live?.update(p.samples);
  if (stored.length > 0) context.input.sink.push(stored);
  return p;
}

function readGroup(context: PollerContext, signal: AbortSignal): Promise<BlockReads> {
  const { link, group, plc } = context.input;
  return link.readBlocks(context.plan.read.blocks, {
    timeoutMs: readTimeoutMs(group, plc),
    signal,
  });
}

function handshakeBits(group: GroupConfig, series: string | undefined): PollerContext["bits"] {
  if (group.mode !== "HANDSHAKE" || group.trigger !== "plc-bit") return undefined;
  if (!group.requestBit || !group.ackBit || !group.intervalMs || !group.stepTimeoutMs) {
    return `group ${group.code}: a plc-bit handshake needs request bit, ack bit, interval and step timeout`;
  }
  try {
    return {
      request: parseAddressFor(series, group.requestBit),
      ack: parseAddressFor(series, group.ackBit),
    };
  } catch (e) {
    return `group ${group.code}: ${errorMessage(e)}`;
  }
}

/** Counts a finished read into the stats. */
function counted(
  stats: PollerStats,
  read: BlockReads,
  held: boolean,
  ts: number,
  now: number,
): PollerStats {
  return {
    ...stats,
    cycles: stats.cycles + 1,
    errors: stats.errors + (read.failed > 0 ? 1 : 0),
    retries: stats.retries + (held ? 1 : 0),
    lastCycleMs: read.finishedAt - read.startedAt,
    lastSampleTs: ts,
    ...(read.error ? { lastError: errorMessage(read.error), lastErrorAt: now } : {}),
  };
}

/** The poller machine. */
export const pollerMachine = setup({
  types: {
    input: {} as PollerInput,
    context: {} as PollerContext,
    events: {} as PollerEvent,
    children: {} as { handshake: "handshake" },
  },
  actors: {
    read: fromPromise<BlockReads, { context: PollerContext }>(({ input, signal }) =>
      readGroup(input.context, signal)
    ),
    handshake: handshakeMachine,
  },
  guards: {
    autostart: ({ context }) => context.input.autostart !== false,
    fixed: ({ context }) => context.input.group.mode === "FIXED",
    rest: ({ context }) => context.input.group.trigger === "rest",
    plcBit: ({ context }) => typeof context.bits === "object",
  },
  actions: {
    crash: ({ event }) => {
      throw (event as { error?: unknown }).error ?? new Error("poller crashed");
    },
    refuse: ({ context, event }, params: { why: string }) => {
      if (event.type === "TRIGGER") {
        event.reply({ ok: false, error: `group ${context.input.group.code} ${params.why}` });
      }
    },
  },
  delays: {
    tick: ({ context }) => delayUntil(context.tick, context.input.clock.now()),
  },
}).createMachine({
  id: "poller",
  context: ({ input }) => {
    const plan = planGroup(input.tags, input.planOptions, input.plc);
    return {
      input,
      report: input.report ?? ignoreReports,
      plan,
      filter: new DeadbandFilter(input.tags, { heartbeatMs: input.heartbeatMs }),
      tickErrors: new TickErrors(),
      bits: handshakeBits(input.group, input.plc.series),
      tick: 0,
      replies: [],
      stats: plan.invalid.length > 0
        ? { ...NO_STATS, lastError: plan.invalid[0].message, lastErrorAt: input.clock.now() }
        : NO_STATS,
    };
  },
  initial: "boot",
  on: {
    TRIGGER: { actions: { type: "refuse", params: { why: "is not a REST-triggered group" } } },
  },
  states: {
    boot: { always: [{ guard: "autostart", target: "running" }, { target: "stopped" }] },
    stopped: {
      on: {
        START: "running",
        TRIGGER: { actions: { type: "refuse", params: { why: "is stopped" } } },
      },
    },
    running: {
      on: { STOP: "stopped" },
      initial: "mode",
      states: {
        mode: {
          always: [
            { guard: "fixed", target: "fixed" },
            { guard: "rest", target: "rest" },
            { guard: "plcBit", target: "plcBit" },
            { target: "misconfigured" },
          ],
        },
        fixed: {
          entry: assign(({ context }) => ({
            tick: firstTick(context.input.clock.now(), context.input.group.intervalMs ?? 1000),
          })),
          initial: "waiting",
          states: {
            waiting: { after: { tick: "reading" } },
            reading: {
              entry: assign(({ context }) => {
                const late = Math.max(0, context.input.clock.now() - context.tick);
                context.tickErrors.record(late);
                return {
                  stats: {
                    ...context.stats,
                    lastTickErrorMs: late,
                    maxTickErrorMs: Math.max(context.stats.maxTickErrorMs, late),
                  },
                };
              }),
              invoke: {
                src: "read",
                input: ({ context }) => ({ context }),
                onError: { actions: "crash" },
                onDone: {
                  target: "waiting",
                  actions: assign(({ context, event }) => {
                    const read = event.output;
                    const p = publish(
                      context,
                      publishableSamples(context.plan, read, context.tick),
                    );
                    const now = context.input.clock.now();
                    const next = nextTick(
                      context.tick,
                      context.input.group.intervalMs ?? 1000,
                      now,
                    );
                    const stats = counted(context.stats, read, p.held > 0, context.tick, now);
                    return {
                      tick: next.at,
                      stats: {
                        ...stats,
                        overruns: stats.overruns + next.skipped,
                        failedReadOverruns: stats.failedReadOverruns +
                          (read.failed > 0 ? next.skipped : 0),
                      },
                    };
                  }),
                },
              },
            },
          },
        },
        rest: {
          initial: "idle",
          states: {
            idle: {
              on: {
                TRIGGER: {
                  target: "reading",
                  actions: assign(({ event }) => ({ replies: [event.reply] })),
                },
              },
            },
            reading: {
              on: {
                TRIGGER: {
                  actions: assign(({ context, event }) => ({
                    replies: [...context.replies, event.reply],
                  })),
                },
              },
              invoke: {
                src: "read",
                input: ({ context }) => ({ context }),
                onError: { actions: "crash" },
                onDone: {
                  target: "idle",
                  actions: assign(({ context, event }) => {
                    const read = event.output;
                    const p = publish(
                      context,
                      publishableSamples(context.plan, read, read.startedAt),
                    );
                    const result: TriggerResult = p.held > 0
                      ? {
                        ok: false,
                        error: `group ${context.input.group.code}: the read failed (${
                          errorMessage(read.error)
                        }); the PLC is not declared failed, so nothing was stored: try again`,
                      }
                      : { ok: true, samples: p.samples };
                    for (const reply of context.replies) reply(result);
                    const now = context.input.clock.now();
                    return {
                      replies: [],
                      stats: counted(context.stats, read, p.held > 0, read.startedAt, now),
                    };
                  }),
                },
              },
            },
          },
        },
        plcBit: {
          invoke: {
            id: "handshake",
            src: "handshake",
            input: ({ context }) => {
              const { group, plc, link, clock } = context.input;
              const bits = context.bits as { request: Address; ack: Address };
              return {
                groupId: group.id,
                code: group.code,
                request: bits.request,
                ack: bits.ack,
                intervalMs: group.intervalMs!,
                stepTimeoutMs: group.stepTimeoutMs!,
                timeoutMs: readTimeoutMs(group, plc),
                link,
                clock,
                report: context.report,
                readGroup: (signal: AbortSignal) => readGroup(context, signal),
                hand: (read: BlockReads) =>
                  void publish(context, publishableSamples(context.plan, read, read.startedAt)),
                fail: (_error: unknown, at: number) =>
                  void handOff(context, badSamples(context.plan, "bad-comm", at)),
              };
            },
            onError: { actions: "crash" },
          },
        },
        misconfigured: {
          entry: assign(({ context }) => ({
            stats: {
              ...context.stats,
              lastError: String(context.bits),
              lastErrorAt: context.input.clock.now(),
            },
          })),
        },
      },
    },
  },
});
