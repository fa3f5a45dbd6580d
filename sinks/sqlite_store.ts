/**
 * The storage engine under the SQLite sink: inserts a batch (recent rows in
 * multi-row upserts, late rows straight into their day table), compacts the
 * recent table into day tables, and prunes the oldest day in bounded steps.
 * Synchronous, one DatabaseSync, no timers: the sink decides when.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Sample } from "../model/sample.ts";
import { kindOf, qualityCode } from "./codes.ts";
import {
  DAY_MS,
  dayOf,
  dayOfPartition,
  META,
  moveSql,
  PARTITION_GLOB,
  partitionDdl,
  partitionName,
  RECENT,
  SCHEMA_DDL,
  TableReader,
  upsertSql,
} from "./sqlite_layout.ts";

/** Rows per multi-row upsert into the recent table, largest first. */
const CHUNKS = [500, 100, 20, 5, 1];

/** What one bounded retention step did. */
export interface PruneResult {
  /** Rows deleted from the oldest expired day table. */
  readonly deleted: number;
  /** Day tables dropped (emptied and gone). */
  readonly dropped: readonly string[];
  /** More expired rows remain: call again. */
  readonly more: boolean;
}

/** Storage engine over one open history database (see module doc). */
export class HistoryStore {
  /** Rows with ts below this live in day tables, the rest in the recent table. */
  sealedTo: number;
  /** Days that have a table, ascending. */
  days: number[];
  readonly #db: DatabaseSync;
  readonly #recentUpserts = new Map<number, StatementSync>();
  readonly #dayUpserts = new Map<number, StatementSync>();
  readonly #readers = new Map<string, TableReader>();
  readonly #q: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA_DDL);
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ?`)
      .all(PARTITION_GLOB) as Array<{ name: string }>;
    this.days = names.map((r) => dayOfPartition(r.name)!).sort((a, b) => a - b);
    this.#q = {
      getMeta: db.prepare(`SELECT value FROM ${META} WHERE key = ?`),
      setMeta: db.prepare(`UPDATE ${META} SET value = ? WHERE key = ?`),
      firstRecent: db.prepare(
        `SELECT ts FROM ${RECENT} WHERE ts >= ? AND ts < ? ORDER BY ts LIMIT 1`,
      ),
      nthRecent: db.prepare(`SELECT ts FROM ${RECENT} ORDER BY ts LIMIT 1 OFFSET ?`),
      deleteRecent: db.prepare(`DELETE FROM ${RECENT} WHERE ts < ?`),
    };
    this.sealedTo = (this.#q.getMeta.get("sealed_to") as { value: number }).value;
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT); on any
   * error rolls back, forgets day tables and the watermark `fn` changed, and
   * rethrows.
   */
  transaction<T>(fn: () => T): T {
    const days = this.days.slice();
    const sealedTo = this.sealedTo;
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      for (const day of this.days) if (!days.includes(day)) this.#forget(day);
      this.days = days;
      this.sealedTo = sealedTo;
      throw error;
    }
  }

  /** Upserts a validated batch; call inside `transaction`. */
  insert(batch: readonly Sample[]): void {
    const sealedTo = this.sealedTo;
    let recent: readonly Sample[] = batch;
    let late: Sample[] = [];
    if (!batch.every((s) => s.ts >= sealedTo)) {
      recent = batch.filter((s) => s.ts >= sealedTo);
      late = batch.filter((s) => s.ts < sealedTo);
    }
    let i = 0;
    for (const size of CHUNKS) {
      while (recent.length - i >= size) {
        const args: Array<number | string | null> = new Array(size * 5);
        for (let k = 0; k < size; k++) encodeInto(args, k * 5, recent[i + k]);
        this.#recentUpsert(size).run(...args);
        i += size;
      }
    }
    const args: Array<number | string | null> = new Array(5);
    for (const s of late) {
      encodeInto(args, 0, s);
      this.#dayUpsert(dayOf(s.ts)).run(...args);
    }
  }

  /**
   * Moves at most about `maxRows` rows older than `target` from the recent
   * table into their day tables, in one transaction, and raises the
   * watermark to the cut. Returns the rows moved; fewer than `maxRows` means
   * caught up. With nothing to move the watermark stays: rows written later
   * at or above it still take the fast path.
   */
  compact(target: number, maxRows: number): number {
    checkMaxRows(maxRows);
    if (target <= this.sealedTo) return 0;
    const first = this.#q.firstRecent.get(0, target) as { ts: number } | undefined;
    if (first === undefined) return 0;
    const nth = this.#q.nthRecent.get(maxRows) as { ts: number } | undefined;
    const cut = nth === undefined ? target : Math.min(target, Math.max(nth.ts, first.ts + 1));
    return this.transaction(() => {
      let moved = 0;
      let lo = 0;
      for (;;) {
        const next = this.#q.firstRecent.get(lo, cut) as { ts: number } | undefined;
        if (next === undefined) break;
        const day = dayOf(next.ts);
        const hi = Math.min(cut, (day + 1) * DAY_MS);
        this.#ensureDay(day);
        const run = this.#db.prepare(moveSql(partitionName(day))).run(next.ts, hi);
        moved += Number(run.changes);
        lo = hi;
      }
      this.#q.deleteRecent.run(cut);
      this.#q.setMeta.run(cut, "sealed_to");
      this.sealedTo = cut;
      return moved;
    });
  }

  /**
   * One bounded retention step: deletes up to `maxRows` rows of the oldest
   * day table that lies wholly before `before`, and drops the table once it
   * is empty. Days that reach past `before` are kept whole.
   */
  prune(before: number, maxRows: number): PruneResult {
    checkMaxRows(maxRows);
    const expired = (day: number | undefined) => day !== undefined && (day + 1) * DAY_MS <= before;
    const day = this.days[0];
    if (!expired(day)) return { deleted: 0, dropped: [], more: false };
    const table = partitionName(day);
    const edge = this.#db.prepare(
      `SELECT tag_id, ts FROM ${table} ORDER BY tag_id, ts LIMIT 1 OFFSET ?`,
    )
      .get(maxRows - 1) as { tag_id: number; ts: number } | undefined;
    if (edge !== undefined) {
      const run = this.transaction(() =>
        this.#db.prepare(`DELETE FROM ${table} WHERE (tag_id, ts) <= (?, ?)`).run(
          edge.tag_id,
          edge.ts,
        )
      );
      return { deleted: Number(run.changes), dropped: [], more: true };
    }
    const deleted = this.transaction(() => {
      const rows = this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
      this.#db.exec(`DROP TABLE ${table}`);
      return rows.n;
    });
    this.#forget(day);
    this.days = this.days.filter((d) => d !== day);
    return { deleted, dropped: [table], more: expired(this.days[0]) };
  }

  /** Reader of a day table or of the recent table (RECENT). */
  reader(table: string): TableReader {
    let reader = this.#readers.get(table);
    if (reader === undefined) {
      reader = new TableReader(this.#db, table);
      this.#readers.set(table, reader);
    }
    return reader;
  }

  /**
   * The tables that can hold rows in [from, to), in time order (the day
   * tables, then the recent table), each with the span of times it can hold.
   */
  readersFor(from: number, to: number): Array<{ reader: TableReader; lo: number; hi: number }> {
    const out: Array<{ reader: TableReader; lo: number; hi: number }> = [];
    for (const day of this.days) {
      const lo = Math.max(from, day * DAY_MS);
      const hi = Math.min(to, (day + 1) * DAY_MS, this.sealedTo);
      if (lo < hi) out.push({ reader: this.reader(partitionName(day)), lo, hi });
    }
    const lo = Math.max(from, this.sealedTo);
    if (lo < to) out.push({ reader: this.reader(RECENT), lo, hi: to });
    return out;
  }

  /** The table that holds (or would hold) a row at `ts`. */
  tableOf(ts: number): string {
    return ts >= this.sealedTo ? RECENT : partitionName(dayOf(ts));
  }

  #recentUpsert(rows: number): StatementSync {
    let stmt = this.#recentUpserts.get(rows);
    if (stmt === undefined) {
      stmt = this.#db.prepare(upsertSql(RECENT, rows));
      this.#recentUpserts.set(rows, stmt);
    }
    return stmt;
  }

  #dayUpsert(day: number): StatementSync {
    this.#ensureDay(day);
    let stmt = this.#dayUpserts.get(day);
    if (stmt === undefined) {
      stmt = this.#db.prepare(upsertSql(partitionName(day), 1));
      this.#dayUpserts.set(day, stmt);
    }
    return stmt;
  }

  #ensureDay(day: number): void {
    if (this.days.includes(day)) return;
    this.#db.exec(partitionDdl(partitionName(day)));
    this.days = [...this.days, day].sort((a, b) => a - b);
  }

  #forget(day: number): void {
    this.#dayUpserts.delete(day);
    this.#readers.delete(partitionName(day));
  }
}

/** Writes one sample's five columns (tag_id, ts, value, kind, quality) at `at`. */
function encodeInto(args: Array<number | string | null>, at: number, s: Sample): void {
  const v = s.value;
  args[at] = s.tagId;
  args[at + 1] = s.ts;
  args[at + 2] = typeof v === "boolean"
    ? (v ? 1 : 0)
    : typeof v === "number" && Number.isNaN(v)
    ? null
    : v;
  args[at + 3] = kindOf(v);
  args[at + 4] = qualityCode(s.quality);
}

function checkMaxRows(maxRows: number): void {
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new RangeError("maxRows must be an integer ≥ 1");
  }
}
