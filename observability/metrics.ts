/**
 * JSScada's Prometheus metrics: one registry per app instance (never
 * prom-client's global one, so tests and several instances do not collide),
 * typed handles for each subject, collect hooks that fill gauges from status
 * snapshots at scrape time, and the text exposition for `/metrics`.
 *
 * The integrator feeds it plain numbers; nothing here imports the actors.
 *
 * ```ts
 * const metrics = new Metrics({ version: "0.1.0" });
 * metrics.onCollect(() => {
 *   for (const [code, plc] of plcs) metrics.plc(code).setPoolStats(plc.pool.stats);
 *   metrics.buffer.set(buffer.size, buffer.capacity);
 * });
 * metrics.group("LINE1_FAST").observeCycleMs(42);
 * metrics.http.observe("GET", "/api/v1/values", 200, 0.003);
 * const body = await metrics.render(); // served as METRICS_CONTENT_TYPE
 * ```
 *
 * @module
 */

import { Counter, Registry } from "prom-client";
import { AlarmMetrics } from "./alarm_metrics.ts";
import { GroupFamily, GroupMetrics } from "./group_metrics.ts";
import { HandleSet } from "./handle_set.ts";
import { HttpMetrics, WsMetrics } from "./http_metrics.ts";
import { logs } from "./logging.ts";
import { BufferMetrics, JournalMetrics, WriterMetrics } from "./pipeline_metrics.ts";
import { PlcFamily, PlcMetrics } from "./plc_metrics.ts";
import { registerProcessMetrics } from "./process_metrics.ts";
import { SparkplugMetrics } from "./sparkplug_metrics.ts";

/** The Content-Type of {@link Metrics.render}'s text: Prometheus exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** JSScada's version, shown in `jsscada_build_info`. Default "dev". */
  readonly version?: string;
  /**
   * Register prom-client's default process collectors (CPU, memory, fds,
   * event-loop lag, heap). Default true. They start an event-loop delay
   * monitor that lives as long as the process, so a test that builds many
   * instances may turn them off.
   */
  readonly processMetrics?: boolean;
}

/**
 * A function that updates metrics from status snapshots just before a scrape.
 * It should read snapshots, not wait on I/O: `/metrics` waits for it.
 */
export type CollectHook = () => void | Promise<void>;

/** One metric family as registered: for the operations guide and its test. */
export interface MetricDescription {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly help: string;
}

/** All of JSScada's metrics on one registry, with typed handles per subject. */
export class Metrics {
  /** The prom-client registry, for anything the handles do not cover. */
  readonly registry: Registry;
  /** The ring buffer's depth, capacity and drops. */
  readonly buffer: BufferMetrics;
  /** The historian writer's batches, samples, failures and batch latency. */
  readonly writer: WriterMetrics;
  /** The journal's size, segments, drops and replay. */
  readonly journal: JournalMetrics;
  /** REST request durations: `http.observe(method, route, status, seconds)`. */
  readonly http: HttpMetrics;
  /** WebSocket clients and replaced updates. */
  readonly ws: WsMetrics;
  /** Alarm counts by severity band. */
  readonly alarms: AlarmMetrics;
  /** The Sparkplug publisher's connection, published values and spool (zero without it). */
  readonly sparkplug: SparkplugMetrics;
  readonly #plcs: HandleSet<PlcMetrics>;
  readonly #groups: HandleSet<GroupMetrics>;
  readonly #hooks = new Set<CollectHook>();
  readonly #hookFailures: Counter;

  /** Creates a fresh registry with every JSScada metric family on it. */
  constructor(options: MetricsOptions = {}) {
    this.registry = new Registry();
    const plcFamily = new PlcFamily(this.registry);
    const groupFamily = new GroupFamily(this.registry);
    this.#plcs = new HandleSet((code) => new PlcMetrics(plcFamily, code));
    this.#groups = new HandleSet((code) => new GroupMetrics(groupFamily, code));
    this.buffer = new BufferMetrics(this.registry);
    this.writer = new WriterMetrics(this.registry);
    this.journal = new JournalMetrics(this.registry);
    this.http = new HttpMetrics(this.registry);
    this.ws = new WsMetrics(this.registry);
    this.alarms = new AlarmMetrics(this.registry);
    this.sparkplug = new SparkplugMetrics(this.registry);
    this.#hookFailures = new Counter({
      name: "jsscada_metrics_collect_failures_total",
      help: "Collect hooks that threw during a scrape (their metrics kept older values).",
      registers: [this.registry],
    });
    registerProcessMetrics(this.registry, {
      version: options.version ?? "dev",
      defaults: options.processMetrics ?? true,
    });
  }

  /** The metrics of PLC `code` (its series appear, at zero, on first call). */
  plc(code: string): PlcMetrics {
    return this.#plcs.get(code);
  }

  /** Removes every series of PLC `code`, when it leaves the configuration. */
  removePlc(code: string): void {
    this.#plcs.remove(code);
  }

  /** The metrics of polling group `code` (its series appear, at zero, on first call). */
  group(code: string): GroupMetrics {
    return this.#groups.get(code);
  }

  /** Removes every series of group `code`, when it leaves the configuration. */
  removeGroup(code: string): void {
    this.#groups.remove(code);
  }

  /**
   * Keeps only the PLCs and groups in the given sets, removing the series of
   * the others; call it after a configuration change.
   */
  retain(plcCodes: Iterable<string>, groupCodes: Iterable<string>): void {
    const plcs = new Set(plcCodes);
    const groups = new Set(groupCodes);
    for (const code of this.#plcs.codes()) if (!plcs.has(code)) this.#plcs.remove(code);
    for (const code of this.#groups.codes()) if (!groups.has(code)) this.#groups.remove(code);
  }

  /**
   * Registers `hook` to run before every {@link render}, in registration
   * order. Returns a function that unregisters it. A hook that throws is
   * logged and counted; the scrape goes on with the other metrics.
   */
  onCollect(hook: CollectHook): () => void {
    this.#hooks.add(hook);
    return () => {
      this.#hooks.delete(hook);
    };
  }

  /** Runs the collect hooks, then renders the registry as Prometheus text. */
  async render(): Promise<string> {
    for (const hook of [...this.#hooks]) {
      try {
        await hook();
      } catch (error) {
        this.#hookFailures.inc();
        logs.metrics.warn("A metrics collect hook failed: {error}", { error });
      }
    }
    // prom-client writes NaN as "Nan" (Deno's event-loop delay histogram is NaN
    // until its first sample); the exposition format spells it "NaN".
    return (await this.registry.metrics()).replace(/ Nan$/gm, " NaN");
  }

  /** Every registered family's name, type, label names and help, sorted by name. */
  describe(): MetricDescription[] {
    return this.registry.getMetricsAsArray()
      .map((m) => ({
        name: m.name,
        type: String(m.type),
        // prom-client keeps the configured label names on the metric object.
        labels: [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])],
        help: m.help,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
