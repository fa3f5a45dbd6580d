/**
 * `jsscada backup` and `jsscada restore`: a consistent copy of a data
 * directory while the gateway runs, and putting one back.
 *
 * Backup copies config.db and the SQLite history with `VACUUM INTO` (SQLite
 * writes a transactionally consistent copy from one read transaction, so the
 * running gateway's writes neither block it nor tear it; in WAL mode a reader
 * never blocks the writer), then the journal directory (the replay cursor
 * first, then the segments, so that a restore can only replay more than
 * needed, never skip: sinks store a (tag, ts) once). Everything goes into a
 * new dated folder with a manifest of sizes and SHA-256 sums and the
 * configuration's row counts.
 *
 * Restore checks the manifest's sums and SQLite's quick_check, then puts the
 * files into a data directory that has none (or, with --force, moves the
 * existing ones aside into `replaced-<time>/` first). The gateway must be
 * stopped for a restore (docs/backup_restore.md).
 */
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import type { CommandIo } from "./plc.ts";

/** The manifest's format tag; restore refuses any other. */
export const BACKUP_FORMAT = "jsscada-backup/1";
/** The manifest's file name inside a backup folder. */
export const MANIFEST_FILE = "manifest.json";

/** One file of a backup. */
export interface BackupFile {
  /** Relative to the backup folder (and to the data directory on restore). */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What a backup folder holds (manifest.json). */
export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  /** ISO time the backup started. */
  readonly createdAt: string;
  /** The data directory it was taken from (absolute). */
  readonly dataDir: string;
  readonly files: readonly BackupFile[];
  /** Rows per table of config.db, as copied. */
  readonly configRows: Readonly<Record<string, number>>;
  /** Was a SQLite history file there and copied? (PostgreSQL/Oracle: back those up there.) */
  readonly history: boolean;
}

/** Options of {@link backupDataDir}. */
export interface BackupOptions {
  readonly dataDir: string;
  /** Folder that receives the dated backup folder. */
  readonly outDir: string;
  /** The SQLite history file (default `<dataDir>/history.db`); null to leave history out. */
  readonly historyPath?: string | null;
  /** Clock for the folder name and manifest. */
  readonly now?: () => Date;
}

/** A backup or restore that cannot be done, with a sentence saying why. */
export class BackupError extends Error {}

/**
 * Backs up `dataDir` into a new folder `outDir/jsscada-backup-<UTC time>`
 * (mode 0700, files 0600) and returns the folder and its manifest.
 */
export async function backupDataDir(
  options: BackupOptions,
): Promise<{ folder: string; manifest: BackupManifest }> {
  const dataDir = resolve(options.dataDir);
  const configPath = join(dataDir, "config.db");
  if (!(await isFile(configPath))) {
    throw new BackupError(`no config.db in ${dataDir}: is that the gateway's data directory?`);
  }
  const started = (options.now ?? (() => new Date()))();
  const stamp = started.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  await Deno.mkdir(options.outDir, { recursive: true, mode: 0o700 });
  let folder = join(resolve(options.outDir), `jsscada-backup-${stamp}`);
  for (let n = 2; await exists(folder); n++) {
    folder = join(resolve(options.outDir), `jsscada-backup-${stamp}-${n}`);
  }
  await Deno.mkdir(folder, { mode: 0o700 });

  const files: BackupFile[] = [];
  await vacuumInto(configPath, join(folder, "config.db"));
  files.push(await describe(folder, "config.db"));
  const historyPath = options.historyPath === undefined
    ? join(dataDir, "history.db")
    : options.historyPath;
  const history = historyPath !== null && await isFile(historyPath);
  if (history) {
    await vacuumInto(historyPath, join(folder, "history.db"));
    files.push(await describe(folder, "history.db"));
  }
  const journal = join(dataDir, "journal");
  if (await exists(journal)) {
    await Deno.mkdir(join(folder, "journal"), { mode: 0o700 });
    const names: string[] = [];
    for await (const e of Deno.readDir(journal)) if (e.isFile) names.push(e.name);
    // The cursor first: segments copied after it can only be newer, so a
    // restore replays at most more than needed.
    names.sort((a, b) =>
      Number(!a.includes("cursor")) - Number(!b.includes("cursor")) ||
      a.localeCompare(b)
    );
    for (const name of names) {
      const to = join(folder, "journal", name);
      try {
        await Deno.copyFile(join(journal, name), to);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue; // a segment replayed and removed meanwhile
        throw error;
      }
      await Deno.chmod(to, 0o600);
      files.push(await describe(folder, `journal/${name}`));
    }
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: started.toISOString(),
    dataDir,
    files,
    configRows: tableRows(join(folder, "config.db")),
    history,
  };
  await Deno.writeTextFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n", {
    mode: 0o600,
  });
  return { folder, manifest };
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** A folder written by {@link backupDataDir}. */
  readonly backupDir: string;
  /** The data directory to restore into (created when missing). */
  readonly dataDir: string;
  /** Move existing config.db, history.db and journal/ aside instead of refusing. */
  readonly force?: boolean;
  readonly now?: () => Date;
}

