/**
 * The SQLite historian's layout (measured in docs/historian.md): new samples
 * land in `history_recent`, keyed (ts, tag_id) so that a batch appends at the
 * end of one B-tree; a compaction step moves rows older than a watermark, in
 * bulk and sorted, into one table per UTC day keyed (tag_id, ts), where a
 * one-tag range query is one index range scan. Retention empties and drops
 * whole day tables. This module holds the names, the DDL and the statements.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Milliseconds in a UTC day, the partition span. */
export const DAY_MS = 86_400_000;
/** Table of samples not yet moved into their day (ts ≥ the watermark). */
export const RECENT = "history_recent";
/** Key/value table: schema version and the watermark. */
export const META = "history_meta";
/** Day tables are `history_YYYYMMDD`; GLOB pattern to find them. */
export const PARTITION_GLOB = "history_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]";

const COLUMNS = "tag_id, ts, value, kind, quality";
const UPSERT_TAIL = "ON CONFLICT (tag_id, ts) DO UPDATE SET value = excluded.value, " +
  "kind = excluded.kind, quality = excluded.quality";

/**
 * Columns: `value` has no declared type, so SQLite keeps each value's own
 * storage class (REAL, TEXT, NULL) and never turns a numeric-looking string
 * into a number; `kind` and `quality` are the codes of sinks/codes.ts.
 */
function columnsDdl(key: string): string {
  return `(tag_id INTEGER NOT NULL, ts INTEGER NOT NULL, value, kind INTEGER NOT NULL, ` +
    `quality INTEGER NOT NULL, PRIMARY KEY (${key})) WITHOUT ROWID`;
}

/** DDL of the fixed tables (idempotent). */
export const SCHEMA_DDL = `
CREATE TABLE IF NOT EXISTS ${META} (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
INSERT OR IGNORE INTO ${META} (key, value) VALUES ('schema', 1), ('sealed_to', 0);
CREATE TABLE IF NOT EXISTS ${RECENT} ${columnsDdl("ts, tag_id")};
`;

/** UTC day number (days since 1970-01-01) of a time. */
export function dayOf(ts: number): number {
  return Math.floor(ts / DAY_MS);
}

/** Table name of a day: `history_YYYYMMDD` (UTC). */
export function partitionName(day: number): string {
  const iso = new Date(day * DAY_MS).toISOString();
  return `history_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
}

/** The day of a `history_YYYYMMDD` name, or undefined for other names. */
export function dayOfPartition(name: string): number | undefined {
  const m = /^history_(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (m === null) return undefined;
  return dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** DDL of one day table (idempotent). */
export function partitionDdl(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} ${columnsDdl("tag_id, ts")}`;
}

/** The INSERT … ON CONFLICT of `rows` rows into `table`, 5 parameters a row. */
export function upsertSql(table: string, rows: number): string {
  const row = "(?, ?, ?, ?, ?)";
  return `INSERT INTO ${table} (${COLUMNS}) VALUES ${
    Array(rows).fill(row).join(", ")
  } ${UPSERT_TAIL}`;
}

/** Moves [lo, hi) of the recent table into a day table, sorted by its key. */
export function moveSql(table: string): string {
  return `INSERT INTO ${table} (${COLUMNS}) SELECT ${COLUMNS} FROM ${RECENT} ` +
    `WHERE ts >= ? AND ts < ? ORDER BY tag_id, ts ${UPSERT_TAIL}`;
}

/** The read statements of one table (a day table or the recent one), prepared lazily. */
export class TableReader {
  #samples?: StatementSync;
  #aggregate?: StatementSync;
  #at?: StatementSync;
  #range?: StatementSync;

  constructor(readonly db: DatabaseSync, readonly table: string) {}

  /** Rows of a tag in [from, to), oldest first, at most `limit`. */
  samples(tagId: number, from: number, to: number, limit: number): SampleRow[] {
    this.#samples ??= this.db.prepare(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE tag_id = ? AND ts >= ? AND ts < ? ` +
        `ORDER BY ts LIMIT ?`,
    );
    return this.#samples.all(tagId, from, to, limit) as unknown as SampleRow[];
  }

  /**
   * Per-bucket aggregates of a tag in [lo, hi), buckets of `width` ms from
   * `origin` (integer arithmetic: both bound as BigInt).
   */
  aggregate(tagId: number, origin: number, width: number, lo: number, hi: number): AggregateRow[] {
    this.#aggregate ??= this.db.prepare(
      `SELECT (ts - ?) / ? AS b, min(n) AS mn, max(n) AS mx, total(n) AS sm, count(n) AS nc, ` +
        `count(*) AS c, max(ts) AS lt FROM (SELECT ts, CASE WHEN kind IN (1, 2) THEN value END AS n ` +
        `FROM ${this.table} WHERE tag_id = ? AND ts >= ? AND ts < ?) GROUP BY b`,
    );
    return this.#aggregate.all(
      BigInt(origin),
      BigInt(width),
      tagId,
      lo,
      hi,
    ) as unknown as AggregateRow[];
  }

  /** Aggregates of a tag in [lo, hi) as one bucket (c = 0 when empty): an index range scan, no sort. */
  aggregateRange(tagId: number, lo: number, hi: number): Omit<AggregateRow, "b"> {
    this.#range ??= this.db.prepare(
      `SELECT min(n) AS mn, max(n) AS mx, total(n) AS sm, count(n) AS nc, count(*) AS c, ` +
        `max(ts) AS lt FROM (SELECT ts, CASE WHEN kind IN (1, 2) THEN value END AS n ` +
        `FROM ${this.table} WHERE tag_id = ? AND ts >= ? AND ts < ?)`,
    );
    return this.#range.get(tagId, lo, hi) as unknown as Omit<AggregateRow, "b">;
  }

  /** The stored value columns of (tag, ts), if stored here. */
  at(tagId: number, ts: number): { value: number | string | null; kind: number } | undefined {
    this.#at ??= this.db.prepare(
      `SELECT value, kind FROM ${this.table} WHERE tag_id = ? AND ts = ?`,
    );
    return this.#at.get(tagId, ts) as { value: number | string | null; kind: number } | undefined;
  }
}

/** A stored row as node:sqlite returns it. */
export interface SampleRow {
  tag_id: number;
  ts: number;
  value: number | string | null;
  kind: number;
  quality: number;
}

/** One bucket's partial aggregate from one table. */
export interface AggregateRow {
  b: number;
  mn: number | null;
  mx: number | null;
  sm: number;
  nc: number;
  c: number;
  lt: number;
}
