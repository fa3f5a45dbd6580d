/**
 * The alarm journal: every alarm transition, kept in the config database for
 * the alarm history page and for restoring alarm states after a restart. The
 * engine does not know about it; the runtime subscribes the journal to the
 * engine through an AlarmJournalWriter (alarms/journal_writer.ts), which
 * survives, counts and logs appends that fail (disk full).
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { AlarmKind } from "../model/config.ts";
import type { TagValue } from "../protocol/values.ts";
import type { AlarmAction, AlarmState, AlarmTransition } from "./state.ts";

/** A filter for the alarm history. Time bounds are ms since the epoch. */
export interface AlarmJournalFilter {
  /** Transitions at or after this time. */
  readonly from?: number;
  /** Transitions before this time. */
  readonly to?: number;
  /** Only this tag's alarms, by tag id. */
  readonly tagId?: number;
  /** Only this tag's alarms, by the tag code recorded at the time. */
  readonly tagCode?: string;
  /** Only this alarm (`rule:<id>` or a system key). */
  readonly alarmId?: string;
  /** Only transitions of alarms at least this severe. */
  readonly minSeverity?: number;
  /** Only transitions into this state. */
  readonly state?: AlarmState;
  /** Only these actions (e.g. `acknowledge` for an acknowledgement report). */
  readonly action?: AlarmAction;
  /** Rows per page (newest first). */
  readonly limit: number;
  readonly offset?: number;
}

/** A stored transition, with its journal sequence number. */
export interface AlarmJournalEntry extends AlarmTransition {
  /** Increases with every append; orders transitions with equal timestamps. */
  readonly seq: number;
}

/** The persistence port the runtime needs for alarm transitions. */
export interface AlarmJournal {
  /** Stores transitions atomically, in order. */
  append(transitions: readonly AlarmTransition[]): void;
  /** Transitions matching the filter, newest first. */
  list(filter: AlarmJournalFilter): AlarmJournalEntry[];
  /** How many transitions match the filter (its limit and offset ignored), for paging. */
  count(filter: Omit<AlarmJournalFilter, "limit" | "offset">): number;
  /** Each alarm's latest transition, for AlarmEngine.restore after a restart. */
  latest(): AlarmJournalEntry[];
  /** Deletes transitions older than `olderThanTs`; returns how many. */
  prune(olderThanTs: number): number;
}

/**
 * The journal's schema as one migration: the config store runs it with
 * `db.exec` in its migration list (or call ensureAlarmJournalSchema). A plain
 * rowid table: appends go to the end of the B-tree; the ts index serves
 * history pages and pruning, the others the tag and latest-per-alarm queries.
 */
export const ALARM_JOURNAL_MIGRATION = `
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
`;

/** Creates the journal's table and indexes if they are missing. */
export function ensureAlarmJournalSchema(db: DatabaseSync): void {
  db.exec(ALARM_JOURNAL_MIGRATION);
}

/** The cutoff for a retention of `days` days at `now`: prune(retentionCutoff(now, 90)). */
export function retentionCutoff(now: number, days: number): number {
  return now - days * 86_400_000;
}

/** Options of the SQLite journal. */
export interface SqliteAlarmJournalOptions {
  /** Rows deleted per statement while pruning, so writers are never held up long (default 5,000). */
  readonly pruneChunk?: number;
}

const COLUMNS = "seq, ts, alarm_id, rule_id, system_key, tag_id, tag_code, kind, action, " +
  "from_state, to_state, severity, message, value, user_name, comment, suppressed, " +
  "shelved_until, source";

/** The alarm journal on node:sqlite, in an already open (config) database whose schema includes the migration. */
export class SqliteAlarmJournal implements AlarmJournal {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #pruneStep: StatementSync;
  readonly #latest: StatementSync;
  /** Prepared list/count statements by SQL text: a few filter shapes recur. */
  readonly #statements = new Map<string, StatementSync>();

