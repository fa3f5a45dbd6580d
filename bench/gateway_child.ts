/**
 * The gateway as the runtime benchmarks run it, in its own process so that
 * its CPU time and RSS are measured alone (bench/gateway_rig.ts spawns it):
 * the same `startGateway` call, HTTP server and log files as `jsscada
 * serve`, plus a status pipe. Answers `status` on stdin with one JSON line
 * (writer totals, groups with their tick-error histograms, PLC states, heap);
 * `gc` does the same after a full garbage collection (with `--v8-flags=--expose-gc`),
 * `snapshot FILE` after writing a V8 heap snapshot there;
 * `stop` shuts down gracefully and exits.
 *
 *   deno run -A bench/gateway_child.ts --data-dir DIR --demo
 *   deno run -A bench/gateway_child.ts --data-dir DIR --plant plant.json
 *
 * Options: --no-http (no HTTP server), --sqlite-cache-kib N (the history
 * database's page cache instead of the sink's default), --mqtt-url URL
 * (publish Sparkplug B there, as `serve --mqtt-url` does; group `Bench`).
 *
 * `--demo` is `deno task start` (sample plant, fixture PLCs in-process on free
 * ports); `--plant` loads a SamplePlant JSON (bench/bench_plant.ts) whose PLCs
 * point at fixture PLCs running elsewhere.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { startGateway } from "../gateway/gateway.ts";
import { startHttpServer } from "../gateway/http_server.ts";
import { samplePlantCsv } from "../fixtures/sample_plant/generate.ts";
import type { SamplePlant } from "../fixtures/sample_plant/generate.ts";
import { setupLogging } from "../observability/logging.ts";
import { type CsvResource, csvResourceOf } from "../store/csv_format.ts";
import { importCsv } from "../store/csv_import.ts";
import { formatIssues } from "../store/errors.ts";
import { openDataDirStore } from "../store/store.ts";
import { readSparkplugSettings } from "../sparkplug/settings.ts";

/** One status line of the child. */
export interface ChildStatus {
  readonly type: "status";
  /** Date.now() and performance.now() of the child when it answered. */
  readonly at: number;
  readonly mono: number;
  readonly writer: {
    readonly condition: string;
    readonly valuesWritten: number;
    readonly batches: number;
    readonly failures: number;
    readonly valuesLost: number;
    readonly buffer: { size: number; dropped: number; pushed: number; taken: number };
    readonly latencyP50Ms: number | null;
    readonly latencyP99Ms: number | null;
  } | null;
  readonly groups: readonly {
    readonly code: string;
    readonly mode: string;
    readonly intervalMs: number | null;
    readonly state: string;
    readonly tags: number;
    readonly blocks: number;
    readonly cycles: number;
    readonly overruns: number;
    readonly errors: number;
    readonly lastCycleMs: number | undefined;
    readonly maxTickErrorMs: number;
    readonly tickErrors: { boundsMs: number[]; counts: number[]; count: number };
  }[];
  readonly plcs: readonly { readonly code: string; readonly state: string | undefined }[];
  /** Sparkplug B values published (DDATA and births), when `--mqtt-url` is given. */
  readonly published: number | null;
  readonly heap: { readonly heapUsed: number; readonly heapTotal: number; readonly rss: number };
  /** The main isolate's V8 heap spaces: size and used, MB. */
  readonly heapSpaces: Readonly<Record<string, { size: number; used: number }>>;
}

