/**
 * The journal as the writer sees it: spill (append), replay (read, commit),
 * and counters. journal.ts implements it with CSV files; tests may use a
 * fake.
 */
import type { Sample } from "../model/sample.ts";

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
  | { readonly type: "cursorReset"; readonly reason: string };

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
  /** Values refused because the journal was at its bound, since open. */
  readonly droppedValues: number;
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
  /** Values refused at the bound (the newest of the spill). */
  readonly dropped: number;
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
