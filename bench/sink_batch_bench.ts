/**
 * Sink write throughput at the writer's two batch sizes, one batch in flight
 * (as the writer runs): 500 (`batchSize`, what a writer that keeps up sends)
 * and 5,000 (`maxBatchSize`, what a writer that fell behind sends). 200,000
 * values per iteration, 3,491 tags interleaved. SQLite in its worker thread;
 * PostgreSQL when its server binaries exist (a temporary server with fsync
 * on, as bench/sinks_bench.ts starts): the sink as it runs (binary COPY) and
 * with `copy: false` (the ON CONFLICT upsert alone, what every batch cost
 * before COPY), iterations interleaved so that both see the same machine.
 * For PostgreSQL it also prints CPU-seconds per 100,000 values of this
 * process and of the server: on a shared machine those move far less than
 * values/s. Targets: SQLite ≥ 200,000 values/s, PostgreSQL ≥ 250,000 values/s.
 *
 *   deno bench -A bench/sink_batch_bench.ts
 *   deno bench -A --filter postgres bench/sink_batch_bench.ts   # PostgreSQL only
 */
import type { Sample } from "../model/sample.ts";
import { PostgresSink } from "../sinks/postgres.ts";
import type { Sink } from "../sinks/sink.ts";
import { SqliteSink } from "../sinks/sqlite.ts";
import { findPostgresBin, POSTGRES_MISSING, startTestPostgres } from "../sinks/testing_postgres.ts";
import postgres from "postgres";
import { ownCpu, type ServerCpu, serverCpu } from "./pg_cpu.ts";

const TAGS = 3491;
const VALUES = 200_000;
const T0 = Date.UTC(2025, 0, 6);
const rates = new Map<string, number[]>();
/** CPU-seconds per 100,000 values: [this process, the PostgreSQL server], per iteration. */
const cpu = new Map<string, Array<[number, number]>>();
let nextTs = T0;

function batches(size: number): Sample[][] {
  const out: Sample[][] = [];
  const base = nextTs;
  for (let i = 0; i < VALUES; i += size) {
    const b: Sample[] = [];
    for (let k = i; k < Math.min(VALUES, i + size); k++) {
      b.push({
        tagId: k % TAGS,
        ts: base + Math.floor(k / TAGS) * 1000,
        value: Math.sin(k),
        quality: "good",
      });
    }
    out.push(b);
  }
  nextTs = base + Math.ceil(VALUES / TAGS) * 1000;
  return out;
}

async function timed(
  name: string,
  sink: Sink,
  size: number,
  b: Deno.BenchContext,
  server?: ServerCpu,
) {
  const data = batches(size);
  const own0 = ownCpu();
  const server0 = server?.() ?? 0;
  b.start();
  const t = performance.now();
  for (const batch of data) await sink.write(batch);
  const seconds = (performance.now() - t) / 1000;
  b.end();
  rates.set(name, [...(rates.get(name) ?? []), VALUES / seconds]);
  if (server) {
    const per = 100_000 / VALUES;
    const sample: [number, number] = [(ownCpu() - own0) * per, (server() - server0) * per];
    cpu.set(name, [...(cpu.get(name) ?? []), sample]);
  }
}

const dir = await Deno.makeTempDir({ prefix: "jsscada_sink_batch_" });
const sqlite = await SqliteSink.open({ path: `${dir}/history.db`, maintenanceIntervalMs: 0 });
const pgBin = findPostgresBin();
if (pgBin === undefined) console.warn(`\n⚠ ${POSTGRES_MISSING}\n`);
const pg = pgBin === undefined ? undefined : await startTestPostgres({ durable: true });
const pgSink = pg ? new PostgresSink({ url: pg.url }) : undefined;
const pgUpsert = pg ? new PostgresSink({ url: pg.url, table: "upserted", copy: false }) : undefined;
const pgAdmin = pg ? postgres(pg.url, { max: 1, onnotice: () => {} }) : undefined;
const pgCpu = pgAdmin ? await serverCpu(pgAdmin) : undefined;
await pgAdmin?.end();

globalThis.addEventListener("unload", () => {
  console.log("\nvalues/s, mean and best of the iterations (200,000 values, 1 batch in flight):");
  for (const [name, r] of rates) {
    const mean = r.length / r.reduce((sum, rate) => sum + 1 / rate, 0);
    const fmt = (n: number) => Math.round(n).toLocaleString("en").padStart(10);
    console.log(`  ${name.padEnd(44)} mean ${fmt(mean)}   best ${fmt(Math.max(...r))}`);
  }
  if (cpu.size > 0) {
    console.log("\nCPU-seconds per 100,000 values, median of the iterations (Deno / PostgreSQL):");
    for (const [name, samples] of cpu) {
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const own = median(samples.map((s) => s[0]));
      const server = median(samples.map((s) => s[1]));
      console.log(
        `  ${name.padEnd(44)} ${own.toFixed(3)} / ${server.toFixed(3)}   ` +
          `(all-CPU ceiling ${Math.round(100_000 / (own + server)).toLocaleString("en")} values/s)`,
      );
    }
  }
  pg?.cleanupSync();
  Deno.removeSync(dir, { recursive: true });
});

for (const size of [500, 5000]) {
  Deno.bench({
    name: `sqlite write 200k values in batches of ${size}`,
    group: "sqlite",
    n: 5,
    warmup: 1,
    fn: async (b) => await timed(`sqlite, batches of ${size}`, sqlite, size, b),
  });
  // One bench per batch size runs both methods in turn, so that a burst of
  // other load on the machine hits both alike.
  let turn = 0;
  Deno.bench({
    name: `postgres write 200k values in batches of ${size}: COPY, then upsert alone`,
    group: "postgres",
    ignore: pgSink === undefined,
    n: 6,
    warmup: 2,
    fn: async (b) =>
      await (turn++ % 2 === 0
        ? timed(`postgres COPY, batches of ${size}`, pgSink!, size, b, pgCpu)
        : timed(`postgres upsert alone, batches of ${size}`, pgUpsert!, size, b, pgCpu)),
  });
}
