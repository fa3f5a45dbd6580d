/**
 * The gateway: the composition root that opens the configuration store,
 * starts the data plane's threads (historian worker: sink, journal, buffer,
 * writer; acquisition workers: PLC links and pollers), the alarm engine on
 * the samples they send, metrics and (optionally) the fixture PLCs of the
 * sample plant in a worker of their own, and stops them again in order. `jsscada serve` and the e2e suite run it.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { AlarmEngine } from "../alarms/engine.ts";
import { AlarmJournalWriter } from "../alarms/journal_writer.ts";
import type { BufferStats } from "../actors/buffer.ts";
import type { JournalStats } from "../actors/journal_port.ts";
import { LiveCache } from "../actors/live_cache.ts";
import type { WriterStatus } from "../actors/writer.ts";
import type { Sample } from "../model/sample.ts";
import { type DecodedBatch, FLAG_LIVE } from "../model/sample_batch.ts";
import { logs } from "../observability/logging.ts";
import { Metrics } from "../observability/metrics.ts";
import type { SinkConfig } from "../sinks/factory.ts";
import type { HistorySource, Sink } from "../sinks/sink.ts";
import { openDataDirStore, type Store } from "../store/store.ts";
import { ensureAdmin, ensureSamplePlant } from "../store/startup.ts";
import { collectMetrics, collectSparkplugMetrics } from "./collect_metrics.ts";
import { DataPlane } from "./data_plane.ts";
import { type FixtureThread, startFixtureThread } from "./fixture_thread.ts";
import { defaultAcquisitionWorkers } from "./plant_split.ts";
import { PlantIndex } from "./plant_index.ts";
import { plcLogLine } from "./plc_log.ts";
import { housekeep } from "./housekeeping.ts";
import { SystemAlarms } from "./system_alarms.ts";
import { sparkplugWritePort } from "./sparkplug_writes.ts";
import { unavailable } from "../actors/system.ts";
import type { SparkplugSettings } from "../sparkplug/settings.ts";
import { startSparkplugIfConfigured } from "../sparkplug/start.ts";
import type { SparkplugWorkerHandle } from "../sparkplug/worker_client.ts";

/** How the gateway starts. */
export interface GatewayOptions {
  /** Data directory: config.db, history.db, journal/, logs/. */
  readonly dataDir: string;
  /** The historian (default SQLite in `<dataDir>/history.db`). */
  readonly sink?: SinkConfig;
  /** Load the sample plant into an empty store (the demo). */
  readonly samplePlant?: boolean;
  /**
   * Start the sample plant's fixture PLCs in a worker of their own:
   * `"profile"` on their profile ports (5001–5004), `"any"` on free ports
   * (tests), written into the store's PLC records.
   */
  readonly fixture?: false | "profile" | "any";
  /** Environment (JSSCADA_ADMIN_PASSWORD); default the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** One line for the operator (the generated admin password). */
  readonly print?: (line: string) => void;
  /** Ring buffer capacity (default 100,000). */
  readonly bufferCapacity?: number;
  /** Bound of the disk journal, bytes (default 1 GiB). */
  readonly journalMaxBytes?: number;
  /** Free space the journal leaves on its disk, bytes (default 256 MiB). */
  readonly journalMinFreeBytes?: number;
  /** Acquisition worker threads (default: one per two cores, at most one per PLC). */
  readonly acquisitionWorkers?: number;
  /** How often status becomes system alarms and stale checks, ms (default 1000). */
  readonly statusIntervalMs?: number;
  /** Publish Sparkplug B (docs/sparkplug.md); undefined: nothing is published or loaded. */
  readonly sparkplug?: SparkplugSettings;
}

/** Listens to every sample batch the pollers produce: `stored` are those the historian gets. */
export type SampleTap = (live: readonly Sample[], stored: readonly Sample[]) => void;

/** A running gateway. */
export interface Gateway {
  readonly store: Store;
  /** The data plane's control surface: status, group commands, events, trigger, shutdown. */
  readonly runtime: DataPlane;
  readonly live: LiveCache;
  readonly alarms: AlarmEngine;
  readonly metrics: Metrics;
  /** The historian's sink, answered by its worker: kind, health, trend queries. */
  readonly sink: Pick<Sink, "kind" | "health"> & HistorySource;
  readonly buffer: { stats(): BufferStats };
  readonly journal: { stats(): JournalStats };
  readonly fixture: FixtureThread | undefined;
  /** The Sparkplug B publisher's worker, when `sparkplug` is configured. */
  readonly sparkplug: SparkplugWorkerHandle | undefined;
  /** Tags, groups and PLCs by id and code (follows the store's changes). */
  readonly index: PlantIndex;
  /** The writer's status, when it runs. */
  writerStatus(): WriterStatus | undefined;
  /** Subscribes to every sample batch (tests and taps); returns the unsubscribe. */
  onSamples(tap: SampleTap): () => void;
  /** Stops everything in order; resolves with how long it took and whether every step finished. */
  stop(): Promise<{ ms: number; clean: boolean }>;
}

