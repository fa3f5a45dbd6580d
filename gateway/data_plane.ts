/**
 * The data plane as the main thread sees it: the acquisition workers (PLC
 * links, pollers), the historian worker (buffer, writer, journal, sink), each
 * a supervised actor under one root (actors/worker_actor.ts). This facade
 * gives the gateway and the HTTP routes the runtime's control surface
 * (status, start/stop/trigger of groups, events, shutdown) and the
 * historian's (status, health, trend queries) over messages, mirrors the
 * status the workers post, routes configuration changes to the workers, and
 * hands every sample batch the pollers produce to `onSamples` (live cache,
 * alarms) on the main thread.
 */
import { createActor } from "xstate";
import type { BufferStats } from "../actors/buffer.ts";
import { type Clock, systemClock } from "../actors/clock.ts";
import { errorMessage, type RuntimeEvent } from "../actors/events.ts";
import type { JournalStats } from "../actors/journal_port.ts";
import type {
  GroupRuntimeStatus,
  PlcRuntimeStatus,
  RuntimeStatus,
  ShutdownReport,
} from "../actors/runtime.ts";
import type { WriteRequest, WriteResult } from "../actors/plc_write.ts";
import { unavailable } from "../actors/system.ts";
import type { RestartPolicy, SupervisionStatus } from "../actors/supervisor.ts";
import { type WorkersActor, workersMachine, workerSupervision } from "../actors/worker_actor.ts";
import type { WriterStatus } from "../actors/writer_status.ts";
import type { SubscribeToChanges } from "../model/change.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { decodeBatch, type DecodedBatch } from "../model/sample_batch.ts";
import type { HistoryBucket, SinkHealth } from "../sinks/sink.ts";
import { assignPlcs, plantOfWorker } from "./plant_split.ts";
import type { AcquisitionWorkerScope } from "./acquisition_worker.ts";
import type { HistorianWorkerScope } from "./historian_worker.ts";
import { WorkerLink } from "./worker_link.ts";
import type {
  AcquisitionSettings,
  FromAcquisition,
  FromHistorian,
  HistorianSettings,
  HistorianStatus,
  ToAcquisition,
  ToHistorian,
} from "./worker_messages.ts";

/**
 * The worker modules this facade starts, as types: importing them puts the
 * workers in the same type-check as their starter, so `deno test` checks them
 * once up front instead of when each worker loads.
 */
export type DataPlaneWorkerScopes = [HistorianWorkerScope, AcquisitionWorkerScope];

/**
 * Longest wait for a worker's first start, ms. Loading a worker's modules
 * takes a second or two; under `deno test` on a busy machine, type-checking
 * them can take much longer.
 */
const START_TIMEOUT_MS = 60_000;
/** The whole shutdown's budget for the workers, ms (the gateway must stop in under 5 s). */
const SHUTDOWN_BUDGET_MS = 4_600;
/** Longest wait for a group command's answer, ms. */
const COMMAND_TIMEOUT_MS = 5_000;
/** Longest wait for a health answer, ms. */
const HEALTH_TIMEOUT_MS = 2_000;

/** How to start the data plane. */
export interface DataPlaneOptions {
  readonly loadPlant: () => PlantConfig;
  readonly subscribe?: SubscribeToChanges;
  readonly historian: HistorianSettings;
  /** Acquisition workers (at least 1). */
  readonly workers: number;
  readonly acquisition?: AcquisitionSettings;
  /** Every batch of samples the pollers produce (flags: live, stored). */
  readonly onSamples: (batch: DecodedBatch) => void;
  /**
   * Called with one end of a new channel whenever an acquisition worker
   * starts: every live sample of that worker goes there too (the Sparkplug
   * publisher's port), past the main thread.
   */
  readonly northbound?: (port: MessagePort) => void;
  /** Lines for the logs (the workers have no log files of their own). */
  readonly onLog?: (line: Extract<FromHistorian, { type: "log" }>) => void;
  readonly clock?: Clock;
  readonly policy?: Partial<RestartPolicy>;
}

interface Acquisition {
  readonly index: number;
  link: WorkerLink<ToAcquisition, FromAcquisition> | undefined;
  status: RuntimeStatus | undefined;
}

const ACQ = (i: number) => `acquisition:${i}`;
const HISTORIAN = "historian";

