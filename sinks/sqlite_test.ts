import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Sample } from "../model/sample.ts";
import {
  assertBucketsEqual,
  BASE_TS,
  byKey,
  grid,
  runSinkConformance,
  type SinkHarness,
} from "./conformance.ts";
import { bucketize } from "./buckets.ts";
import { BUCKET_SCAN_POINTS } from "./sqlite_engine.ts";
import { decodeSample } from "./codes.ts";
import { SqliteSink, type SqliteSinkOptions } from "./sqlite.ts";
import {
  DAY_MS,
  dayOf,
  PARTITION_GLOB,
  partitionDdl,
  partitionName,
  RECENT,
} from "./sqlite_layout.ts";

const FUTURE = Date.UTC(2030, 0, 1);

/** Every table that holds history rows, read through a second connection. */
function tablesOf(db: DatabaseSync): string[] {
  const days = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ?`)
    .all(PARTITION_GLOB) as Array<{ name: string }>;
  return [...days.map((r) => r.name), RECENT];
}

function readAllRows(path: string): Sample[] {
  const db = new DatabaseSync(path);
  try {
    const out: Sample[] = [];
    for (const table of tablesOf(db)) {
      for (const r of db.prepare(`SELECT tag_id, ts, value, kind, quality FROM ${table}`).all()) {
        const v = r.value as number | string | null;
        out.push(
          decodeSample(
            r.tag_id as number,
            r.ts as number,
            r.kind as number,
            r.quality as number,
            typeof v === "number" ? v : null,
            typeof v === "string" ? v : null,
          ),
        );
      }
    }
    return byKey(out);
  } finally {
    db.close();
  }
}

function tableCounts(path: string): Record<string, number> {
  const db = new DatabaseSync(path);
  try {
    return Object.fromEntries(
      tablesOf(db).map((
        t,
      ) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get()!.n) as number]),
    );
  } finally {
    db.close();
  }
}

/**
 * A fresh sink in a temp dir (inline engine unless `worker`); `compacting`
 * moves everything into day tables after each write, so that rewrites take
 * the late path.
 */
async function harness(
  mode: { worker?: boolean; compacting?: boolean } = {},
  options: Partial<SqliteSinkOptions> = {},
): Promise<SinkHarness & { path: string; raw: SqliteSink }> {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_sqlite_" });
  const path = `${dir}/history.db`;
  const raw = await SqliteSink.open({
    path,
    worker: mode.worker ?? false,
    maintenanceIntervalMs: 0,
    ...options,
  });
  const sink: SinkHarness["sink"] = mode.compacting
    ? {
      kind: raw.kind,
      write: async (batch: readonly Sample[]) => {
        await raw.write(batch);
        await raw.compact(1e9, FUTURE);
      },
      health: () => raw.health(),
      close: () => raw.close(),
      samples: (...args) => raw.samples(...args),
      history: (...args) => raw.history(...args),
    }
    : raw;
  return {
    sink,
    raw,
    path,
    readAll: () => Promise.resolve(readAllRows(path)),
    failAt: (s) => {
      const db = new DatabaseSync(path);
      const tables = [RECENT, partitionName(dayOf(s.ts))];
      db.exec(partitionDdl(tables[1]));
      for (const t of tables) {
        db.exec(`CREATE TRIGGER fail_${t} BEFORE INSERT ON ${t} WHEN NEW.tag_id = ${s.tagId}
          AND NEW.ts = ${s.ts} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      }
      db.close();
      return Promise.resolve(() => {
        const db = new DatabaseSync(path);
        for (const t of tables) db.exec(`DROP TRIGGER fail_${t}`);
        db.close();
        return Promise.resolve();
      });
    },
    cleanup: async () => {
      await raw.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

runSinkConformance("sqlite (worker)", () => harness({ worker: true }));
runSinkConformance("sqlite (inline)", () => harness());
runSinkConformance("sqlite (compacted after every write)", () => harness({ compacting: true }));

Deno.test("sqlite history lives in its own WAL-mode file", async () => {
  const h = await harness();
  try {
    await h.sink.write(grid(1, 2, 2));
    const db = new DatabaseSync(h.path);
    assert.equal(db.prepare("PRAGMA journal_mode").get()!.journal_mode, "wal");
    db.close();
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite compaction moves recent rows into day tables and queries see the same", async () => {
  const h = await harness({}, { clock: () => FUTURE });
  try {
    const data = grid(1, 20, 120); // 23:59:00 → 00:00:59: two days
    await h.sink.write(data);
    const from = BASE_TS;
    const to = BASE_TS + 120_000;
    const before = [await h.raw.samples(3, from, to, 1000), await h.raw.history(3, from, to, 7)];
    assert.deepEqual(tableCounts(h.path), { [RECENT]: 2400 });
    assert.equal(await h.raw.compact(1e9), 2400);
    assert.deepEqual(tableCounts(h.path), {
      history_20240501: 1200,
      history_20240502: 1200,
      [RECENT]: 0,
    });
    assert.deepEqual(
      [await h.raw.samples(3, from, to, 1000), await h.raw.history(3, from, to, 7)],
      before,
    );
    assert.equal(await h.raw.compact(1e9), 0, "caught up");
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite compaction moves a bounded number of rows per call", async () => {
  const h = await harness({}, { clock: () => FUTURE });
  try {
    await h.sink.write(grid(1, 100, 30)); // 3,000 rows, 100 per timestamp
    await h.sink.write(grid(1, 3000, 1, BASE_TS + 60_000)); // one timestamp wider than the bound
    const moved: number[] = [];
    for (let n = await h.raw.compact(1000); n > 0; n = await h.raw.compact(1000)) moved.push(n);
    assert.deepEqual(moved, [1000, 1000, 1000, 3000], "a single timestamp moves whole");
    assert.equal(readAllRows(h.path).length, 6000);
    assert.equal(tableCounts(h.path)[RECENT], 0);
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite sample older than the watermark replaces the stored one in its day table", async () => {
  const h = await harness({}, { clock: () => FUTURE, sealLagMs: 0 });
  try {
    await h.sink.write(grid(1, 2, 3));
    await h.raw.compact();
    const late: Sample = { tagId: 2, ts: BASE_TS + 1000, value: "late", quality: "stale" };
    await h.sink.write([late]);
    assert.deepEqual(await h.raw.samples(2, BASE_TS, BASE_TS + 3000, 10), [
      { tagId: 2, ts: BASE_TS, value: Math.sin(1), quality: "good" },
      late,
      { tagId: 2, ts: BASE_TS + 2000, value: Math.sin(5), quality: "good" },
    ]);
    assert.equal(tableCounts(h.path)[RECENT], 0);
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite retention deletes the oldest whole day in bounded steps, then drops it", async () => {
  const day0 = dayOf(BASE_TS) * DAY_MS;
  const h = await harness({}, { clock: () => FUTURE });
  try {
    for (let d = 0; d < 3; d++) await h.sink.write(grid(1, 10, 25, day0 + d * DAY_MS));
    await h.raw.compact(1e9);
    const cutoff = day0 + 2 * DAY_MS + 5; // inside day 3: day 3 stays whole
    const steps = [];
    for (;;) {
      const r = await h.raw.pruneOlderThan(cutoff, 100);
      steps.push(r);
      if (!r.more) break;
    }
    assert.deepEqual(steps.map((s) => s.deleted), [100, 100, 50, 100, 100, 50]);
    assert.deepEqual(steps.flatMap((s) => s.dropped), ["history_20240501", "history_20240502"]);
    assert.deepEqual(Object.keys(tableCounts(h.path)), ["history_20240503", RECENT]);
    assert.equal((await h.raw.samples(1, 0, FUTURE, 100)).length, 25);
    assert.deepEqual(await h.raw.pruneOlderThan(cutoff, 100), {
      deleted: 0,
      dropped: [],
      more: false,
    });
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite built-in maintenance compacts and prunes on its timer and stops on close", async () => {
  const h = await harness({}, {
    clock: () => FUTURE,
    maintenanceIntervalMs: 5,
    maxRowsPerStep: 100,
    retentionDays: 365 * 10,
  });
  try {
    await h.sink.write(grid(1, 50, 10, BASE_TS + 55_000));
    for (let i = 0; i < 100 && tableCounts(h.path)[RECENT] > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(tableCounts(h.path), {
      history_20240501: 250,
      history_20240502: 250,
      [RECENT]: 0,
    });
  } finally {
    await h.cleanup();
  }
  const old = await harness({}, {
    clock: () => FUTURE,
    maintenanceIntervalMs: 5,
    retentionDays: 30,
  });
  try {
    await old.sink.write(grid(1, 5, 5));
    const done = () => JSON.stringify(tableCounts(old.path)) === JSON.stringify({ [RECENT]: 0 });
    for (let i = 0; i < 100 && !done(); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(tableCounts(old.path), { [RECENT]: 0 }, "older than 30 days: gone");
  } finally {
    await old.cleanup();
  }
});

Deno.test("sqlite disk guard deletes the oldest day early when space is short, one day per step, never the last 24 hours", async () => {
  const day0 = dayOf(BASE_TS) * DAY_MS;
  let free = 10 * 2 ** 30;
  const errors: string[] = [];
  const h = await harness({}, {
    clock: () => day0 + 3 * DAY_MS + 3_600_000, // day 4, 01:00
    retentionDays: 365,
    minFreeBytes: 2 ** 30,
    diskFree: () => free,
    onMaintenanceError: (e) => errors.push((e as Error).message),
  });
  try {
    for (let d = 0; d < 4; d++) await h.sink.write(grid(1, 10, 25, day0 + d * DAY_MS));
    await h.raw.compact(1e9);
    const plenty = await h.raw.maintain();
    assert.equal(plenty.diskGuard, false);
    assert.equal(plenty.pruned.deleted, 0, "10 GiB free: nothing goes");
    free = 0; // the disk is full: only the file's own free pages count
    const first = await h.raw.maintain();
    assert.equal(first.diskGuard, true);
    assert.deepEqual(first.pruned.dropped, ["history_20240501"]);
    assert.match(errors[0], /history disk guard: less than 1024 MiB free/);
    // The dropped day's pages are free inside the file; with the guard asking
    // for more than that, each further step takes one more day, never day 3
    // (within 24 h of the clock) or day 4.
    const second = await h.raw.maintain();
    assert.deepEqual(second.pruned.dropped, ["history_20240502"]);
    const third = await h.raw.maintain();
    assert.deepEqual(third.pruned.dropped, []);
    assert.equal(third.diskGuard, false);
    assert.deepEqual(Object.keys(tableCounts(h.path)), [
      "history_20240503",
      "history_20240504",
      RECENT,
    ]);
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite disk guard counts the file's free pages as room, so one early deletion is enough", async () => {
  const day0 = dayOf(BASE_TS) * DAY_MS;
  let pagesBefore = 0; // free pages the file had before: the disk "has" minus that much
  const h = await harness({}, {
    clock: () => day0 + 3 * DAY_MS,
    minFreeBytes: 1, // one byte more than the file had free before
    diskFree: () => -pagesBefore,
  });
  try {
    for (let d = 0; d < 3; d++) await h.sink.write(grid(1, 10, 25, day0 + d * DAY_MS));
    await h.raw.compact(1e9);
    const db = new DatabaseSync(h.path);
    try {
      const pages = db.prepare("PRAGMA freelist_count").get() as { freelist_count: number };
      const size = db.prepare("PRAGMA page_size").get() as { page_size: number };
      pagesBefore = pages.freelist_count * size.page_size;
    } finally {
      db.close();
    }
    assert.deepEqual((await h.raw.maintain()).pruned.dropped, ["history_20240501"]);
    assert.equal((await h.raw.maintain()).diskGuard, false, "the dropped day's pages are room");
    assert.deepEqual(Object.keys(tableCounts(h.path)), [
      "history_20240502",
      "history_20240503",
      RECENT,
    ]);
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite reopening the file keeps the rows and the watermark", async () => {
  const h = await harness({}, { clock: () => FUTURE });
  try {
    const data = grid(1, 5, 10, BASE_TS + 55_000);
    await h.sink.write(data.slice(0, 25));
    await h.raw.compact();
    await h.sink.write(data.slice(25));
    await h.raw.close();
    const again = await SqliteSink.open({ path: h.path, maintenanceIntervalMs: 0 });
    try {
      await again.write(data); // a replay after restart
      assert.deepEqual(await again.samples(3, 0, FUTURE, 100), data.filter((s) => s.tagId === 3));
    } finally {
      await again.close();
    }
    assert.deepEqual(tableCounts(h.path), {
      history_20240501: 25,
      history_20240502: 25,
      [RECENT]: 0,
    });
  } finally {
    await h.cleanup();
  }
});

Deno.test("sqlite refuses a path it cannot open and stops its worker", async () => {
  await assert.rejects(() => SqliteSink.open({ path: "/nonexistent/dir/history.db" }));
  await assert.rejects(() =>
    SqliteSink.open({ path: "/nonexistent/dir/history.db", worker: false })
  );
});

Deno.test("sqlite worker errors keep their class and the worker keeps serving", async () => {
  const dir = await Deno.makeTempDir();
  const sink = await SqliteSink.open({
    path: `${dir}/h.db`,
    maintenanceIntervalMs: 5,
    // Maintenance runs all the time, but keeps the test's 2024 rows.
    retentionDays: 36_500,
  });
  try {
    await sink.write(grid(1, 3, 3));
    await assert.rejects(() => sink.samples(1, 0.5, 10, 1), RangeError);
    await assert.rejects(() => sink.compact(0), RangeError);
    assert.deepEqual(await sink.health(), { ok: true });
    assert.equal((await sink.samples(1, 0, FUTURE, 10)).length, 3);
  } finally {
    await sink.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqlite history over many points (GROUP BY path) matches the reference", async () => {
  const h = await harness({}, { clock: () => FUTURE });
  try {
    const data = grid(1, 1, 5000, BASE_TS + 50_000).map((s, i) => ({
      ...s,
      ts: s.ts + (i % 7) * 13,
    }));
    await h.sink.write(data);
    await h.raw.compact(1e9, BASE_TS + 1_000_000); // part in day tables, part recent
    const from = BASE_TS;
    const to = BASE_TS + 5_100_000;
    for (const points of [BUCKET_SCAN_POINTS, BUCKET_SCAN_POINTS + 1, 4999]) {
      assertBucketsEqual(
        await h.raw.history(1, from, to, points),
        bucketize(data, from, to, points),
      );
    }
  } finally {
    await h.cleanup();
  }
});
