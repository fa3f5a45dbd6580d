/**
 * A fake Oracle pool for the Oracle sink's tests and benchmark (no Oracle
 * server exists here). It records every SQL text with its binds and options,
 * checks executeMany binds against their bind definitions the way
 * node-oracledb does (types, maxSize in UTF-8 bytes, NaN in NUMBER) and
 * against the columns (NUMBER precision, VARCHAR2(4000 BYTE)), applies the
 * MERGE to an in-memory table per transaction (commit publishes, rollback
 * and release discard; rows before a failing row stay in the transaction as
 * in Oracle's array DML), stores '' as NULL as Oracle does, and fails on
 * demand with errors shaped like oracledb's.
 */
import oracledb from "oracledb";
import type { Sample } from "../model/sample.ts";
import { decodeSample } from "./codes.ts";
import type { OracleConnection, OraclePool } from "./oracle.ts";
import type { BindDef } from "./oracle_sql.ts";
import { utf8Length } from "./oracle_sql.ts";

/** An error shaped like node-oracledb's: `code`, `errorNum` for ORA-, `isRecoverable`. */
export type OracleError = Error & { code: string; errorNum?: number; isRecoverable?: boolean };

const MESSAGES: Record<string, string> = {
  "ORA-03113": "end-of-file on communication channel",
  "ORA-00001": "unique constraint (JSSCADA.JSSCADA_HISTORY_PK) violated",
  "ORA-12541": "TNS:no listener",
  "ORA-01438": "value larger than specified precision allowed for this column",
  "ORA-12899": 'value too large for column "TEXT_VALUE" (actual: %d, maximum: 4000)',
  "ORA-00900": "invalid SQL statement",
  "NJS-500": "connection to the Oracle Database was broken",
  "NJS-003": "invalid or closed connection",
  "NJS-011": "encountered bind value and type mismatch",
  "NJS-058": "maximum size of %d is less than value being bound",
  "DPI-1080": "connection was closed by ORA-3113",
};

/** Makes an error as oracledb would throw it for `code`. */
export function oracleError(code: string, detail?: string): OracleError {
  const error = new Error(
    `${code}: ${detail ?? MESSAGES[code] ?? "injected failure"}`,
  ) as OracleError;
  error.code = code;
  if (code.startsWith("ORA-")) error.errorNum = Number(code.slice(4));
  if (["NJS-500", "DPI-1080", "ORA-03113"].includes(code)) error.isRecoverable = true;
  return error;
}

/** One recorded call. */
export interface OracleCall {
  readonly method: "getConnection" | "execute" | "executeMany" | "commit" | "rollback" | "close";
  readonly connection: number;
  readonly sql?: string;
  readonly binds?: unknown;
  readonly options?: unknown;
}

type Row = [number, number, number, number, number | null, string | null];
type Method = OracleCall["method"];
const BROKEN = new Set(["NJS-500", "DPI-1080", "ORA-03113"]);
const key = (tag: number, ts: number) => `${tag}:${ts}`;

/** The fake pool (see module doc). */
export class FakeOraclePool implements OraclePool {
  /** Every call, in order. */
  readonly calls: OracleCall[] = [];
  /** Committed rows by "tag:ts". */
  readonly table = new Map<string, Row>();
  /** Connections handed out and not yet released. */
  open = 0;
  closed = false;
  /** Set false to count calls without keeping them (benchmarks). */
  record = true;
  #faults: Array<{ method: Method; error: OracleError }> = [];
  #failRow: ((row: Row) => boolean) | undefined;
  #ids = 0;

  /** The next `count` calls of `method` throw `error` (connection errors break the connection). */
  failNext(
    count: number,
    error: OracleError = oracleError("NJS-500"),
    method: Method = "executeMany",
  ): void {
    for (let i = 0; i < count; i++) this.#faults.push({ method, error });
  }

  /** executeMany throws ORA-20000 at the first bound row that matches, until cleared (undefined). */
  failAtRow(match: ((row: Row) => boolean) | undefined): void {
    this.#failRow = match;
  }

  /** The committed table as samples, sorted by (tag, ts). */
  rows(): Sample[] {
    return [...this.table.values()]
      .map((r) => decodeSample(r[0], r[1], r[2], r[3], r[4], r[5]))
      .sort((a, b) => a.tagId - b.tagId || a.ts - b.ts);
  }

  getConnection(): Promise<OracleConnection> {
    if (this.closed) return Promise.reject(oracleError("NJS-065", "connection pool was closed"));
    const id = ++this.#ids;
    try {
      this.note({ method: "getConnection", connection: id });
    } catch (error) {
      return Promise.reject(error);
    }
    this.open++;
    return Promise.resolve(new FakeOracleConnection(this, id));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Records a call and throws a queued fault for it, if any. */
  note(call: OracleCall): void {
    if (this.record) this.calls.push(call);
    const i = this.#faults.findIndex((f) => f.method === call.method);
    if (i >= 0) throw this.#faults.splice(i, 1)[0].error;
  }

  /** The row-failure predicate, for connections. */
  get failRow(): ((row: Row) => boolean) | undefined {
    return this.#failRow;
  }
}

class FakeOracleConnection implements OracleConnection {
  #pending = new Map<string, Row>();
  #broken: OracleError | undefined;
  #released = false;

