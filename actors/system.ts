/**
 * The system actor, root of the runtime: built from a plant configuration, it
 * spawns one supervised plc actor per enabled PLC (`plc:<id>`), one
 * supervised poller per enabled group of an enabled PLC (`group:<id>`) and,
 * when given, the supervised writer (`writer`). It follows configuration
 * changes by reloading the plant and restarting only the actors a change
 * touches (config_diff.ts), routes group commands to the pollers, puts the
 * tags that stop being polled (disabled, removed, stopped) to `stale` at
 * once (stale_values.ts), and shuts
 * down in order: pollers first, then the writer drains, then the PLC pools
 * close (the Runtime facade awaits the sockets), all within a deadline.
 */
import {
  type AnyActorLogic,
  type AnyActorRef,
  type AnyEventObject,
  assign,
  enqueueActions,
  fromCallback,
  fromPromise,
  setup,
} from "xstate";
import type { PlantConfig } from "../model/config.ts";
import type { ConfigChange, SubscribeToChanges } from "../model/change.ts";
import type { Clock } from "./clock.ts";
import { diffPlans, type RuntimePlan, runtimePlan } from "./config_diff.ts";
import { errorMessage, ignoreReports, type Report, type SampleSink } from "./events.ts";
import type { LivePort } from "./live_cache.ts";
import type { PlcActorInput } from "./plc.ts";
import { type CreatePool, PlcLink } from "./plc_link.ts";
import type { TriggerResult } from "./poller.ts";
import { executeWrites, type WriteRequest, type WriteResult } from "./plc_write.ts";
import { LastValues, tagsNoLongerPolled } from "./stale_values.ts";
import { type RestartPolicy, supervise } from "./supervisor.ts";
import {
  type ChildPorts,
  drainLogic,
  groupChildId,
  noWriter,
  plcChildId,
  plcChildInput,
  plcSupervisor,
  pollerChildInput,
  pollerSupervisor,
  WRITER_ID,
  writerChildInput,
} from "./system_children.ts";

export { groupChildId, plcChildId, WRITER_ID } from "./system_children.ts";

/** Longest graceful shutdown of the actors (the facade adds the pools' closing), ms. */
export const SHUTDOWN_MS = 4_000;

/**
 * The writer child: its input and how it drains at shutdown. The system
 * sends it `stopEvent` once the pollers have stopped and waits (within the
 * deadline) for it to reach its final state; `drain`, when given, is awaited
 * beside it (e.g. a buffer that is not a child).
 */
export interface WriterSpec {
  readonly input: unknown;
  /** Default `{ type: "stop" }` (actors/writer.ts drains into the sink or the journal on it). */
  readonly stopEvent?: AnyEventObject;
  readonly drain?: () => Promise<void>;
}

/** What the system actor is started with: the plant and every port. */
export interface SystemInput {
  /** The configuration to start from. */
  readonly plant: PlantConfig;
  /** Reads the configuration again after a change. */
  readonly loadPlant: () => PlantConfig | Promise<PlantConfig>;
  /** Configuration change notifications (the config store's). */
  readonly subscribe?: SubscribeToChanges;
  readonly sink: SampleSink;
  readonly live?: LivePort;
  readonly clock: Clock;
  readonly createPool?: CreatePool;
  readonly report?: Report;
  readonly restartPolicy?: Partial<RestartPolicy>;
  /** Reconnect tuning of every plc actor. */
  readonly plcOptions?: Pick<PlcActorInput, "backoff" | "probeTimeoutMs" | "quietMs" | "random">;
  readonly heartbeatMs?: number;
  readonly writer?: WriterSpec;
  /** Default {@link SHUTDOWN_MS}. */
  readonly shutdownMs?: number;
}

/** Events the system actor takes. */
export type SystemEvent =
  | { readonly type: "config.changed"; readonly changes: readonly ConfigChange[] }
  | { readonly type: "group.start"; readonly groupId: number }
  | { readonly type: "group.stop"; readonly groupId: number }
  | {
    readonly type: "group.trigger";
    readonly groupId: number;
    readonly reply: (r: TriggerResult) => void;
  }
  | { readonly type: "all.start" }
  | { readonly type: "all.stop" }
  | {
    readonly type: "plc.write";
    readonly request: WriteRequest;
    readonly reply: (r: WriteResult) => void;
  }
  | { readonly type: "shutdown" };

