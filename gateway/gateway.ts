/**
 * The gateway: the composition root that opens the configuration store,
 * starts the historian sink, journal, buffer, runtime actors, alarm engine,
 * metrics and (optionally) the fixture PLCs of the sample plant, and stops
 * them again in order. `jsscada serve` and the e2e suite run it.
 */
import { join } from "node:path";
import { AlarmEngine } from "../alarms/engine.ts";
import { SampleBuffer } from "../actors/buffer.ts";
import { systemClock } from "../actors/clock.ts";
import { Journal } from "../actors/journal.ts";
import { LiveCache } from "../actors/live_cache.ts";
import { Runtime } from "../actors/runtime.ts";
import {
  writerMachine,
  type WriterSnapshot,
  type WriterStatus,
  writerStatus,
} from "../actors/writer.ts";
import type { Sample } from "../model/sample.ts";
import type { FixturePlant } from "../fixtures/fixture_plant.ts";
import { logs } from "../observability/logging.ts";
import { Metrics } from "../observability/metrics.ts";
import { createSink, type SinkConfig } from "../sinks/factory.ts";
import type { HistorySource, Sink } from "../sinks/sink.ts";
import { openDataDirStore, type Store } from "../store/store.ts";
import { ensureAdmin, ensureSamplePlant } from "../store/startup.ts";
import { collectMetrics } from "./collect_metrics.ts";
import { PlantIndex } from "./plant_index.ts";
import { housekeep } from "./housekeeping.ts";
import { SystemAlarms } from "./system_alarms.ts";

/** How the gateway starts. */
export interface GatewayOptions {
  /** Data directory: config.db, history.db, journal/, logs/. */
  readonly dataDir: string;
  /** The historian (default SQLite in `<dataDir>/history.db`). */
  readonly sink?: SinkConfig;
  /** Load the sample plant into an empty store (the demo). */
  readonly samplePlant?: boolean;
  /**
   * Start the sample plant's fixture PLCs in-process: `"profile"` on their
   * profile ports (5001–5004), `"any"` on free ports (tests), written into the
   * store's PLC records.
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
  /** How often status becomes system alarms and stale checks, ms (default 1000). */
  readonly statusIntervalMs?: number;
}

/** A running gateway. */
export interface Gateway {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly live: LiveCache;
  readonly alarms: AlarmEngine;
  readonly metrics: Metrics;
  readonly sink: Sink & Partial<HistorySource>;
  readonly buffer: SampleBuffer;
  readonly journal: Journal;
  readonly fixture: FixturePlant | undefined;
  /** Tags, groups and PLCs by id and code (follows the store's changes). */
  readonly index: PlantIndex;
  /** The writer's status, when it runs. */
  writerStatus(): WriterStatus | undefined;
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

    const sink = await createSink(
      options.sink ?? { kind: "sqlite", path: join(options.dataDir, "history.db") },
    );
    cleanups.push(() => sink.close());
    const journal = await Journal.open({
      dir: join(options.dataDir, "journal"),
      ...(options.journalMaxBytes ? { maxBytes: options.journalMaxBytes } : {}),
      onEvent: (e) => logs.journal.warn("journal: {event}", { event: e }),
    });
    cleanups.push(() => journal.close());
    const buffer = new SampleBuffer(options.bufferCapacity);

    const plant = store.loadPlant();
    const alarms = new AlarmEngine({ rules: plant.alarmRules, tags: plant.tags });
    alarms.restore(store.alarmJournal.latest());
    alarms.subscribe((t) => store.alarmJournal.append(t));
    const unsubscribeRules = store.subscribe((changes) => {
      if (changes.some((c) => c.resource === "alarmRules" || c.resource === "tags")) {
        const p = store.loadPlant();
        alarms.replaceRules(p.alarmRules, p.tags);
      }
    });
    cleanups.push(unsubscribeRules);

    const index = new PlantIndex(store);
    cleanups.push(() => index.close());
    const live = new LiveCache();
    const livePort = {
      update(samples: readonly Sample[]) {
        live.update(samples);
        alarms.onSamples(samples);
      },
    };
    const runtime = await Runtime.start({
      loadPlant: () => store.loadPlant(),
      subscribe: store.subscribe,
      sink: buffer,
      live: livePort,
      clock: systemClock,
      writer: { logic: writerMachine, input: { sink, buffer, journal, clock: systemClock } },
    });
    cleanups.push(() => runtime.shutdown());
    const readWriter = () => {
      const snap = runtime.status().writer?.status as WriterSnapshot | undefined;
      return snap ? writerStatus(snap) : undefined;
    };
    const systemAlarms = new SystemAlarms(alarms);
    const offEvents = runtime.on((e) => {
      systemAlarms.onEvent(e);
      if (e.type === "plc.state") logs.plc.info("PLC {code} is {state}", { ...e });
      else logs.system.info("runtime: {type}", { ...e });
    });
    const metrics = new Metrics();
    const offCollect = metrics.onCollect(() =>
      collectMetrics(metrics, runtime.status(), readWriter(), alarms)
    );
    const timer = setInterval(() => {
      try {
        systemAlarms.onStatus(runtime.status(), readWriter(), Date.now());
        alarms.tick();
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
        const report = await runtime.shutdown();
        let clean = report.clean;
        for (
          const c of [unsubscribeRules, () =>
            index.close(), () =>
            journal.close(), () =>
            sink.close()]
        ) {
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
      sink,
      buffer,
      journal,
      fixture,
      index,
      writerStatus: readWriter,
      stop,
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

/**
 * Starts the sample plant's fixture PLCs; with `"any"` ports, points the
 * store's PLC records of the same codes at them.
 */
async function startFixture(store: Store, ports: "profile" | "any"): Promise<FixturePlant> {
  const { startFixturePlant } = await import("../fixtures/fixture_plant.ts");
  const { generateSamplePlant } = await import("../fixtures/sample_plant/generate.ts");
  const plant = await startFixturePlant(
    generateSamplePlant().profile,
    ports === "any" ? { ports: 0 } : {},
  );
  for (const plc of plant.plcs) {
    const record = store.plcs.getByCode(plc.code);
    if (record && (record.host !== "127.0.0.1" || record.port !== plc.port)) {
      store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
    }
  }
  return plant;
}
