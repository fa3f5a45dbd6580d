import assert from "node:assert/strict";
import postgres from "postgres";
import type { Sample } from "../model/sample.ts";
import { BASE_TS, byKey, grid, runSinkConformance } from "./conformance.ts";
import { decodeSample } from "./codes.ts";
import { PostgresSink } from "./postgres.ts";
import { CLOSE_TIMEOUT_S } from "./sink.ts";
import { createTableSql } from "./postgres_sql.ts";
import {
  findPostgresBin,
  POSTGRES_MISSING,
  startTestPostgres,
  type TestPostgres,
} from "./testing_postgres.ts";

const missing = findPostgresBin() === undefined;
if (missing) console.warn(`\n⚠ ${POSTGRES_MISSING}\n`);

let server: TestPostgres | undefined;
let admin: postgres.Sql | undefined;
let tables = 0;

async function readTable(table: string): Promise<Sample[]> {
  const [{ exists }] = await admin!`select to_regclass(${table}) is not null as exists`;
  if (!exists) return [];
  const rows = await admin!.unsafe(
    `select tag_id, round(extract(epoch from ts) * 1000)::float8 as ms, kind, quality,
       num_value, text_value from ${table}`,
  );
  return byKey(
    rows.map((r) => decodeSample(r.tag_id, r.ms, r.kind, r.quality, r.num_value, r.text_value)),
  );
}

runSinkConformance(
  "postgres",
  () => {
    const table = `history_${++tables}`;
    const sink = new PostgresSink({ url: server!.url, table });
    return Promise.resolve({
      sink,
      readAll: () => readTable(table),
      failAt: async (s: Sample) => {
        await admin!.unsafe(createTableSql(table));
        await admin!.unsafe(`
          create function fail_${table}() returns trigger language plpgsql as $$
          begin
            if new.tag_id = ${s.tagId} and new.ts = timestamptz 'epoch' + ${s.ts} * interval '1 ms' then
              raise exception 'injected failure';
            end if;
            return new;
          end $$;
          create trigger fail before insert on ${table} for each row execute function fail_${table}();`);
        return async () => {
          await admin!.unsafe(`drop trigger fail on ${table}; drop function fail_${table}();`);
        };
      },
      cleanup: async () => {
        await sink.close();
        await admin!.unsafe(`drop table if exists ${table}`);
      },
    });
  },
  {
    ignore: missing,
    setup: async () => {
      server = await startTestPostgres();
      admin = postgres(server.url, { max: 1, onnotice: () => {} });
    },
    teardown: async () => {
      await admin?.end();
      await server?.cleanup();
    },
  },
);

runSinkConformance(
  "postgres (COPY)",
  () => {
    const table = `history_${++tables}`;
    const sink = new PostgresSink({ url: server!.url, table, copy: true });
    return Promise.resolve({
      sink,
      readAll: () => readTable(table),
      failAt: async (s: Sample) => {
        await admin!.unsafe(createTableSql(table));
        await admin!.unsafe(`
          create function fail_${table}() returns trigger language plpgsql as $$
          begin
            if new.tag_id = ${s.tagId} and new.ts = timestamptz 'epoch' + ${s.ts} * interval '1 ms' then
              raise exception 'injected failure';
            end if;
            return new;
          end $$;
          create trigger fail before insert on ${table} for each row execute function fail_${table}();`);
        return async () => {
          await admin!.unsafe(`drop trigger fail on ${table}; drop function fail_${table}();`);
        };
      },
      cleanup: async () => {
        await sink.close();
        await admin!.unsafe(`drop table if exists ${table}`);
      },
    });
  },
  {
    ignore: missing,
    setup: async () => {
      server = await startTestPostgres();
      admin = postgres(server.url, { max: 1, onnotice: () => {} });
    },
    teardown: async () => {
      await admin?.end();
      await server?.cleanup();
    },
  },
);

