/**
 * Backup and restore end to end: `jsscada backup` runs beside a gateway that
 * polls the sample plant and writes history, `jsscada restore` puts the
 * backup into a fresh data directory, and a gateway started there is ready
 * with the same configuration and at least the history the backup saw.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { tableRows } from "../cli/backup.ts";
import { REPO_ROOT, ServeProcess, waitFor } from "./testing.ts";

const SERVING = /JSScada is serving (\S+)/;

/** Samples in a SQLite history file: every history table but the meta table. */
function historySamples(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const tables = db.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'history_%'
         AND name <> 'history_meta'`,
    ).all() as Array<{ name: string }>;
    return tables.reduce(
      (n, { name }) =>
        n + Number((db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n),
      0,
    );
  } finally {
    db.close();
  }
}

/** Runs `deno run -A main.ts …args`; resolves to its exit code and output. */
async function jsscada(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, out: text.decode(r.stdout) + text.decode(r.stderr) };
}

Deno.test({
  name: "backup of a running gateway restores into a fresh data directory with configuration " +
    "and history intact, and a gateway there is ready",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "jsscada_e2e_backup_" });
    const live = join(root, "live");
    const restored = join(root, "restored");
    const args = ["--fixture-ports", "any", "--port", "0", "--quiet"];
    const gateway = new ServeProcess(["--demo", ...args, "--data-dir", live]);
    try {
      await gateway.waitForOutput(SERVING, 60_000);
      const history = join(live, "history.db");
      await waitFor("history samples", () => historySamples(history) > 5_000, 60_000, 250);
      const config = tableRows(join(live, "config.db"));
      assert.ok((config.tags ?? 0) > 3_000, `sample plant tags: ${JSON.stringify(config)}`);

      const before = historySamples(history);
      const backup = await jsscada("backup", "--data-dir", live, "--out", join(root, "bk"));
      const after = historySamples(history);
      assert.equal(backup.code, 0, backup.out);
      const folder = backup.out.match(/backup written to (\S+):/)?.[1];
      assert.ok(folder, backup.out);
      assert.ok(after > before, "the gateway kept writing history during the backup");

      const restore = await jsscada("restore", folder, "--data-dir", restored);
      assert.equal(restore.code, 0, restore.out);
      // Configuration: every table and row as it was (nothing changed it meanwhile).
      const restoredConfig = tableRows(join(restored, "config.db"));
      for (const table of ["tags", "plcs", "polling_groups", "users", "lines"]) {
        if (table in config) assert.equal(restoredConfig[table], config[table], table);
      }
      assert.deepEqual(Object.keys(restoredConfig).sort(), Object.keys(config).sort());
      // History: a consistent cut between the counts before and after the backup.
      const samples = historySamples(join(restored, "history.db"));
      assert.ok(
        samples >= before && samples <= after,
        `restored ${samples} samples, live had ${before} before and ${after} after the backup`,
      );

      // A gateway on the restored directory (its PLCs are not running: no --demo) is ready.
      const second = new ServeProcess([...args, "--data-dir", restored]);
      try {
        const url = (await second.waitForOutput(SERVING, 60_000))[1];
        const ready = await waitFor(
          "ready",
          async () => {
            const r = await fetch(`${url}/ready`);
            const body = await r.json();
            return r.ok && body.ready && body.config ? body : undefined;
          },
          30_000,
          200,
        );
        assert.equal(ready.sink.kind, "sqlite");
        assert.ok(!/could not|error/i.test(second.output.split("\n")[0] ?? ""), second.output);
      } finally {
        await second.stop("SIGTERM");
      }
    } finally {
      await gateway.stop("SIGTERM");
      await Deno.remove(root, { recursive: true });
    }
  },
});
