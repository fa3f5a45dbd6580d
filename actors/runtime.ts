/**
 * The runtime facade: starts the system actor from a loaded plant and gives
 * callers (CLI, HTTP routes, tests) plain methods — status of every PLC and
 * group, start/stop/trigger of a group, start-all/stop-all, event
 * subscription and graceful shutdown — so none of them touches XState.
 */
import { type Actor, type AnyActorLogic, type AnyActorRef, createActor } from "xstate";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { errorMessage, type RuntimeEvent } from "./events.ts";
import { type PlcStatus, plcStatus } from "./plc.ts";
import type { TriggerResult } from "./poller.ts";
import type { WriteRequest, WriteResult } from "./plc_write.ts";
import { type GroupStatus, pollerStatus } from "./poller_status.ts";
import { supervision, type SupervisionStatus } from "./supervisor.ts";
import {
  groupChildId,
  plcChildId,
  SHUTDOWN_MS,
  type SystemInput,
  type SystemMachine,
  systemMachine,
  unavailable,
  withWriter,
  WRITER_ID,
  type WriterSpec,
} from "./system.ts";

/** Extra time after the actors' shutdown for the PLC sockets to close, ms. */
export const POOL_CLOSE_MS = 500;
/** How long {@link Runtime.trigger} waits for its reply by default, ms. */
export const TRIGGER_TIMEOUT_MS = 10_000;

/** How to start the runtime: the system's ports (the plant is loaded with `loadPlant`). */
export interface RuntimeOptions extends Omit<SystemInput, "plant" | "report" | "writer"> {
  /**
   * The writer: its machine (actors/writer.ts), supervised with the other
   * children, its input, and how it drains at shutdown.
   */
  readonly writer?: WriterSpec & { readonly logic: AnyActorLogic };
}

/** A supervised child's status: supervision, plus the child's own while it runs. */
export interface Supervised<T> {
  readonly supervision: SupervisionStatus;
  readonly status: T | undefined;
}

/** Status of one PLC. */
export interface PlcRuntimeStatus extends Supervised<PlcStatus> {
  readonly plcId: number;
  readonly code: string;
}

/** Status of one polling group. */
export interface GroupRuntimeStatus extends Supervised<GroupStatus> {
  readonly groupId: number;
  readonly code: string;
  readonly plcId: number;
}

/** Everything the runtime runs, now. */
export interface RuntimeStatus {
  readonly state: "running" | "stopping" | "stopped";
  readonly plcs: readonly PlcRuntimeStatus[];
  readonly groups: readonly GroupRuntimeStatus[];
  readonly writer: Supervised<unknown> | undefined;
}

/** What a shutdown did and how long it took. */
export interface ShutdownReport {
  readonly ms: number;
  /** Every step finished within its deadline. */
  readonly clean: boolean;
}

function supervised<T>(ref: AnyActorRef | undefined, read: (child: AnyActorRef) => T) {
  if (!ref) return undefined;
  const s = supervision(ref.getSnapshot());
  return { supervision: { ...s, child: undefined }, status: s.child ? read(s.child) : undefined };
}

/** The running plant. Build it with {@link Runtime.start}; always {@link shutdown} it. */
export class Runtime {
  readonly actor: Actor<SystemMachine>;
  #listeners = new Set<(e: RuntimeEvent) => void>();
  #options: RuntimeOptions;
  #shutdown: Promise<ShutdownReport> | undefined;

