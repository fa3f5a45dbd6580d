/**
 * Sink write throughput at the writer's two batch sizes, one batch in flight
 * (as the writer runs): 500 (`batchSize`, what a writer that keeps up sends)
 * and 5,000 (`maxBatchSize`, what a writer that fell behind sends). 200,000
 * values per iteration, 3,491 tags interleaved. SQLite in its worker thread;
 * PostgreSQL when its server binaries exist (a temporary server with fsync
 * on, as bench/sinks_bench.ts starts). Targets: SQLite ≥ 200,000 values/s,
 * PostgreSQL ≥ 100,000 values/s.
 *
 *   deno bench -A bench/sink_batch_bench.ts
 */
import type { Sample } from "../model/sample.ts";
import { PostgresSink } from "../sinks/postgres.ts";
import type { Sink } from "../sinks/sink.ts";
import { SqliteSink } from "../sinks/sqlite.ts";
import { findPostgresBin, POSTGRES_MISSING, startTestPostgres } from "../sinks/testing_postgres.ts";

const TAGS = 3491;
const VALUES = 200_000;
const T0 = Date.UTC(2025, 0, 6);
const rates = new Map<string, number[]>();
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

async function timed(name: string, sink: Sink, size: number, b: Deno.BenchContext) {
  const data = batches(size);
  b.start();
  const t = performance.now();
  for (const batch of data) await sink.write(batch);
  const seconds = (performance.now() - t) / 1000;
  b.end();
  rates.set(name, [...(rates.get(name) ?? []), VALUES / seconds]);
}

const dir = await Deno.makeTempDir({ prefix: "jsscada_sink_batch_" });
const sqlite = await SqliteSink.open({ path: `${dir}/history.db`, maintenanceIntervalMs: 0 });
const pgBin = findPostgresBin();
if (pgBin === undefined) console.warn(`\n⚠ ${POSTGRES_MISSING}\n`);
const pg = pgBin === undefined ? undefined : await startTestPostgres({ durable: true });
const pgSink = pg ? new PostgresSink({ url: pg.url }) : undefined;

globalThis.addEventListener("unload", () => {
  console.log("\nvalues/s, mean and best of the iterations (200,000 values, 1 batch in flight):");
  for (const [name, r] of rates) {
    const mean = r.length / r.reduce((sum, rate) => sum + 1 / rate, 0);
    const fmt = (n: number) => Math.round(n).toLocaleString("en").padStart(10);
    console.log(`  ${name.padEnd(36)} mean ${fmt(mean)}   best ${fmt(Math.max(...r))}`);
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
  Deno.bench({
    name: `postgres write 200k values in batches of ${size}`,
    group: "postgres",
    ignore: pgSink === undefined,
    n: 3,
    warmup: 1,
    fn: async (b) => await timed(`postgres, batches of ${size}`, pgSink!, size, b),
  });
}
