/**
 * The SQLite historian's synchronous engine: opens the history file (WAL,
 * synchronous=NORMAL), writes batches in one transaction each, answers range
 * and downsampled queries, and runs bounded maintenance steps (compaction,
 * retention) on its own timer. It runs inside the sink's worker thread
 * (sinks/sqlite_worker.ts) so that SQLite never blocks the main event loop,
 * or inline where no worker is wanted (tests, benchmarks, tools).
 */
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Sample } from "../model/sample.ts";
import type { HistoryBucket } from "./sink.ts";
import {
  type BucketAccumulator,
  bucketWidth,
  checkSamplesArgs,
  finishBucket,
  mergeBucket,
} from "./buckets.ts";
import { decodeSample, lastOf } from "./codes.ts";
import { type AggregateRow, DAY_MS, type TableReader } from "./sqlite_layout.ts";

/** Up to this many points, history() runs one range query per bucket (see there). */
export const BUCKET_SCAN_POINTS = 2000;
import { HistoryStore, type PruneResult } from "./sqlite_store.ts";
import { makePrivateFile } from "./sqlite_file_mode.ts";

/** Settings of the engine that can cross to a worker (plain data). */
export interface SqliteEngineSettings {
  /** History database file (created if missing); `:memory:` for throwaway use. */
  readonly path: string;
  /**
   * Samples younger than this stay in the recent table (default 60 s): late
   * samples within it still take the fast path, and each compaction moves
   * many rows per tag, which is what makes it cheap.
   */
  readonly sealLagMs?: number;
  /**
   * Period of the built-in maintenance (compaction, then retention); a step
   * repeats at once while a backlog remains. 0 turns it off (the caller then
   * calls `maintain()`). Default 60,000 ms.
   */
  readonly maintenanceIntervalMs?: number;
  /** Upper bound of rows one maintenance step moves or deletes (default 250,000). */
  readonly maxRowsPerStep?: number;
  /** Keep this many days of history; older whole days are deleted. Default: keep all. */
  readonly retentionDays?: number;
  /**
   * Disk guard: while the history file's file system has less than this many
   * bytes free (counting the file's own free pages, which new rows reuse),
   * maintenance deletes the oldest whole day even inside the retention
   * period, one day per step, never the last 24 hours. 0 or unset: off.
   */
  readonly minFreeBytes?: number;
  /** SQLite page cache in KiB (default {@link DEFAULT_CACHE_KIB}). */
  readonly cacheSizeKiB?: number;
}

/**
 * The page cache's default, 8 MiB: the writer appends to the recent table's
 * right edge and trend queries read one tag's chunk, so a bigger cache buys
 * little and counts fully in the gateway's RSS (64 MiB measured no faster).
 */
export const DEFAULT_CACHE_KIB = 8_192;

/** What one `maintain()` call did. */
export interface MaintenanceResult {
  /** Rows moved from the recent table into day tables. */
  readonly moved: number;
  /** Retention's step (all zero when retention is off). */
  readonly pruned: PruneResult;
  /** The disk guard deleted history early in this step (space was below `minFreeBytes`). */
  readonly diskGuard: boolean;
  /** A backlog remains: call again soon. */
  readonly more: boolean;
}