Deno.test({
  name: "postgres sink creates its table and BRIN index once, and survives an outage",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const url = await pg.createDatabase("plant");
    const sink = new PostgresSink({ url, table: "public.history", connectTimeoutSeconds: 2 });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const first = grid(1, 10, 10);
      await sink.write(first);
      const indexes =
        await sql`select indexname from pg_indexes where tablename = 'history' order by 1`;
      assert.deepEqual(indexes.map((r) => r.indexname), ["history_pkey", "history_ts_brin"]);

      await pg.stop();
      await assert.rejects(() => sink.write(grid(1, 10, 1, BASE_TS + 60_000)));
      assert.equal((await sink.health()).ok, false);
      await pg.start();
      assert.deepEqual(await sink.health(), { ok: true });
      const second = grid(1, 10, 10, BASE_TS + 60_000);
      await sink.write(second);
      await sink.write(first); // a replay after the outage
      const [{ n }] = await sql`select count(*)::int as n from history`;
      assert.equal(n, 200);
      assert.deepEqual(
        await sink.samples(3, 0, BASE_TS + 1e6, 1000),
        byKey([...first, ...second]).filter((s) => s.tagId === 3),
      );
    } finally {
      await sql.end();
      await sink.close();
      await pg.cleanup();
    }
  },
});

Deno.test({
  name: "postgres retention deletes old rows in bounded steps",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const sink = new PostgresSink({ url: pg.url });
    try {
      await sink.write(grid(1, 10, 30)); // 300 rows, 10 per second
      const steps = [];
      for (let n = -1; n !== 0;) steps.push(n = await sink.pruneOlderThan(BASE_TS + 20_000, 80));
      assert.deepEqual(steps, [80, 80, 40, 0]);
      assert.equal((await sink.samples(1, 0, BASE_TS + 1e6, 100)).length, 10);
    } finally {
      await sink.close();
      await pg.cleanup();
    }
  },
});

Deno.test("postgres sink refuses a table name that is not a plain identifier", () => {
  assert.throws(
    () => new PostgresSink({ url: "postgres://x@127.0.0.1:1/x", table: "h; drop" }),
    RangeError,
  );
});

Deno.test("postgres close cuts statements still running after CLOSE_TIMEOUT_S, so a hung database cannot stall a shutdown", async () => {
  // A server that accepts and never answers: the database hangs.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) conns.push(c);
    } catch { /* closed */ }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  const sink = new PostgresSink({ url: `postgres://x@127.0.0.1:${port}/x` });
  try {
    const probe = sink.health(); // waits for the startup reply that never comes
    while (conns.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    await sink.close();
    const ms = performance.now() - t0;
    assert.ok(ms < CLOSE_TIMEOUT_S * 1000 + 500, `close took ${Math.round(ms)} ms`);
    assert.equal((await probe).ok, false);
  } finally {
    await sink.close();
    listener.close();
    await accepting;
    for (const c of conns) c.close();
  }
});

Deno.test({
  name: "postgres sink stores new batches by COPY and a replay through the upsert, exactly once",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const sink = new PostgresSink({ url: pg.url, table: "h", copy: true });
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const first = grid(1, 20, 5);
      const later = grid(1, 20, 5, BASE_TS + 5_000);
      await sink.write(first);
      await sink.write(later);
      assert.deepEqual(sink.writeCounts, { copies: 2, upserts: 0 });

      await sink.write(first); // a replay: every (tag, ts) is stored
      const overlap = [...later.slice(50), ...grid(1, 20, 1, BASE_TS + 10_000)].map((s) => ({
        ...s,
        value: 42,
      }));
      await sink.write(overlap); // half stored, half new: last write wins
      assert.deepEqual(sink.writeCounts, { copies: 2, upserts: 2 });

      const [{ n }] = await sql`select count(*)::int as n from h`;
      assert.equal(n, 220);
      const expected = byKey([...first, ...later.slice(0, 50), ...overlap]);
      const tag3 = expected.filter((s) => s.tagId === 3);
      assert.deepEqual(await sink.samples(3, 0, BASE_TS + 1e6, 1000), tag3);
      const [{ open }] = await sql`select count(*)::int as open from pg_stat_activity
        where state like 'idle in transaction%'`;
      assert.equal(open, 0, "no transaction left open by a refused COPY");
    } finally {
      await sql.end();
      await sink.close();
      await pg.cleanup();
    }
  },
});

