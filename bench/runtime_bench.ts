/**
 * End-to-end throughput of the runtime: tag values polled from fixture PLCs
 * AND committed to the SQLite historian, per second, and the gateway's CPU
 * seconds per million values. Target: ≥ 100,000 values/s on one core.
 *
 * The plant is 3 copies of the sample plant (12 PLCs, 10,329 enabled tags,
 * 30 groups), every group FIXED at 50 ms (the shortest interval allowed) and
 * no deadband, so the pollers ask for ≈ 206,600 values/s, twice the target;
 * JSSCADA_BENCH_COPIES=6 asks for ≈ 413,000 values/s, more than one core can
 * take, and so measures the ceiling (the buffer then drops the oldest).
 * The fixture PLCs (scan time 0) run in another process on CPU 1; the gateway
 * (bench/gateway_child.ts: startGateway with the SQLite sink in its worker,
 * writer, runtime, alarms, HTTP server, log files) runs pinned to CPU 0, so
 * "one core" is literal: its main thread and SQLite worker share one CPU.
 * Each iteration waits for 1,000,000 more values to be committed; the
 * summary printed at the end gives values/s and CPU per million values,
 * measured from the writer's totals and /proc/<pid>/stat.
 *
 *   deno bench -A bench/runtime_bench.ts
 *
 * Environment: JSSCADA_BENCH_COPIES (default 3), JSSCADA_BENCH_INTERVAL_MS
 * (default 50), JSSCADA_BENCH_PIN=0 to let both processes run anywhere,
 * JSSCADA_BENCH_MQTT=1 to publish Sparkplug B to a local mosquitto as well
 * (started here on a free loopback port; issue 10's "without slowing polling
 * or the historian": compare with the same run without it).
 */
import { Mosquitto } from "../sparkplug/testing.ts";
import { benchPlant, demandPerSecond } from "./bench_plant.ts";
import type { ChildStatus } from "./gateway_child.ts";
import {
  machine,
  machineBusySeconds,
  processCpuSeconds,
  sleep,
  spawnFixture,
  spawnGateway,
  threadCpuSeconds,
} from "./gateway_rig.ts";

const COPIES = Number(Deno.env.get("JSSCADA_BENCH_COPIES") ?? 3);
const INTERVAL_MS = Number(Deno.env.get("JSSCADA_BENCH_INTERVAL_MS") ?? 50);
const PIN = Deno.env.get("JSSCADA_BENCH_PIN") !== "0";
const MQTT = Deno.env.get("JSSCADA_BENCH_MQTT") === "1";
const VALUES = 1_000_000;
const WARMUP_MS = 5_000;

const { plant, profile } = benchPlant({
  copies: COPIES,
  intervalMs: INTERVAL_MS,
  noDeadband: true,
});
const fixture = await spawnFixture(profile, PIN ? { cpus: "1" } : {});
for (const p of plant.plcs) Object.assign(p, { host: "127.0.0.1", port: fixture.ports[p.code] });
const dir = await Deno.makeTempDir({ prefix: "jsscada_runtime_bench_" });
await Deno.writeTextFile(`${dir}/plant.json`, JSON.stringify(plant));
const broker = MQTT ? await Mosquitto.start() : undefined;
const gateway = await spawnGateway(
  [
    ...["--data-dir", `${dir}/data`, "--plant", `${dir}/plant.json`],
    ...(broker ? ["--mqtt-url", broker.url] : []),
  ],
  PIN ? { cpus: "0" } : {},
);
await sleep(WARMUP_MS);
const machineText = await machine();

interface Window {
  seconds: number;
  values: number;
  polled: number;
  cpu: number;
  threads: Record<string, number>;
  fixtureCpu: number;
  machineCpu: number;
  overruns: number;
  dropped: number;
  published: number;
  end: ChildStatus;
}
const windows: Window[] = [];

async function probe() {
  const [status, cpu, threads, fixtureCpu, machineCpu] = await Promise.all([
    gateway.status(),
    processCpuSeconds(gateway.pid),
    threadCpuSeconds(gateway.pid),
    processCpuSeconds(fixture.pid),
    machineBusySeconds(),
  ]);
  return { status, cpu, threads, fixtureCpu, machineCpu };
}

const overruns = (s: ChildStatus) => s.groups.reduce((n, g) => n + g.overruns, 0);

