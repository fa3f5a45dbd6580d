/**
 * The journal as the writer sees it: spill (append), replay (read, commit),
 * and counters. journal.ts implements it with CSV files; tests may use a
 * fake.
 */
import type { Sample } from "../model/sample.ts";
import type { JournalDropReason } from "./journal_loss.ts";

/** What the journal reports to its owner's log. */
export type JournalEvent =
  | { readonly type: "nearFull"; readonly bytes: number; readonly maxBytes: number }
  | {
    readonly type: "full";
    readonly droppedValues: number;
    readonly bytes: number;
    /** The configured bound, bytes. */
    readonly maxBytes: number;
  }
  | {
    readonly type: "tornRow";
    readonly file: string;
    readonly line: number;
    readonly reason: string;
    readonly excerpt: string;
  }
  | {
    readonly type: "corruptRow";
    readonly file: string;
    readonly line: number;
    readonly reason: string;
    readonly excerpt: string;
  }
  | { readonly type: "cursorReset"; readonly reason: string }
  | {
    /** Free space fell below the watermark: spills are refused (and counted) until it is back. */
    readonly type: "diskLow";
    readonly freeBytes: number;
    readonly minFreeBytes: number;
  }
  | { readonly type: "diskOk"; readonly freeBytes: number | null }
  | {
    /** The disk refused a spill (ENOSPC): its samples are counted as lost. */
    readonly type: "diskFull";
    readonly droppedValues: number;
    readonly error: string;
  }
  | {
    /** The cursor could not be written: replay goes on, the durable cursor lags behind. */
    readonly type: "cursorWriteFailed";
    readonly error: string;
  }
  | { readonly type: "removeFailed"; readonly file: string; readonly error: string };

/** Counters and sizes of a journal, for status and metrics. */
export interface JournalStats {
  /** Bytes of all segment files (everything not yet replayed). */
  readonly bytes: number;
  readonly maxBytes: number;
  /** Segment files waiting to be replayed. */
  readonly segments: number;
  /** Spills appended since open. */
  readonly spills: number;
  /** Values appended since open. */
  readonly appendedValues: number;
  /** Values the journal refused since open, for any reason (the sum of `droppedByReason`). */
  readonly droppedValues: number;
  /** Values refused since open, by reason: at its size limit, below the free-space watermark, disk full. */
  readonly droppedByReason: { readonly [R in JournalDropReason]: number };
  /** Free space on the journal's file system at the last spill, bytes (null: unknown). */
  readonly freeBytes: number | null;
  /** The free-space watermark: below it the journal refuses spills, bytes. */
  readonly minFreeBytes: number;
  /** Values waiting for replay (estimated for segments a previous run left and not yet read). */
  readonly pendingValues: number;
  /** The cursor file holds the cursor now (false after a failed cursor write). */
  readonly cursorDurable: boolean;
  /** Failed cursor writes since open (replay went on; the durable cursor lagged). */
  readonly cursorWriteErrors: number;
  /** Values replayed into the sink (committed) since open. */
  readonly replayedValues: number;
  /** Torn last rows and corrupt rows skipped since open. */
  readonly tornRows: number;
  /** Corrupt rows skipped since open. */
  readonly corruptRows: number;
}

/** The outcome of a spill: values written (and fsynced), values refused at the bound. */
export interface AppendResult {
  /** Values on disk. */
  readonly written: number;
  /** Values refused (the newest of the spill). */
  readonly dropped: number;
  /** Why values were refused, when some were (the reason of the most). */
  readonly reason?: JournalDropReason;
  /** Values refused by reason, when some were (a spill cut at the bound and then refused by the disk has two). */
  readonly droppedByReason?: { readonly [R in JournalDropReason]?: number };
}

/** A batch read for replay; hand it back to {@link JournalPort.commit} once the sink has it. */
export interface ReplayBatch {
  /** The rows, oldest first. */
  readonly samples: readonly Sample[];
  /** The segment file it comes from. */
  readonly file: string;
  /** The segment's sequence number. */
  readonly seq: number;
  /** Cursor (records done in the segment) before and after this batch. */
  readonly startRecord: number;
  /** The cursor once this batch is committed. */
  readonly endRecord: number;
  /** This batch ends its segment (commit deletes the file). */
  readonly last: boolean;
}

/** What the writer needs of a journal (the port; {@link Journal} is the file implementation). */
export interface JournalPort {
  /** Appends samples durably (fsync) in order; refuses what exceeds the bound. */
  append(samples: readonly Sample[]): Promise<AppendResult>;
  /** The next batch of at most `max` samples from the oldest segment, or null when empty. */
  read(max: number): Promise<ReplayBatch | null>;
  /** Marks a batch from {@link read} as stored by the sink: advances the cursor, deletes done files. */
  commit(batch: ReplayBatch): Promise<void>;
  /** Whether anything waits for replay. */
  hasPending(): boolean;
  /** Sizes and counters now. */
  stats(): JournalStats;
}
