import assert from "node:assert/strict";
import postgres from "postgres";
import { findPostgresBin, POSTGRES_MISSING, startTestPostgres } from "./testing_postgres.ts";

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
