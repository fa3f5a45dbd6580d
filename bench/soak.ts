/**
 * Soak run of the gateway with the sample plant at its configured intervals:
 * runs it in a subprocess (bench/gateway_child.ts) for N minutes, samples its
 * RSS (VmRSS of /proc/<pid>/status) every few seconds, and prints RSS at
 * start, at steady state (end of the warm-up) and at the end, the peak, and
 * the growth per hour (least-squares slope after the warm-up); also FIXED
 * timing over the same window (tick error p50/p99 per group and over all
 * groups, from the pollers' tick-error histograms), overruns, values stored
 * and CPU. Targets: RSS ≤ 150 MB, tick error p99 < 5 ms.
 *
 *   deno run -A bench/soak.ts --minutes 10                  # the demo, as `deno task start`
 *   deno run -A bench/soak.ts --minutes 1.5 --warmup-s 30 --fixture external
 *
 * `--fixture in-process` (default) is the demo gateway: the sample plant's
 * fixture PLCs run inside the gateway process, as with `deno task start`;
 * `--fixture external` runs them in another process, so that RSS, CPU and
 * timing are the gateway's alone (as against real PLCs). `--pin` puts the
 * gateway on CPU 0 and an external fixture on CPU 1. `--json FILE` writes
 * the samples and the summary. `--live-heap` also forces a full garbage
 * collection at the end of the warm-up and at the end (with `--expose-gc`)
 * and reports the JS heap still live, to tell a leak from a lazy collector.
 * `--stagger` (external fixture only) nudges every FIXED interval to a
 * distinct prime (101, 103, 199 … 997, 1009 ms) so that groups almost never
 * tick together, to show what the epoch-aligned schedule costs.
 * `--v8-flags F` and `--sqlite-cache-kib N` run the gateway with those V8
 * flags and that history page cache (to measure their effect).
 */
import { parseArgs } from "node:util";
import {
  histogramDelta,
  histogramQuantile,
  histogramSum,
  type TickErrorHistogram,
} from "../actors/tick_errors.ts";
import { benchPlant } from "./bench_plant.ts";
import type { ChildStatus } from "./gateway_child.ts";
import {
  type FixtureProcess,
  machine,
  machineBusySeconds,
  processCpuSeconds,
  processRssMb,
  sleep,
  spawnFixture,
  spawnGateway,
} from "./gateway_rig.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "10" },
    "sample-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "60" },
    fixture: { type: "string", default: "in-process" },
    pin: { type: "boolean", default: false },
    stagger: { type: "boolean", default: false },
    "live-heap": { type: "boolean", default: false },
    "v8-flags": { type: "string" },
    "sqlite-cache-kib": { type: "string" },
    json: { type: "string" },
  },
});
const totalMs = Number(flags.minutes) * 60_000;
const sampleMs = Number(flags["sample-s"]) * 1000;
const warmupMs = Number(flags["warmup-s"]) * 1000;
const external = flags.fixture === "external";
if (
  !(totalMs > warmupMs) || !(sampleMs > 0) ||
  !["in-process", "external"].includes(flags.fixture!) || (flags.stagger && !external)
) {
  console.error(
    "usage: soak.ts [--minutes N] [--sample-s S] [--warmup-s W < N min] " +
      "[--fixture in-process|external] [--stagger] [--pin] [--live-heap] [--v8-flags F] " +
      "[--sqlite-cache-kib N] [--json FILE]",
  );
  Deno.exit(2);
}

const dir = await Deno.makeTempDir({ prefix: "jsscada_soak_" });
let fixture: FixtureProcess | undefined;
let args: string[];
if (external) {
  const { plant, profile } = benchPlant({ stagger: flags.stagger });
  fixture = await spawnFixture(profile, flags.pin ? { cpus: "1" } : {});
  for (const p of plant.plcs) Object.assign(p, { host: "127.0.0.1", port: fixture.ports[p.code] });
  await Deno.writeTextFile(`${dir}/plant.json`, JSON.stringify(plant));
  args = ["--data-dir", `${dir}/data`, "--plant", `${dir}/plant.json`];
} else {
  args = ["--data-dir", `${dir}/data`, "--demo"];
}
if (flags["sqlite-cache-kib"]) args.push("--sqlite-cache-kib", flags["sqlite-cache-kib"]);
const v8 = [
  ...(flags["live-heap"] ? ["--expose-gc"] : []),
  ...(flags["v8-flags"] ? [flags["v8-flags"]] : []),
];
const t0 = performance.now();
const gateway = await spawnGateway(args, {
  ...(flags.pin ? { cpus: "0" } : {}),
  denoFlags: v8.length ? [`--v8-flags=${v8.join(",")}`] : [],
});
const startedInMs = performance.now() - t0;