interface SystemContext {
  readonly input: SystemInput;
  readonly report: Report;
  readonly ports: ChildPorts;
  /** The live port the pollers get: remembers each tag's last value for stale samples. */
  readonly last: LastValues;
  readonly plan: RuntimePlan;
  readonly links: ReadonlyMap<number, PlcLink>;
  /** Links of PLCs that were removed or restarted, until their pools have closed. */
  readonly retired: readonly PlcLink[];
  /** Groups the operator stopped; they stay stopped across restarts and config changes. */
  readonly stopped: ReadonlySet<number>;
  readonly reloadAgain: boolean;
}

/**
 * Hands `stale` samples of tags that stop being polled to the live port, and
 * to the sample sink those that `store` accepts (tags that still exist). A
 * port that throws (a bug) is reported, never allowed to crash the system.
 */
function handStale(
  context: SystemContext,
  tagIds: readonly number[],
  now: number,
  store: (tagId: number) => boolean,
): void {
  try {
    const stale = context.last.stale(tagIds, now);
    context.last.update(stale);
    const kept = stale.filter((s) => store(s.tagId));
    if (kept.length > 0) context.input.sink.push(kept);
  } catch (e) {
    context.report({
      type: "config.error",
      message: `handing stale values of ${tagIds.length} tag(s) on failed: ${errorMessage(e)}`,
      at: now,
    });
  }
}

