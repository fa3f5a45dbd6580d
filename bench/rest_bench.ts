/**
 * REST latency of the live API: p50, p95 and p99 from request to the last
 * byte of the answer, at 10, 50 and 100 concurrent clients, on
 * GET /api/v1/values (every tag of the sample plant, 3,491 values, and one
 * group's 114) and GET /api/v1/runtime. Target: p95 < 10 ms.
 *
 * Processes as in ws_bench.ts: the gateway (bench/live_child.ts, rate limit
 * off since the load is one user's), the fixture PLCs in their own process,
 * and the clients in another (bench/live_load.ts), each client sending its
 * next request as soon as the last answer is in (closed loop: at saturation
 * the latency is the queue, concurrency ÷ throughput) — or, with
 * `JSSCADA_BENCH_PACE_MS=N`, one request every N ms (a dashboard's poll).
 * Every request carries a bearer token, so authentication is in the figure.
 *
 *   deno bench -A bench/rest_bench.ts
 *
 * `JSSCADA_BENCH_PIN=1` pins the gateway to CPU 0 and the rest to CPU 1;
 * `JSSCADA_BENCH_SECONDS` (default 5) is the measured time per iteration.
 */
import {
  type LivePlacement,
  type LoadReport,
  machine,
  runLoad,
  serveGateway,
  summarize,
} from "./live_rig.ts";

const SECONDS = Number(Deno.env.get("JSSCADA_BENCH_SECONDS") ?? 5);
const PACE = Number(Deno.env.get("JSSCADA_BENCH_PACE_MS") ?? 0);
const PIN = Deno.env.get("JSSCADA_BENCH_PIN") === "1";
const CONCURRENCY = (Deno.env.get("JSSCADA_BENCH_REST_CLIENTS") ?? "10,50,100").split(",")
  .map(Number);
const PATHS = ["/api/v1/values", "/api/v1/values?group=PRESS_MOTION", "/api/v1/runtime"];
const placement: LivePlacement = {
  fixture: Deno.env.get("JSSCADA_BENCH_FIXTURE") === "in-process" ? "in-process" : "external",
  ...(PIN ? { gatewayCpus: "0", otherCpus: "1" } : {}),
};

const gateway = await serveGateway(placement);
const runs = new Map<string, { reports: LoadReport[]; cpu: number; wall: number }>();

for (const path of PATHS) {
  for (const clients of CONCURRENCY) {
    Deno.bench({
      name: `GET ${path}, ${clients} concurrent clients`,
      group: path,
      n: 1,
      warmup: 0,
      async fn(b) {
        const cpu0 = await gateway.cpu();
        const t0 = performance.now();
        b.start();
        const reports = await runLoad(
          [
            ...["--mode", "rest", "--base", gateway.base, "--token", gateway.token],
            ...["--path", path, "--clients", String(clients), "--pace-ms", String(PACE)],
            ...["--warmup", "1", "--seconds", String(SECONDS)],
          ],
          1,
          placement.otherCpus,
        );
        b.end();
        const key = `${path}|${clients}`;
        const run = runs.get(key) ?? { reports: [], cpu: 0, wall: 0 };
        run.reports.push(...reports);
        run.cpu += (await gateway.cpu()) - cpu0;
        run.wall += (performance.now() - t0) / 1000;
        runs.set(key, run);
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  const rows = [...runs].map(([key, run]) => {
    const [path, clients] = key.split("|");
    const s = summarize(run.reports);
    const seconds = s.seconds * run.reports.length;
    return `| \`${path}\` | ${clients} | ${s.p(0.5).toFixed(1)} | ${s.p(0.95).toFixed(1)} | ${
      s.p(0.99).toFixed(1)
    } | ${Math.round(s.count / seconds).toLocaleString("en")} | ${
      Math.round(s.bytes / s.messages / 1000)
    } | ${(run.cpu / run.wall).toFixed(2)} | ${
      (s.cpuSeconds / seconds).toFixed(2)
    } | ${s.errors} |`;
  });
  console.log(
    [
      "",
      `REST latency on ${machineText}; fixture PLCs ${placement.fixture}, ` +
      (PACE ? `each client one request every ${PACE} ms` : "closed loop") +
      `, ${SECONDS} s measured per iteration` +
      (PIN ? "; gateway on CPU 0, fixture and clients on CPU 1" : "; not pinned"),
      "| endpoint | clients | p50 ms | p95 ms | p99 ms | requests/s | KB per answer | " +
      "gateway cores busy | client cores busy | errors |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n"),
  );
  try {
    Deno.kill(gateway.pid, "SIGKILL");
  } catch { /* gone */ }
});

const machineText = await machine();