interface Point {
  readonly s: number;
  readonly rssMb: number;
  readonly anonMb: number;
  readonly fileMb: number;
  readonly heapMb: number;
  readonly valuesWritten: number;
  readonly cpuS: number;
  /** CPU seconds of the external fixture, and of the whole machine. */
  readonly fixtureS: number;
  readonly machineS: number;
}
const points: Point[] = [];
const mb = (bytes: number) => bytes / 1024 / 1024;

async function point(): Promise<{ p: Point; status: ChildStatus }> {
  const [status, mem, cpuS, fixtureS, machineS] = await Promise.all([
    gateway.status(),
    processRssMb(gateway.pid),
    processCpuSeconds(gateway.pid),
    fixture ? processCpuSeconds(fixture.pid) : 0,
    machineBusySeconds(),
  ]);
  const p = {
    s: (performance.now() - t0) / 1000,
    rssMb: mem.rss,
    anonMb: mem.anon,
    fileMb: mem.file,
    heapMb: mb(status.heap.heapUsed),
    valuesWritten: status.writer?.valuesWritten ?? 0,
    cpuS,
    fixtureS,
    machineS,
  };
  points.push(p);
  console.log(
    `${p.s.toFixed(0).padStart(5)} s  RSS ${p.rssMb.toFixed(1)} MB (anon ${
      p.anonMb.toFixed(1)
    }, file ${p.fileMb.toFixed(1)})  heap ${p.heapMb.toFixed(1)} MB` +
      `  stored ${p.valuesWritten.toLocaleString("en")}  CPU ${cpuS.toFixed(1)} s`,
  );
  return { p, status };
}

console.log(
  `soak: ${flags.minutes} min, fixture ${flags.fixture}${flags.pin ? ", pinned" : ""}${
    v8.length ? `, V8 flags ${v8.join(",")}` : ""
  }${flags["sqlite-cache-kib"] ? `, SQLite cache ${flags["sqlite-cache-kib"]} KiB` : ""}, ` +
    `RSS every ${flags["sample-s"]} s, warm-up ${
      flags["warmup-s"]
    } s; gateway pid ${gateway.pid} ` +
    `started in ${startedInMs.toFixed(0)} ms`,
);
await point();
const schedule = new Set<number>([warmupMs, totalMs]);
for (let t = sampleMs; t < totalMs; t += sampleMs) schedule.add(t);
const liveHeap: string[] = [];
let steady: { p: Point; status: ChildStatus } | undefined;
let last: { p: Point; status: ChildStatus } | undefined;
for (const t of [...schedule].sort((a, b) => a - b)) {
  await sleep(Math.max(0, t0 + t - performance.now()));
  last = await point();
  if (t === warmupMs) steady = last;
  if (flags["live-heap"] && (t === warmupMs || t === totalMs)) {
    const after = await gateway.statusAfterGc();
    const rss = await processRssMb(gateway.pid);
    liveHeap.push(
      `at ${(t / 1000).toFixed(0)} s: JS heap live after a full GC ${
        mb(after.heap.heapUsed).toFixed(1)
      } MB (committed ${mb(after.heap.heapTotal).toFixed(1)} MB), RSS then ${
        rss.rss.toFixed(1)
      } MB`,
    );
  }
}
if (!steady || !last) throw new Error("no samples");
const peak = await processRssMb(gateway.pid);
const stop = await gateway.stop();
await fixture?.close();
await Deno.remove(dir, { recursive: true }).catch(() => {});

// RSS growth: least-squares slope over the samples after the warm-up.
const after = points.filter((p) => p.s >= steady!.p.s);
const slope = (() => {
  const n = after.length;
  if (n < 2) return 0;
  const mx = after.reduce((a, p) => a + p.s, 0) / n;
  const my = after.reduce((a, p) => a + p.rssMb, 0) / n;
  const num = after.reduce((a, p) => a + (p.s - mx) * (p.rssMb - my), 0);
  const den = after.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  return den ? num / den : 0;
})();

// Timing over the window from the end of the warm-up to the end.
const windowS = (last.status.mono - steady.status.mono) / 1000;
const fixedGroups = last.status.groups.filter((g) => g.mode === "FIXED");
const byCode = new Map(steady.status.groups.map((g) => [g.code, g]));
const rows = fixedGroups.map((g) => {
  const before = byCode.get(g.code);
  const h = histogramDelta(g.tickErrors, before?.tickErrors);
  return {
    code: g.code,
    intervalMs: g.intervalMs,
    tags: g.tags,
    ticks: h.count,
    overruns: g.overruns - (before?.overruns ?? 0),
    p50: histogramQuantile(h, 0.5),
    p99: histogramQuantile(h, 0.99),
    maxSinceStart: g.maxTickErrorMs,
    lastCycleMs: g.lastCycleMs,
    h,
  };
});
const all: TickErrorHistogram = histogramSum(rows.map((r) => r.h));
const ms = (v: number | null) => v === null ? "–" : v === Infinity ? "> 1000" : `≤ ${v}`;
const stored = last.p.valuesWritten - steady.p.valuesWritten;
const cpu = last.p.cpuS - steady.p.cpuS;
const others = (last.p.machineS - steady.p.machineS) - cpu - (last.p.fixtureS - steady.p.fixtureS);

