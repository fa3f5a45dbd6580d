import assert from "node:assert/strict";
import postgres from "postgres";
import {
  findPostgresBin,
  findRunuser,
  POSTGRES_MISSING,
  startTestPostgres,
} from "./testing_postgres.ts";

const missing = findPostgresBin() === undefined;
if (missing) console.warn(`\n⚠ ${POSTGRES_MISSING}\n`);

Deno.test({
  name: "test PostgreSQL stops and starts on the same port and keeps its data",
  ignore: missing,
  fn: async () => {
    const pg = await startTestPostgres();
    try {
      const url = await pg.createDatabase("outage");
      const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
      try {
        await sql`CREATE TABLE t (n int)`;
        await sql`INSERT INTO t VALUES (1)`;
        await pg.stop();
        assert.equal(pg.running, false);
        await assert.rejects(() => sql`SELECT 1`);
        await pg.start();
        assert.deepEqual([...await sql`SELECT n FROM t`], [{ n: 1 }]);
      } finally {
        await sql.end();
      }
    } finally {
      await pg.cleanup();
    }
    await pg.cleanup();
  },
});

Deno.test("runuser is found by absolute path even when PATH has no sbin directory", () => {
  const path = Deno.env.get("PATH");
  Deno.env.set("PATH", "/nonexistent");
  try {
    const runuser = findRunuser();
    const expected = ["/usr/sbin/runuser", "/sbin/runuser"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
    assert.equal(runuser, expected);
    if (runuser !== undefined) assert.ok(runuser.startsWith("/"));
  } finally {
    if (path === undefined) Deno.env.delete("PATH");
    else Deno.env.set("PATH", path);
  }
});
