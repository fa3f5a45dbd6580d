import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  BACKUP_FORMAT,
  backupDataDir,
  BackupError,
  MANIFEST_FILE,
  readManifest,
  restoreBackup,
  runBackup,
  runRestore,
  tableRows,
} from "./backup.ts";

/** A data directory with a WAL-mode config.db and history.db held open by a writer, and a journal. */
async function dataDir(): Promise<{ dir: string; writer: DatabaseSync; history: DatabaseSync }> {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_backup_" });
  const writer = new DatabaseSync(join(dir, "config.db"));
  writer.exec(`PRAGMA journal_mode = WAL; CREATE TABLE tags (id INTEGER PRIMARY KEY, code TEXT);
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);`);
  const insert = writer.prepare("INSERT INTO tags (code) VALUES (?)");
  for (let i = 0; i < 300; i++) insert.run(`TAG${i}`);
  writer.prepare("INSERT INTO users (name) VALUES (?)").run("admin");
  const history = new DatabaseSync(join(dir, "history.db"));
  history.exec(`PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
    CREATE TABLE history_recent (tag_id INTEGER, ts INTEGER, value REAL)`);
  const h = history.prepare("INSERT INTO history_recent VALUES (?, ?, ?)");
  history.exec("BEGIN");
  for (let i = 0; i < 5000; i++) h.run(i % 300, 1_700_000_000_000 + i, i / 10);
  history.exec("COMMIT");
  await Deno.mkdir(join(dir, "journal"));
  await Deno.writeTextFile(join(dir, "journal", "replay_cursor"), "000000000001 000000000007\n");
  await Deno.writeFile(join(dir, "journal", "000000000001.seg"), new Uint8Array(1000).fill(7));
  return { dir, writer, history };
}

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) },
  };
};

Deno.test("backup copies open WAL-mode databases consistently and restore brings back every row", async () => {
  const { dir, writer, history } = await dataDir();
  const target = await Deno.makeTempDir({ prefix: "jsscada_restore_" });
  try {
    const { folder, manifest } = await backupDataDir({
      dataDir: dir,
      outDir: join(dir, "backups"),
      now: () => new Date("2026-12-06T08:30:05.123Z"),
    });
    assert.equal(folder, join(dir, "backups", "jsscada-backup-20261206T083005Z"));
    assert.equal(manifest.format, BACKUP_FORMAT);
    assert.deepEqual(manifest.configRows, { tags: 300, users: 1 });
    assert.equal(manifest.history, true);
    assert.deepEqual(manifest.files.map((f) => f.path), [
      "config.db",
      "history.db",
      "journal/replay_cursor",
      "journal/000000000001.seg",
    ]);
    assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(join(folder, "config.db"))).mode! & 0o777, 0o600);
    // Writes after the backup do not reach it.
    writer.prepare("INSERT INTO tags (code) VALUES ('LATE')").run();

    const { replacedTo } = await restoreBackup({ backupDir: folder, dataDir: join(target, "d") });
    assert.equal(replacedTo, undefined);
    assert.deepEqual(tableRows(join(target, "d", "config.db")), { tags: 300, users: 1 });
    assert.deepEqual(tableRows(join(target, "d", "history.db")), { history_recent: 5000 });
    assert.equal(
      await Deno.readTextFile(join(target, "d", "journal", "replay_cursor")),
      "000000000001 000000000007\n",
    );
    assert.equal(
      (await Deno.readFile(join(target, "d", "journal", "000000000001.seg"))).length,
      1000,
    );
  } finally {
    writer.close();
    history.close();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("restore refuses a damaged backup, naming the file, and leaves the data directory alone", async () => {
  const { dir, writer, history } = await dataDir();
  writer.close();
  history.close();
  try {
    const { folder } = await backupDataDir({ dataDir: dir, outDir: join(dir, "backups") });
    const seg = join(folder, "journal", "000000000001.seg");
    const bytes = await Deno.readFile(seg);
    bytes[500] ^= 0xff;
    await Deno.writeFile(seg, bytes);
    const target = join(dir, "restored");
    await assert.rejects(
      () => restoreBackup({ backupDir: folder, dataDir: target }),
      (e: Error) =>
        e instanceof BackupError && /journal\/000000000001\.seg.*SHA-256/.test(e.message),
    );
    assert.equal(await Deno.stat(target).catch(() => undefined), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restore into a used data directory refuses, and with --force moves the old files aside", async () => {
  const { dir, writer, history } = await dataDir();
  writer.close();
  history.close();
  try {
    const out = join(dir, "backups");
    const { folder } = await backupDataDir({ dataDir: dir, outDir: out, historyPath: null });
    const manifest = await readManifest(folder);
    assert.equal(manifest.history, false);
    assert.ok(!manifest.files.some((f) => f.path === "history.db"));

    const refused = io();
    assert.equal(await runRestore([folder, "--data-dir", dir], refused.io), 1);
    assert.match(refused.err[0], /already has config\.db, history\.db, journal.*--force/);

    const forced = io();
    assert.equal(await runRestore([folder, "--data-dir", dir, "--force"], forced.io), 0);
    assert.match(forced.out[0], /moved the data directory's previous files to .*replaced-/);
    const replaced = forced.out[0].match(/to (\S+)$/)![1];
    assert.deepEqual(tableRows(join(replaced, "history.db")), { history_recent: 5000 });
    assert.deepEqual(tableRows(join(dir, "config.db")), { tags: 300, users: 1 });
    assert.equal(await Deno.stat(join(dir, "history.db")).catch(() => undefined), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backup of a directory without config.db and restore of a folder without a manifest say why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_backup_" });
  try {
    const b = io();
    assert.equal(await runBackup(["--data-dir", dir], b.io), 1);
    assert.match(b.err[0], /no config\.db in .*data directory/);
    const r = io();
    assert.equal(await runRestore([dir, "--data-dir", join(dir, "x")], r.io), 1);
    assert.match(r.err[0], new RegExp(`no ${MANIFEST_FILE}`));
    await Deno.writeTextFile(
      join(dir, MANIFEST_FILE),
      JSON.stringify({ format: BACKUP_FORMAT, files: [{ path: "../../etc/passwd" }] }),
    );
    await assert.rejects(() => readManifest(dir), /unexpected file "\.\.\/\.\.\/etc\/passwd"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