/** The running data plane; build it with {@link DataPlane.start}, always {@link shutdown} it. */
export class DataPlane {
  readonly #options: DataPlaneOptions;
  readonly #clock: Clock;
  readonly #root: WorkersActor;
  readonly #listeners = new Set<(e: RuntimeEvent) => void>();
  readonly #acq: Acquisition[] = [];
  readonly #stopped = new Set<number>();
  #plant: PlantConfig;
  #assignment: Map<number, number>;
  #historian: WorkerLink<ToHistorian, FromHistorian> | undefined;
  #historianStatus: HistorianStatus | undefined;
  #historianReady = false;
  #sinkKind = "";
  #unsubscribe: (() => void) | undefined;
  #state: RuntimeStatus["state"] = "running";
  #shutdown: Promise<ShutdownReport> | undefined;

  private constructor(options: DataPlaneOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#plant = options.loadPlant();
    this.#assignment = assignPlcs(this.#plant, options.workers);
    this.#root = createActor(workersMachine, {
      input: {
        clock: this.#clock,
        report: (e) => this.#emit(e),
        ...(options.policy ? { policy: options.policy } : {}),
      },
    }).start();
  }

  /** Starts the historian, then the acquisition workers; rejects (and stops all) if one cannot start. */
  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new RangeError(
        `acquisition workers must be a positive integer, got ${options.workers}`,
      );
    }
    const plane = new DataPlane(options);
    try {
      await plane.#startWorker(
        HISTORIAN,
        (crashed, started) => plane.#openHistorian(crashed, started),
      );
      for (let i = 0; i < options.workers; i++) {
        const a: Acquisition = { index: i, link: undefined, status: undefined };
        plane.#acq.push(a);
        await plane.#startWorker(
          ACQ(i),
          (crashed, started) => plane.#openAcquisition(a, crashed, started),
        );
      }
    } catch (e) {
      await plane.shutdown();
      throw e;
    }
    plane.#unsubscribe = options.subscribe?.((changes) => {
      try {
        plane.#plant = options.loadPlant();
      } catch (err) {
        plane.#emit({ type: "config.error", message: errorMessage(err), at: plane.#clock.now() });
        return;
      }
      plane.#assignment = assignPlcs(plane.#plant, options.workers, plane.#assignment);
      for (const a of plane.#acq) {
        a.link?.post({
          type: "config",
          changes,
          plant: plantOfWorker(plane.#plant, plane.#assignment, a.index),
        });
      }
    });
    return plane;
  }

  /**
   * Adds a supervised worker and waits for its first successful start. A
   * failed first start rejects; later crashes are the supervisor's.
   */
  #startWorker(
    id: string,
    open: (crashed: (error: string) => void, started: (error?: string) => void) => {
      close(): void;
    },
  ): Promise<void> {
    const first = Promise.withResolvers<void>();
    let settled = false;
    const started = (error?: string) => {
      if (settled) return;
      settled = true;
      if (error === undefined) first.resolve();
      else first.reject(new Error(`${id} could not start: ${error}`));
    };
    const timer = setTimeout(
      () => started(`no answer in ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    this.#root.send({
      type: "worker.add",
      spec: { id, input: { open: (crashed) => open(crashed, started) } },
    });
    return first.promise.finally(() => clearTimeout(timer));
  }

  #openHistorian(crashed: (error: string) => void, started?: (error?: string) => void) {
    const link = new WorkerLink<ToHistorian, FromHistorian>(
      new URL("./historian_worker.ts", import.meta.url),
      HISTORIAN,
      (m) => {
        if (m.type === "status") this.#historianStatus = m.status;
        else if (m.type === "log") this.#options.onLog?.(m);
      },
      crashed,
    );
    this.#historian = link;
    this.#historianReady = false;
    link.request<string>(
      (id) => ({ type: "init", id, settings: this.#options.historian }),
      START_TIMEOUT_MS,
    ).then((kind) => {
      this.#sinkKind = kind;
      this.#historianReady = true;
      for (const a of this.#acq) if (a.link) this.#connect(a.link, link);
      started?.();
    }, (e) => {
      started?.(errorMessage(e));
      crashed(errorMessage(e));
    });
    return { close: () => link.terminate() };
  }

  /** A new channel between an acquisition worker and the historian. */
  #connect(
    acq: WorkerLink<ToAcquisition, FromAcquisition>,
    historian: WorkerLink<ToHistorian, FromHistorian>,
  ): void {
    const { port1, port2 } = new MessageChannel();
    historian.post({ type: "attach", port: port2 }, [port2]);
    acq.post({ type: "historian", port: port1 }, [port1]);
  }

  #openAcquisition(
    a: Acquisition,
    crashed: (error: string) => void,
    started?: (error?: string) => void,
  ) {
    const link = new WorkerLink<ToAcquisition, FromAcquisition>(
      new URL("./acquisition_worker.ts", import.meta.url),
      ACQ(a.index),
      (m) => this.#onAcquisition(a, link, m),
      (error) => {
        a.status = undefined;
        crashed(error);
      },
    );
    a.link = link;
    a.status = undefined;
    if (this.#historian && !this.#historian.closed) this.#connect(link, this.#historian);
    if (this.#options.northbound) {
      const { port1, port2 } = new MessageChannel();
      this.#options.northbound(port2);
      link.post({ type: "northbound", port: port1 }, [port1]);
    }
    const plant = plantOfWorker(this.#plant, this.#assignment, a.index);
    link.request(
      (id) => ({
        type: "init",
        id,
        name: ACQ(a.index),
        plant,
        stopped: [...this.#stopped].filter((g) => plant.groups.some((x) => x.id === g)),
        settings: this.#options.acquisition ?? {},
      }),
      START_TIMEOUT_MS,
    ).then(() => started?.(), (e) => {
      started?.(errorMessage(e));
      crashed(errorMessage(e));
    });
    return { close: () => link.terminate() };
  }

  #onAcquisition(
    a: Acquisition,
    link: WorkerLink<ToAcquisition, FromAcquisition>,
    m: FromAcquisition,
  ): void {
    if (a.link !== link) return;
    switch (m.type) {
      case "samples":
        this.#options.onSamples(decodeBatch(m.batch));
        break;
      case "event":
        this.#emit(m.event);
        break;
      case "status":
        a.status = m.status;
        break;
    }
  }

  #emit(e: RuntimeEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch { /* a listener's bug is not the data plane's */ }
    }
  }

  /** Subscribes to runtime events (from every worker, and worker restarts); returns the unsubscribe. */
  on(listener: (e: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Status of every PLC and group, as the workers last posted it; a PLC or
   * group whose worker has not reported (starting, restarting) shows as not
   * running, with the worker's supervision state.
   */
  status(): RuntimeStatus {
    const plcs: PlcRuntimeStatus[] = [];
    const groups: GroupRuntimeStatus[] = [];
    for (const a of this.#acq) {
      const mine = plantOfWorker(this.#plant, this.#assignment, a.index);
      const enabled = new Set(mine.plcs.filter((p) => p.enabled).map((p) => p.id));
      const s = a.status;
      const sup = workerSupervision(this.#root, ACQ(a.index));
      for (const p of mine.plcs) {
        if (!enabled.has(p.id)) continue;
        plcs.push(
          s?.plcs.find((x) => x.plcId === p.id) ?? {
            plcId: p.id,
            code: p.code,
            supervision: notReporting(sup),
            status: undefined,
          },
        );
      }
      for (const g of mine.groups) {
        if (!g.enabled || !enabled.has(g.plcId)) continue;
        groups.push(
          s?.groups.find((x) => x.groupId === g.id) ?? {
            groupId: g.id,
            code: g.code,
            plcId: g.plcId,
            supervision: notReporting(sup),
            status: undefined,
          },
        );
      }
    }
    plcs.sort((x, y) => x.plcId - y.plcId);
    groups.sort((x, y) => x.groupId - y.groupId);
    const w = this.#historianStatus;
    const writer = w?.writerSupervision
      ? { supervision: w.writerSupervision, status: w.writer }
      : undefined;
    return { state: this.#state, plcs, groups, writer };
  }

  #workerOfGroup(groupId: number): Acquisition | undefined {
    const g = this.#plant.groups.find((x) => x.id === groupId);
    const w = g && this.#assignment.get(g.plcId);
    return w === undefined ? undefined : this.#acq[w];
  }

  /** Sends a group command; resolves once the worker applied it and its status shows it. */
  async #command(a: Acquisition | undefined, make: (id: number) => ToAcquisition): Promise<void> {
    if (!a?.link || a.link.closed) return;
    try {
      await a.link.request(make, COMMAND_TIMEOUT_MS);
    } catch {
      // A restarting worker starts with the stopped set, which already holds the command.
    }
  }

  /** Starts a stopped group; resolves once its worker shows it running. */
  startGroup(groupId: number): Promise<void> {
    this.#stopped.delete(groupId);
    return this.#command(
      this.#workerOfGroup(groupId),
      (id) => ({ type: "group.start", id, groupId }),
    );
  }

  /** Stops a group (it stays stopped across restarts until started); resolves once applied. */
  stopGroup(groupId: number): Promise<void> {
    if (this.#plant.groups.some((g) => g.id === groupId)) this.#stopped.add(groupId);
    return this.#command(
      this.#workerOfGroup(groupId),
      (id) => ({ type: "group.stop", id, groupId }),
    );
  }

  /** Starts every group; resolves once every worker applied it. */
  async startAll(): Promise<void> {
    this.#stopped.clear();
    await Promise.all(this.#acq.map((a) => this.#command(a, (id) => ({ type: "all.start", id }))));
  }

  /** Stops every group; resolves once every worker applied it. */
  async stopAll(): Promise<void> {
    for (const g of this.#plant.groups) this.#stopped.add(g.id);
    await Promise.all(this.#acq.map((a) => this.#command(a, (id) => ({ type: "all.stop", id }))));
  }

  /** Reads a REST-triggered group once (Runtime.trigger, in the group's worker). */
  async trigger(groupId: number, timeoutMs = 10_000): Promise<readonly Sample[]> {
    const a = this.#workerOfGroup(groupId);
    if (!a) throw new Error(`no running group with id ${groupId}`);
    if (!a.link || a.link.closed) throw new Error(`group ${groupId}'s worker is restarting`);
    return await a.link.request<Sample[]>(
      (id) => ({ type: "trigger", id, groupId, timeoutMs }),
      timeoutMs + 1_000,
    );
  }

  /**
   * Calls a method of the Runtime facade in the worker that owns PLC `plcId`
   * (plain data in and out), e.g. a write.
   */
  async callOnPlc<T>(
    plcId: number,
    method: string,
    args: unknown[],
    timeoutMs: number,
  ): Promise<T> {
    const w = this.#assignment.get(plcId);
    const a = w === undefined ? undefined : this.#acq[w];
    if (!a) throw new Error(`no running PLC with id ${plcId}`);
    if (!a.link || a.link.closed) throw new Error(`PLC ${plcId}'s worker is restarting`);
    return await a.link.request<T>((id) => ({ type: "call", id, method, args }), timeoutMs);
  }

  /**
   * Writes an operator's values to one PLC, in the worker that owns it
   * (Runtime.write). A worker that is restarting or does not answer within
   * the PLC's timeout (plus a margin) gives an `unavailable` or `timeout`
   * result, never a rejection.
   */
  async write(request: WriteRequest): Promise<WriteResult> {
    const plc = this.#plant.plcs.find((p) => p.id === request.plcId);
    const ms = (plc?.timeoutMs ?? 1_000) * 3 + 1_000;
    try {
      return await this.callOnPlc<WriteResult>(request.plcId, "write", [request], ms);
    } catch (e) {
      const timedOut = /did not answer/.test(errorMessage(e));
      const r = unavailable(request, errorMessage(e));
      if (!timedOut) return r;
      return {
        ...r,
        outcome: "timeout",
        items: r.items.map((i) => ({ ...i, outcome: "timeout" })),
      };
    }
  }

  /** The historian's sink kind (`sqlite`, `postgres`, `oracle`). */
  get sinkKind(): string {
    return this.#sinkKind;
  }

  /** The ring buffer's counters, as last posted. */
  bufferStats(): BufferStats {
    return this.#historianStatus?.buffer ??
      {
        size: 0,
        capacity: this.#options.historian.bufferCapacity ?? 0,
        dropped: 0,
        pushed: 0,
        taken: 0,
      };
  }

  /**
   * The journal's counters, as last posted (the historian posts its status
   * before it answers its start, so there is always one).
   */
  journalStats(): JournalStats {
    return this.#historianStatus!.journal;
  }

  /** The writer's status, while it runs. */
  writerStatus(): WriterStatus | undefined {
    return this.#historianStatus?.writer;
  }

  /** Supervision of the workers (historian, each acquisition worker) and whether each answers. */
  workers(): { id: string; ready: boolean; supervision: SupervisionStatus | undefined }[] {
    return [
      { id: HISTORIAN, ready: this.#historianReady && !this.#historian?.closed },
      ...this.#acq.map((a) => ({
        id: ACQ(a.index),
        ready: a.status !== undefined && !a.link?.closed,
      })),
    ].map((w) => ({ ...w, supervision: workerSupervision(this.#root, w.id) }));
  }

  /**
   * Fault injection for tests and drills: worker `id` (`historian`,
   * `acquisition:<n>`) dies of an uncaught error, as a bug would kill it.
   */
  injectCrash(id: string): void {
    const reason = `injected crash of ${id}`;
    if (id === HISTORIAN) this.#historian?.post({ type: "crash", reason });
    else this.#acq.find((a) => ACQ(a.index) === id)?.link?.post({ type: "crash", reason });
  }

  /** The sink's health, asked in the historian worker. */
  async health(): Promise<SinkHealth> {
    try {
      return await this.#query<SinkHealth>("health", [], HEALTH_TIMEOUT_MS);
    } catch (e) {
      return { ok: false, detail: errorMessage(e) };
    }
  }

  /** A trend query, answered by the historian worker's sink. */
  history(tagId: number, from: number, to: number, points: number): Promise<HistoryBucket[]> {
    return this.#query("history", [tagId, from, to, points], 30_000);
  }

  /** Raw samples of one tag, answered by the historian worker's sink. */
  samples(tagId: number, from: number, to: number, limit: number): Promise<Sample[]> {
    return this.#query("samples", [tagId, from, to, limit], 30_000);
  }

  #query<T>(method: "history" | "samples" | "health", args: unknown[], timeoutMs: number) {
    const h = this.#historian;
    if (!h || h.closed || !this.#historianReady) {
      return Promise.reject(new Error("the historian is restarting"));
    }
    return h.request<T>((id) => ({ type: "query", id, method, args }), timeoutMs);
  }

  /**
   * Graceful shutdown within 5 s: the acquisition workers stop their pollers
   * and close their PLC sockets (their last batches reach the historian),
   * then the historian drains the writer into the sink or the journal and
   * closes them; then every thread ends. Idempotent.
   */
  shutdown(): Promise<ShutdownReport> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  async #stop(): Promise<ShutdownReport> {
    const t0 = this.#clock.now();
    const deadline = t0 + SHUTDOWN_BUDGET_MS;
    const left = () => Math.max(100, deadline - this.#clock.now());
    this.#state = "stopping";
    this.#unsubscribe?.();
    let clean = true;
    const ask = async (
      link: WorkerLink<{ type: string }, { type: string }> | undefined,
      ms: number,
    ) => {
      if (!link || link.closed) return;
      try {
        const r = await link.request<ShutdownReport>(
          (id) => ({ type: "shutdown", id }) as { type: string },
          ms,
        );
        if (!r.clean) clean = false;
      } catch (e) {
        clean = false;
        this.#emit({
          type: "shutdown.incomplete",
          message: `${link.name}: ${errorMessage(e)}`,
          at: this.#clock.now(),
        });
      }
    };
    // The historian gets at least 3.5 s of the budget to drain.
    await Promise.all(this.#acq.map((a) => ask(a.link, Math.max(100, left() - 3_500))));
    await ask(this.#historian, left());
    this.#root.stop();
    this.#state = "stopped";
    return { ms: this.#clock.now() - t0, clean };
  }
}

function notReporting(sup: SupervisionStatus | undefined): SupervisionStatus {
  return {
    state: sup?.state === "failed" ? "failed" : "restarting",
    restarts: sup?.restarts ?? 0,
    crashes: sup?.crashes ?? 0,
    lastError: sup?.lastError ?? "not reporting yet",
    lastCrashAt: sup?.lastCrashAt,
  };
}
