/**
 * The store-and-forward journal: batches the historian could not take are
 * appended to CSV segment files under the data directory (fsynced before a
 * spill counts as done), and replayed oldest first once the historian is
 * back. A segment is deleted only after the sink has committed all of its
 * rows; progress inside a segment is kept in a small cursor file, so a crash
 * during replay re-sends at most the one batch that was in flight, which the
 * sinks' (tag, ts) uniqueness absorbs.
 *
 * A full disk never stalls it: below a free-space watermark (default 256 MiB)
 * spills are refused and counted instead of thrashing the disk, a spill the
 * disk refuses (ENOSPC) is cut back and counted, a segment left without rows
 * is removed, and replay keeps going (the cursor is overwritten in place, see
 * journal_cursor.ts), deleting segments and so freeing space. All file
 * access goes through a {@link JournalFs} port. See docs/store_and_forward.md.
 */
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import {
  formatRow,
  formatRows,
  JOURNAL_HEADER,
  SegmentReader,
  type SegmentRow,
} from "./journal_format.ts";
import { appendAll, CursorFile } from "./journal_cursor.ts";
import { denoJournalFs, isDiskFull, type JournalFile, type JournalFs } from "./journal_fs.ts";
import type { JournalDropReason } from "./journal_loss.ts";
import type {
  AppendResult,
  JournalEvent,
  JournalPort,
  JournalStats,
  ReplayBatch,
} from "./journal_port.ts";

export type { JournalFile, JournalFs } from "./journal_fs.ts";
export type {
  AppendResult,
  JournalEvent,
  JournalPort,
  JournalStats,
  ReplayBatch,
} from "./journal_port.ts";

/** Default bound on the journal's size on disk: 1 GiB. */
export const DEFAULT_JOURNAL_MAX_BYTES = 1024 ** 3;
/** Default size at which a segment file is closed and a new one started: 4 MiB. */
export const DEFAULT_SEGMENT_BYTES = 4 * 1024 ** 2;
/** Default fill ratio at which the journal warns that it nears its bound. */
export const DEFAULT_WARN_RATIO = 0.8;
/** Default free-space watermark: below 256 MiB free the journal stops spilling. */
export const DEFAULT_JOURNAL_MIN_FREE_BYTES = 256 * 1024 ** 2;
/** Bytes per row assumed for segments a previous run left, until they are read. */
const ESTIMATED_ROW_BYTES = 60;

const SEGMENT_RE = /^segment_(\d{10})_[0-9TZ]+\.csv$/;
const encoder = new TextEncoder();
const HEADER_BYTES = encoder.encode(JOURNAL_HEADER);

/** Settings of a journal. */
export interface JournalOptions {
  /** The journal's own directory, e.g. `<data-dir>/journal` (created if missing). */
  readonly dir: string;
  /** Bound on the segments' total size, bytes (default 1 GiB). */
  readonly maxBytes?: number;
  /** Fill ratio that raises a `nearFull` warning (default 0.8). */
  readonly warnRatio?: number;
  /** Segment size that starts a new file, bytes (default 4 MiB). */
  readonly segmentBytes?: number;
  /** Wall clock for segment file names (default Date.now). */
  readonly now?: () => number;
  /** Receives warnings: nearing the bound, drops, torn and corrupt rows. */
  readonly onEvent?: (event: JournalEvent) => void;
  /**
   * Free space the journal leaves on its file system, bytes (default 256 MiB):
   * a spill that would leave less is refused and counted (`disk_low`). 0
   * turns the check off.
   */
  readonly minFreeBytes?: number;
  /** The file system (default: the real one); tests inject a full or failing disk. */
  readonly fs?: JournalFs;
}

interface Segment {
  readonly seq: number;
  readonly name: string;
  bytes: number;
  /** Rows not yet replayed (estimated from the size for a previous run's segment until read). */
  values: number;
  /** `values` is only known from the size: a previous run's segment, not yet read. */
  estimated?: boolean;
}

