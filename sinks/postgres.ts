/**
 * The PostgreSQL historian sink (npm:postgres). A batch is streamed with
 * `COPY … FROM STDIN (FORMAT binary)` straight into the history table inside
 * one transaction (BEGIN, COPY, COMMIT): PostgreSQL's fastest way in, half
 * or less of the server CPU per value of an upsert. The primary key (tag_id,
 * ts) makes that COPY fail as a whole when a (tag, ts) is already stored — a
 * replay, or a retry of a write whose commit was not acknowledged — and the
 * batch is then written again with the upsert (INSERT … SELECT FROM unnest
 * … ON CONFLICT (tag_id, ts) DO UPDATE), which keeps one row per key and lets
 * the last write win. Either way a batch is atomic and stored exactly once.
 * The table (DDL in sinks/postgres_sql.ts and docs/historian.md) is created
 * when missing, on first use, so that the sink can be built while the
 * database is still down. Measured alternatives: docs/historian.md.
 */
import type { Writable } from "node:stream";
import postgres from "postgres";
import type { Sample } from "../model/sample.ts";
import {
  CLOSE_TIMEOUT_S,
  type HistoryBucket,
  type HistorySource,
  type Sink,
  type SinkHealth,
} from "./sink.ts";
import { sortDedupe, validateBatch } from "./batch.ts";
import { bucketWidth, checkSamplesArgs } from "./buckets.ts";
import { decodeSample, kindOf, lastOf, numericOf, qualityCode, textOf } from "./codes.ts";
import { SinkClosedError } from "./errors.ts";
import { encodeCopyBinary } from "./postgres_copy.ts";
import { noDelaySockets } from "./postgres_socket.ts";
import {
  copySql,
  createTableSql,
  historySql,
  pruneSql,
  samplesSql,
  TABLE_NAME,
  upsertSql,
} from "./postgres_sql.ts";

/** Settings of the PostgreSQL sink. */
export interface PostgresSinkOptions {
  /** Connection URL, e.g. `postgres://jsscada:secret@db.plant:5432/history`. */
  readonly url: string;
  /** History table, `name` or `schema.name` (default `jsscada_history`). */
  readonly table?: string;
  /** Connections in the pool (default 2: one writer, one for queries and replays). */
  readonly poolSize?: number;
  /** Seconds to wait for a connection before a write fails (default 5). */
  readonly connectTimeoutSeconds?: number;
  /** Create the table and index when missing (default true). */
  readonly createTable?: boolean;
  /**
   * Store batches by binary COPY (default false: by the upsert). COPY costs
   * the server half the CPU, but with npm:postgres 3.4.9 a COPY whose
   * connection dies mid-batch can leave its promise unsettled, which stalls
   * the following batches through an outage (e2e/disk_full_test.ts fails with
   * it on); until that is solved it is opt-in (JSSCADA_PG_COPY=true).
   */
  readonly copy?: boolean;
}

interface SampleRow {
  tag_id: number;
  ms: number;
  kind: number;
  quality: number;
  num_value: number | null;
  text_value: string | null;
}

interface BucketRow {
  b: number;
  mn: number | null;
  mx: number | null;
  sm: number;
  nc: number;
  c: number;
  kind: number;
  num_value: number | null;
  text_value: string | null;
}

/** npm:postgres's codes for a query cut by its connection's end (close(), or a lost server). */
const ABANDONED = new Set(["CONNECTION_DESTROYED", "CONNECTION_CLOSED", "CONNECTION_ENDED"]);
let guarding = false;

/**
 * npm:postgres 3.4.9 rejects the promise of a COPY query whose stream was
 * taken with `.writable()` when its connection ends, though nothing awaits
 * that promise (the sink reads the COPY's outcome from its COMMIT). Such a
 * rejection belongs to a batch the sink has already reported as failed;
 * left alone it would be an unhandled rejection that ends the thread. This
 * drops exactly those, and nothing else.
 */
function guardAbandonedQueries(): void {
  if (guarding) return;
  guarding = true;
  globalThis.addEventListener("unhandledrejection", (e: PromiseRejectionEvent) => {
    const code = (e.reason as { code?: unknown } | null)?.code;
    if (typeof code === "string" && ABANDONED.has(code)) e.preventDefault();
  });
}

