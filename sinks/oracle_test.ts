import assert from "node:assert/strict";
import oracledb from "oracledb";
import type { Sample } from "../model/sample.ts";
import { BASE_TS, grid, runSinkConformance } from "./conformance.ts";
import { OracleSink } from "./oracle.ts";
import { MAX_TEXT_BYTES, mergeSql, truncateUtf8, utf8Length } from "./oracle_sql.ts";
import { FakeOraclePool, oracleError } from "./testing_oracle.ts";

runSinkConformance("oracle (fake connection)", () => {
  const pool = new FakeOraclePool();
  const sink = new OracleSink({ pool });
  return Promise.resolve({
    sink,
    readAll: () => Promise.resolve(pool.rows()),
    failAt: (s: Sample) => {
      pool.failAtRow((r) => r[0] === s.tagId && r[1] === s.ts);
      return Promise.resolve(() => {
        pool.failAtRow(undefined);
        return Promise.resolve();
      });
    },
    cleanup: async () => {
      await sink.close();
      assert.equal(pool.open, 0, "every connection went back to the pool");
    },
  });
});

Deno.test("oracle sink sends one executeMany of the MERGE with explicit bind definitions, then commits", async () => {
  const pool = new FakeOraclePool();
  const sink = new OracleSink({ pool, table: "PLANT.HISTORY" });
  try {
    await sink.write([
      { tagId: 7, ts: BASE_TS, value: 1.5, quality: "good" },
      { tagId: 8, ts: BASE_TS, value: "Ω ok", quality: "stale" },
      { tagId: 9, ts: BASE_TS, value: true, quality: "good" },
      { tagId: 10, ts: BASE_TS, value: null, quality: "bad-comm" },
    ]);
    assert.deepEqual(pool.calls.map((c) => c.method), [
      "getConnection",
      "execute",
      "executeMany",
      "commit",
      "close",
    ]);
    assert.match(pool.calls[1].sql!, /CREATE TABLE PLANT\.HISTORY/);
    const many = pool.calls[2];
    assert.equal(many.sql, mergeSql("PLANT.HISTORY"));
    assert.deepEqual(many.binds, [
      [7, BASE_TS, 1, 0, 1.5, null],
      [8, BASE_TS, 3, 3, null, "Ω ok"],
      [9, BASE_TS, 2, 0, 1, null],
      [10, BASE_TS, 0, 1, null, null],
    ]);
    assert.deepEqual(many.options, {
      autoCommit: false,
      bindDefs: [
        { type: oracledb.DB_TYPE_NUMBER },
        { type: oracledb.DB_TYPE_NUMBER },
        { type: oracledb.DB_TYPE_NUMBER },
        { type: oracledb.DB_TYPE_NUMBER },
        { type: oracledb.DB_TYPE_BINARY_DOUBLE },
        { type: oracledb.DB_TYPE_VARCHAR, maxSize: 5 },
      ],
    });
    await sink.write(grid(1, 2, 1));
    assert.equal(
      pool.calls.filter((c) => c.method === "execute").length,
      1,
      "the table check runs once",
    );
  } finally {
    await sink.close();
  }
});

Deno.test("oracle sink rolls back and releases the connection when a row fails", async () => {
  const pool = new FakeOraclePool();
  const sink = new OracleSink({ pool });
  try {
    const batch = grid(1, 10, 10);
    pool.failAtRow((r) => r[0] === 5 && r[1] === BASE_TS + 9000);
    await assert.rejects(() => sink.write(batch), { code: "ORA-20000" });
    assert.deepEqual(pool.calls.slice(-3).map((c) => c.method), [
      "executeMany",
      "rollback",
      "close",
    ]);
    assert.equal(pool.open, 0);
    assert.deepEqual(pool.rows(), []);
  } finally {
    await sink.close();
  }
});