/** The segment being replayed: its reader and the rows parsed ahead of the cursor. */
interface Loaded {
  readonly seq: number;
  readonly reader: SegmentReader;
  rows: SegmentRow[];
  /** Its size per row has been counted in the journal's average. */
  measured?: boolean;
}

/** The journal on disk: CSV segment files plus a replay cursor; see the module comment. */
export class Journal implements JournalPort {
  /** The journal's directory. */
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #warnBytes: number;
  readonly #segmentBytes: number;
  readonly #now: () => number;
  readonly #onEvent: (event: JournalEvent) => void;
  readonly #minFreeBytes: number;
  readonly #fs: JournalFs;
  #segments: Segment[] = [];
  #active: { segment: Segment; file: JournalFile } | null = null;
  #bytes = 0;
  #nextSeq = 1;
  #cursor!: CursorFile;
  /** The head segment being replayed: its reader and the rows read ahead of the cursor. */
  #loaded: Loaded | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Bytes and rows seen (spilled, or read back), for estimating a segment's rows from its size. */
  readonly #sizes = { bytes: 0, rows: 0 };
  #nearFull = false;
  #full = false;
  #diskLow = false;
  #cursorFailing = false;
  #freeBytes: number | null = null;
  readonly #n = {
    spills: 0,
    appendedValues: 0,
    droppedValues: 0,
    replayedValues: 0,
    tornRows: 0,
    corruptRows: 0,
    cursorWriteErrors: 0,
  };
  readonly #dropped: { [R in JournalDropReason]: number } = {
    journal_full: 0,
    disk_low: 0,
    disk_full: 0,
  };

  private constructor(options: JournalOptions) {
    this.dir = options.dir;
    this.#maxBytes = options.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
    this.#warnBytes = this.#maxBytes * (options.warnRatio ?? DEFAULT_WARN_RATIO);
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#minFreeBytes = options.minFreeBytes ?? DEFAULT_JOURNAL_MIN_FREE_BYTES;
    this.#fs = options.fs ?? denoJournalFs;
  }

  /**
   * Opens the journal in `options.dir`: creates the directory, finds the
   * segments a previous run left (to replay them), and reads the cursor.
   */
  static async open(options: JournalOptions): Promise<Journal> {
    const j = new Journal(options);
    const fs = j.#fs;
    await fs.mkdir(j.dir);
    j.#cursor = await CursorFile.open(
      fs,
      j.dir,
      (reason) => j.#onEvent({ type: "cursorReset", reason }),
    );
    const cursor = j.#cursor.value;
    for (const name of await fs.listFiles(j.dir)) {
      const m = SEGMENT_RE.exec(name);
      if (!m) continue;
      const seq = Number(m[1]);
      const path = join(j.dir, name);
      const size = await fs.size(path);
      // Fully replayed (its deletion did not survive a crash), or without a
      // single row (a disk that filled up as it was started): remove it.
      if (seq < cursor.seq || size <= HEADER_BYTES.length) {
        await fs.remove(path);
        continue;
      }
      j.#segments.push({ seq, name, bytes: size, values: 0, estimated: true });
      j.#bytes += size;
    }
    j.#segments.sort((a, b) => a.seq - b.seq);
    const maxSeq = j.#segments.at(-1)?.seq ?? 0;
    // A cursor inside a segment that is gone must never apply to a new one.
    j.#nextSeq = Math.max(maxSeq + 1, cursor.seq + (cursor.records > 0 ? 1 : 0), 1);
    j.#checkFill();
    return j;
  }

  /** Appends samples in order, fsynced before it resolves; what exceeds the bound is refused and counted. */
  append(samples: readonly Sample[]): Promise<AppendResult> {
    return this.#exclusive(() => this.#append(samples));
  }

  /** The next batch of at most `max` rows from the oldest segment, from the cursor on; null when empty. */
  read(max: number): Promise<ReplayBatch | null> {
    return this.#exclusive(() => this.#read(Math.max(1, Math.floor(max))));
  }

  /** After the sink stored `batch`: advances the cursor (fsynced), deletes a finished segment. */
  commit(batch: ReplayBatch): Promise<void> {
    return this.#exclusive(() => this.#commit(batch));
  }

  /** Whether any segment waits for replay. */
  hasPending(): boolean {
    return this.#segments.length > 0;
  }

  /** Sizes and counters now (plain data). */
  stats(): JournalStats {
    let pendingValues = 0;
    for (const s of this.#segments) {
      pendingValues += s.estimated
        ? Math.max(1, Math.round((s.bytes - HEADER_BYTES.length) / this.#rowBytes()))
        : s.values;
    }
    return {
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      segments: this.#segments.length,
      ...this.#n,
      droppedByReason: { ...this.#dropped },
      freeBytes: this.#freeBytes,
      minFreeBytes: this.#minFreeBytes,
      pendingValues,
      cursorDurable: this.#cursor.durable,
    };
  }

  /** Closes the open files; the segments stay for the next run. */
  close(): Promise<void> {
    return this.#closing ??= this.#exclusive(() => {
      this.#closed = true;
      this.#seal();
      this.#cursor.close();
      return Promise.resolve();
    });
  }

  async #append(samples: readonly Sample[]): Promise<AppendResult> {
    if (samples.length === 0) return { written: 0, dropped: 0 };
    let bytes = encoder.encode(formatRows(samples));
    let written = samples.length;
    const room = this.#maxBytes - this.#bytes - (this.#active ? 0 : HEADER_BYTES.length);
    if (bytes.length > room) {
      // Keep the oldest rows that fit; refuse the rest (they are counted).
      let used = 0;
      written = 0;
      while (written < samples.length) {
        const n = encoder.encode(formatRow(samples[written])).length;
        if (used + n > room) break;
        used += n;
        written++;
      }
      bytes = bytes.subarray(0, used);
    }
    const dropped = samples.length - written;
    if (dropped > 0) {
      this.#drop("journal_full", dropped);
      if (!this.#full) {
        this.#full = true;
        this.#onEvent({
          type: "full",
          droppedValues: this.#n.droppedValues,
          bytes: this.#bytes,
          maxBytes: this.#maxBytes,
        });
      }
    } else this.#full = false;
    const full = dropped > 0 ? { journal_full: dropped } : {};
    if (written === 0) {
      return {
        written,
        dropped,
        reason: "journal_full",
        droppedByReason: { journal_full: dropped },
      };
    }
    if (!(await this.#enoughSpace(bytes.length))) {
      this.#drop("disk_low", samples.length - dropped);
      return {
        written: 0,
        dropped: samples.length,
        reason: "disk_low",
        droppedByReason: { ...full, disk_low: written },
      };
    }
    try {
      await this.#write(bytes);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      const lost = samples.length - dropped;
      this.#drop("disk_full", lost);
      this.#onEvent({
        type: "diskFull",
        droppedValues: this.#n.droppedValues,
        error: err instanceof Error ? err.message : String(err),
      });
      return {
        written: 0,
        dropped: samples.length,
        reason: "disk_full",
        droppedByReason: { ...full, disk_full: written },
      };
    }
    this.#active!.segment.values += written;
    this.#sizes.bytes += bytes.length;
    this.#sizes.rows += written;
    this.#n.spills++;
    this.#n.appendedValues += written;
    this.#checkFill();
    if (this.#active!.segment.bytes >= this.#segmentBytes) this.#seal();
    return dropped > 0
      ? { written, dropped, reason: "journal_full", droppedByReason: { journal_full: dropped } }
      : { written, dropped };
  }

  #drop(reason: JournalDropReason, n: number): void {
    this.#dropped[reason] += n;
    this.#n.droppedValues += n;
  }

  /** Whether `bytes` more leave at least the watermark free; reports crossing it both ways. */
  async #enoughSpace(bytes: number): Promise<boolean> {
    if (this.#minFreeBytes <= 0) return true;
    const free = await this.#fs.freeBytes(this.dir);
    this.#freeBytes = free;
    if (free === null) return true;
    const enough = free - bytes >= this.#minFreeBytes;
    if (!enough && !this.#diskLow) {
      this.#onEvent({ type: "diskLow", freeBytes: free, minFreeBytes: this.#minFreeBytes });
    } else if (enough && this.#diskLow) this.#onEvent({ type: "diskOk", freeBytes: free });
    this.#diskLow = !enough;
    return enough;
  }

  /**
   * Appends `bytes` to the active segment and fsyncs it. On failure it
   * leaves no partial row behind: the segment is cut back to where it was
   * (or ended, so that what remains can only be a torn last row), and a
   * segment left without rows is removed.
   */
  async #write(bytes: Uint8Array): Promise<void> {
    const { segment, file } = await this.#openActive();
    const before = segment.bytes;
    try {
      await appendAll(file, bytes);
      await file.sync();
    } catch (err) {
      let size = before;
      try {
        await file.truncate(before);
      } catch {
        size = await this.#fs.size(join(this.dir, segment.name)).catch(() => before);
      }
      this.#seal();
      this.#bytes += size - before;
      segment.bytes = size;
      if (segment.values === 0) await this.#drain(segment);
      throw err;
    }
    segment.bytes += bytes.length;
    this.#bytes += bytes.length;
  }

  async #openActive(): Promise<{ segment: Segment; file: JournalFile }> {
    if (this.#active) return this.#active;
    const seq = this.#nextSeq++;
    const stamp = new Date(this.#now()).toISOString().replace(/[-:]|\.\d+/g, "");
    const name = `segment_${String(seq).padStart(10, "0")}_${stamp}.csv`;
    const path = join(this.dir, name);
    const file = await this.#fs.createAppend(path);
    try {
      await appendAll(file, HEADER_BYTES);
    } catch (err) {
      file.close();
      // No empty segment is left behind.
      await this.#fs.remove(path).catch(() => {});
      throw err;
    }
    await this.#fs.syncDir(this.dir);
    const segment: Segment = { seq, name, bytes: HEADER_BYTES.length, values: 0 };
    this.#segments.push(segment);
    this.#bytes += segment.bytes;
    this.#active = { segment, file };
    return this.#active;
  }

  /** Ends the active segment: later spills go to a new file. */
  #seal(): void {
    this.#active?.file.close();
    this.#active = null;
  }

  /** Removes a segment without rows to replay from the disk and the list. */
  async #drain(segment: Segment): Promise<void> {
    const i = this.#segments.indexOf(segment);
    if (i < 0) return;
    try {
      await this.#fs.remove(join(this.dir, segment.name));
    } catch (err) {
      this.#onEvent({
        type: "removeFailed",
        file: join(this.dir, segment.name),
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    this.#segments.splice(i, 1);
    this.#bytes -= segment.bytes;
    this.#checkFill();
  }

  async #read(max: number): Promise<ReplayBatch | null> {
    while (this.#segments.length > 0) {
      const head = this.#segments[0];
      if (this.#active?.segment === head) this.#seal();
      if (this.#loaded?.seq !== head.seq) await this.#load(head);
      const loaded = this.#loaded!;
      const start = this.#doneIn(head.seq);
      // Parse only what this batch needs (plus one row to know where it ends).
      for (;;) {
        if (loaded.rows.length > 0 && loaded.rows[0].record < start) {
          loaded.rows = loaded.rows.filter((r) => r.record >= start);
        }
        if (loaded.rows.length > max || loaded.reader.done) break;
        this.#pull(head, loaded, max + 1 - loaded.rows.length);
      }
      const rows = loaded.rows;
      head.estimated = false;
      head.values = rows.length + this.#unreadRows(loaded);
      if (loaded.reader.done && !loaded.measured) {
        loaded.measured = true;
        this.#sizes.bytes += loaded.reader.length - HEADER_BYTES.length;
        this.#sizes.rows += loaded.reader.records;
      }
      if (rows.length === 0) {
        await this.#finish(head);
        continue;
      }
      const take = Math.min(max, rows.length);
      const last = take === rows.length && loaded.reader.done;
      return {
        samples: rows.slice(0, take).map((r) => r.sample),
        file: head.name,
        seq: head.seq,
        startRecord: start,
        endRecord: last ? loaded.reader.records : rows[take].record,
        last,
      };
    }
    return null;
  }

  async #commit(batch: ReplayBatch): Promise<void> {
    const head = this.#segments[0];
    const start = this.#doneIn(batch.seq);
    if (head?.seq !== batch.seq || start !== batch.startRecord) {
      throw new Error(
        `journal: commit of ${batch.file} at record ${batch.startRecord} is out of order`,
      );
    }
    this.#n.replayedValues += batch.samples.length;
    head.values = Math.max(0, head.values - batch.samples.length);
    if (batch.last) await this.#finish(head);
    else await this.#moveCursor({ seq: batch.seq, records: batch.endRecord });
  }

  /** Moves the cursor; a failed write is reported once per run of failures, never thrown. */
  async #moveCursor(cursor: { seq: number; records: number }): Promise<void> {
    const err = await this.#cursor.write(cursor);
    if (err === undefined) {
      this.#cursorFailing = false;
      return;
    }
    this.#n.cursorWriteErrors++;
    if (!this.#cursorFailing) {
      this.#cursorFailing = true;
      this.#onEvent({
        type: "cursorWriteFailed",
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * A segment is done: move the cursor past it, then delete it. The cursor
   * goes first so a crash between the two cannot replay the segment; when it
   * cannot be written the segment is still deleted (that frees space), which
   * is safe: a cursor pointing at a segment that is gone applies to none.
   */
  async #finish(head: Segment): Promise<void> {
    await this.#moveCursor({ seq: head.seq + 1, records: 0 });
    this.#loaded = null;
    await this.#drain(head);
    if (this.#segments[0] === head) {
      // Not removable: forget it for this run (the next start skips it by the cursor, or replays it).
      this.#segments.shift();
      this.#bytes -= head.bytes;
      this.#checkFill();
    }
    await this.#fs.syncDir(this.dir);
  }

  async #load(head: Segment): Promise<void> {
    const text = await this.#fs.readText(join(this.dir, head.name));
    this.#loaded = { seq: head.seq, reader: new SegmentReader(text), rows: [] };
  }

  /** Parses up to `n` more rows of the head segment, reporting torn and corrupt rows on the way. */
  #pull(head: Segment, loaded: Loaded, n: number): void {
    const { rows, problems } = loaded.reader.next(n);
    for (const p of problems) {
      if (p.kind === "torn") this.#n.tornRows++;
      else this.#n.corruptRows++;
      this.#onEvent({
        type: p.kind === "torn" ? "tornRow" : "corruptRow",
        file: join(this.dir, head.name),
        line: p.line,
        reason: p.reason,
        excerpt: p.excerpt,
      });
    }
    for (const r of rows) loaded.rows.push(r);
  }

  /** Average bytes of a row: measured on spills and on segments read, 60 until then. */
  #rowBytes(): number {
    return this.#sizes.rows > 0 ? this.#sizes.bytes / this.#sizes.rows : ESTIMATED_ROW_BYTES;
  }

  /** Rows of the head segment not parsed yet, estimated from the text left and the rows so far. */
  #unreadRows(loaded: Loaded): number {
    const r = loaded.reader;
    if (r.done) return 0;
    const left = r.length - r.position;
    const perRow = r.records > 0
      ? (r.position - HEADER_BYTES.length) / r.records
      : this.#rowBytes();
    return Math.max(1, Math.round(left / Math.max(1, perRow)));
  }

  /** Records of segment `seq` already replayed. */
  #doneIn(seq: number): number {
    const c = this.#cursor.value;
    return c.seq === seq ? c.records : 0;
  }

  #checkFill(): void {
    if (this.#bytes >= this.#warnBytes) {
      if (!this.#nearFull) {
        this.#nearFull = true;
        this.#onEvent({ type: "nearFull", bytes: this.#bytes, maxBytes: this.#maxBytes });
      }
    } else this.#nearFull = false;
  }

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new Error("journal is closed");
      return op();
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}