Deno.test({
  name: "postgres COPY keeps -0 and every double bit for bit; copy: false writes by the upsert",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const sink = new PostgresSink({ url: pg.url, table: "exact", copy: true });
    const upserting = new PostgresSink({ url: pg.url, table: "plain", copy: false });
    try {
      const values = [-0, 0.1 + 0.2, 5e-324, -1.7976931348623157e308, 1 / 3, NaN, -Infinity];
      const batch: Sample[] = values.map((value, i) => ({
        tagId: 1,
        ts: BASE_TS + i,
        value,
        quality: "good",
      }));
      await sink.write(batch);
      const back = (await sink.samples(1, 0, BASE_TS + 1e6, 100)).map((s) => s.value);
      values.forEach((v, i) => assert.ok(Object.is(back[i], v), `${back[i]} is ${v}`));

      await upserting.write(grid(1, 3, 3));
      await upserting.write(grid(1, 3, 3));
      assert.deepEqual(upserting.writeCounts, { copies: 0, upserts: 2 });
      assert.deepEqual(
        await upserting.samples(2, 0, BASE_TS + 1e6, 10),
        grid(1, 3, 3).filter((s) => s.tagId === 2),
      );
    } finally {
      await upserting.close();
      await sink.close();
      await pg.cleanup();
    }
  },
});

Deno.test({
  name:
    "postgres close cuts a COPY blocked inside the database within CLOSE_TIMEOUT_S, and the write rejects",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const sink = new PostgresSink({ url: pg.url, table: "locked", copy: true });
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    const lockPool = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      await sink.write(grid(1, 5, 1)); // creates the table
      const locker = await lockPool.reserve();
      await locker`begin`;
      await locker`lock table locked in access exclusive mode`;
      const write = sink.write(grid(1, 5, 1, BASE_TS + 60_000));
      const outcome = write.then(() => "stored", (e: Error) => `rejected: ${e.message}`);
      // Wait until the sink's COPY waits for the lock.
      for (;;) {
        const [{ n }] = await admin`select count(*)::int as n from pg_stat_activity
          where application_name = 'jsscada' and wait_event_type = 'Lock'`;
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const t0 = performance.now();
      await sink.close();
      const ms = performance.now() - t0;
      assert.ok(ms < CLOSE_TIMEOUT_S * 1000 + 500, `close took ${Math.round(ms)} ms`);
      assert.match(await outcome, /^rejected: /);
      await locker`rollback`;
      locker.release();
      const [{ n }] = await admin`select count(*)::int as n from locked`;
      assert.equal(n, 5, "the cut batch stored nothing");
    } finally {
      await sink.close();
      await admin.end();
      await lockPool.end();
      await pg.cleanup();
    }
  },
});

Deno.test({
  name:
    "postgres COPY connection killed by the server fails that write only; the next write reconnects",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    const sink = new PostgresSink({ url: pg.url, table: "killed", copy: true });
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    const lockPool = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      await sink.write(grid(1, 5, 1)); // creates the table
      const locker = await lockPool.reserve();
      await locker`begin`;
      await locker`lock table killed in access exclusive mode`;
      const write = sink.write(grid(1, 5, 1, BASE_TS + 60_000));
      const outcome = write.then(() => "stored", (e: Error) => `rejected: ${e.message}`);
      let pid: number | undefined;
      while (pid === undefined) {
        const rows = await admin`select pid from pg_stat_activity
          where application_name = 'jsscada' and wait_event_type = 'Lock'`;
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      await admin`select pg_terminate_backend(${pid})`;
      assert.match(await outcome, /^rejected: /);
      await locker`rollback`;
      locker.release();

      const later = grid(1, 5, 1, BASE_TS + 120_000);
      await sink.write(later);
      const [{ n }] = await admin`select count(*)::int as n from killed`;
      assert.equal(n, 10, "the first and the last batch, not the one cut");
      assert.equal(sink.writeCounts.copies, 2);
    } finally {
      await sink.close();
      await admin.end();
      await lockPool.end();
      await pg.cleanup();
    }
  },
});