/**
 * Checks a backup (manifest, SHA-256 of every file, SQLite quick_check) and
 * copies it into `dataDir`. Returns the manifest and, with `force`, where the
 * replaced files went. The gateway must not run on `dataDir`.
 */
export async function restoreBackup(
  options: RestoreOptions,
): Promise<{ manifest: BackupManifest; replacedTo: string | undefined }> {
  const backupDir = resolve(options.backupDir);
  const manifest = await readManifest(backupDir);
  for (const f of manifest.files) {
    const actual = await describe(backupDir, f.path).catch(() => undefined);
    if (actual === undefined) {
      throw new BackupError(`${f.path}: listed in the manifest but missing`);
    }
    if (actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) {
      throw new BackupError(`${f.path}: does not match its SHA-256 in the manifest (damaged copy)`);
    }
  }
  for (const db of manifest.files.filter((f) => f.path.endsWith(".db"))) {
    const problem = quickCheck(join(backupDir, db.path));
    if (problem !== undefined) throw new BackupError(`${db.path}: SQLite quick_check: ${problem}`);
  }

  const dataDir = resolve(options.dataDir);
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const targets = ["config.db", "history.db", "journal"];
  const present: string[] = [];
  for (const t of targets) if (await exists(join(dataDir, t))) present.push(t);
  let replacedTo: string | undefined;
  if (present.length > 0) {
    if (!options.force) {
      throw new BackupError(
        `${dataDir} already has ${present.join(", ")}: restore into an empty directory, or add ` +
          `--force to move them aside first (stop the gateway before either)`,
      );
    }
    const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[-:.]/g, "");
    replacedTo = join(dataDir, `replaced-${stamp}`);
    await Deno.mkdir(replacedTo, { mode: 0o700 });
    for (const t of present) await Deno.rename(join(dataDir, t), join(replacedTo, t));
    for (const side of ["config.db-wal", "config.db-shm", "history.db-wal", "history.db-shm"]) {
      if (await exists(join(dataDir, side))) {
        await Deno.rename(join(dataDir, side), join(replacedTo, side));
      }
    }
  }
  if (manifest.files.some((f) => f.path.startsWith("journal/"))) {
    await Deno.mkdir(join(dataDir, "journal"), { recursive: true, mode: 0o700 });
  }
  for (const f of manifest.files) {
    const to = join(dataDir, f.path);
    const partial = `${to}.restoring`;
    await Deno.copyFile(join(backupDir, f.path), partial);
    await Deno.chmod(partial, 0o600);
    await Deno.rename(partial, to);
  }
  return { manifest, replacedTo };
}

/** Reads and checks a backup folder's manifest. */
export async function readManifest(backupDir: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(backupDir, MANIFEST_FILE));
  } catch {
    throw new BackupError(`${backupDir}: no ${MANIFEST_FILE}; is that a JSScada backup folder?`);
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new BackupError(`${MANIFEST_FILE}: not JSON (${(e as Error).message})`);
  }
  if (manifest?.format !== BACKUP_FORMAT || !Array.isArray(manifest.files)) {
    throw new BackupError(`${MANIFEST_FILE}: not a ${BACKUP_FORMAT} manifest`);
  }
  for (const f of manifest.files) {
    const path = String(f?.path ?? "");
    if (!/^(config\.db|history\.db|journal\/[^/\\]+)$/.test(path) || path.includes("..")) {
      throw new BackupError(`${MANIFEST_FILE}: unexpected file "${path}"`);
    }
  }
  if (!manifest.files.some((f) => f.path === "config.db")) {
    throw new BackupError(`${MANIFEST_FILE}: the backup has no config.db`);
  }
  return manifest;
}