Deno.bench({
  name: `poll and store ${VALUES.toLocaleString("en")} values (${COPIES} × sample plant, ` +
    `every group FIXED ${INTERVAL_MS} ms, fixture in another process)`,
  n: 5,
  warmup: 1,
  async fn(b) {
    const a = await probe();
    const target = a.status.writer!.valuesWritten + VALUES;
    b.start();
    let s = a.status;
    while (s.writer!.valuesWritten < target) {
      await sleep(20);
      s = await gateway.status();
    }
    b.end();
    const z = await probe();
    const threads: Record<string, number> = {};
    for (const [k, v] of Object.entries(z.threads)) threads[k] = v - (a.threads[k] ?? 0);
    windows.push({
      seconds: (z.status.mono - a.status.mono) / 1000,
      values: z.status.writer!.valuesWritten - a.status.writer!.valuesWritten,
      polled: z.status.writer!.buffer.pushed - a.status.writer!.buffer.pushed,
      cpu: z.cpu - a.cpu,
      threads,
      fixtureCpu: z.fixtureCpu - a.fixtureCpu,
      machineCpu: z.machineCpu - a.machineCpu,
      overruns: overruns(z.status) - overruns(a.status),
      dropped: z.status.writer!.buffer.dropped - a.status.writer!.buffer.dropped,
      published: (z.status.published ?? 0) - (a.status.published ?? 0),
      end: z.status,
    });
  },
});

globalThis.addEventListener("unload", () => {
  // The first window is deno bench's warmup: the summary leaves it out.
  const measured = windows.length > 1 ? windows.slice(1) : windows;
  const sum = (f: (w: Window) => number) => measured.reduce((n, w) => n + f(w), 0);
  const seconds = sum((w) => w.seconds);
  const values = sum((w) => w.values);
  const cpu = sum((w) => w.cpu);
  const threads: Record<string, number> = {};
  for (const w of measured) {
    for (const [k, v] of Object.entries(w.threads)) threads[k] = (threads[k] ?? 0) + v;
  }
  const last = measured.at(-1)?.end;
  const tags = plant.tags.filter((t) => t.enabled !== false).length;
  const lines = [
    "",
    `runtime throughput on ${machineText}`,
    `  plant: ${COPIES} × sample plant = ${plant.plcs.length} PLCs, ${plant.groups.length} groups, ` +
    `${tags} enabled tags at ${INTERVAL_MS} ms: demand ${
      Math.round(demandPerSecond(plant)).toLocaleString("en")
    } values/s`,
    `  placement: ${PIN ? "gateway pinned to CPU 0, fixture to CPU 1" : "not pinned"}`,
    MQTT
      ? `  Sparkplug B: ${
        Math.round(sum((w) => w.published) / seconds).toLocaleString("en")
      } values/s published to mosquitto`
      : "  Sparkplug B: off",
    `  windows: ${measured.length} × ${VALUES.toLocaleString("en")} values, ${
      seconds.toFixed(1)
    } s in all`,
    `  stored:  ${Math.round(values / seconds).toLocaleString("en")} values/s ` +
    `(polled into the buffer: ${
      Math.round(sum((w) => w.polled) / seconds).toLocaleString("en")
    }/s)`,
    `  gateway CPU: ${(cpu / seconds).toFixed(2)} cores busy, ${
      (cpu / (values / 1e6)).toFixed(2)
    } CPU-s per million values`,
    `    by thread (CPU-s per million values): ${
      Object.entries(threads).filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${(v / (values / 1e6)).toFixed(2)}`).join(", ")
    }`,
    `  fixture CPU: ${
      (sum((w) => w.fixtureCpu) / seconds).toFixed(2)
    } cores busy; other processes: ${
      (sum((w) => w.machineCpu - w.cpu - w.fixtureCpu) / seconds).toFixed(2)
    } cores busy`,
    `  overruns: ${sum((w) => w.overruns)} skipped ticks (${
      (sum((w) => w.overruns) / seconds).toFixed(1)
    }/s), buffer drops: ${sum((w) => w.dropped)}`,
    last
      ? `  writer: batch latency p50 ${last.writer!.latencyP50Ms} ms, p99 ${
        last.writer!.latencyP99Ms
      } ms, ` +
        `buffer depth ${last.writer!.buffer.size}, failures ${last.writer!.failures}; ` +
        `read cycle (last) ${Math.min(...last.groups.map((g) => g.lastCycleMs ?? Infinity))}–${
          Math.max(...last.groups.map((g) => g.lastCycleMs ?? 0))
        } ms`
      : "  no window measured",
  ];
  console.log(lines.join("\n"));
});

globalThis.addEventListener("unload", () => {
  // Best effort: the children also end when this process's pipes close.
  try {
    Deno.kill(gateway.pid, "SIGKILL");
  } catch { /* gone */ }
  try {
    Deno.kill(fixture.pid, "SIGTERM");
  } catch { /* gone */ }
  broker?.stopSync();
  Deno.removeSync(dir, { recursive: true });
});