/** The synchronous SQLite history engine (see module doc). */
export class SqliteEngine {
  readonly #db: DatabaseSync;
  readonly #store: HistoryStore;
  readonly #clock: () => number;
  readonly #lag: number;
  readonly #interval: number;
  readonly #maxRows: number;
  readonly #retentionDays: number | undefined;
  readonly #minFree: number;
  readonly #dir: string | undefined;
  readonly #diskFree: (dir: string) => number;
  readonly #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * Opens (or creates) the history file and starts the maintenance timer.
   * `clock` drives compaction and retention; `onMaintenanceError` hears
   * failures of the timer's steps (writes report their own); `diskFree`
   * tells the free bytes of a directory's file system (the disk guard's probe).
   */
  constructor(
    settings: SqliteEngineSettings,
    clock: () => number = Date.now,
    onMaintenanceError: (error: unknown) => void = () => {},
    diskFree: (dir: string) => number = freeBytesOf,
  ) {
    this.#clock = clock;
    this.#onError = onMaintenanceError;
    this.#lag = settings.sealLagMs ?? 60_000;
    this.#interval = settings.maintenanceIntervalMs ?? 60_000;
    this.#maxRows = settings.maxRowsPerStep ?? 250_000;
    this.#retentionDays = settings.retentionDays;
    this.#minFree = settings.minFreeBytes ?? 0;
    this.#dir = settings.path === ":memory:" ? undefined : dirname(resolve(settings.path));
    this.#diskFree = diskFree;
    makePrivateFile(settings.path);
    this.#db = new DatabaseSync(settings.path);
    try {
      this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
        PRAGMA busy_timeout = 1000; PRAGMA cache_size = -${
        settings.cacheSizeKiB ?? DEFAULT_CACHE_KIB
      };`);
      this.#store = new HistoryStore(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#schedule(this.#interval);
  }

  /** Stores a validated batch in one transaction (all or nothing). */
  write(batch: readonly Sample[]): void {
    if (batch.length > 0) this.#store.transaction(() => this.#store.insert(batch));
  }

  /** Throws when the file no longer answers. */
  ping(): void {
    this.#db.prepare("SELECT 1").get();
  }

  /** Stops the timer and closes the file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#db.close();
  }

  /** Raw samples of one tag in [from, to), oldest first, at most `limit`. */
  samples(tagId: number, from: number, to: number, limit: number): Sample[] {
    checkSamplesArgs(from, to, limit);
    const out: Sample[] = [];
    if (to <= from || limit === 0) return out;
    for (const { reader, lo, hi } of this.#store.readersFor(from, to)) {
      for (const r of reader.samples(tagId, lo, hi, limit - out.length)) {
        const text = typeof r.value === "string" ? r.value : null;
        const num = typeof r.value === "number" ? r.value : null;
        out.push(decodeSample(r.tag_id, r.ts, r.kind, r.quality, num, text));
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Downsampled trend of one tag. Up to BUCKET_SCAN_POINTS points, one
   * aggregate query per bucket and table (an index range scan each, no sort:
   * the fastest measured); beyond, one SQL GROUP BY bucket per table. Partial
   * buckets merge across day tables; each bucket's newest value is then
   * looked up by primary key.
   */
  history(tagId: number, from: number, to: number, points: number): HistoryBucket[] {
    const width = bucketWidth(from, to, points);
    if (to <= from) return [];
    const accs = new Map<number, BucketAccumulator>();
    const lastIn = new Map<number, TableReader>();
    const add = (reader: TableReader, ts: number, r: Omit<AggregateRow, "b">) => {
      const before = accs.get(ts)?.lastTs;
      mergeBucket(accs, {
        ts,
        min: r.mn,
        max: r.mx,
        sum: r.sm,
        numeric: r.nc,
        count: r.c,
        lastTs: r.lt,
      });
      if (before === undefined || r.lt > before) lastIn.set(ts, reader);
    };
    for (const { reader, lo, hi } of this.#store.readersFor(from, to)) {
      if (points <= BUCKET_SCAN_POINTS) {
        for (let ts = from + Math.floor((lo - from) / width) * width; ts < hi; ts += width) {
          const r = reader.aggregateRange(tagId, Math.max(ts, lo), Math.min(ts + width, hi));
          if (r.c > 0) add(reader, ts, r);
        }
      } else {
        for (const r of reader.aggregate(tagId, from, width, lo, hi)) {
          add(reader, from + r.b * width, r);
        }
      }
    }
    return [...accs.values()].sort((a, b) => a.ts - b.ts).map((acc) => {
      const row = lastIn.get(acc.ts)!.at(tagId, acc.lastTs)!;
      const text = typeof row.value === "string" ? row.value : null;
      const num = typeof row.value === "number" ? row.value : null;
      return finishBucket(acc, lastOf(row.kind, num, text));
    });
  }

  /**
   * Moves up to about `maxRows` rows older than `before` (default: now −
   * sealLagMs) from the recent table into their day tables, in one
   * transaction. Returns the rows moved; fewer than `maxRows` means caught up.
   */
  compact(maxRows: number = this.#maxRows, before: number = this.#clock() - this.#lag): number {
    return this.#store.compact(before, maxRows);
  }

  /**
   * One bounded retention step: deletes up to `maxRows` rows of the oldest
   * day that ended at or before `ts`, dropping its table once empty. Days that
   * reach past `ts` are kept whole, so up to a day more than asked is kept.
   */
  pruneOlderThan(ts: number, maxRows: number = this.#maxRows): PruneResult {
    return this.#store.prune(ts, maxRows);
  }

  /**
   * One maintenance step: compaction, then retention when configured, then
   * the disk guard when retention deleted nothing and space is short.
   */
  maintain(): MaintenanceResult {
    const moved = this.compact();
    const now = this.#clock();
    let pruned: PruneResult = this.#retentionDays === undefined
      ? { deleted: 0, dropped: [], more: false }
      : this.pruneOlderThan(now - this.#retentionDays * DAY_MS);
    let diskGuard = false;
    if (pruned.deleted === 0 && this.#spaceLeftOrInfinity() < this.#minFree) {
      pruned = this.pruneOlderThan(now - DAY_MS);
      diskGuard = pruned.deleted > 0;
      if (diskGuard) {
        this.#onError(
          new Error(
            `history disk guard: less than ${Math.round(this.#minFree / 2 ** 20)} MiB free ` +
              `beside ${this.#dir}; deleted ${pruned.deleted} samples of the oldest day early`,
          ),
        );
      }
    }
    return { moved, pruned, diskGuard, more: moved >= this.#maxRows || pruned.more };
  }

  #spaceLeftOrInfinity(): number {
    try {
      return this.spaceLeft();
    } catch (error) {
      this.#onError(error); // a failed probe must not stop compaction or retention
      return Infinity;
    }
  }

  /**
   * Bytes the history can still grow into: free space of its file system
   * plus the file's own free pages. Infinity for `:memory:` or when the
   * guard is off.
   */
  spaceLeft(): number {
    if (this.#dir === undefined || this.#minFree <= 0) return Infinity;
    const pages = this.#db.prepare("PRAGMA freelist_count").get() as { freelist_count: number };
    const size = this.#db.prepare("PRAGMA page_size").get() as { page_size: number };
    return this.#diskFree(this.#dir) + pages.freelist_count * size.page_size;
  }

  #schedule(delay: number): void {
    if (this.#interval <= 0 || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      let more = false;
      try {
        more = this.maintain().more;
      } catch (error) {
        this.#onError(error);
      }
      this.#schedule(more ? 0 : this.#interval);
    }, delay);
  }
}

/** Free bytes for an unprivileged writer on the file system holding `dir`. */
export function freeBytesOf(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}