/** The system machine, writer-less; {@link withWriter} adds the writer's logic. */
export const systemMachine = setup({
  types: {
    input: {} as SystemInput,
    context: {} as SystemContext,
    events: {} as SystemEvent,
  },
  actors: {
    plc: plcSupervisor,
    poller: pollerSupervisor,
    writer: noWriter,
    changes: fromCallback<SystemEvent, { subscribe?: SubscribeToChanges }>(
      ({ input, sendBack }) =>
        input.subscribe?.((changes) => sendBack({ type: "config.changed", changes })),
    ),
    load: fromPromise<RuntimePlan, { loadPlant: SystemInput["loadPlant"] }>(
      async ({ input }) => runtimePlan(await input.loadPlant()),
    ),
    drain: drainLogic,
  },
  actions: {
    spawnAll: enqueueActions(({ context, enqueue }) => {
      for (const link of context.links.values()) {
        enqueue.spawnChild("plc", {
          id: plcChildId(link.plc.id),
          input: plcChildInput(link, context.ports),
        });
      }
      for (const spec of context.plan.groups.values()) {
        const link = context.links.get(spec.plc.id)!;
        enqueue.spawnChild("poller", {
          id: groupChildId(spec.group.id),
          input: pollerChildInput(spec, link, !context.stopped.has(spec.group.id), context.ports),
        });
      }
      if (context.input.writer) {
        enqueue.spawnChild("writer", {
          id: WRITER_ID,
          input: writerChildInput(context.input.writer.input, context.ports),
        });
      }
    }),
    apply: enqueueActions(({ context, enqueue }, params: { plan: RuntimePlan }) => {
      const after = params.plan;
      const d = diffPlans(context.plan, after);
      const links = new Map(context.links);
      const retired = context.retired.filter((l) => !l.idle);
      const stopped: string[] = [], started: string[] = [], restarted: string[] = [];
      for (const id of [...d.groups.removed, ...d.groups.changed]) {
        enqueue.stopChild(groupChildId(id));
      }
      for (const id of [...d.plcs.removed, ...d.plcs.changed]) {
        enqueue.stopChild(plcChildId(id));
        retired.push(links.get(id)!);
        links.delete(id);
      }
      for (const id of [...d.plcs.added, ...d.plcs.changed]) {
        const link = new PlcLink(after.plcs.get(id)!, context.input.clock);
        links.set(id, link);
        enqueue.spawnChild("plc", {
          id: plcChildId(id),
          input: plcChildInput(link, context.ports),
        });
      }
      for (const id of [...d.groups.added, ...d.groups.changed]) {
        const spec = after.groups.get(id)!;
        enqueue.spawnChild("poller", {
          id: groupChildId(id),
          input: pollerChildInput(
            spec,
            links.get(spec.plc.id)!,
            !context.stopped.has(id),
            context.ports,
          ),
        });
      }
      for (const [ids, name] of [[d.plcs, plcChildId], [d.groups, groupChildId]] as const) {
        stopped.push(...ids.removed.map(name));
        started.push(...ids.added.map(name));
        restarted.push(...ids.changed.map(name));
      }
      enqueue.assign({ plan: after, links, retired });
      const now = context.input.clock.now();
      for (const id of d.plcs.removed) {
        const plc = context.plan.plcs.get(id)!;
        // Its actor is gone: say so, so that its alarm and state do not hang on.
        context.report({
          type: "plc.state",
          plcId: id,
          code: plc.code,
          state: "disconnected",
          error: "no longer polled (disabled or removed)",
          at: now,
        });
      }
      const gone = tagsNoLongerPolled(context.plan, after, context.stopped);
      if (gone.length > 0) {
        handStale(context, gone, now, (id) => after.tagIds.has(id));
        context.last.forget(gone.filter((id) => !after.tagIds.has(id)));
      }
      context.report({ type: "config.applied", started, stopped, restarted, at: now });
    }),
    command: enqueueActions(({ context, event, enqueue }) => {
      const send = (id: number, e: { type: "START" } | { type: "STOP" }) => {
        if (context.plan.groups.has(id)) enqueue.sendTo(groupChildId(id), e);
      };
      const all = [...context.plan.groups.keys()];
      const stopped = new Set(context.stopped);
      if (event.type === "group.start" || event.type === "all.start") {
        for (const id of event.type === "group.start" ? [event.groupId] : all) {
          stopped.delete(id);
          send(id, { type: "START" });
        }
      } else if (event.type === "group.stop" || event.type === "all.stop") {
        const halted: number[] = [];
        for (const id of event.type === "group.stop" ? [event.groupId] : all) {
          const spec = context.plan.groups.get(id);
          if (spec && !stopped.has(id)) { for (const t of spec.tags) halted.push(t.id); }
          if (spec) stopped.add(id);
          send(id, { type: "STOP" });
        }
        // The STOPs go out in this same step, before a read of these groups can end, so no
        // sample of theirs can follow the stale ones.
        if (halted.length > 0) handStale(context, halted, context.input.clock.now(), () => true);
      } else if (event.type === "group.trigger") {
        if (context.plan.groups.has(event.groupId)) {
          enqueue.sendTo(groupChildId(event.groupId), { type: "TRIGGER", reply: event.reply });
        } else event.reply({ ok: false, error: `no running group with id ${event.groupId}` });
      }
      enqueue.assign({ stopped });
    }),
    /** Hands an operator's write to the PLC's link (it runs ahead of queued reads). */
    write: ({ context, event }) => {
      if (event.type !== "plc.write") return;
      const { request, reply } = event;
      const link = context.links.get(request.plcId);
      if (!link) {
        reply(
          unavailable(request, `PLC ${request.plcId} is disabled or not part of the running plant`),
        );
        return;
      }
      executeWrites(link, request, context.input.clock).then(
        reply,
        (e) => reply(unavailable(request, `the write failed: ${errorMessage(e)}`)),
      );
    },
    stopGroups: enqueueActions(({ context, enqueue }) => {
      for (const id of context.plan.groups.keys()) enqueue.stopChild(groupChildId(id));
      if (context.input.writer) {
        enqueue.sendTo(WRITER_ID, context.input.writer.stopEvent ?? { type: "stop" });
      }
    }),
    stopRest: enqueueActions(({ context, enqueue }) => {
      if (context.input.writer) enqueue.stopChild(WRITER_ID);
      for (const id of context.plan.plcs.keys()) enqueue.stopChild(plcChildId(id));
    }),
  },
}).createMachine({
  id: "system",
  context: ({ input }) => {
    const plan = runtimePlan(input.plant);
    const last = new LastValues(input.live);
    return {
      input,
      report: input.report ?? ignoreReports,
      last,
      ports: { ...input, live: last, report: input.report ?? ignoreReports },
      plan,
      links: new Map([...plan.plcs].map(([id, plc]) => [id, new PlcLink(plc, input.clock)])),
      retired: [],
      stopped: new Set<number>(),
      reloadAgain: false,
    };
  },
  initial: "running",
  states: {
    running: {
      entry: "spawnAll",
      invoke: {
        src: "changes",
        input: ({ context }) => ({ subscribe: context.input.subscribe }),
      },
      on: {
        "group.start": { actions: "command" },
        "group.stop": { actions: "command" },
        "group.trigger": { actions: "command" },
        "all.start": { actions: "command" },
        "all.stop": { actions: "command" },
        "plc.write": { actions: "write" },
        shutdown: "stopping",
      },
      initial: "idle",
      states: {
        idle: { on: { "config.changed": "reloading" } },
        reloading: {
          on: { "config.changed": { actions: assign({ reloadAgain: true }) } },
          invoke: {
            src: "load",
            input: ({ context }) => ({ loadPlant: context.input.loadPlant }),
            onDone: [
              {
                guard: ({ context }) => context.reloadAgain,
                target: "reloading",
                reenter: true,
                actions: [
                  { type: "apply", params: ({ event }) => ({ plan: event.output }) },
                  assign({ reloadAgain: false }),
                ],
              },
              {
                target: "idle",
                actions: { type: "apply", params: ({ event }) => ({ plan: event.output }) },
              },
            ],
            onError: {
              target: "idle",
              actions: ({ context, event }) =>
                context.report({
                  type: "config.error",
                  message: `reloading the configuration failed: ${errorMessage(event.error)}`,
                  at: context.input.clock.now(),
                }),
            },
          },
        },
      },
    },
    stopping: {
      entry: "stopGroups",
      on: {
        "group.trigger": {
          actions: ({ event }) => event.reply({ ok: false, error: "the runtime is shutting down" }),
        },
        "plc.write": {
          actions: ({ event }) =>
            event.reply(unavailable(event.request, "the runtime is shutting down")),
        },
      },
      invoke: {
        src: "drain",
        input: ({ context, self }) => ({
          writer: systemChildren(self.getSnapshot())[WRITER_ID],
          drain: context.input.writer?.drain,
          ms: context.input.shutdownMs ?? SHUTDOWN_MS,
          clock: context.input.clock,
        }),
        onDone: "stopped",
        onError: {
          target: "stopped",
          actions: ({ context, event }) =>
            context.report({
              type: "shutdown.incomplete",
              message: `the writer did not drain: ${errorMessage(event.error)}`,
              at: context.input.clock.now(),
            }),
        },
      },
    },
    stopped: { type: "final", entry: "stopRest" },
  },
});

/** A write refused before anything was sent, because the PLC cannot take it now. */
export function unavailable(request: WriteRequest, error: string): WriteResult {
  return {
    plcId: request.plcId,
    outcome: "unavailable",
    error,
    items: request.items.map((i) => ({
      tagId: i.tagId,
      code: i.code,
      value: i.value,
      outcome: "unavailable",
      error,
    })),
    requests: 0,
    ms: 0,
  };
}

/** The system machine (with or without a writer). */
export type SystemMachine = typeof systemMachine;

/**
 * The system machine with a writer: its logic is code, not a port, so it is
 * provided here (supervised like the other children); its input and how it
 * drains come with {@link SystemInput.writer}.
 */
export function withWriter(writerLogic: AnyActorLogic): SystemMachine {
  return systemMachine.provide({ actors: { writer: supervise(writerLogic) } });
}

/** The system's children by id (supervisors), for status. */
export function systemChildren(
  snapshot: { children: unknown },
): Record<string, AnyActorRef | undefined> {
  return snapshot.children as Record<string, AnyActorRef | undefined>;
}
