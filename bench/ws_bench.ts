/**
 * WebSocket fan-out: the delay from a value's arrival at the gateway to its
 * receipt by a client, p50 and p99, with 50, 500 and 1,000 clients each
 * subscribed to the whole sample plant (3,491 tags). Target: p99 < 50 ms at
 * 1,000 clients. Also reported: the delay from the value's poll time (the
 * tick it was read on), which adds the PLC read.
 *
 * Processes: the gateway (bench/live_child.ts: `startGateway` +
 * `startHttpServer` as `jsscada serve`, the hub stamping each value with its
 * arrival time `a`), the sample plant's fixture PLCs in their own process (as
 * real PLCs are other machines; `JSSCADA_BENCH_FIXTURE=in-process` puts them
 * in the gateway as `deno task start` does), and the clients in
 * `JSSCADA_BENCH_WS_PROCS` processes (default 2, bench/live_load.ts). Each
 * iteration connects the clients, subscribes them to everything, waits 3 s
 * plus 1 s per 200 clients (each parses a 3,491-value snapshot first) and
 * measures for `JSSCADA_BENCH_SECONDS` (default 5); deno bench runs a few
 * iterations and the table merges them. Delays are receipt time minus `a`
 * (or `t`) on the one wall clock of this machine, taken when the client's
 * event loop gets the frame.
 *
 * The same client processes are then run against bench/ws_floor_server.ts, a
 * server that only sends a frame of the same shape to every socket every
 * 100 ms: the "floor" rows are what the clients' own event loops (hundreds
 * of simulated browsers share one process) and Deno's WebSocket transport
 * add on this machine, apart from JSScada.
 *
 *   deno bench -A bench/ws_bench.ts
 *
 * `JSSCADA_BENCH_PIN=1` pins the gateway (and the floor server) to CPU 0 and
 * the fixture and clients to CPU 1.
 */
import {
  type LivePlacement,
  type LoadReport,
  machine,
  runLoad,
  serveFloor,
  serveGateway,
  summarize,
} from "./live_rig.ts";

const SECONDS = Number(Deno.env.get("JSSCADA_BENCH_SECONDS") ?? 5);
const PROCS = Number(Deno.env.get("JSSCADA_BENCH_WS_PROCS") ?? 2);
const PIN = Deno.env.get("JSSCADA_BENCH_PIN") === "1";
const CLIENTS = (Deno.env.get("JSSCADA_BENCH_WS_CLIENTS") ?? "50,500,1000").split(",").map(Number);
const GATHER = Deno.env.get("JSSCADA_BENCH_GATHER_MS");
const placement: LivePlacement = {
  fixture: Deno.env.get("JSSCADA_BENCH_FIXTURE") === "in-process" ? "in-process" : "external",
  ...(PIN ? { gatewayCpus: "0", otherCpus: "1" } : {}),
  ...(GATHER ? { gatherMs: Number(GATHER) } : {}),
};

/** Seconds between subscribing and measuring: every client parses a 3,491-value snapshot first. */
const warmup = (clients: number) => 3 + Math.ceil(clients / 200);

interface Run {
  reports: LoadReport[];
  cpu: number;
  wall: number;
  replaced: number;
  /** The gateway's own send latency histogram over the runs (cumulative count per bound, s). */
  send: Map<number, number>;
}

/** The delta of two cumulative histograms. */
function histogramDelta(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  return new Map([...b].map(([le, n]) => [le, n - (a.get(le) ?? 0)]));
}

/** The bound (ms) under which fraction `q` of a cumulative histogram's observations lie. */
function histogramQuantileMs(h: Map<number, number>, q: number): string {
  const total = h.get(Infinity) ?? 0;
  if (total === 0) return "—";
  for (const [le, n] of [...h].sort((x, y) => x[0] - y[0])) {
    if (n >= q * total) return le === Infinity ? "> 1000" : `≤ ${le * 1000}`;
  }
  return "—";
}

const gateway = await serveGateway(placement);
let floor: { base: string; stop(): Promise<void> } | undefined;
const runs = new Map<number, Run>();
const floorRuns = new Map<number, Run>();

