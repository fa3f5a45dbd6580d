/**
 * The historian sink interface: every sink (SQLite, PostgreSQL, Oracle) takes
 * batches of samples, reports its health and closes, and runs the same
 * conformance suite (sinks/conformance.ts).
 */
import type { Sample } from "../model/sample.ts";

/** A sink's view of itself, for /ready, metrics and the writer's recovery. */
export interface SinkHealth {
  /** The sink can take a batch now. */
  readonly ok: boolean;
  /** Why not, when not ok (a sentence for logs and the status page). */
  readonly detail?: string;
}

/** One time bucket of a downsampled range query. */
export interface HistoryBucket {
  /** Start of the bucket, ms since the epoch. */
  readonly ts: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  /** Samples in the bucket. */
  readonly count: number;
  /** The last value in the bucket (numbers, booleans as 0/1, strings). */
  readonly last: number | string | null;
}

/**
 * How long a network sink's `close()` lets statements still running finish
 * before it cuts its connections, in seconds. The gateway closes the sink
 * after the writer has stopped, so a statement still running then is an
 * abandoned write (its batch is already in the journal) or a health probe:
 * waiting longer saves nothing, and the whole shutdown must fit in 5 s even
 * when the database hangs.
 */
export const CLOSE_TIMEOUT_S = 1;

/** A historian sink. */
export interface Sink {
  /** Short name for logs and metrics: `sqlite`, `postgres`, `oracle`. */
  readonly kind: string;
  /**
   * Stores a batch atomically: every sample or none (then it throws, and the
   * writer retries or spills it to the journal). (tag, ts) is unique: writing
   * a sample whose (tag, ts) is already stored leaves one row, so a replayed
   * batch never duplicates rows.
   */
  write(batch: readonly Sample[]): Promise<void>;
  /** Checks that the sink can take writes (cheap: a round trip, not a scan). */
  health(): Promise<SinkHealth>;
  /**
   * Releases connections and files; later writes throw. Resolves within
   * {@link CLOSE_TIMEOUT_S} (plus a round trip) even when the database hangs.
   */
  close(): Promise<void>;
}

/** A sink that can also answer trend queries (SQLite and PostgreSQL). */
export interface HistorySource {
  /**
   * One tag between `from` (inclusive) and `to` (exclusive), downsampled into
   * at most `points` equal time buckets (empty buckets left out).
   */
  history(tagId: number, from: number, to: number, points: number): Promise<HistoryBucket[]>;
  /** Raw samples of one tag in a time range, oldest first, at most `limit`. */
  samples(tagId: number, from: number, to: number, limit: number): Promise<Sample[]>;
}
