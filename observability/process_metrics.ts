/**
 * Process metrics: prom-client's default collectors (CPU, memory, file
 * descriptors, event-loop lag, V8 heap), which work under Deno's Node
 * compatibility, plus JSScada's build information.
 *
 * Under Deno: `nodejs_version_info` reports the Node version Deno emulates,
 * so `jsscada_build_info` carries Deno's own version; `nodejs_gc_duration_seconds`
 * stays empty (Deno reports no GC performance entries). On Linux prom-client
 * reads memory and file descriptors from `/proc/self`, which Deno only opens
 * with `--allow-all`; without it those families would read 0, so they are
 * dropped and `process_resident_memory_bytes` comes from `Deno.memoryUsage()`.
 *
 * @module
 */

import { collectDefaultMetrics, Gauge, type Registry } from "prom-client";

/** What {@link registerProcessMetrics} needs to know. */
export interface ProcessMetricsOptions {
  /** JSScada's version for `jsscada_build_info`. */
  readonly version: string;
  /** Also register prom-client's default process and runtime collectors. */
  readonly defaults: boolean;
  /** Whether `/proc/self` can be read; found out when not given. */
  readonly procSelfReadable?: boolean;
}

/** The default families that prom-client fills from `/proc/self` on Linux. */
const PROC_SELF_FAMILIES = [
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_heap_bytes",
  "process_open_fds",
  "process_max_fds",
];

/** Whether prom-client's `/proc/self` reads would succeed, without prompting for permission. */
function canReadProcSelf(): boolean {
  if (Deno.build.os !== "linux") return true; // prom-client reads no /proc elsewhere
  const path = "/proc/self/status";
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return false;
  try {
    Deno.readTextFileSync(path);
    return true;
  } catch {
    return false; // Deno wants --allow-all for /proc/self
  }
}

/** Registers the build-information gauge and, when asked, the default collectors. */
export function registerProcessMetrics(registry: Registry, options: ProcessMetricsOptions): void {
  const info = new Gauge({
    name: "jsscada_build_info",
    help: "Always 1; the labels tell JSScada's version and the Deno runtime's.",
    labelNames: ["version", "deno"] as const,
    registers: [registry],
  });
  info.set({ version: options.version, deno: Deno.version.deno }, 1);
  if (!options.defaults) return;
  collectDefaultMetrics({ register: registry });
  if (options.procSelfReadable ?? canReadProcSelf()) return;
  for (const name of PROC_SELF_FAMILIES) registry.removeSingleMetric(name);
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
}
