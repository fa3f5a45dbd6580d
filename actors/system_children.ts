/**
 * The system actor's children: their ids, their supervised logic, the inputs
 * they are spawned with, and the shutdown drain. Split from system.ts so the
 * machine there reads as the policy (what to spawn, stop and restart when).
 */
import { type AnyActorRef, fromCallback, fromPromise, waitFor } from "xstate";
import type { Clock } from "./clock.ts";
import type { GroupSpec } from "./config_diff.ts";
import type { Report, SampleSink } from "./events.ts";
import type { LivePort } from "./live_cache.ts";
import { type PlcActorInput, plcMachine } from "./plc.ts";
import type { CreatePool, PlcLink } from "./plc_link.ts";
import { type PollerInput, pollerMachine, type TriggerResult } from "./poller.ts";
import { type RestartPolicy, supervise, type SupervisorInput } from "./supervisor.ts";

/** Child id of a PLC's supervisor. */
export const plcChildId = (id: number): string => `plc:${id}`;
/** Child id of a group's supervisor. */
export const groupChildId = (id: number): string => `group:${id}`;
/** Child id of the writer's supervisor. */
export const WRITER_ID = "writer";

/** The supervised plc actor. */
export const plcSupervisor = supervise(plcMachine);
/** The supervised poller. */
export const pollerSupervisor = supervise(pollerMachine);
/** A writer stand-in until the real writer logic is provided (see system.ts withWriter). */
export const noWriter = supervise(fromCallback(() => {}));

/** What every child is given from the system's ports. */
export interface ChildPorts {
  readonly clock: Clock;
  readonly report: Report;
  readonly sink: SampleSink;
  readonly live?: LivePort;
  readonly createPool?: CreatePool;
  readonly restartPolicy?: Partial<RestartPolicy>;
  readonly plcOptions?: Pick<PlcActorInput, "backoff" | "probeTimeoutMs" | "quietMs" | "random">;
  readonly heartbeatMs?: number;
}

/** The supervised plc actor's input. */
export function plcChildInput(link: PlcLink, ports: ChildPorts): SupervisorInput<PlcActorInput> {
  return {
    id: plcChildId(link.plc.id),
    clock: ports.clock,
    policy: ports.restartPolicy,
    report: ports.report,
    input: {
      plc: link.plc,
      link,
      createPool: ports.createPool,
      clock: ports.clock,
      report: ports.report,
      ...ports.plcOptions,
    },
  };
}

/**
 * The supervised poller's input. START and STOP are remembered, so a group
 * the operator stopped comes back stopped after a crash; a TRIGGER that
 * finds the poller down is answered at once.
 */
export function pollerChildInput(
  spec: GroupSpec,
  link: PlcLink,
  autostart: boolean,
  ports: ChildPorts,
): SupervisorInput<PollerInput> {
  return {
    id: groupChildId(spec.group.id),
    clock: ports.clock,
    policy: ports.restartPolicy,
    report: ports.report,
    input: {
      group: spec.group,
      tags: spec.tags,
      plc: spec.plc,
      link,
      sink: ports.sink,
      live: ports.live,
      clock: ports.clock,
      report: ports.report,
      heartbeatMs: ports.heartbeatMs,
      autostart,
    },
    remember: (input, e) =>
      e.type === "START"
        ? { ...input, autostart: true }
        : e.type === "STOP"
        ? { ...input, autostart: false }
        : input,
    unavailable: (e, why) => {
      if (e.type === "TRIGGER") (e.reply as (r: TriggerResult) => void)({ ok: false, error: why });
    },
  };
}

/** The supervised writer's input. */
export function writerChildInput(input: unknown, ports: ChildPorts): SupervisorInput {
  return {
    id: WRITER_ID,
    input,
    clock: ports.clock,
    policy: ports.restartPolicy,
    report: ports.report,
  };
}

/** Resolves with `p`, or rejects once `ms` of clock time have passed. */
export function withDeadline(p: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
    p.then(() => resolve(), reject).finally(() => clock.clearTimeout(timer));
  });
}

/** What the shutdown drain waits for. */
export interface DrainInput {
  /** The writer's supervisor (already sent its stop event): wait until it is no longer running. */
  readonly writer?: AnyActorRef;
  readonly drain?: () => Promise<void>;
  readonly ms: number;
  readonly clock: Clock;
}

/** Waits, within the deadline, for the writer to finish draining (and `drain`, if given). */
export const drainLogic = fromPromise<void, DrainInput>(async ({ input }) => {
  const waits: Promise<unknown>[] = [];
  if (input.drain) waits.push(input.drain());
  if (input.writer) {
    waits.push(
      waitFor(input.writer, (s) => !s.matches("running") && !s.matches("restarting")),
    );
  }
  await withDeadline(Promise.all(waits), input.ms, input.clock);
});