Deno.test("oracle sink fails a write on a lost connection and recovers on a fresh one", async () => {
  for (const code of ["NJS-500", "DPI-1080", "ORA-03113", "ORA-00001"]) {
    const pool = new FakeOraclePool();
    const sink = new OracleSink({ pool });
    try {
      pool.failNext(1, oracleError(code));
      await assert.rejects(() => sink.write(grid(1, 3, 3)), { code });
      assert.equal(pool.open, 0, `${code}: connection released`);
      pool.failNext(2, oracleError("NJS-500"), "commit");
      await assert.rejects(() => sink.write(grid(1, 3, 3)), { code: "NJS-500" });
      assert.deepEqual(pool.rows(), [], `${code}: an uncommitted batch is not stored`);
      pool.failNext(1, oracleError("ORA-12541"), "getConnection");
      await assert.rejects(() => sink.write(grid(1, 3, 3)), { code: "ORA-12541" });
      pool.failNext(1, oracleError("ORA-12541"), "getConnection");
      assert.equal((await sink.health()).ok, false);
      // the second queued commit fault hits this write
      await assert.rejects(() => sink.write(grid(1, 3, 3)), { code: "NJS-500" });
      await sink.write(grid(1, 3, 3));
      assert.equal(pool.rows().length, 9);
      assert.deepEqual(await sink.health(), { ok: true });
    } finally {
      await sink.close();
    }
  }
});

Deno.test("oracle sink cuts texts to 4000 UTF-8 bytes between characters", async () => {
  const pool = new FakeOraclePool();
  const sink = new OracleSink({ pool });
  try {
    const long = "温".repeat(2000); // 6,000 bytes
    await sink.write([{ tagId: 1, ts: BASE_TS, value: long, quality: "good" }]);
    const stored = pool.rows()[0].value as string;
    assert.equal(stored, "温".repeat(1333));
    assert.ok(utf8Length(stored) <= MAX_TEXT_BYTES);
    assert.equal(truncateUtf8("a🙂b", 4), "a"); // never half a surrogate pair
    assert.equal(truncateUtf8("a🙂b", 5), "a🙂");
  } finally {
    await sink.close();
  }
});

Deno.test("oracle fake checks binds like node-oracledb", async () => {
  const pool = new FakeOraclePool();
  const conn = await pool.getConnection();
  const defs = [1, 2, 3, 4].map(() => ({ type: oracledb.DB_TYPE_NUMBER }));
  const sql = mergeSql("T");
  const ok = [...defs, { type: oracledb.DB_TYPE_BINARY_DOUBLE }, {
    type: oracledb.DB_TYPE_VARCHAR,
    maxSize: 2,
  }];
  await assert.rejects(() => conn.executeMany(sql, [[1, 1, 3, 0, null, "abc"]], { bindDefs: ok }), {
    code: "NJS-058",
  });
  await assert.rejects(
    () =>
      conn.executeMany(sql, [[1, 1, 1, 0, NaN, null]], {
        bindDefs: [...defs, ...defs.slice(0, 1), ok[5]],
      }),
    { code: "NJS-105" },
  );
  await assert.rejects(() => conn.executeMany(sql, [[1.5, 1, 1, 0, 1, null]], { bindDefs: ok }), {
    code: "ORA-01438",
  });
  await assert.rejects(() => conn.executeMany(sql, [["1", 1, 1, 0, 1, null]], { bindDefs: ok }), {
    code: "NJS-011",
  });
  await assert.rejects(
    () => conn.executeMany(sql, [[1, 1, 1, 0, 1, null]], { bindDefs: ok.slice(0, 5) }),
    { code: "NJS-009" },
  );
  await conn.close();
  await assert.rejects(() => conn.commit(), { code: "NJS-003" });
});

Deno.test("oracle sink needs a user and connect string when no pool is injected", async () => {
  const sink = new OracleSink({});
  await assert.rejects(() => sink.write(grid(1, 1, 1)), RangeError);
  assert.equal((await sink.health()).ok, false);
  await sink.close();
  assert.throws(() => new OracleSink({ table: "x; drop table y" }), RangeError);
});
