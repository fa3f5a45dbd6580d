/**
 * The rig of the live API benchmarks (ws_bench.ts, rest_bench.ts): the
 * gateway (bench/live_child.ts: `startGateway` + `startHttpServer` as `jsscada
 * serve` runs them, over the sample plant) in its own process, the sample
 * plant's fixture PLCs in another (as real PLCs are other machines) or
 * in-process as `deno task start` has them, and load generators
 * (live_load.ts) in further processes, so that the server is measured through
 * real sockets and the clients' CPU is not the server's.
 */
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";
import {
  type FixtureProcess,
  processCpuSeconds,
  processRssMb,
  spawnFixture,
} from "./gateway_rig.ts";

export { machine, sleep } from "./gateway_rig.ts";

const CHILD = new URL("./live_child.ts", import.meta.url).pathname;
const LOAD = new URL("./live_load.ts", import.meta.url).pathname;

/** Where the processes run. */
export interface LivePlacement {
  /** Fixture PLCs in their own process (default) or in the gateway's. */
  readonly fixture: "external" | "in-process";
  /** `taskset` CPU lists: the gateway's, and the fixture's and clients'. */
  readonly gatewayCpus?: string;
  readonly otherCpus?: string;
  /** The hub's gather delay, ms (default: the hub's default). */
  readonly gatherMs?: number;
}

/** The served gateway in another process. */
export interface ServedGateway {
  readonly pid: number;
  readonly base: string;
  readonly token: string;
  /** CPU seconds used so far (every thread). */
  cpu(): Promise<number>;
  /** Resident memory now and at its peak, MB. */
  rss(): Promise<{ rss: number; peak: number }>;
  /** One counter or gauge of /metrics (no labels). */
  metric(name: string): Promise<number>;
  /** A histogram of /metrics (no labels): cumulative count per upper bound `le`, seconds. */
  histogram(name: string): Promise<Map<number, number>>;
  stop(): Promise<void>;
}

function taskset(cpus: string | undefined, args: string[]): [string, string[]] {
  const deno = [Deno.execPath(), ...args];
  const all = cpus ? ["taskset", "-c", cpus, ...deno] : deno;
  return [all[0], all.slice(1)];
}

/** Starts the fixture PLCs (unless in-process) and the gateway; resolves once every PLC is connected. */
export async function serveGateway(where: LivePlacement): Promise<ServedGateway> {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada_live_bench_" });
  let fixture: FixtureProcess | undefined;
  if (where.fixture === "external") {
    const { profile } = generateSamplePlant();
    fixture = await spawnFixture(
      { ...profile, plcs: profile.plcs.map((p) => ({ ...p, port: 0 })) },
      where.otherCpus ? { cpus: where.otherCpus } : {},
    );
  }
  const args = ["run", "-A", CHILD, "--data-dir", dataDir];
  if (fixture) args.push("--ports", JSON.stringify(fixture.ports));
  if (where.gatherMs !== undefined) args.push("--gather-ms", String(where.gatherMs));
  const [cmd, rest] = taskset(where.gatewayCpus, args);
  const child = new Deno.Command(cmd, {
    args: rest,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the gateway exited before it was ready");
    text += value;
  }
  const { base, token } = JSON.parse(text.split("\n")[0]);
  return {
    pid: child.pid,
    base,
    token,
    cpu: () => processCpuSeconds(child.pid),
    rss: () => processRssMb(child.pid),
    async metric(name) {
      const body = await (await fetch(`${base}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(body)?.[1] ?? NaN);
    },
    async histogram(name) {
      const body = await (await fetch(`${base}/metrics`)).text();
      const out = new Map<number, number>();
      const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, "gm");
      for (const m of body.matchAll(re)) {
        out.set(m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2]));
      }
      return out;
    },
    async stop() {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode("stop\n")).catch(() => {});
      await w.close().catch(() => {});
      await child.status;
      await reader.cancel().catch(() => {});
      await fixture?.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

const FLOOR = new URL("./ws_floor_server.ts", import.meta.url).pathname;

/** The floor server (ws_floor_server.ts) in its own process, placed like the gateway. */
export async function serveFloor(
  where: LivePlacement,
): Promise<{ base: string; stop(): Promise<void> }> {
  const [cmd, rest] = taskset(where.gatewayCpus, ["run", "-A", FLOOR]);
  const child = new Deno.Command(cmd, { args: rest, stdin: "piped", stdout: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the floor server exited before it was ready");
    text += value;
  }
  return {
    base: JSON.parse(text.split("\n")[0]).base,
    async stop() {
      await child.stdin.close().catch(() => {});
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

/** Latency percentiles and counts one load process reports (live_load.ts). */
export interface LoadReport {
  /**
   * Latencies in 0.1 ms buckets (index = ms × 10; the last bucket is "more"):
   * REST: request to last byte; WebSocket: the value's arrival at the
   * gateway (`a`) to its receipt.
   */
  readonly histogram: number[];
  /** WebSocket: the value's poll time (`t`) to its receipt, the same way. */
  readonly fromPoll?: number[];
  readonly count: number;
  readonly seconds: number;
  /** Frames or responses received. */
  readonly messages: number;
  readonly bytes: number;
  readonly cpuSeconds: number;
  readonly errors: number;
  readonly connected: number;
}

/** Runs live_load.ts in `procs` processes with `args` each; resolves with their reports. */
export async function runLoad(args: string[], procs = 1, cpus?: string): Promise<LoadReport[]> {
  const runs = Array.from({ length: procs }, async () => {
    const [cmd, rest] = taskset(cpus, ["run", "-A", LOAD, ...args]);
    const out = await new Deno.Command(cmd, { args: rest, stdout: "piped", stderr: "inherit" })
      .output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
    if (!out.success || !text.startsWith("{")) throw new Error(`the load process failed: ${text}`);
    return JSON.parse(text) as LoadReport;
  });
  return await Promise.all(runs);
}

/** Percentile `q` (0–1) of a 0.1 ms histogram, ms. */
function percentile(histogram: readonly number[], q: number): number {
  const count = histogram.reduce((n, x) => n + x, 0);
  const target = Math.ceil(q * count);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= target) return (i + 1) / 10;
  }
  return Infinity;
}

function merge(histograms: readonly (readonly number[] | undefined)[]): number[] {
  const present = histograms.filter((h): h is readonly number[] => h !== undefined);
  const out = new Array(present[0]?.length ?? 0).fill(0);
  for (const h of present) h.forEach((n, i) => (out[i] += n));
  return out;
}

/** Merged reports: totals, and percentiles (ms) of the main histogram and the poll-time one. */
export function summarize(reports: readonly LoadReport[]): {
  count: number;
  seconds: number;
  messages: number;
  bytes: number;
  cpuSeconds: number;
  errors: number;
  connected: number;
  p: (q: number) => number;
  pFromPoll: (q: number) => number;
} {
  const histogram = merge(reports.map((r) => r.histogram));
  const fromPoll = merge(reports.map((r) => r.fromPoll));
  const sum = (f: (r: LoadReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    count: sum((r) => r.count),
    seconds: Math.max(...reports.map((r) => r.seconds)),
    messages: sum((r) => r.messages),
    bytes: sum((r) => r.bytes),
    cpuSeconds: sum((r) => r.cpuSeconds),
    errors: sum((r) => r.errors),
    connected: sum((r) => r.connected),
    p: (q) => percentile(histogram, q),
    pFromPoll: (q) => percentile(fromPoll, q),
  };
}
