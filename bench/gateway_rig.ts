/**
 * The test rig of the runtime benchmarks: fixture PLCs and the gateway each
 * in their own process (optionally pinned to CPUs with `taskset`), and the
 * process's CPU time, per-thread CPU time and RSS read from /proc, so that
 * what the gateway costs is measured apart from what the fixture costs.
 */
import type { FixtureProfile } from "../fixtures/profile.ts";
import type { ChildStatus } from "./gateway_child.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CHILD = new URL("./gateway_child.ts", import.meta.url).pathname;

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (CLK_TCK) that /proc/<pid>/stat counts in. */
export async function clockTicks(): Promise<number> {
  if (ticksPerSecond === undefined) {
    try {
      const out = await new Deno.Command("getconf", { args: ["CLK_TCK"] }).output();
      ticksPerSecond = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function statTimes(text: string): { user: number; system: number } {
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** CPU seconds (user + system, every thread) a process has used so far. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const t = statTimes(await Deno.readTextFile(`/proc/${pid}/stat`));
  return (t.user + t.system) / await clockTicks();
}

/** CPU seconds per thread name (threads of one name summed): `deno` is the main thread. */
export async function threadCpuSeconds(pid: number): Promise<Record<string, number>> {
  const hz = await clockTicks();
  const out: Record<string, number> = {};
  for await (const e of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const name = (await Deno.readTextFile(`/proc/${pid}/task/${e.name}/comm`)).trim();
      const t = statTimes(await Deno.readTextFile(`/proc/${pid}/task/${e.name}/stat`));
      out[name] = (out[name] ?? 0) + (t.user + t.system) / hz;
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

/** CPU seconds every CPU of the machine has been busy (not idle or iowait) since boot: /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/)
    .slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / await clockTicks();
}

/**
 * Resident memory now and its peak, MB (VmRSS and VmHWM of /proc/<pid>/status),
 * split into anonymous memory (heaps, caches) and file pages (mostly the
 * mapped `deno` executable, shared with other Deno processes).
 */
export async function processRssMb(
  pid: number,
): Promise<{ rss: number; peak: number; anon: number; file: number }> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (key: string) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]);
  return {
    rss: kb("VmRSS") / 1024,
    peak: kb("VmHWM") / 1024,
    anon: kb("RssAnon") / 1024,
    file: kb("RssFile") / 1024,
  };
}

/** How a child process runs. */
export interface Placement {
  /** A `taskset` CPU list such as "0" or "1"; default anywhere. */
  readonly cpus?: string;
  /** Extra flags for `deno run`, such as `--cpu-prof`. */
  readonly denoFlags?: readonly string[];
}

function command(args: string[], where: Placement): Deno.Command {
  const deno = [Deno.execPath(), "run", "-A", ...(where.denoFlags ?? []), ...args];
  const [cmd, ...rest] = where.cpus ? ["taskset", "-c", where.cpus, ...deno] : deno;
  return new Deno.Command(cmd, { args: rest, stdin: "piped", stdout: "piped", stderr: "inherit" });
}

/** Reads a child's stdout line by line. */
function lineReader(stream: ReadableStream<Uint8Array>): () => Promise<string | undefined> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  return async () => {
    for (;;) {
      const nl = pending.indexOf("\n");
      if (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      pending += value;
    }
  };
}

/** Fixture PLCs in another process. */
export interface FixtureProcess {
  readonly pid: number;
  /** Port of each PLC, by code. */
  readonly ports: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** Starts `main.ts fixture-plc --profile` with this profile; resolves once every PLC listens. */
export async function spawnFixture(
  profile: FixtureProfile,
  where: Placement = {},
): Promise<FixtureProcess> {
  const file = await Deno.makeTempFile({ prefix: "jsscada_profile_", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(profile));
  const child = command([MAIN, "fixture-plc", "--profile", file], where).spawn();
  const next = lineReader(child.stdout);
  const ports: Record<string, number> = {};
  while (Object.keys(ports).length < profile.plcs.length) {
    const line = await next();
    if (line === undefined) throw new Error("the fixture PLCs exited before listening");
    const m = line.match(/^fixture PLC (\S+) listening on [^:]+:(\d+)/);
    if (m) ports[m[1]] = Number(m[2]);
  }
  // Keep draining its output so that it never blocks on a full pipe.
  (async () => {
    while (await next() !== undefined);
  })();
  return {
    pid: child.pid,
    ports,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await child.stdin.close().catch(() => {});
      await Deno.remove(file).catch(() => {});
    },
  };
}

/** The gateway in another process (bench/gateway_child.ts). */
export interface GatewayProcess {
  readonly pid: number;
  /** One status snapshot, read over the status pipe. */
  status(): Promise<ChildStatus>;
  /** A status snapshot after a full garbage collection (the child needs `--expose-gc`). */
  statusAfterGc(): Promise<ChildStatus>;
  /** Writes a V8 heap snapshot of the gateway's main isolate to `path`. */
  heapSnapshot(path: string): Promise<ChildStatus>;
  /** Graceful stop; resolves with what the gateway reported. */
  stop(): Promise<{ ms: number; clean: boolean }>;
}

/** Starts bench/gateway_child.ts with these arguments; resolves once it runs. */
export async function spawnGateway(
  args: string[],
  where: Placement = {},
): Promise<GatewayProcess> {
  const child = command([CHILD, ...args], where).spawn();
  const next = lineReader(child.stdout);
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const ready = await next();
  if (!ready?.includes('"ready"')) throw new Error(`the gateway did not start: ${ready}`);
  let queue = Promise.resolve<unknown>(undefined);
  const ask = <T>(line: string): Promise<T> => {
    const answer = queue.then(async () => {
      await writer.write(encoder.encode(line + "\n"));
      const reply = await next();
      if (reply === undefined) throw new Error("the gateway exited");
      return JSON.parse(reply) as T;
    });
    queue = answer.catch(() => {});
    return answer;
  };
  return {
    pid: child.pid,
    status: () => ask<ChildStatus>("status"),
    statusAfterGc: () => ask<ChildStatus>("gc"),
    heapSnapshot: (path) => ask<ChildStatus>(`snapshot ${path}`),
    async stop() {
      const report = await ask<{ ms: number; clean: boolean }>("stop");
      await writer.close().catch(() => {});
      await child.status;
      return report;
    },
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The machine, for the report: CPUs, CPU model, Deno version. */
export async function machine(): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  return `${navigator.hardwareConcurrency} CPUs (${model}), Deno ${Deno.version.deno}, ` +
    `V8 ${Deno.version.v8}, ${Deno.build.os}/${Deno.build.arch}`;
}