/** One iteration of `clients` clients against `base`. */
async function measure(base: string, token: string, clients: number): Promise<LoadReport[]> {
  const procs = Math.min(PROCS, clients);
  return await runLoad(
    [
      ...["--mode", "ws", "--base", base, "--token", token],
      ...["--clients", String(Math.ceil(clients / procs)), "--warmup", String(warmup(clients))],
      ...["--seconds", String(SECONDS)],
    ],
    procs,
    placement.otherCpus,
  );
}

for (const clients of CLIENTS) {
  Deno.bench({
    name: `WebSocket fan-out of the whole sample plant to ${clients} clients`,
    n: 1,
    warmup: 0,
    async fn(b) {
      const cpu0 = await gateway.cpu();
      const replaced0 = await gateway.metric("jsscada_ws_replaced_updates_total");
      const send0 = await gateway.histogram("jsscada_ws_send_latency_seconds");
      const t0 = performance.now();
      b.start();
      const reports = await measure(gateway.base, gateway.token, clients);
      b.end();
      const run = runs.get(clients) ??
        { reports: [], cpu: 0, wall: 0, replaced: 0, send: new Map() } as Run;
      run.reports.push(...reports);
      const send = histogramDelta(
        send0,
        await gateway.histogram("jsscada_ws_send_latency_seconds"),
      );
      for (const [le, n] of send) run.send.set(le, (run.send.get(le) ?? 0) + n);
      run.cpu += (await gateway.cpu()) - cpu0;
      run.wall += (performance.now() - t0) / 1000;
      run.replaced += (await gateway.metric("jsscada_ws_replaced_updates_total")) - replaced0;
      runs.set(clients, run);
    },
  });
}

for (const clients of CLIENTS) {
  Deno.bench({
    name: `floor: a server that only sends, to ${clients} clients`,
    n: 1,
    warmup: 0,
    async fn(b) {
      if (!floor) {
        await gateway.stop();
        floor = await serveFloor(placement);
      }
      b.start();
      const reports = await measure(floor.base, "none", clients);
      b.end();
      const run = floorRuns.get(clients) ??
        { reports: [], cpu: 0, wall: 0, replaced: 0, send: new Map() } as Run;
      run.reports.push(...reports);
      floorRuns.set(clients, run);
    },
  });
}

function row(clients: number, run: Run, floorRow: boolean): string {
  const s = summarize(run.reports);
  const iterations = run.reports.length / Math.min(PROCS, clients);
  const seconds = s.seconds * iterations;
  const connected = s.connected / iterations;
  const cells = [
    `${floorRow ? "floor, " : ""}${clients.toLocaleString("en")}`,
    String(connected),
    floorRow ? "—" : histogramQuantileMs(run.send, 0.99),
    s.p(0.5).toFixed(1),
    s.p(0.99).toFixed(1),
    floorRow ? "—" : s.pFromPoll(0.5).toFixed(1),
    floorRow ? "—" : s.pFromPoll(0.99).toFixed(1),
    Math.round(s.count / seconds).toLocaleString("en"),
    (s.messages / seconds / connected).toFixed(1),
    (s.bytes / seconds / 1e6).toFixed(1),
    floorRow ? "—" : (run.cpu / run.wall).toFixed(2),
    (s.cpuSeconds / seconds).toFixed(2),
    floorRow ? "—" : String(run.replaced),
    String(s.errors),
  ];
  return `| ${cells.join(" | ")} |`;
}

globalThis.addEventListener("unload", () => {
  console.log(
    [
      "",
      `WebSocket fan-out on ${machineText}; fixture PLCs ${placement.fixture}, ${PROCS} client ` +
      `processes, ${SECONDS} s measured per iteration` +
      (PIN ? "; gateway on CPU 0, fixture and clients on CPU 1" : "; not pinned"),
      "| clients | connected | server send p99 ms (arrival at the hub → last socket) | " +
      "arrival→receipt p50 ms | p99 ms | poll→receipt p50 ms | p99 ms | " +
      "values/s received (all clients) | frames/s per client | MB/s | gateway cores busy | " +
      "client cores busy | replaced | errors |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...[...runs].map(([clients, run]) => row(clients, run, false)),
      ...[...floorRuns].map(([clients, run]) => row(clients, run, true)),
    ].join("\n"),
  );
  try {
    Deno.kill(gateway.pid, "SIGKILL");
  } catch { /* gone */ }
});

const machineText = await machine();
