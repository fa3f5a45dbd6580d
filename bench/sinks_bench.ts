/**
 * Historian sink throughput: 200,000 values per iteration in batches of 500
 * (the writer's default), 3,491 tags interleaved as the sample plant's
 * pollers emit them, each batch awaited before the next. Targets: SQLite ≥
 * 200,000 values/s, PostgreSQL ≥ 250,000 values/s (binary COPY; the upsert
 * alone is compared in bench/sink_batch_bench.ts). Also SQLite compaction
 * and one-week trend queries (604,800 samples of one tag, 1,000 points).
 *
 * SQLite always runs; PostgreSQL when its server binaries exist (a temporary
 * server is started here, with production durability: fsync on); Oracle only
 * through the fake pool, which measures our bind building and bookkeeping,
 * NOT an Oracle database. A values/s summary is printed at the end.
 */
import type { Sample } from "../model/sample.ts";
import { OracleSink } from "../sinks/oracle.ts";
import { PostgresSink } from "../sinks/postgres.ts";
import type { HistorySource, Sink } from "../sinks/sink.ts";
import { SqliteSink } from "../sinks/sqlite.ts";
import { FakeOraclePool } from "../sinks/testing_oracle.ts";
import { findPostgresBin, POSTGRES_MISSING, startTestPostgres } from "../sinks/testing_postgres.ts";

const TAGS = 3491;
const VALUES = 200_000;
const BATCH = 500;
const WEEK_S = 7 * 86_400;
const T0 = Date.UTC(2025, 0, 6);
const rates = new Map<string, number[]>();
let nextTs = T0;

/** 400 batches of 500 samples at fresh timestamps (so no iteration replays another). */
function batches(): Sample[][] {
  const out: Sample[][] = [];
  const base = nextTs;
  for (let i = 0; i < VALUES; i += BATCH) {
    const b: Sample[] = [];
    for (let k = i; k < i + BATCH; k++) {
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

async function timedWrites(
  name: string,
  sink: Sink,
  b: Deno.BenchContext,
  inFlight = 1,
): Promise<void> {
  const data = batches();
  b.start();
  const t = performance.now();
  const lanes = Array.from({ length: inFlight }, async (_, lane) => {
    for (let i = lane; i < data.length; i += inFlight) await sink.write(data[i]);
  });
  await Promise.all(lanes);
  const seconds = (performance.now() - t) / 1000;
  b.end();
  rates.set(name, [...(rates.get(name) ?? []), VALUES / seconds]);
}

async function loadWeek(sink: Sink, tagId: number): Promise<void> {
  for (let i = 0; i < WEEK_S; i += 5000) {
    const b: Sample[] = [];
    for (let k = i; k < Math.min(WEEK_S, i + 5000); k++) {
      b.push({ tagId, ts: T0 + k * 1000, value: Math.sin(k / 100), quality: "good" });
    }
    await sink.write(b);
  }
}

const dir = await Deno.makeTempDir({ prefix: "jsscada_bench_" });
const sqliteWorker = await SqliteSink.open({ path: `${dir}/worker.db`, maintenanceIntervalMs: 0 });
const sqliteInline = await SqliteSink.open({
  path: `${dir}/inline.db`,
  maintenanceIntervalMs: 0,
  worker: false,
});
const sqliteWeek = await SqliteSink.open({ path: `${dir}/week.db`, maintenanceIntervalMs: 0 });
await loadWeek(sqliteWeek, 1);
while (await sqliteWeek.compact(250_000, T0 + WEEK_S * 1000) > 0);

const pgBin = findPostgresBin();
if (pgBin === undefined) console.warn(`\n⚠ ${POSTGRES_MISSING}\n`);
const pg = pgBin === undefined ? undefined : await startTestPostgres({ durable: true });
const pgSink = pg ? new PostgresSink({ url: pg.url }) : undefined;
const pgWeek = pg ? new PostgresSink({ url: pg.url, table: "week" }) : undefined;
if (pgWeek) await loadWeek(pgWeek, 1);

const oraclePool = new FakeOraclePool();
oraclePool.record = false;
const oracle = new OracleSink({ pool: oraclePool });

globalThis.addEventListener("unload", () => {
  console.log("\nvalues/s, mean and best of the iterations (200,000 values in batches of 500):");
  for (const [name, r] of rates) {
    const mean = r.length / r.reduce((sum, rate) => sum + 1 / rate, 0); // mean time → rate
    const fmt = (n: number) => Math.round(n).toLocaleString("en").padStart(10);
    console.log(`  ${name.padEnd(52)} mean ${fmt(mean)}   best ${fmt(Math.max(...r))}`);
  }
  pg?.cleanupSync();
  Deno.removeSync(dir, { recursive: true });
});

Deno.bench({
  name: "sqlite write 200k values (worker thread)",
  group: "write",
  baseline: true,
  n: 5,
  warmup: 1,
  fn: async (b) => await timedWrites("sqlite write (worker thread)", sqliteWorker, b),
});
Deno.bench({
  name: "sqlite write 200k values (inline, blocks the event loop)",
  group: "write",
  n: 5,
  warmup: 1,
  fn: async (b) => await timedWrites("sqlite write (inline)", sqliteInline, b),
});
Deno.bench({
  name: "sqlite compaction of 200k values into day tables (worker)",
  group: "write",
  n: 5,
  warmup: 1,
  fn: async (b) => {
    const data = batches();
    for (const batch of data) await sqliteWorker.write(batch);
    b.start();
    const t = performance.now();
    let moved = 0;
    for (let m; (m = await sqliteWorker.compact(250_000, nextTs)) > 0;) moved += m;
    b.end();
    rates.set("sqlite compaction (rows/s, off the write path)", [
      ...(rates.get("sqlite compaction (rows/s, off the write path)") ?? []),
      moved / ((performance.now() - t) / 1000),
    ]);
  },
});
Deno.bench({
  name: "postgres write 200k values (binary COPY, fsync on)",
  group: "write",
  ignore: pgSink === undefined,
  n: 3,
  warmup: 1,
  fn: async (b) => await timedWrites("postgres write (1 batch in flight)", pgSink!, b),
});
Deno.bench({
  name: "postgres write 200k values, 2 batches in flight",
  group: "write",
  ignore: pgSink === undefined,
  n: 3,
  warmup: 1,
  fn: async (b) => await timedWrites("postgres write (2 batches in flight)", pgSink!, b, 2),
});
Deno.bench({
  name: "oracle FAKE pool: bind building only, not a database",
  group: "write",
  n: 5,
  warmup: 1,
  fn: async (b) => await timedWrites("oracle FAKE pool (bind building, not a database)", oracle, b),
});

const trend = (sink: Sink & HistorySource) => () => sink.history(1, T0, T0 + WEEK_S * 1000, 1000);
Deno.bench({
  name: "sqlite history: 1 week of 1 s data, 1,000 points",
  group: "history",
  baseline: true,
  n: 10,
  fn: async () => void await trend(sqliteWeek)(),
});
Deno.bench({
  name: "postgres history: 1 week of 1 s data, 1,000 points",
  group: "history",
  ignore: pgWeek === undefined,
  n: 10,
  fn: async () => void await trend(pgWeek!)(),
});
Deno.bench({
  name: "sqlite samples: first 1,000 of a week",
  group: "history",
  n: 10,
  fn: async () => void await sqliteWeek.samples(1, T0, T0 + WEEK_S * 1000, 1000),
});
