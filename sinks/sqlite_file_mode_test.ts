import assert from "node:assert/strict";
import { join } from "node:path";
import { SqliteSink } from "./sqlite.ts";
import { makePrivateFile } from "./sqlite_file_mode.ts";

const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;

Deno.test("the history database and its WAL are created 0600", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite_mode_test_" });
  try {
    const path = join(dir, "history.db");
    const sink = await SqliteSink.open({ path });
    try {
      await sink.write([{ tagId: 1, ts: 1_000, value: 1, quality: "good" }]);
      assert.equal(await mode(path), 0o600);
      assert.equal(await mode(`${path}-wal`), 0o600);
    } finally {
      await sink.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an existing 0644 database file is tightened to 0600; :memory: is left alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite_mode_test_" });
  try {
    const path = join(dir, "old.db");
    await Deno.writeFile(path, new Uint8Array(0), { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    makePrivateFile(path);
    assert.equal(await mode(path), 0o600);
    makePrivateFile(":memory:");
    await assert.rejects(Deno.stat(":memory:"), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