  /** Prepares the statements; the table must exist (ALARM_JOURNAL_MIGRATION). */
  constructor(db: DatabaseSync, options: SqliteAlarmJournalOptions = {}) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO alarm_journal (${COLUMNS.slice("seq, ".length)}) ` +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const chunk = Math.max(1, Math.floor(options.pruneChunk ?? 5_000));
    this.#pruneStep = db.prepare(
      "DELETE FROM alarm_journal WHERE seq IN " +
        `(SELECT seq FROM alarm_journal WHERE ts < ? ORDER BY ts LIMIT ${chunk})`,
    );
    this.#latest = db.prepare(
      `SELECT ${COLUMNS} FROM alarm_journal WHERE seq IN ` +
        "(SELECT MAX(seq) FROM alarm_journal GROUP BY alarm_id) ORDER BY seq",
    );
  }

  /** Stores the transitions in one savepoint (works inside or outside a caller's transaction). */
  append(transitions: readonly AlarmTransition[]): void {
    if (transitions.length === 0) return;
    this.#db.exec("SAVEPOINT alarm_journal_append");
    try {
      for (const t of transitions) {
        this.#insert.run(
          t.ts,
          t.alarmId,
          t.ruleId,
          t.systemKey,
          t.tagId,
          t.tagCode,
          t.kind,
          t.action,
          t.from,
          t.to,
          t.severity,
          t.message,
          t.value === null ? null : JSON.stringify(t.value),
          t.user,
          t.comment,
          t.suppressed ? 1 : 0,
          t.shelvedUntil,
          t.source,
        );
      }
      this.#db.exec("RELEASE alarm_journal_append");
    } catch (error) {
      // SQLITE_FULL and SQLITE_IOERR may have rolled everything back already:
      // a ROLLBACK TO then throws "no such savepoint" and would hide the cause.
      if (this.#db.isTransaction) {
        this.#db.exec("ROLLBACK TO alarm_journal_append; RELEASE alarm_journal_append");
      }
      throw error;
    }
  }

  /** Transitions matching the filter, newest first. */
  list(filter: AlarmJournalFilter): AlarmJournalEntry[] {
    const { where, params } = whereClause(filter);
    const limit = Math.max(0, Math.floor(filter.limit));
    const offset = Math.max(0, Math.floor(filter.offset ?? 0));
    const rows = this.#prepare(
      `SELECT ${COLUMNS} FROM alarm_journal${where} ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset);
    return rows.map(toEntry);
  }

  /** How many transitions match the filter. */
  count(filter: Omit<AlarmJournalFilter, "limit" | "offset">): number {
    const { where, params } = whereClause(filter);
    const row = this.#prepare(`SELECT COUNT(*) AS n FROM alarm_journal${where}`).get(...params);
    return Number(row?.n ?? 0);
  }

  /** Each alarm's latest transition, oldest first. */
  latest(): AlarmJournalEntry[] {
    return this.#latest.all().map(toEntry);
  }

  /** Deletes transitions older than `olderThanTs` chunk by chunk; returns how many. */
  prune(olderThanTs: number): number {
    let total = 0;
    for (;;) {
      const n = Number(this.#pruneStep.run(olderThanTs).changes);
      total += n;
      if (n === 0) return total;
    }
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function whereClause(
  filter: Omit<AlarmJournalFilter, "limit" | "offset">,
): { where: string; params: SQLInputValue[] } {
  const terms: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, value: SQLInputValue | undefined) => {
    if (value === undefined) return;
    terms.push(sql);
    params.push(value);
  };
  add("ts >= ?", filter.from);
  add("ts < ?", filter.to);
  add("tag_id = ?", filter.tagId);
  add("tag_code = ?", filter.tagCode);
  add("alarm_id = ?", filter.alarmId);
  add("severity >= ?", filter.minSeverity);
  add("to_state = ?", filter.state);
  add("action = ?", filter.action);
  return { where: terms.length === 0 ? "" : ` WHERE ${terms.join(" AND ")}`, params };
}

function toEntry(row: Record<string, SQLInputValue>): AlarmJournalEntry {
  const nullableNumber = (v: SQLInputValue) => v === null ? null : Number(v);
  const nullableText = (v: SQLInputValue) => v === null ? null : String(v);
  return {
    seq: Number(row.seq),
    ts: Number(row.ts),
    alarmId: String(row.alarm_id),
    ruleId: nullableNumber(row.rule_id),
    systemKey: nullableText(row.system_key),
    tagId: nullableNumber(row.tag_id),
    tagCode: nullableText(row.tag_code),
    kind: String(row.kind) as AlarmKind | "SYSTEM",
    action: String(row.action) as AlarmAction,
    from: String(row.from_state) as AlarmState,
    to: String(row.to_state) as AlarmState,
    severity: Number(row.severity),
    message: String(row.message),
    value: row.value === null ? null : JSON.parse(String(row.value)) as TagValue,
    user: nullableText(row.user_name),
    comment: nullableText(row.comment),
    suppressed: Number(row.suppressed) === 1,
    shelvedUntil: nullableNumber(row.shelved_until),
    source: String(row.source),
  };
}