const lines = [
  "",
  `soak summary on ${await machine()}`,
  `  gateway: ${
    external
      ? `sample plant${
        flags.stagger ? " (intervals nudged to distinct primes)" : ""
      }, fixture PLCs in another process`
      : "demo (fixture PLCs in-process)"
  }${flags.pin ? ", pinned to CPU 0" : ""}${v8.length ? `, V8 flags ${v8.join(",")}` : ""}${
    flags["sqlite-cache-kib"] ? `, SQLite cache ${flags["sqlite-cache-kib"]} KiB` : ""
  }; ran ${(points.at(-1)!.s / 60).toFixed(1)} min`,
  `  RSS: start ${points[0].rssMb.toFixed(1)} MB (at ${points[0].s.toFixed(0)} s), steady ${
    steady.p.rssMb.toFixed(1)
  } MB (at ${steady.p.s.toFixed(0)} s), end ${last.p.rssMb.toFixed(1)} MB, peak (VmHWM) ${
    peak.peak.toFixed(1)
  } MB; target ≤ 150 MB`,
  `  RSS at the end: ${last.p.anonMb.toFixed(1)} MB anonymous (heaps, caches) + ${
    last.p.fileMb.toFixed(1)
  } MB file pages (the deno executable's code, shared)`,
  `  RSS growth after the warm-up: ${
    (slope * 3600).toFixed(1)
  } MB/h (least squares over ${after.length} samples; ` +
  `end − steady = ${(last.p.rssMb - steady.p.rssMb).toFixed(1)} MB in ${
    ((last.p.s - steady.p.s) / 60).toFixed(1)
  } min); JS heap used ${steady.p.heapMb.toFixed(1)} → ${last.p.heapMb.toFixed(1)} MB`,
  ...liveHeap.map((l) => `  ${l}`),
  `  window: ${windowS.toFixed(0)} s after the warm-up; stored ${
    Math.round(stored / windowS).toLocaleString("en")
  } values/s, gateway CPU ${(100 * cpu / windowS).toFixed(1)} % of one core, ${
    (cpu / (stored / 1e6)).toFixed(2)
  } CPU-s per million values; ${
    external
      ? `fixture CPU ${(100 * (last.p.fixtureS - steady.p.fixtureS) / windowS).toFixed(1)} %, `
      : ""
  }other processes on the machine ${(100 * others / windowS).toFixed(0)} % of one core`,
  `  tick error (how late a FIXED read started; 1 ms resolution), all groups: ${all.count} ticks, ` +
  `p50 ${ms(histogramQuantile(all, 0.5))} ms, p99 ${ms(histogramQuantile(all, 0.99))} ms, ` +
  `overruns ${rows.reduce((n, r) => n + r.overruns, 0)}; target p99 < 5 ms`,
  `  distribution (ticks at most N ms late): ${
    all.counts.map((c, i) => `${i < all.boundsMs.length ? `≤${all.boundsMs[i]}` : ">"}: ${c}`)
      .filter((t) => !t.endsWith(": 0")).join(", ")
  }`,
  `  ${"group".padEnd(14)} ${"interval".padStart(8)} ${"tags".padStart(5)} ${
    "ticks".padStart(6)
  } ` +
  `${"p50".padStart(6)} ${"p99".padStart(6)} ${"max*".padStart(5)} ${"overruns".padStart(8)} ${
    "cycle".padStart(6)
  }`,
  ...rows.map((r) =>
    `  ${r.code.padEnd(14)} ${String(r.intervalMs).padStart(6)} ms ${String(r.tags).padStart(5)} ` +
    `${String(r.ticks).padStart(6)} ${ms(r.p50).padStart(6)} ${ms(r.p99).padStart(6)} ` +
    `${String(r.maxSinceStart).padStart(5)} ${String(r.overruns).padStart(8)} ${
      String(r.lastCycleMs ?? "–").padStart(4)
    } ms`
  ),
  `  (* max since the poller started, warm-up included; cycle = last read's duration)`,
  `  writer: ${last.status.writer?.condition}, batch latency p50 ${last.status.writer?.latencyP50Ms} ms, ` +
  `p99 ${last.status.writer?.latencyP99Ms} ms, failures ${last.status.writer?.failures}, ` +
  `buffer drops ${last.status.writer?.buffer.dropped}`,
  `  graceful stop: ${stop.ms.toFixed(0)} ms, ${stop.clean ? "clean" : "NOT clean"}`,
];
console.log(lines.join("\n"));
if (flags.json) {
  await Deno.writeTextFile(
    flags.json,
    JSON.stringify({ flags, points, rows, all, slopeMbPerHour: slope * 3600, stop }, null, 2),
  );
}
