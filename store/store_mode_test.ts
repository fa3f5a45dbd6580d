import assert from "node:assert/strict";
import { join } from "node:path";
import { configDbPath, openDataDirStore, openStore } from "./store.ts";

const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;

Deno.test("config.db (password hashes) is created 0600 in a data directory created 0700", async () => {
  const root = await Deno.makeTempDir({ prefix: "store_mode_test_" });
  try {
    const dataDir = join(root, "data");
    const store = openDataDirStore(dataDir);
    try {
      assert.equal(store.isEmpty(), true);
      assert.equal(await mode(dataDir), 0o700);
      assert.equal(await mode(configDbPath(dataDir)), 0o600);
      // The WAL and shared-memory files SQLite made beside it follow its mode.
      for await (const e of Deno.readDir(dataDir)) {
        assert.equal(await mode(join(dataDir, e.name)), 0o600, e.name);
      }
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("an existing 0644 config.db is tightened to 0600 when opened", async () => {
  const root = await Deno.makeTempDir({ prefix: "store_mode_test_" });
  try {
    const path = join(root, "config.db");
    openStore(path).close();
    await Deno.chmod(path, 0o644);
    openStore(path).close();
    assert.equal(await mode(path), 0o600);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
