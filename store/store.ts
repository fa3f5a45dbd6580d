/**
 * The configuration store: `openStore(path)` opens (or creates) the SQLite
 * file, applies migrations, and returns every resource, a transaction
 * helper, change subscription and `loadPlant()` — the plant as the runtime
 * reads it (model/config.ts). This is the module the HTTP layer, the CLI and
 * the runtime import.
 */
import { type AlarmJournal, SqliteAlarmJournal } from "../alarms/journal.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SubscribeToChanges } from "../model/change.ts";
import type { PlantConfig } from "../model/config.ts";
import { type AlarmRulesResource, createAlarmRules } from "./alarm_rules.ts";
import { AuditLog } from "./audit.ts";
import { createCore } from "./core.ts";
import { Db, type DbOptions } from "./db.ts";
import { createGroups, type GroupsResource } from "./groups.ts";
import { createLines, type LinesResource } from "./lines.ts";
import { migrate } from "./migrations.ts";
import { createPlcs, type PlcsResource } from "./plcs.ts";
import { createProcesses, type ProcessesResource } from "./processes.ts";
import { DEFAULT_SCRYPT, type ScryptParams } from "./secrets.ts";
import { Sessions } from "./sessions.ts";
import { createTags, type TagsResource } from "./tags.ts";
import { Tokens } from "./tokens.ts";
import { Users } from "./users.ts";

/** Options of {@link openStore}. */
export interface StoreOptions extends DbOptions {
  /** scrypt cost for new password hashes (tests lower it). */
  readonly scrypt?: ScryptParams;
}

/** One open configuration store. */
export interface Store {
  /** The database file, or `:memory:`. */
  readonly path: string;
  readonly lines: LinesResource;
  readonly processes: ProcessesResource;
  readonly plcs: PlcsResource;
  readonly groups: GroupsResource;
  readonly tags: TagsResource;
  readonly alarmRules: AlarmRulesResource;
  readonly users: Users;
  readonly tokens: Tokens;
  readonly sessions: Sessions;
  readonly audit: AuditLog;
  /** Every alarm transition (alarms/journal.ts), in the same database. */
  readonly alarmJournal: AlarmJournal;
  /**
   * Runs `fn` in one transaction: every change inside commits together, and
   * subscribers get one batch of change events after the commit. Nests.
   */
  transaction<T>(fn: () => T): T;
  /** Follows configuration changes (one call per committed transaction). */
  readonly subscribe: SubscribeToChanges;
  /** The whole plant from one consistent snapshot, each list in id order. */
  loadPlant(): PlantConfig;
  /** True when the store holds no lines, processes, PLCs, groups, tags or alarm rules. */
  isEmpty(): boolean;
  /** Closes the database. */
  close(): void;
  [Symbol.dispose](): void;
}

/** Each open store's connection, for {@link storeConnection}. */
const connections = new WeakMap<Store, Db>();

/**
 * The SQLite connection behind an open store, for maintenance and for tests
 * that must act on that very connection (per-connection pragmas such as
 * `max_page_count` or `query_only`). Application code uses the store's API.
 */
export function storeConnection(store: Store): Db {
  const db = connections.get(store);
  if (!db) throw new TypeError("not a store opened by openStore");
  return db;
}

/** The configuration database's file name inside the data directory. */
export const CONFIG_DB_FILE = "config.db";

/** Where the configuration database of a data directory lives: `<dir>/config.db`. */
export function configDbPath(dataDir: string): string {
  return join(dataDir, CONFIG_DB_FILE);
}

/**
 * Opens the store at `path` (a file, created with its schema when missing, or
 * `:memory:`). Throws SchemaVersionError when the file is newer than this
 * program.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  makePrivateFile(path);
  const db = new Db(path, options);
  try {
    migrate(db.sqlite, undefined, path === ":memory:" ? "the configuration database" : path);
  } catch (e) {
    db.close();
    throw e;
  }
  const core = createCore(db);
  const t = core.tables;
  const store: Store = {
    path,
    lines: createLines(core),
    processes: createProcesses(core),
    plcs: createPlcs(core),
    groups: createGroups(core),
    tags: createTags(core),
    alarmRules: createAlarmRules(core),
    users: new Users(db, options.scrypt ?? DEFAULT_SCRYPT),
    tokens: new Tokens(db),
    sessions: new Sessions(db),
    audit: new AuditLog(db),
    alarmJournal: new SqliteAlarmJournal(db.sqlite),
    transaction: (fn) => db.transaction(fn),
    subscribe: (listener) => db.subscribe(listener),
    loadPlant: () =>
      db.read(() => ({
        lines: t.lines.all(),
        processes: t.processes.all(),
        plcs: t.plcs.all(),
        groups: t.groups.all(),
        tags: t.tags.all(),
        alarmRules: t.alarmRules.all(),
      })),
    isEmpty: () =>
      db.read(() =>
        [t.lines, t.processes, t.plcs, t.groups, t.tags, t.alarmRules].every((x) => x.count() === 0)
      ),
    close: () => db.close(),
    [Symbol.dispose]: () => db.close(),
  };
  connections.set(store, db);
  return store;
}

/** Opens `<dataDir>/config.db`, creating the directory (owner-only, 0700) when missing. */
export function openDataDirStore(dataDir: string, options: StoreOptions = {}): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return openStore(configDbPath(dataDir), options);
}

/**
 * The configuration database holds password hashes and tokens: it is created
 * owner-only (0600) before SQLite opens it, and an older 0644 file is
 * tightened (SQLite gives its -wal and -shm files the same mode).
 */
function makePrivateFile(path: string): void {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return;
  if (Deno.build.os === "windows") return;
  Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
  try {
    Deno.chmodSync(path, 0o600);
  } catch (err) {
    // Someone else's file (a read-only copy): SQLite decides whether it can be opened.
    if (!(err instanceof Deno.errors.PermissionDenied)) throw err;
  }
}
