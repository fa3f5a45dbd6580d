/**
 * Test support for the live API: a light fake of the running plant over a
 * test store — a real live cache, alarm engine, plant index and metrics
 * registry, and a runtime fake whose PLCs are connected, whose groups start,
 * stop and (rest groups) trigger at once, and a sink whose health and
 * history the test sets. Not used in production code.
 */
import { NO_LOSSES } from "../actors/journal_loss.ts";
import type { WriteOutcome, WriteRequest } from "../actors/plc_write.ts";
import type { RuntimeStatus } from "../actors/runtime.ts";
import type { Sample } from "../model/sample.ts";
import { LiveCache } from "../actors/live_cache.ts";
import type { WriterStatus } from "../actors/writer_status.ts";
import { AlarmEngine } from "../alarms/engine.ts";
import { PlantIndex } from "../gateway/plant_index.ts";
import { Metrics } from "../observability/metrics.ts";
import type { HistoryBucket, SinkHealth } from "../sinks/sink.ts";
import type { Store } from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import type { LivePlant, RuntimeControl } from "./live_port.ts";
import { type TestApp, testApp, type TestAppDeps } from "./testing.ts";

/** The fake runtime: group run states the test can read, and a trigger it can make hang. */
export interface FakeRuntime extends RuntimeControl {
  /** Group ids stopped by a command. */
  readonly stopped: Set<number>;
  /** When set, triggers fail as a timed-out read would. */
  hang: boolean;
  /** Every write request, in order. */
  readonly writes: WriteRequest[];
  /** How writes end: written (the value lands in the live cache and reads back) or a failure. */
  writeOutcome: WriteOutcome;
}

/** The fake plant; the test may change `sinkHealth` and `history`. */
export interface FakePlant extends LivePlant {
  readonly runtime: FakeRuntime;
  readonly live: LiveCache;
  readonly alarms: AlarmEngine;
  sinkHealth: SinkHealth;
  /** The sink's trend answer; undefined makes the sink one without history (501). */
  history:
    | ((tagId: number, from: number, to: number, points: number) => HistoryBucket[])
    | undefined;
  /** Stops following the store. */
  close(): void;
}

const SUPERVISION = {
  state: "running" as const,
  restarts: 0,
  crashes: 0,
  lastError: undefined,
  lastCrashAt: undefined,
};

function fakeRuntime(store: Store, live: LiveCache): FakeRuntime {
  const stopped = new Set<number>();
  const runtime: FakeRuntime = {
    stopped,
    hang: false,
    writes: [],
    writeOutcome: "written",
    write(request) {
      runtime.writes.push(request);
      const outcome = runtime.writeOutcome;
      const ts = Date.now();
      if (outcome === "written") {
        live.update(
          request.items.map((i) => ({ tagId: i.tagId, ts, value: i.value, quality: "good" })),
        );
      }
      const error = outcome === "written" ? undefined : `the fake PLC says ${outcome}`;
      return Promise.resolve({
        plcId: request.plcId,
        outcome,
        ...(error ? { error } : {}),
        items: request.items.map((i) => ({
          tagId: i.tagId,
          code: i.code,
          value: i.value,
          outcome,
          ...(error ? { error } : { raw: i.value, readBack: i.value }),
        })),
        requests: 1,
        ms: 1,
      });
    },
    status(): RuntimeStatus {
      const plant = store.loadPlant();
      const plcs = plant.plcs.filter((p) => p.enabled);
      const on = new Set(plcs.map((p) => p.id));
      const groups = plant.groups.filter((g) => g.enabled && on.has(g.plcId));
      return {
        state: "running",
        plcs: plcs.map((p) => ({
          plcId: p.id,
          code: p.code,
          supervision: SUPERVISION,
          status: {
            plcId: p.id,
            code: p.code,
            state: "connected",
            since: 0,
            attempt: 0,
            nextRetryAt: undefined,
            connects: 1,
            reads: 10,
            failedReads: 0,
            consecutiveFailures: 0,
            attempts: 3,
            retries: 0,
            failures: 0,
            failed: false,
            failedSince: undefined,
            commAlarm: false,
            fastFailures: 0,
            lastError: undefined,
            lastErrorAt: undefined,
            model: "Q03UDV",
            rttMs: 2,
            pool: undefined,
          },
        })),
        groups: groups.map((g) => ({
          groupId: g.id,
          code: g.code,
          plcId: g.plcId,
          supervision: SUPERVISION,
          status: {
            groupId: g.id,
            code: g.code,
            plcId: g.plcId,
            mode: g.mode,
            trigger: g.trigger,
            intervalMs: g.intervalMs,
            state: stopped.has(g.id) ? "stopped" : g.mode === "FIXED" ? "waiting" : "idle",
            running: !stopped.has(g.id),
            tags: plant.tags.filter((t) => t.groupId === g.id).length,
            blocks: 1,
            invalidTags: 0,
            cycles: 5,
            overruns: 0,
            failedReadOverruns: 0,
            errors: 0,
            retries: 0,
            lastCycleMs: 3,
            lastError: undefined,
            lastErrorAt: undefined,
            lastSampleTs: undefined,
            lastTickErrorMs: undefined,
            maxTickErrorMs: 0,
            tickErrors: { boundsMs: [], counts: [], count: 0 } as never,
            handshake: undefined,
          },
        })),
        writer: undefined,
      };
    },
    startGroup: (id) => void stopped.delete(id),
    stopGroup: (id) => void stopped.add(id),
    startAll: () => stopped.clear(),
    stopAll: () => {
      for (const g of store.loadPlant().groups) stopped.add(g.id);
    },
    trigger(groupId, timeoutMs) {
      const group = store.loadPlant().groups.find((g) => g.id === groupId);
      if (!group) return Promise.reject(new Error(`no running group with id ${groupId}`));
      if (group.trigger !== "rest") {
        return Promise.reject(new Error(`group ${group.code} is not a REST-triggered group`));
      }
      if (stopped.has(groupId)) return Promise.reject(new Error(`group ${group.code} is stopped`));
      if (runtime.hang) return Promise.reject(new Error(`no reply in ${timeoutMs} ms`));
      const ts = Date.now();
      const samples: Sample[] = store.loadPlant().tags.filter((t) => t.groupId === groupId)
        .map((t) => ({ tagId: t.id, ts, value: 7, quality: "good" }));
      live.update(samples);
      return Promise.resolve(samples);
    },
  };
  return runtime;
}

