/**
 * The default historian: SQLite through node:sqlite, in its own database file
 * (never the config database), WAL with synchronous=NORMAL, one transaction
 * per batch. Layout and measurements: sinks/sqlite_layout.ts and
 * docs/historian.md.
 *
 * node:sqlite is synchronous, so by default the engine (sinks/sqlite_engine.ts)
 * runs in a worker thread: a write, a week-long trend query or a compaction
 * step occupies that thread, never the main event loop that the pollers and
 * the HTTP server share. With `worker: false` the engine runs inline: then a
 * 500-sample write holds the event loop for about 1 ms, a maintenance step
 * (up to `maxRowsPerStep` rows) for up to a few hundred ms, and a one-week
 * trend query for about 250 ms.
 */
import type { Sample } from "../model/sample.ts";
import type { HistoryBucket, HistorySource, Sink, SinkHealth } from "./sink.ts";
import { validateBatch } from "./batch.ts";
import { SinkClosedError } from "./errors.ts";
import {
  type MaintenanceResult,
  SqliteEngine,
  type SqliteEngineSettings,
} from "./sqlite_engine.ts";
import {
  deserializeError,
  type EngineOp,
  type OpResult,
  type RpcRequest,
  type RpcResponse,
} from "./sqlite_rpc.ts";
import type { PruneResult } from "./sqlite_store.ts";

/** Settings of the SQLite sink. */
export interface SqliteSinkOptions extends SqliteEngineSettings {
  /** Run the engine in a worker thread (default true). */
  readonly worker?: boolean;
  /** Clock for compaction and retention, inline mode only (the worker uses Date.now). */
  readonly clock?: () => number;
  /** Hears failures of the built-in maintenance steps (writes report their own). */
  readonly onMaintenanceError?: (error: unknown) => void;
  /** Free bytes of a directory's file system, inline mode only (tests of the disk guard). */
  readonly diskFree?: (dir: string) => number;
}

interface Backend {
  call<K extends EngineOp>(op: K, args: unknown[]): Promise<OpResult<K>>;
  terminate(): void;
}

/** The SQLite historian sink; also answers trend queries. */
export class SqliteSink implements Sink, HistorySource {
  readonly kind = "sqlite";
  readonly #backend: Backend;
  #closed = false;

  private constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Opens (or creates) the history file; rejects when it cannot be opened. */
  static async open(options: SqliteSinkOptions): Promise<SqliteSink> {
    const { worker, clock, onMaintenanceError, diskFree, ...settings } = options;
    if (worker === false) {
      const engine = new SqliteEngine(settings, clock, onMaintenanceError, diskFree);
      return new SqliteSink(new InlineBackend(engine));
    }
    const backend = new WorkerBackend(onMaintenanceError ?? (() => {}));
    try {
      await backend.open(settings);
    } catch (error) {
      backend.terminate();
      throw error;
    }
    return new SqliteSink(backend);
  }

  /** Stores a batch in one transaction; rejects (storing nothing) on any failure. */
  write(batch: readonly Sample[]): Promise<void> {
    try {
      this.#assertOpen();
      validateBatch(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    if (batch.length === 0) return Promise.resolve();
    return this.#backend.call("write", [batch]);
  }

  /** ok while the file answers a query. */
  async health(): Promise<SinkHealth> {
    if (this.#closed) return { ok: false, detail: "the SQLite sink is closed" };
    try {
      await this.#backend.call("ping", []);
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: `SQLite: ${(error as Error).message}` };
    }
  }

  /** Stops maintenance, closes the file and the worker; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#backend.call("close", []);
    } finally {
      this.#backend.terminate();
    }
  }

  /** Raw samples of one tag in [from, to), oldest first, at most `limit`. */
  samples(tagId: number, from: number, to: number, limit: number): Promise<Sample[]> {
    return this.#call("samples", [tagId, from, to, limit]);
  }

  /** Downsampled trend of one tag (see SqliteEngine.history). */
  history(tagId: number, from: number, to: number, points: number): Promise<HistoryBucket[]> {
    return this.#call("history", [tagId, from, to, points]);
  }

  /**
   * Moves up to `maxRows` rows older than `before` (default now − sealLagMs)
   * from the recent table into day tables; resolves to the rows moved.
   */
  compact(maxRows?: number, before?: number): Promise<number> {
    return this.#call("compact", [maxRows, before]);
  }

  /** One bounded retention step (see SqliteEngine.pruneOlderThan). */
  pruneOlderThan(ts: number, maxRows?: number): Promise<PruneResult> {
    return this.#call("pruneOlderThan", [ts, maxRows]);
  }

  /** One maintenance step now, besides the built-in timer. */
  maintain(): Promise<MaintenanceResult> {
    return this.#call("maintain", []);
  }

  #call<K extends EngineOp>(op: K, args: unknown[]): Promise<OpResult<K>> {
    try {
      this.#assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#backend.call(op, args);
  }

  #assertOpen(): void {
    if (this.#closed) throw new SinkClosedError("sqlite");
  }
}

/** The engine on the calling thread. */
class InlineBackend implements Backend {
  constructor(readonly engine: SqliteEngine) {}

  call<K extends EngineOp>(op: K, args: unknown[]): Promise<OpResult<K>> {
    try {
      const method = this.engine[op] as (...a: unknown[]) => OpResult<K>;
      return Promise.resolve(method.apply(this.engine, args));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  terminate(): void {
    this.engine.close();
  }
}

/** The engine in a worker thread, one request at a time in order. */
class WorkerBackend implements Backend {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;
  #dead: Error | undefined;

  constructor(onMaintenanceError: (error: unknown) => void) {
    this.#worker = new Worker(new URL("./sqlite_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = ({ data }: MessageEvent<RpcResponse>) => {
      if (data.id === -1) {
        if (!data.ok) onMaintenanceError(deserializeError(data.error));
        return;
      }
      const pending = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.ok) pending?.resolve(data.result);
      else pending?.reject(deserializeError(data.error));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(new Error(`the SQLite worker stopped: ${event.message}`));
    };
  }

  open(settings: SqliteEngineSettings): Promise<unknown> {
    return this.#send({ id: this.#nextId++, op: "open", args: [settings] });
  }

  call<K extends EngineOp>(op: K, args: unknown[]): Promise<OpResult<K>> {
    return this.#send({ id: this.#nextId++, op, args }) as Promise<OpResult<K>>;
  }

  terminate(): void {
    this.#worker.terminate();
    this.#fail(new SinkClosedError("sqlite"));
  }

  #send(req: RpcRequest): Promise<unknown> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#pending.set(req.id, { resolve, reject });
      this.#worker.postMessage(req);
    });
  }

  #fail(error: Error): void {
    this.#dead ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