/** The PostgreSQL historian sink; also answers trend queries. */
export class PostgresSink implements Sink, HistorySource {
  readonly kind = "postgres";
  readonly #sql: postgres.Sql;
  /**
   * One connection of its own for the COPY transactions, as a pool of one
   * (not a reserved pool connection: npm:postgres 3.4.9 crashes the process
   * when a query is sent on a reserved connection that the server has
   * closed). Its BEGIN … COMMIT run one batch at a time (#copyChain).
   */
  readonly #copier: postgres.Sql;
  #copyChain: Promise<unknown> = Promise.resolve();
  readonly #table: string;
  readonly #createTable: boolean;
  readonly #useCopy: boolean;
  #schema: Promise<void> | undefined;
  #closed = false;
  #copies = 0;
  #upserts = 0;

  /** Builds the pool; connects lazily, so a down database fails writes, not startup. */
  constructor(options: PostgresSinkOptions) {
    guardAbandonedQueries();
    const table = options.table ?? "jsscada_history";
    if (!TABLE_NAME.test(table)) throw new RangeError(`not a plain table name: ${table}`);
    this.#table = table;
    this.#createTable = options.createTable ?? true;
    this.#useCopy = options.copy ?? false;
    const common = {
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      idle_timeout: 60,
      prepare: true,
      onnotice: () => {},
      connection: { application_name: "jsscada" },
      // TCP_NODELAY: without it every COPY waits ≈ 40 ms for a delayed ACK.
      socket: noDelaySockets(),
    } as postgres.Options<Record<string, never>>;
    this.#sql = postgres(options.url, { ...common, max: options.poolSize ?? 2 });
    // No max_lifetime: npm:postgres would retire the connection between a
    // batch's COPY and its COMMIT, failing that write (the COMMIT would reach
    // a new connection); an idle COPY connection still closes after 60 s.
    this.#copier = postgres(options.url, { ...common, max: 1, max_lifetime: null });
  }

  /**
   * Batches stored by COPY, and batches stored by the upsert (after the
   * database refused their COPY — a stored (tag, ts), a trigger… — or with
   * `copy: false`): for metrics and tests.
   */
  get writeCounts(): { readonly copies: number; readonly upserts: number } {
    return { copies: this.#copies, upserts: this.#upserts };
  }

  /**
   * Stores a batch: COPY in one transaction, or, when the database refuses
   * that COPY (a stored (tag, ts), a trigger…), the upsert; rejects (storing
   * nothing) on any failure of both.
   */
  async write(batch: readonly Sample[]): Promise<void> {
    this.#assertOpen();
    validateBatch(batch);
    if (batch.length === 0) return;
    await this.#ensureSchema();
    const rows = sortDedupe(batch);
    if (this.#useCopy && await this.#copy(rows)) {
      this.#copies++;
      return;
    }
    await this.#upsert(rows);
    this.#upserts++;
  }

  /**
   * BEGIN, COPY (binary) and COMMIT on the COPY connection, one batch at a
   * time; BEGIN is pipelined with the COPY and COMMIT with the data, so a
   * batch costs two round trips and one commit. Resolves true when
   * committed, false when the database refused the COPY (nothing stored; the
   * caller upserts), and rejects on a connection failure.
   */
  #copy(rows: readonly Sample[]): Promise<boolean> {
    const data = encodeCopyBinary(rows);
    const run = this.#copyChain.then(() => this.#copyTransaction(data));
    this.#copyChain = run.catch(() => {});
    return run;
  }

