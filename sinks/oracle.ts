/**
 * The Oracle historian sink (npm:oracledb in thin mode: no Oracle client
 * install). A batch is one executeMany of a MERGE with explicit bind
 * definitions (one round trip), then a commit; on any error the transaction
 * is rolled back and the connection goes back to the pool. The pool is a
 * port: by default a real oracledb pool built from user, password and
 * connect string; tests inject sinks/testing_oracle.ts. No Oracle server
 * exists on the build machines: the real pool is untested here.
 */
import oracledb from "oracledb";
import type { Sample } from "../model/sample.ts";
import { CLOSE_TIMEOUT_S, type Sink, type SinkHealth } from "./sink.ts";
import { validateBatch } from "./batch.ts";
import { kindOf, numericOf, qualityCode, textOf } from "./codes.ts";
import { SinkClosedError } from "./errors.ts";
import {
  type BindDef,
  bindDefs,
  ensureTableSql,
  MAX_TEXT_BYTES,
  mergeSql,
  TABLE_NAME,
  truncateUtf8,
  utf8Length,
} from "./oracle_sql.ts";

/** The part of an oracledb Connection the sink uses. */
export interface OracleConnection {
  execute(sql: string, binds?: unknown[], options?: { autoCommit?: boolean }): Promise<{
    rows?: unknown[];
  }>;
  executeMany(
    sql: string,
    binds: unknown[][],
    options: { bindDefs: BindDef[]; autoCommit?: boolean },
  ): Promise<{ rowsAffected?: number }>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Releases the connection to its pool (rolling back anything uncommitted). */
  close(): Promise<void>;
}

/** The part of an oracledb Pool the sink uses. */
export interface OraclePool {
  getConnection(): Promise<OracleConnection>;
  close(drainSeconds?: number): Promise<void>;
}

/** Settings of the Oracle sink. */
export interface OracleSinkOptions {
  /** An injected pool (tests); otherwise one is created from the fields below. */
  readonly pool?: OraclePool;
  readonly user?: string;
  readonly password?: string;
  /** Easy Connect string or TNS alias, e.g. `db.plant:1521/HISTPDB`. */
  readonly connectString?: string;
  /** Pool size bounds (default 0 and 2). */
  readonly poolMin?: number;
  readonly poolMax?: number;
  /** History table (default `JSSCADA_HISTORY`). */
  readonly table?: string;
  /** Create the table when missing (default true; IT teams may create it themselves). */
  readonly createTable?: boolean;
}

/** Builds the default pool: oracledb thin mode, small, pinged when idle. */
export async function createOraclePool(options: OracleSinkOptions): Promise<OraclePool> {
  if (!options.user || !options.connectString) {
    throw new RangeError("the Oracle sink needs a user and a connect string");
  }
  return await oracledb.createPool({
    user: options.user,
    password: options.password,
    connectString: options.connectString,
    poolMin: options.poolMin ?? 0,
    poolMax: options.poolMax ?? 2,
    poolIncrement: 1,
    poolPingInterval: 60,
    queueTimeout: 10_000,
  }) as OraclePool;
}

/** The Oracle historian sink (no trend queries: the dashboard reads SQLite or PostgreSQL). */
export class OracleSink implements Sink {
  readonly kind = "oracle";
  readonly #options: OracleSinkOptions;
  readonly #table: string;
  readonly #merge: string;
  #pool: Promise<OraclePool> | undefined;
  #schemaReady = false;
  #closed = false;

  /** Validates the settings; the pool is created on first use. */
  constructor(options: OracleSinkOptions) {
    const table = options.table ?? "JSSCADA_HISTORY";
    if (!TABLE_NAME.test(table)) throw new RangeError(`not a plain table name: ${table}`);
    this.#options = options;
    this.#table = table;
    this.#merge = mergeSql(table);
    if (options.pool) this.#pool = Promise.resolve(options.pool);
  }

  /** Stores a batch: executeMany(MERGE) and commit, or rollback and reject. */
  async write(batch: readonly Sample[]): Promise<void> {
    this.#assertOpen();
    validateBatch(batch);
    if (batch.length === 0) return;
    const binds = new Array<unknown[]>(batch.length);
    let maxBytes = 1;
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i];
      let text = textOf(s.value);
      if (text !== null) {
        text = truncateUtf8(text, MAX_TEXT_BYTES);
        maxBytes = Math.max(maxBytes, utf8Length(text));
      }
      binds[i] = [s.tagId, s.ts, kindOf(s.value), qualityCode(s.quality), numericOf(s.value), text];
    }
    await this.#withConnection(async (conn) => {
      await this.#ensureSchema(conn);
      try {
        await conn.executeMany(this.#merge, binds, {
          bindDefs: bindDefs(maxBytes),
          autoCommit: false,
        });
        await conn.commit();
      } catch (error) {
        await conn.rollback().catch(() => {}); // a broken connection has nothing to roll back
        throw error;
      }
    });
  }

  /** ok when `SELECT 1 FROM dual` answers on a pooled connection. */
  async health(): Promise<SinkHealth> {
    if (this.#closed) return { ok: false, detail: "the oracle sink is closed" };
    try {
      await this.#withConnection((conn) => conn.execute("SELECT 1 FROM dual"));
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: `Oracle: ${(error as Error).message}` };
    }
  }

  /** Closes the pool (connections in use get CLOSE_TIMEOUT_S to drain); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.close(CLOSE_TIMEOUT_S);
  }

  async #withConnection<T>(fn: (conn: OracleConnection) => Promise<T>): Promise<T> {
    this.#pool ??= createOraclePool(this.#options).catch((error) => {
      this.#pool = undefined; // try again on the next call
      throw error;
    });
    const conn = await (await this.#pool).getConnection();
    try {
      return await fn(conn);
    } finally {
      await conn.close().catch(() => {}); // the pool drops a broken connection
    }
  }

  async #ensureSchema(conn: OracleConnection): Promise<void> {
    if (this.#schemaReady || this.#options.createTable === false) return;
    await conn.execute(ensureTableSql(this.#table));
    this.#schemaReady = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new SinkClosedError("oracle");
  }
}