/** Starts the gateway; on failure, whatever already started is closed again. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = logs.system;
  const cleanups: (() => unknown)[] = [];
  const undo = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        log.error("cleanup after a failed start failed: {error}", { error: e });
      }
    }
  };
  try {
    await Deno.mkdir(options.dataDir, { recursive: true });
    const store = openDataDirStore(options.dataDir);
    cleanups.push(() => store.close());
    if (options.samplePlant && store.isEmpty()) {
      const { loaded } = ensureSamplePlant(store);
      if (loaded) log.info("loaded the sample plant into the empty configuration store");
    }
    const admin = await ensureAdmin(store, options.env ?? Deno.env.toObject());
    if (admin.generatedPassword) {
      (options.print ?? console.log)(
        `created user "admin" with password ${admin.generatedPassword} (shown once; ` +
          `set JSSCADA_ADMIN_PASSWORD to choose it)`,
      );
    }
    const fixture = options.fixture ? await startFixture(store, options.fixture) : undefined;
    if (fixture) cleanups.push(() => fixture.close());

    const plant = store.loadPlant();
    const alarms = new AlarmEngine({ rules: plant.alarmRules, tags: plant.tags });
    alarms.restore(store.alarmJournal.latest());
    const alarmJournalWriter = new AlarmJournalWriter(store.alarmJournal);
    cleanups.push(alarmJournalWriter.attach(alarms));
    const unsubscribeRules = store.subscribe((changes) => {
      if (changes.some((c) => c.resource === "alarmRules" || c.resource === "tags")) {
        const p = store.loadPlant();
        alarms.replaceRules(p.alarmRules, p.tags);
      }
    });
    cleanups.push(unsubscribeRules);

    const index = new PlantIndex(store);
    cleanups.push(() => index.close());
    const taps = new Set<SampleTap>();
    const onBatch = (batch: DecodedBatch) => {
      const all = batch.samples;
      let liveSamples: Sample[] = all;
      if (batch.flags.some((f) => !(f & FLAG_LIVE))) {
        liveSamples = all.filter((_, i) => batch.flags[i] & FLAG_LIVE);
      }
      live.update(liveSamples);
      alarms.onSamples(liveSamples);
      if (taps.size > 0) {
        const stored = all.filter((_, i) => batch.flags[i] & 2);
        for (const t of taps) t(liveSamples, stored);
      }
    };
    // The data plane starts after the publisher (it feeds it); writes wait for it.
    const plane: { current?: DataPlane } = {};
    const live = new LiveCache();
    const sparkplug = await startSparkplugIfConfigured({
      settings: options.sparkplug,
      dataDir: options.dataDir,
      plant,
      write: sparkplugWritePort({
        store,
        write: (request) =>
          plane.current
            ? plane.current.write(request)
            : Promise.resolve(unavailable(request, "the gateway is starting")),
        current: (tagId) => live.get(tagId)?.value ?? null,
      }),
      log: (level, message, properties) => logs.system[level](message, properties ?? {}),
      onCrash: (error) => logs.system.error("the Sparkplug worker crashed: {error}", { error }),
    });
    if (sparkplug) cleanups.push(() => sparkplug.stop());
    const offPlantForSparkplug = sparkplug
      ? store.subscribe(() => sparkplug.onPlant(store.loadPlant()))
      : () => {};
    cleanups.push(offPlantForSparkplug);
    const runtime = await DataPlane.start({
      loadPlant: () => store.loadPlant(),
      subscribe: store.subscribe,
      historian: {
        sink: options.sink ?? { kind: "sqlite", path: join(options.dataDir, "history.db") },
        journalDir: join(options.dataDir, "journal"),
        ...(options.journalMaxBytes ? { journalMaxBytes: options.journalMaxBytes } : {}),
        ...(options.journalMinFreeBytes !== undefined
          ? { journalMinFreeBytes: options.journalMinFreeBytes }
          : {}),
        ...(options.bufferCapacity ? { bufferCapacity: options.bufferCapacity } : {}),
      },
      workers: options.acquisitionWorkers ??
        defaultAcquisitionWorkers(
          plant.plcs.filter((p) => p.enabled).length,
          availableParallelism(),
        ),
      onSamples: onBatch,
      ...(sparkplug ? { northbound: (port: MessagePort) => sparkplug.attachPort(port) } : {}),
      onLog: (l) => {
        const logger = l.category === "journal"
          ? logs.journal
          : l.category === "writer"
          ? logs.writer
          : logs.system;
        logger[l.level === "warn" ? "warning" : l.level](l.message, l.properties);
      },
    });
    plane.current = runtime;
    cleanups.push(() => runtime.shutdown());
    const readWriter = () => runtime.writerStatus();
    const systemAlarms = new SystemAlarms(alarms);
    const offEvents = runtime.on((e) => {
      systemAlarms.onEvent(e);
      if (sparkplug && e.type === "plc.state") {
        if (e.state === "failed") sparkplug.onPlcState(e.plcId, true);
        else if (e.state === "connected" || e.state === "degraded") {
          sparkplug.onPlcState(e.plcId, false);
        }
      }
      const line = plcLogLine(e);
      if (line) logs.plc[line.level](line.message, line.properties);
      else logs.system.info("runtime: {type}", { ...e });
    });
    const metrics = new Metrics();
    const offCollect = metrics.onCollect(() => {
      collectMetrics(metrics, runtime.status(), readWriter(), alarms);
      metrics.alarms.setJournal(alarmJournalWriter.stats());
    });
    const offSparkplugCollect = sparkplug
      ? metrics.onCollect(async () => collectSparkplugMetrics(metrics, await sparkplug.status()))
      : () => {};
    const timer = setInterval(() => {
      try {
        const writer = readWriter();
        systemAlarms.onStatus(runtime.status(), writer, Date.now());
        alarms.tick();
        sparkplug?.onGatewayFigures({
          valuesPerSecond: writer?.window.valuesPerSecond ?? 0,
          bufferDepth: runtime.bufferStats().size,
          journalBytes: runtime.journalStats().bytes,
        });
        sparkplug?.status().then((s) => systemAlarms.onSparkplugStatus(s, Date.now()), () => {});
      } catch (e) {
        log.error("status check failed: {error}", { error: e });
      }
    }, options.statusIntervalMs ?? 1000);
    housekeep(store, Date.now());
    const housekeeping = setInterval(() => housekeep(store, Date.now()), 3_600_000);

    let stopping: Promise<{ ms: number; clean: boolean }> | undefined;
    const stop = () =>
      stopping ??= (async () => {
        const t0 = performance.now();
        clearInterval(timer);
        clearInterval(housekeeping);
        offEvents();
        offCollect();
        offSparkplugCollect();
        const report = await runtime.shutdown();
        let clean = report.clean;
        if (sparkplug) {
          // NDEATH before DISCONNECT, within what is left of the 5 s budget.
          const left = Math.max(200, 4_800 - (performance.now() - t0));
          const timer = Promise.withResolvers<boolean>();
          const t = setTimeout(() => timer.resolve(false), left);
          const stopped = await Promise.race([
            sparkplug.stop().then(() => true, () => false),
            timer.promise,
          ]);
          clearTimeout(t);
          if (!stopped) {
            clean = false;
            log.error("the Sparkplug publisher did not stop in {ms} ms", { ms: Math.round(left) });
          }
        }
        for (const c of [unsubscribeRules, offPlantForSparkplug, () => index.close()]) {
          try {
            await c();
          } catch (e) {
            clean = false;
            log.error("shutdown step failed: {error}", { error: e });
          }
        }
        await fixture?.close();
        store.close();
        return { ms: performance.now() - t0, clean };
      })();
    return {
      store,
      runtime,
      live,
      alarms,
      metrics,
      sink: {
        get kind() {
          return runtime.sinkKind;
        },
        health: () => runtime.health(),
        history: (tagId, from, to, points) => runtime.history(tagId, from, to, points),
        samples: (tagId, from, to, limit) => runtime.samples(tagId, from, to, limit),
      },
      buffer: { stats: () => runtime.bufferStats() },
      journal: { stats: () => runtime.journalStats() },
      fixture,
      sparkplug,
      index,
      writerStatus: readWriter,
      onSamples(tap) {
        taps.add(tap);
        return () => taps.delete(tap);
      },
      stop,
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

/**
 * Starts the sample plant's fixture PLCs in their own worker; with `"any"`
 * ports, points the store's PLC records of the same codes at them.
 */
async function startFixture(store: Store, ports: "profile" | "any"): Promise<FixtureThread> {
  const { generateSamplePlant } = await import("../fixtures/sample_plant/generate.ts");
  const plant = await startFixtureThread(
    generateSamplePlant().profile,
    ports === "any" ? 0 : undefined,
    (error) => logs.system.error("the fixture PLCs' worker crashed: {error}", { error }),
  );
  for (const plc of plant.plcs) {
    const record = store.plcs.getByCode(plc.code);
    if (record && (record.host !== "127.0.0.1" || record.port !== plc.port)) {
      store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
    }
  }
  return plant;
}
