import assert from "node:assert/strict";
import { ConfigError } from "../store/errors.ts";
import { grid } from "./conformance.ts";
import { createSink, historianInfo, sinkConfigFromEnv } from "./factory.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("sink config from the environment defaults to SQLite at the given path, with retention and a disk guard", () => {
  assert.deepEqual(sinkConfigFromEnv(envOf({}), "data/history.db"), {
    kind: "sqlite",
    path: "data/history.db",
    retentionDays: 90,
    minFreeBytes: 1024 * 2 ** 20,
  });
  assert.deepEqual(
    sinkConfigFromEnv(
      envOf({
        JSSCADA_SINK: "sqlite",
        JSSCADA_SQLITE_PATH: "/var/h.db",
        JSSCADA_RETENTION_DAYS: "400",
        JSSCADA_HISTORY_MIN_FREE_MB: "0",
      }),
      "x",
    ),
    { kind: "sqlite", path: "/var/h.db", retentionDays: 400, minFreeBytes: 0 },
  );
});

Deno.test("historian info tells retention and disk guard for SQLite and no secrets for the others", () => {
  assert.deepEqual(historianInfo(sinkConfigFromEnv(envOf({}), "h.db")), {
    kind: "sqlite",
    retentionDays: 90,
    minFreeMb: 1024,
  });
  assert.deepEqual(
    historianInfo(sinkConfigFromEnv(envOf({ JSSCADA_HISTORY_MIN_FREE_MB: "0" }), "h.db")),
    { kind: "sqlite", retentionDays: 90, minFreeMb: null },
  );
  const pg = historianInfo(
    sinkConfigFromEnv(
      envOf({ JSSCADA_SINK: "postgres", JSSCADA_PG_URL: "postgres://u:pw@h/db" }),
      "x",
    ),
  );
  assert.deepEqual(pg, { kind: "postgres", retentionDays: null, minFreeMb: null });
});

Deno.test("sink config from the environment for PostgreSQL and Oracle", () => {
  assert.deepEqual(
    sinkConfigFromEnv(envOf({ JSSCADA_SINK: "postgres", JSSCADA_PG_URL: "postgres://h/db" }), "x"),
    { kind: "postgres", url: "postgres://h/db" },
  );
  assert.deepEqual(
    sinkConfigFromEnv(
      envOf({
        JSSCADA_SINK: "oracle",
        JSSCADA_ORACLE_USER: "scada",
        JSSCADA_ORACLE_PASSWORD: "pw",
        JSSCADA_ORACLE_CONNECT_STRING: "db:1521/HIST",
        JSSCADA_ORACLE_TABLE: "HIST.SAMPLES",
      }),
      "x",
    ),
    {
      kind: "oracle",
      user: "scada",
      password: "pw",
      connectString: "db:1521/HIST",
      table: "HIST.SAMPLES",
    },
  );
});

Deno.test("sink config names the variable that is missing or wrong", () => {
  const issue = (vars: Record<string, string>) => {
    try {
      sinkConfigFromEnv(envOf(vars), "x");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.issues[0].path;
    }
    assert.fail("no error");
  };
  assert.equal(issue({ JSSCADA_SINK: "mysql" }), "JSSCADA_SINK");
  assert.equal(issue({ JSSCADA_SINK: "postgres" }), "JSSCADA_PG_URL");
  assert.equal(
    issue({ JSSCADA_SINK: "oracle", JSSCADA_ORACLE_USER: "u" }),
    "JSSCADA_ORACLE_PASSWORD",
  );
  assert.equal(issue({ JSSCADA_RETENTION_DAYS: "0" }), "JSSCADA_RETENTION_DAYS");
  assert.equal(issue({ JSSCADA_HISTORY_MIN_FREE_MB: "-1" }), "JSSCADA_HISTORY_MIN_FREE_MB");
});

Deno.test("createSink builds each kind without touching a database it does not need", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sqlite = await createSink({ kind: "sqlite", path: `${dir}/h.db` });
    assert.equal(sqlite.kind, "sqlite");
    await sqlite.write(grid(1, 2, 2));
    assert.equal((await sqlite.samples!(1, 0, Date.now(), 10)).length, 2);
    await sqlite.close();

    const pg = await createSink({ kind: "postgres", url: "postgres://nobody@127.0.0.1:1/none" });
    assert.equal(pg.kind, "postgres");
    await pg.close();

    const oracle = await createSink({
      kind: "oracle",
      user: "u",
      password: "p",
      connectString: "127.0.0.1:1/x",
    });
    assert.equal(oracle.kind, "oracle");
    await oracle.close();
    await assert.rejects(() => createSink({ kind: "db2" } as never), ConfigError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