  async #copyTransaction(data: Uint8Array): Promise<boolean> {
    const sql = this.#copier;
    let open = false;
    try {
      const begin = sql.unsafe("BEGIN").execute();
      open = true;
      const [began, stream] = await Promise.all([
        begin,
        sql.unsafe(copySql(this.#table)).writable(),
      ]);
      await sendCopyData(stream, data);
      // A COPY that failed after its data was sent is only visible here: the
      // aborted transaction's COMMIT answers ROLLBACK.
      const commit = await sql.unsafe("COMMIT");
      open = false;
      if (backendOf(commit) !== backendOf(began)) {
        // The connection was lost after the COPY and the pool sent COMMIT on
        // a new one: the batch's transaction ended uncommitted with its backend.
        throw new Error("PostgreSQL: connection lost during COPY (batch not stored)");
      }
      return commit.command === "COMMIT";
    } catch (error) {
      if (open) await sql.unsafe("ROLLBACK").catch(() => {});
      if (error instanceof postgres.PostgresError && !FATAL.has(error.severity)) return false;
      throw error;
    }
  }

  /** The batch as one INSERT … SELECT FROM unnest … ON CONFLICT DO UPDATE (atomic by itself). */
  async #upsert(rows: readonly Sample[]): Promise<void> {
    const n = rows.length;
    const tags = new Array<number>(n);
    const times = new Array<number>(n);
    const kinds = new Array<number>(n);
    const qualities = new Array<number>(n);
    const nums = new Array<number | null>(n);
    const texts = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const s = rows[i];
      tags[i] = s.tagId;
      times[i] = s.ts;
      kinds[i] = kindOf(s.value);
      qualities[i] = qualityCode(s.quality);
      nums[i] = numericOf(s.value);
      // PostgreSQL text cannot hold U+0000; it is dropped (docs/historian.md).
      texts[i] = textOf(s.value)?.replaceAll("\0", "") ?? null;
    }
    await this.#sql.unsafe(
      upsertSql(this.#table),
      [tags, times, kinds, qualities, nums, texts] as never,
      { prepare: true },
    );
  }

  /** ok when `select 1` answers. */
  async health(): Promise<SinkHealth> {
    if (this.#closed) return { ok: false, detail: "the postgres sink is closed" };
    try {
      await this.#sql`select 1`;
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: `PostgreSQL: ${(error as Error).message}` };
    }
  }

  /** Closes the pool (statements still running get CLOSE_TIMEOUT_S, then are cut); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([
      this.#sql.end({ timeout: CLOSE_TIMEOUT_S }),
      this.#copier.end({ timeout: CLOSE_TIMEOUT_S }),
    ]);
  }

  /** Raw samples of one tag in [from, to), oldest first, at most `limit`. */
  async samples(tagId: number, from: number, to: number, limit: number): Promise<Sample[]> {
    this.#assertOpen();
    checkSamplesArgs(from, to, limit);
    if (to <= from || limit === 0) return [];
    await this.#ensureSchema();
    const rows = await this.#sql.unsafe<SampleRow[]>(samplesSql(this.#table), [
      tagId,
      from,
      to,
      limit,
    ], {
      prepare: true,
    });
    return rows.map((r) =>
      decodeSample(r.tag_id, r.ms, r.kind, r.quality, r.num_value, r.text_value)
    );
  }

  /** Downsampled trend of one tag: GROUP BY bucket in SQL, last value by primary key. */
  async history(tagId: number, from: number, to: number, points: number): Promise<HistoryBucket[]> {
    this.#assertOpen();
    const width = bucketWidth(from, to, points);
    if (to <= from) return [];
    await this.#ensureSchema();
    const rows = await this.#sql.unsafe<BucketRow[]>(historySql(this.#table), [
      tagId,
      from,
      to,
      width,
    ], {
      prepare: true,
    });
    return rows.map((r) => ({
      ts: from + r.b * width,
      min: r.nc > 0 ? r.mn : null,
      max: r.nc > 0 ? r.mx : null,
      avg: r.nc > 0 ? r.sm / r.nc : null,
      count: r.c,
      last: lastOf(r.kind, r.num_value, r.text_value),
    }));
  }

  /**
   * One bounded retention step: deletes up to `maxRows` rows older than `ts`;
   * resolves to the rows deleted (fewer than `maxRows`: caught up).
   */
  async pruneOlderThan(ts: number, maxRows = 50_000): Promise<number> {
    this.#assertOpen();
    await this.#ensureSchema();
    const result = await this.#sql.unsafe(pruneSql(this.#table), [ts, maxRows], { prepare: true });
    return result.count;
  }

  /** Creates the table once (under an advisory lock, so two gateways cannot race). */
  #ensureSchema(): Promise<void> {
    if (!this.#createTable) return Promise.resolve();
    this.#schema ??= this.#sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${this.#table}))`;
      await tx.unsafe(createTableSql(this.#table));
    }).then(() => {}, (error) => {
      this.#schema = undefined; // try again on the next call
      throw error;
    });
    return this.#schema;
  }

  #assertOpen(): void {
    if (this.#closed) throw new SinkClosedError("postgres");
  }
}

/** Severities of an error after which the server closes the connection. */
const FATAL: ReadonlySet<string> = new Set(["FATAL", "PANIC"]);

/** The backend process that answered a statement (npm:postgres keeps it on the result). */
function backendOf(result: unknown): number | undefined {
  return (result as { state?: { pid?: number } }).state?.pid;
}

/**
 * Writes the whole COPY stream and ends it; resolves once npm:postgres has
 * queued CopyDone (its `_final`), rejects when the stream fails first.
 * npm:postgres 3.4.9 never settles a COPY writable whose server-side failure
 * arrives after CopyDone (porsager/postgres#1173), so the caller must not
 * wait for 'finish': it learns the outcome from its COMMIT instead.
 */
function sendCopyData(stream: Writable, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const final = stream._final;
    stream._final = (callback) => {
      final.call(stream, callback);
      resolve();
    };
    stream.on("error", reject); // kept: a later 'error' must not go unhandled
    stream.end(data);
  });
}