/** A writer that is healthy and idle. */
export function idleWriter(): WriterStatus {
  const buffer = { size: 0, capacity: 100_000, dropped: 0, pushed: 10, taken: 10 };
  return {
    condition: "healthy",
    activity: "waiting",
    sink: "sqlite",
    buffer,
    totals: {
      batches: 1,
      valuesWritten: 10,
      replayedBatches: 0,
      valuesReplayed: 0,
      failures: 0,
      spills: 0,
      valuesSpilled: 0,
      valuesLost: 0,
      lostByReason: { ...NO_LOSSES },
    },
    retry: null,
    journal: {
      bytes: 0,
      maxBytes: 1 << 30,
      segments: 0,
      spills: 0,
      appendedValues: 0,
      droppedValues: 0,
      droppedByReason: { journal_full: 0, disk_low: 0, disk_full: 0 },
      freeBytes: null,
      minFreeBytes: 0,
      pendingValues: 0,
      cursorDurable: true,
      cursorWriteErrors: 0,
      replayedValues: 0,
      tornRows: 0,
      corruptRows: 0,
    },
    replay: {
      pending: false,
      progress: null,
      pendingValues: 0,
      startedAt: null,
      valuesPerSecond: null,
      etaMs: null,
    },
    losses: { ...NO_LOSSES },
    loss: null,
    outage: null,
    window: {
      windowMs: 300_000,
      valuesPerSecond: 20,
      batches: 1,
      latencyP50Ms: 1,
      latencyP99Ms: 2,
      failures: 0,
    },
    lastError: null,
  };
}

/** A fake plant over `store` (the seed plant of http/testing.ts, or any other). */
export function fakePlant(
  store: Store,
  metrics: Metrics = new Metrics({ processMetrics: false }),
): FakePlant {
  const plant = store.loadPlant();
  const live = new LiveCache();
  const alarms = new AlarmEngine({ rules: plant.alarmRules, tags: plant.tags });
  const index = new PlantIndex(store);
  const writer = idleWriter();
  const fake: FakePlant = {
    runtime: fakeRuntime(store, live),
    live,
    alarms,
    index,
    metrics,
    sinkHealth: { ok: true },
    history: () => [],
    sink: {
      kind: "sqlite",
      health: () => Promise.resolve(fake.sinkHealth),
      get history() {
        const h = fake.history;
        return h &&
          ((tagId: number, from: number, to: number, points: number) =>
            Promise.resolve(h(tagId, from, to, points)));
      },
    },
    buffer: { stats: () => writer.buffer },
    journal: { stats: () => writer.journal },
    writerStatus: () => writer,
    close: () => index.close(),
  };
  return fake;
}

/** What {@link liveTestApp} builds from. */
export type LiveTestAppDeps = Omit<TestAppDeps, "routes" | "rootRoutes" | "runtime"> & {
  readonly routes?: readonly RouteModule<FakePlant>[];
  readonly rootRoutes?: readonly RouteModule<FakePlant>[];
};

/**
 * A test app (http/testing.ts) whose runtime is a {@link fakePlant} of its
 * own store, sharing one metrics registry with the app's request timing, as
 * the gateway does. Close both: `plant.close(); t.close()`.
 */
export async function liveTestApp(
  deps: LiveTestAppDeps = {},
): Promise<{ t: TestApp; plant: FakePlant }> {
  const ref: { plant?: FakePlant } = {};
  // The routes take the runtime when registered, before the store (and so the plant) exists.
  const runtime = new Proxy({}, { get: (_, key) => Reflect.get(ref.plant!, key) });
  const metrics = deps.metrics ?? new Metrics({ processMetrics: false });
  const t = await testApp({
    ...deps,
    metrics,
    routes: deps.routes as RouteModule[] | undefined,
    rootRoutes: deps.rootRoutes as RouteModule[] | undefined,
    runtime,
  });
  const plant = fakePlant(t.store, metrics);
  ref.plant = plant;
  return { t, plant };
}