/** Rows per user table of a SQLite file. */
export function tableRows(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    ).all() as Array<{ name: string }>;
    return Object.fromEntries(
      tables.map(({ name }) => {
        const row = db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get();
        return [name, Number((row as { n: number }).n)];
      }),
    );
  } finally {
    db.close();
  }
}

/** A consistent copy of a live SQLite database (one read transaction). */
async function vacuumInto(from: string, to: string): Promise<void> {
  const db = new DatabaseSync(from, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.prepare("VACUUM INTO ?").run(to);
  } finally {
    db.close();
  }
  await Deno.chmod(to, 0o600);
}

function quickCheck(path: string): string | undefined {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare("PRAGMA quick_check").all() as Array<Record<string, string>>;
    const text = rows.map((r) => Object.values(r)[0]).join("; ");
    return text === "ok" ? undefined : text;
  } catch (e) {
    return (e as Error).message;
  } finally {
    db?.close();
  }
}

async function describe(folder: string, path: string): Promise<BackupFile> {
  const hash = createHash("sha256");
  let bytes = 0;
  using file = await Deno.open(join(folder, path));
  for await (const chunk of file.readable) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { path, bytes, sha256: hash.digest("hex") };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

const BACKUP_USAGE = `usage: jsscada backup [--data-dir DIR] [--out DIR] [--no-history]

Copies config.db and the SQLite history (VACUUM INTO: consistent while the
gateway runs) and the journal into a new folder OUT/jsscada-backup-<UTC time>
with a manifest (sizes, SHA-256, configuration row counts).

  --data-dir DIR   the gateway's data directory [JSSCADA_DATA_DIR, default ./data]
  --out DIR        where the dated folder goes [default DIR/backups]; better on
                   another disk, then copy it off the machine
  --no-history     leave the history out (configuration and journal only)

The history file is JSSCADA_SQLITE_PATH when set, else DIR/history.db. PostgreSQL
and Oracle history are backed up with those databases' own tools.`;

const RESTORE_USAGE = `usage: jsscada restore BACKUP_FOLDER [--data-dir DIR] [--force]

Checks the backup (SHA-256 of every file, SQLite quick_check) and copies it
into the data directory. Stop the gateway first.

  --data-dir DIR   the data directory to restore into [JSSCADA_DATA_DIR, default ./data]
  --force          the directory already has config.db, history.db or journal/:
                   move them into DIR/replaced-<time>/ first instead of refusing`;

/** `jsscada backup …`; resolves to the exit status. */
export async function runBackup(args: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "data-dir": { type: "string" },
        out: { type: "string" },
        "no-history": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${BACKUP_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(BACKUP_USAGE);
    return 0;
  }
  const dataDir = values["data-dir"] ?? Deno.env.get("JSSCADA_DATA_DIR") ?? "data";
  const started = performance.now();
  try {
    const { folder, manifest } = await backupDataDir({
      dataDir,
      outDir: values.out ?? join(dataDir, "backups"),
      historyPath: values["no-history"]
        ? null
        : (Deno.env.get("JSSCADA_SQLITE_PATH") || join(dataDir, "history.db")),
    });
    const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
    io.stdout(
      `backup written to ${folder}: ${manifest.files.length} files, ` +
        `${(bytes / 2 ** 20).toFixed(1)} MiB, ${
          manifest.history ? "with" : "without"
        } history, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (e) {
    io.stderr(`backup failed: ${(e as Error).message}`);
    return 1;
  }
}

/** `jsscada restore …`; resolves to the exit status. */
export async function runRestore(args: string[], io: CommandIo): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "data-dir": { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${RESTORE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(RESTORE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`restore takes one backup folder\n${RESTORE_USAGE}`);
    return 2;
  }
  const dataDir = values["data-dir"] ?? Deno.env.get("JSSCADA_DATA_DIR") ?? "data";
  try {
    const { manifest, replacedTo } = await restoreBackup({
      backupDir: positionals[0],
      dataDir,
      force: values.force ?? false,
    });
    if (replacedTo) io.stdout(`moved the data directory's previous files to ${replacedTo}`);
    io.stdout(
      `restored ${basename(resolve(positionals[0]))} (taken ${manifest.createdAt}) into ` +
        `${resolve(dataDir)}: ${manifest.files.length} files checked; start the gateway now`,
    );
    return 0;
  } catch (e) {
    io.stderr(`restore failed: ${(e as Error).message}`);
    return 1;
  }
}
