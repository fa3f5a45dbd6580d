/**
 * The store's connection to its SQLite file: pragmas, a statement cache,
 * nestable transactions (savepoints inside), and the change-event queue that
 * is flushed to subscribers only after the outermost transaction commits, so
 * listeners never see a change that was rolled back.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { ConfigChange, ConfigResource } from "../model/change.ts";
import { rethrowStoreError, StoreUnavailableError, storeWriteFailure } from "./errors.ts";

/** Options of {@link Db} (and of openStore). */
export interface DbOptions {
  /** The clock, ms since the epoch (injected in tests). Default `Date.now`. */
  readonly now?: () => number;
  /** How long a statement waits for another process's lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Where a throwing change listener's error goes. Default `console.error`. */
  readonly onListenerError?: (error: unknown) => void;
}

/** A value a statement accepts: SQLite's own, plus booleans (stored as 0/1) and undefined (NULL). */
export type Param = SQLInputValue | boolean | undefined;

type Listener = (changes: readonly ConfigChange[]) => void;

function bind(params: readonly Param[]): SQLInputValue[] {
  return params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : p));
}

/** One open configuration database. */
export class Db {
  /** The node:sqlite handle, for migrations and bulk work. */
  readonly sqlite: DatabaseSync;
  /** The clock. */
  readonly now: () => number;
  readonly #statements = new Map<string, StatementSync>();
  readonly #listeners = new Set<Listener>();
  readonly #onListenerError: (error: unknown) => void;
  #pending: ConfigChange[] = [];
  #depth = 0;
  /**
   * Set when SQLite rolled the whole transaction back on its own (disk full)
   * while an inner step failed: every later write of that transaction fails
   * with it, so nothing after the loss commits on its own in autocommit mode.
   */
  #lost: StoreUnavailableError | undefined;

  constructor(path: string, options: DbOptions = {}) {
    this.sqlite = new DatabaseSync(path);
    this.now = options.now ?? Date.now;
    this.#onListenerError = options.onListenerError ?? ((e) => console.error(e));
    this.sqlite.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (path !== ":memory:") {
      this.sqlite.exec("PRAGMA journal_mode = WAL");
      this.sqlite.exec("PRAGMA synchronous = NORMAL");
    }
    this.sqlite.exec("PRAGMA foreign_keys = ON");
  }

  /** A cached prepared statement. */
  statement(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.sqlite.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs a write; returns the changed row count and the last inserted rowid.
   * A write the disk cannot take throws StoreUnavailableError.
   */
  run(sql: string, ...params: Param[]): { changes: number; lastInsertRowid: number } {
    if (this.#lost && this.#depth > 0) throw this.#lost;
    let r;
    try {
      r = this.statement(sql).run(...bind(params));
    } catch (e) {
      const failure = storeWriteFailure(e);
      if (!failure) throw e;
      if (this.#depth > 0 && !this.sqlite.isTransaction) this.#lost ??= failure;
      throw failure;
    }
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  /** The first row of a query, or undefined. */
  get<T = Record<string, SQLInputValue>>(sql: string, ...params: Param[]): T | undefined {
    return this.statement(sql).get(...bind(params)) as T | undefined;
  }

  /** All rows of a query. */
  all<T = Record<string, SQLInputValue>>(sql: string, ...params: Param[]): T[] {
    return this.statement(sql).all(...bind(params)) as T[];
  }

  /** True inside {@link transaction}. */
  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  /**
   * Runs `fn` in a transaction: all its writes commit together or none do. A
   * nested call becomes a savepoint, so an inner failure that the outer code
   * catches undoes only the inner writes. Change events queued inside are
   * delivered once, after the outermost commit. `fn` must be synchronous.
   * When the disk cannot take the writes (SQLite may then have rolled the
   * whole transaction back itself) it throws StoreUnavailableError.
   */
  transaction<T>(fn: () => T): T {
    const outer = this.#depth === 0;
    const savepoint = `sp${this.#depth}`;
    const mark = this.#pending.length;
    if (this.#lost && !outer) throw this.#lost;
    try {
      this.sqlite.exec(outer ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    } catch (e) {
      rethrowStoreError(e);
    }
    this.#depth++;
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) {
        result.catch(() => {});
        throw new TypeError("a store transaction must be synchronous (it returned a Promise)");
      }
      if (this.#lost) throw this.#lost;
      this.sqlite.exec(outer ? "COMMIT" : `RELEASE ${savepoint}`);
    } catch (e) {
      // SQLITE_FULL and SQLITE_IOERR may roll the transaction back on their own:
      // a ROLLBACK then would throw "no transaction is active" and hide the cause.
      const open = this.sqlite.isTransaction;
      const cause = storeWriteFailure(e) ?? e;
      if (outer) {
        if (open) this.sqlite.exec("ROLLBACK");
        this.#pending = [];
      } else {
        if (open) {
          this.sqlite.exec(`ROLLBACK TO ${savepoint}`);
          this.sqlite.exec(`RELEASE ${savepoint}`);
        } else if (cause instanceof StoreUnavailableError) {
          this.#lost ??= cause;
        }
        this.#pending.length = mark;
      }
      throw cause;
    } finally {
      this.#depth--;
      if (outer) this.#lost = undefined;
    }
    if (outer) this.#flush();
    return result;
  }

  /** Runs `fn` over one consistent snapshot (a read transaction); joins an open transaction. */
  read<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.sqlite.exec("BEGIN");
    try {
      return fn();
    } finally {
      this.sqlite.exec("COMMIT");
    }
  }

  /** Queues a change event for delivery after the current transaction commits. */
  changed(resource: ConfigResource, id: number, kind: ConfigChange["kind"]): void {
    if (this.#depth === 0) throw new Error("changes are only recorded inside a transaction");
    this.#pending.push({ resource, id, kind });
  }

  /** Adds a change listener; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Closes the database; later calls throw. */
  close(): void {
    this.#statements.clear();
    this.#listeners.clear();
    if (this.sqlite.isOpen) this.sqlite.close();
  }

  #flush(): void {
    const changes = this.#pending;
    this.#pending = [];
    if (changes.length === 0) return;
    const frozen = Object.freeze(changes);
    for (const listener of [...this.#listeners]) {
      try {
        listener(frozen);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
  }
}
