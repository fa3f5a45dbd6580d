/**
 * The configuration database's schema, as an ordered list of migrations.
 * Each is applied once, in its own transaction, and recorded in SQLite's
 * `user_version`. An applied migration is never edited (migrations_test.ts
 * pins their checksums): change the schema by appending a migration. A
 * database whose version is newer than this list is refused, so an older
 * JSScada never writes to a schema it does not understand.
 */
import type { DatabaseSync } from "node:sqlite";
import { SchemaVersionError } from "./errors.ts";

/** One schema step. */
export interface Migration {
  /** 1, 2, 3 … without gaps. */
  readonly version: number;
  /** What it does, in a few words. */
  readonly name: string;
  readonly sql: string;
}

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "plant configuration, users, tokens, sessions, audit log",
    sql: `
CREATE TABLE lines (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
) STRICT;

CREATE TABLE processes (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  line_id INTEGER NOT NULL REFERENCES lines (id)
) STRICT;
CREATE INDEX processes_line_id ON processes (line_id);

CREATE TABLE plcs (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  process_id INTEGER NOT NULL REFERENCES processes (id),
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  frame TEXT NOT NULL CHECK (frame IN ('ascii', 'binary')),
  network INTEGER NOT NULL,
  pc INTEGER NOT NULL,
  module_io INTEGER NOT NULL,
  station INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  pool_size INTEGER NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
) STRICT;
CREATE INDEX plcs_process_id ON plcs (process_id);

CREATE TABLE polling_groups (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  plc_id INTEGER NOT NULL REFERENCES plcs (id),
  mode TEXT NOT NULL CHECK (mode IN ('FIXED', 'HANDSHAKE')),
  interval_ms INTEGER,
  "trigger" TEXT CHECK ("trigger" IN ('rest', 'plc-bit')),
  request_bit TEXT,
  ack_bit TEXT,
  step_timeout_ms INTEGER,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
) STRICT;
CREATE INDEX polling_groups_plc_id ON polling_groups (plc_id);

CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  plc_id INTEGER NOT NULL REFERENCES plcs (id),
  group_id INTEGER NOT NULL REFERENCES polling_groups (id),
  address TEXT NOT NULL,
  data_type TEXT NOT NULL,
  length INTEGER,
  scale REAL NOT NULL,
  "offset" REAL NOT NULL,
  unit TEXT NOT NULL,
  deadband REAL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
) STRICT;
CREATE INDEX tags_plc_id ON tags (plc_id);
CREATE INDEX tags_group_id ON tags (group_id);

CREATE TABLE alarm_rules (
  id INTEGER PRIMARY KEY,
  tag_id INTEGER NOT NULL REFERENCES tags (id),
  kind TEXT NOT NULL CHECK (kind IN ('HIHI', 'HI', 'LO', 'LOLO', 'ON', 'OFF')),
  "limit" REAL,
  hysteresis REAL NOT NULL,
  on_delay_ms INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  message TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  UNIQUE (tag_id, kind)
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_name TEXT,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  resource_id TEXT,
  before TEXT,
  after TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_resource ON audit_log (resource, at);
CREATE INDEX audit_log_user_name ON audit_log (user_name, at);
`,
  },
  {
    version: 2,
    name: "alarm journal",
    sql: `
CREATE TABLE IF NOT EXISTS alarm_journal (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  alarm_id TEXT NOT NULL,
  rule_id INTEGER,
  system_key TEXT,
  tag_id INTEGER,
  tag_code TEXT,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  severity INTEGER NOT NULL,
  message TEXT NOT NULL,
  value TEXT,
  user_name TEXT,
  comment TEXT,
  suppressed INTEGER NOT NULL DEFAULT 0,
  shelved_until INTEGER,
  source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alarm_journal_ts ON alarm_journal (ts);
CREATE INDEX IF NOT EXISTS alarm_journal_tag_ts ON alarm_journal (tag_id, ts);
CREATE INDEX IF NOT EXISTS alarm_journal_alarm ON alarm_journal (alarm_id, seq);
`,
  },
  {
    version: 3,
    name: "operator writes: writable tags and their limits",
    sql: `
ALTER TABLE tags ADD COLUMN writable INTEGER NOT NULL DEFAULT 0 CHECK (writable IN (0, 1));
ALTER TABLE tags ADD COLUMN write_min REAL;
ALTER TABLE tags ADD COLUMN write_max REAL;
ALTER TABLE tags ADD COLUMN bit_write INTEGER NOT NULL DEFAULT 0 CHECK (bit_write IN (0, 1));
`,
  },
  {
    version: 4,
    name: "PLC failure rule: attempts and comm alarm delay",
    sql: `
ALTER TABLE plcs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 3
  CHECK (attempts BETWEEN 1 AND 10);
ALTER TABLE plcs ADD COLUMN comm_alarm_delay_ms INTEGER NOT NULL DEFAULT 2000
  CHECK (comm_alarm_delay_ms BETWEEN 0 AND 600000);
`,
  },
  {
    version: 5,
    name: "PLC series, frame type, transport and pipelining depth",
    // No CHECK on the names: the store validates them, and new series or
    // frames must not need a table rebuild.
    sql: `
ALTER TABLE plcs ADD COLUMN series TEXT NOT NULL DEFAULT 'Q';
ALTER TABLE plcs ADD COLUMN frame_type TEXT NOT NULL DEFAULT '3E';
ALTER TABLE plcs ADD COLUMN transport TEXT NOT NULL DEFAULT 'tcp';
ALTER TABLE plcs ADD COLUMN pipeline_depth INTEGER NOT NULL DEFAULT 1
  CHECK (pipeline_depth BETWEEN 1 AND 64);
`,
  },
  {
    version: 6,
    name: "PLC X/Y notation of iQ-F ASCII frames",
    // octal = GX Works3 "ASCII code (X, Y OCT)", hex = "(X, Y HEX)"; validated by the store.
    sql: `
ALTER TABLE plcs ADD COLUMN xy_notation TEXT NOT NULL DEFAULT 'octal';
`,
  },
];

/** The schema version this program writes: the last migration's. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The database's schema version (0 for a new, empty database). */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/**
 * Brings the database up to the newest schema; returns the versions before
 * and after. Throws SchemaVersionError, naming both versions, when the
 * database is newer than `migrations` knows.
 */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[] = MIGRATIONS,
  where = "the configuration database",
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i + 1} has version ${m.version}`);
  });
  const known = migrations.length;
  const from = schemaVersion(db);
  if (from > known) {
    throw new SchemaVersionError(
      `${where} has schema version ${from}, but this JSScada knows versions up to ${known}: ` +
        `run the newer JSScada that wrote it, or restore a backup made for version ${known}`,
    );
  }
  for (const m of migrations.slice(from)) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return { from, to: Math.max(from, known) };
}