  constructor(readonly pool: FakeOraclePool, readonly id: number) {}

  execute(sql: string, binds?: unknown[], options?: { autoCommit?: boolean }) {
    return this.#call("execute", { sql, binds, options }, () => {
      if (/^SELECT 1 FROM dual$/i.test(sql.trim())) return { rows: [[1]] };
      if (/^BEGIN\s+EXECUTE IMMEDIATE 'CREATE TABLE/i.test(sql.trim())) return {};
      throw oracleError("ORA-00900");
    });
  }

  executeMany(
    sql: string,
    binds: unknown[][],
    options: { bindDefs: BindDef[]; autoCommit?: boolean },
  ) {
    return this.#call("executeMany", { sql, binds, options }, () => {
      if (!/^MERGE INTO \S+ h\s+USING \(SELECT :1 AS tag_id/.test(sql)) {
        throw oracleError("ORA-00900");
      }
      const defs = options?.bindDefs;
      if (!Array.isArray(defs) || defs.length !== 6) {
        throw oracleError("NJS-009", "invalid number of bind definitions");
      }
      if (!Array.isArray(binds) || binds.length === 0) {
        throw oracleError("NJS-005", "invalid value for parameter 2");
      }
      binds.forEach((row, i) => {
        const r = checkRow(row, defs, i);
        if (this.pool.failRow?.(r)) throw oracleError("ORA-20000", `injected failure at row ${i}`);
        this.#pending.set(key(r[0], r[1]), r);
      });
      if (options.autoCommit) this.#publish();
      return { rowsAffected: binds.length };
    });
  }

  commit() {
    return this.#call("commit", {}, () => this.#publish());
  }

  rollback() {
    return this.#call("rollback", {}, () => this.#pending.clear());
  }

  close(): Promise<void> {
    if (this.#released) return Promise.reject(oracleError("NJS-003"));
    this.#released = true;
    this.#pending.clear(); // releasing rolls back what was not committed
    this.pool.open--;
    this.pool.note({ method: "close", connection: this.id });
    return Promise.resolve();
  }

  #publish(): void {
    for (const [k, row] of this.#pending) this.pool.table.set(k, row);
    this.#pending.clear();
  }

  #call<T>(
    method: Method,
    call: { sql?: string; binds?: unknown; options?: unknown },
    fn: () => T,
  ): Promise<T> {
    try {
      if (this.#released) throw oracleError("NJS-003");
      if (this.#broken) throw oracleError("DPI-1080");
      try {
        this.pool.note({ method, connection: this.id, ...call });
      } catch (error) {
        if (BROKEN.has((error as OracleError).code)) {
          this.#broken = error as OracleError;
          this.#pending.clear();
        }
        throw error;
      }
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

const DIGITS = [10, 15, 1, 1]; // NUMBER(10), NUMBER(15), NUMBER(1), NUMBER(1)

/** Checks one bound row as node-oracledb and the table's columns would; Oracle's '' is NULL. */
function checkRow(row: unknown[], defs: BindDef[], i: number): Row {
  if (!Array.isArray(row) || row.length !== 6) {
    throw oracleError("NJS-009", `row ${i}: 6 binds expected`);
  }
  const out = row.map((v, pos) => {
    const def = defs[pos];
    if (v === null || v === undefined) return null;
    if (def.type === oracledb.DB_TYPE_NUMBER) {
      if (typeof v !== "number") throw oracleError("NJS-011", `row ${i} position ${pos + 1}`);
      if (Number.isNaN(v)) throw oracleError("NJS-105", "NaN cannot be bound to NUMBER");
      if (!Number.isInteger(v) || Math.abs(v) >= 10 ** DIGITS[pos]) throw oracleError("ORA-01438");
      return v;
    }
    if (def.type === oracledb.DB_TYPE_BINARY_DOUBLE) {
      if (typeof v !== "number") throw oracleError("NJS-011", `row ${i} position ${pos + 1}`);
      return v;
    }
    if (def.type === oracledb.DB_TYPE_VARCHAR) {
      if (typeof v !== "string") throw oracleError("NJS-011", `row ${i} position ${pos + 1}`);
      if (def.maxSize === undefined) {
        throw oracleError("NJS-059", "maxSize must be given for strings");
      }
      const bytes = utf8Length(v);
      if (bytes > def.maxSize) {
        throw oracleError(
          "NJS-058",
          `maximum size of ${def.maxSize} is less than value being bound (${bytes})`,
        );
      }
      if (bytes > 4000) {
        throw oracleError(
          "ORA-12899",
          `value too large for column (actual: ${bytes}, maximum: 4000)`,
        );
      }
      return v === "" ? null : v;
    }
    throw oracleError("NJS-011", `row ${i} position ${pos + 1}: unexpected bind type`);
  });
  if (out[0] === null || out[1] === null || out[2] === null || out[3] === null) {
    throw oracleError("ORA-01400", "cannot insert NULL");
  }
  return out as Row;
}