function loadPlant(dataDir: string, plant: SamplePlant): void {
  const files: Partial<Record<CsvResource, string>> = {};
  for (const [name, text] of Object.entries(samplePlantCsv(plant))) {
    const r = csvResourceOf(name);
    if (r) files[r] = text;
  }
  const store = openDataDirStore(dataDir);
  try {
    if (!store.isEmpty()) return;
    const report = importCsv(store, files, { mode: "merge" });
    if (!report.ok) throw new Error(`plant does not import: ${formatIssues(report.issues)}`);
  } finally {
    store.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "data-dir": { type: "string" },
      demo: { type: "boolean" },
      plant: { type: "string" },
      "no-http": { type: "boolean" },
      "sqlite-cache-kib": { type: "string" },
      "mqtt-url": { type: "string" },
    },
  });
  const dataDir = values["data-dir"];
  if (!dataDir || (!values.demo && !values.plant)) {
    console.error("usage: gateway_child.ts --data-dir DIR (--demo | --plant FILE) [--no-http]");
    Deno.exit(2);
  }
  await Deno.mkdir(dataDir, { recursive: true });
  if (values.plant) loadPlant(dataDir, JSON.parse(await Deno.readTextFile(values.plant)));
  const logging = await setupLogging({ dir: join(dataDir, "logs"), level: "info", console: false });
  const gateway = await startGateway({
    dataDir,
    samplePlant: values.demo === true,
    fixture: values.demo ? "any" : false,
    ...(values["sqlite-cache-kib"]
      ? {
        sink: {
          kind: "sqlite" as const,
          path: join(dataDir, "history.db"),
          cacheSizeKiB: Number(values["sqlite-cache-kib"]),
        },
      }
      : {}),
    ...(values["mqtt-url"]
      ? {
        sparkplug: readSparkplugSettings(
          { "mqtt-url": values["mqtt-url"], "sparkplug-group": "Bench", "sparkplug-node": "gw1" },
          () => undefined,
        ),
      }
      : {}),
    env: { JSSCADA_ADMIN_PASSWORD: "bench-admin-password" },
    print: () => {},
  });
  const server = values["no-http"] ? undefined : await startHttpServer(gateway, {
    hostname: "127.0.0.1",
    port: 0,
    tls: undefined,
    anonymousRead: false,
  });
  const out = Deno.stdout.writable.getWriter();
  const encoder = new TextEncoder();
  const send = (o: unknown) => out.write(encoder.encode(JSON.stringify(o) + "\n"));
  const status = async (): Promise<ChildStatus> => {
    const published = gateway.sparkplug
      ? (await gateway.sparkplug.status()).published.values
      : null;
    const s = gateway.runtime.status();
    const w = gateway.writerStatus();
    const m = Deno.memoryUsage();
    return {
      type: "status",
      at: Date.now(),
      mono: performance.now(),
      writer: w
        ? {
          condition: w.condition,
          valuesWritten: w.totals.valuesWritten,
          batches: w.totals.batches,
          failures: w.totals.failures,
          valuesLost: w.totals.valuesLost,
          buffer: w.buffer,
          latencyP50Ms: w.window.latencyP50Ms,
          latencyP99Ms: w.window.latencyP99Ms,
        }
        : null,
      groups: s.groups.map((g) => ({
        code: g.code,
        mode: g.status?.mode ?? "?",
        intervalMs: g.status?.intervalMs ?? null,
        state: g.status?.state ?? g.supervision.state,
        tags: g.status?.tags ?? 0,
        blocks: g.status?.blocks ?? 0,
        cycles: g.status?.cycles ?? 0,
        overruns: g.status?.overruns ?? 0,
        errors: g.status?.errors ?? 0,
        lastCycleMs: g.status?.lastCycleMs,
        maxTickErrorMs: g.status?.maxTickErrorMs ?? 0,
        tickErrors: {
          boundsMs: [...(g.status?.tickErrors.boundsMs ?? [])],
          counts: [...(g.status?.tickErrors.counts ?? [])],
          count: g.status?.tickErrors.count ?? 0,
        },
      })),
      plcs: s.plcs.map((p) => ({ code: p.code, state: p.status?.state })),
      published,
      heap: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss },
      heapSpaces: Object.fromEntries(
        getHeapSpaceStatistics().map((h) => [h.space_name, {
          size: +(h.space_size / 1048576).toFixed(1),
          used: +(h.space_used_size / 1048576).toFixed(1),
        }]),
      ),
    };
  };
  await send({ type: "ready", pid: Deno.pid, http: server?.url });
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  loop: for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    pending += value;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === "status") await send(await status());
      else if (line === "gc") {
        // With --v8-flags=--expose-gc: a full collection first, to see what is live.
        (globalThis as { gc?: () => void }).gc?.();
        await send(await status());
      } else if (line.startsWith("snapshot ")) {
        writeHeapSnapshot(line.slice("snapshot ".length));
        await send(await status());
      } else if (line === "stop") break loop;
    }
  }
  await server?.shutdown();
  const report = await gateway.stop();
  await send({ type: "stopped", ...report });
  await logging.close();
  await lines.cancel().catch(() => {});
  Deno.exit(0);
}