  private constructor(options: RuntimeOptions, plant: PlantConfig) {
    this.#options = options;
    const input: SystemInput = { ...options, plant, report: (e) => this.#emit(e) };
    this.actor = createActor(
      options.writer ? withWriter(options.writer.logic) : systemMachine,
      {
        input,
        clock: options.clock,
      },
    );
  }

  /** Loads the plant, spawns every actor, and returns once they run. */
  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options, await options.loadPlant());
    runtime.actor.subscribe({
      error: (e) =>
        runtime.#emit({ type: "system.crashed", error: errorMessage(e), at: options.clock.now() }),
    });
    runtime.actor.start();
    return runtime;
  }

  /** Subscribes to runtime events (PLC states, group faults, restarts); returns the unsubscribe. */
  on(listener: (e: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: RuntimeEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch { /* a listener's bug is not the runtime's */ }
    }
  }

  /** Status of every PLC and group (and the writer). */
  status(): RuntimeStatus {
    const snap = this.actor.getSnapshot();
    const children = snap.children as Record<string, AnyActorRef | undefined>;
    const { plan } = snap.context;
    const state = snap.status === "done"
      ? "stopped"
      : snap.matches("stopping")
      ? "stopping"
      : "running";
    const plcs = [...plan.plcs.values()].map((p) => ({
      plcId: p.id,
      code: p.code,
      ...(supervised(children[plcChildId(p.id)], (c) => plcStatus(c.getSnapshot())) ?? down()),
    }));
    const groups = [...plan.groups.values()].map(({ group: g }) => ({
      groupId: g.id,
      code: g.code,
      plcId: g.plcId,
      ...(supervised(children[groupChildId(g.id)], (c) => pollerStatus(c.getSnapshot())) ?? down()),
    }));
    const writer = supervised(children[WRITER_ID], (c) => c.getSnapshot());
    return { state, plcs, groups, writer };
  }

  /** Starts a stopped group. */
  startGroup(groupId: number): void {
    this.actor.send({ type: "group.start", groupId });
  }

  /** Stops a group (it stays stopped across restarts until started). */
  stopGroup(groupId: number): void {
    this.actor.send({ type: "group.stop", groupId });
  }

  /** Starts every group. */
  startAll(): void {
    this.actor.send({ type: "all.start" });
  }

  /** Stops every group. */
  stopAll(): void {
    this.actor.send({ type: "all.stop" });
  }

  /**
   * Reads a REST-triggered group once and resolves with its samples (also
   * handed to the sink and live cache). Rejects with an Error saying why when
   * the group is unknown, not a rest group, stopped, restarting, or the reply
   * takes longer than `timeoutMs`.
   */
  trigger(groupId: number, timeoutMs = TRIGGER_TIMEOUT_MS): Promise<readonly Sample[]> {
    const { clock } = this.#options;
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = clock.setTimeout(
        () => finish({ ok: false, error: `no reply in ${timeoutMs} ms` }),
        timeoutMs,
      );
      const finish = (r: TriggerResult) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        if (r.ok) resolve(r.samples);
        else reject(new Error(r.error));
      };
      if (this.actor.getSnapshot().status !== "active") {
        finish({ ok: false, error: "the runtime is stopped" });
        return;
      }
      this.actor.send({ type: "group.trigger", groupId, reply: finish });
    });
  }

  /**
   * Writes an operator's values to one PLC, ahead of its queued reads, and
   * reads them back. Request and result are plain data (they may cross a
   * worker boundary); expected failures are results (`refused`,
   * `unavailable`, `timeout`, `failed`), never rejections.
   */
  write(request: WriteRequest): Promise<WriteResult> {
    return new Promise((resolve) => {
      if (this.actor.getSnapshot().status !== "active") {
        resolve(unavailable(request, "the runtime is stopped"));
        return;
      }
      this.actor.send({ type: "plc.write", request, reply: resolve });
    });
  }

  /**
   * Graceful shutdown: pollers stop, the writer drains (its own deadline),
   * the plc actors close their pools, and this resolves once the sockets are
   * closed or the deadline has passed. Idempotent.
   */
  shutdown(): Promise<ShutdownReport> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  async #stop(): Promise<ShutdownReport> {
    const { clock } = this.#options;
    const t0 = clock.now();
    let clean = true;
    const off = this.on((e) => {
      if (e.type === "shutdown.incomplete") clean = false;
    });
    const done = new Promise<void>((resolve) => {
      const sub = this.actor.subscribe({
        complete: () => resolve(),
        error: () => resolve(),
      });
      if (this.actor.getSnapshot().status !== "active") {
        sub.unsubscribe();
        resolve();
      }
    });
    this.actor.send({ type: "shutdown" });
    await done;
    const { links, retired } = this.actor.getSnapshot().context;
    const budget = Math.max(0, (this.#options.shutdownMs ?? SHUTDOWN_MS) - (clock.now() - t0)) +
      POOL_CLOSE_MS;
    const closing = Promise.all([...links.values(), ...retired].map((l) => l.settled()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = clock.setTimeout(() => reject(new Error("timeout")), budget);
        closing.then(() => {
          clock.clearTimeout(timer);
          resolve();
        });
      });
    } catch (e) {
      clean = false;
      this.#emit({
        type: "shutdown.incomplete",
        message: `PLC sockets did not close in time: ${errorMessage(e)}`,
        at: clock.now(),
      });
    }
    off();
    return { ms: clock.now() - t0, clean };
  }
}

function down() {
  return {
    supervision: {
      state: "finished" as const,
      restarts: 0,
      crashes: 0,
      lastError: "not running",
      lastCrashAt: undefined,
    },
    status: undefined,
  };
}
