/**
 * The store-and-forward journal: batches the historian could not take are
 * appended to CSV segment files under the data directory (fsynced before a
 * spill counts as done), and replayed oldest first once the historian is
 * back. A segment is deleted only after the sink has committed all of its
 * rows; progress inside a segment is kept in a small cursor file, so a crash
 * during replay re-sends at most the one batch that was in flight, which the
 * sinks' (tag, ts) uniqueness absorbs. See docs/store_and_forward.md.
 */
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import {
  formatRow,
  formatRows,
  JOURNAL_HEADER,
  parseSegment,
  type SegmentRow,
} from "./journal_format.ts";
import { CursorFile, syncDir, writeAll } from "./journal_cursor.ts";
import type {
  AppendResult,
  JournalEvent,
  JournalPort,
  JournalStats,
  ReplayBatch,
} from "./journal_port.ts";

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
}

interface Segment {
  readonly seq: number;
  readonly name: string;
  bytes: number;
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
  #segments: Segment[] = [];
  #active: { segment: Segment; file: Deno.FsFile } | null = null;
  #bytes = 0;
  #nextSeq = 1;
  #cursor!: CursorFile;
  #loaded: { seq: number; rows: SegmentRow[]; records: number } | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  #nearFull = false;
  #full = false;
  readonly #n = {
    spills: 0,
    appendedValues: 0,
    droppedValues: 0,
    replayedValues: 0,
    tornRows: 0,
    corruptRows: 0,
  };

  private constructor(options: JournalOptions) {
    this.dir = options.dir;
    this.#maxBytes = options.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
    this.#warnBytes = this.#maxBytes * (options.warnRatio ?? DEFAULT_WARN_RATIO);
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /**
   * Opens the journal in `options.dir`: creates the directory, finds the
   * segments a previous run left (to replay them), and reads the cursor.
   */
  static async open(options: JournalOptions): Promise<Journal> {
    const j = new Journal(options);
    await Deno.mkdir(j.dir, { recursive: true });
    j.#cursor = await CursorFile.read(
      j.dir,
      (reason) => j.#onEvent({ type: "cursorReset", reason }),
    );
    const cursor = j.#cursor.value;
    for await (const entry of Deno.readDir(j.dir)) {
      const m = entry.isFile ? SEGMENT_RE.exec(entry.name) : null;
      if (!m) continue;
      const seq = Number(m[1]);
      if (seq < cursor.seq) {
        // Fully replayed; its deletion did not survive a crash.
        await Deno.remove(join(j.dir, entry.name));
        continue;
      }
      const { size } = await Deno.stat(join(j.dir, entry.name));
      j.#segments.push({ seq, name: entry.name, bytes: size });
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

  /** Sizes and counters now. */
  stats(): JournalStats {
    return {
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      segments: this.#segments.length,
      ...this.#n,
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
      this.#n.droppedValues += dropped;
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
    if (written === 0) return { written, dropped };
    const { segment, file } = await this.#openActive();
    const before = segment.bytes;
    try {
      await writeAll(file, bytes);
      await file.sync();
    } catch (err) {
      // Leave no partial row in the middle of a file: cut it off, or at least
      // end the segment so that it can only be a torn last row.
      try {
        await file.truncate(before);
      } catch { /* reported by the sealed segment's reader */ }
      this.#seal();
      const size = await Deno.stat(join(this.dir, segment.name)).then((s) => s.size, () => before);
      this.#bytes += size - before;
      segment.bytes = size;
      throw err;
    }
    segment.bytes += bytes.length;
    this.#bytes += bytes.length;
    this.#n.spills++;
    this.#n.appendedValues += written;
    this.#checkFill();
    if (segment.bytes >= this.#segmentBytes) this.#seal();
    return { written, dropped };
  }

  async #openActive(): Promise<{ segment: Segment; file: Deno.FsFile }> {
    if (this.#active) return this.#active;
    const seq = this.#nextSeq++;
    const stamp = new Date(this.#now()).toISOString().replace(/[-:]|\.\d+/g, "");
    const name = `segment_${String(seq).padStart(10, "0")}_${stamp}.csv`;
    const file = await Deno.open(join(this.dir, name), {
      createNew: true,
      write: true,
      append: true,
    });
    try {
      await writeAll(file, HEADER_BYTES);
    } catch (err) {
      file.close();
      throw err;
    }
    await syncDir(this.dir);
    const segment: Segment = { seq, name, bytes: HEADER_BYTES.length };
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

  async #read(max: number): Promise<ReplayBatch | null> {
    while (this.#segments.length > 0) {
      const head = this.#segments[0];
      if (this.#active?.segment === head) this.#seal();
      if (this.#loaded?.seq !== head.seq) await this.#load(head);
      const loaded = this.#loaded!;
      const start = this.#doneIn(head.seq);
      let i = 0;
      while (i < loaded.rows.length && loaded.rows[i].record < start) i++;
      if (i === loaded.rows.length) {
        await this.#finish(head);
        continue;
      }
      const end = Math.min(i + max, loaded.rows.length);
      const last = end === loaded.rows.length;
      return {
        samples: loaded.rows.slice(i, end).map((r) => r.sample),
        file: head.name,
        seq: head.seq,
        startRecord: start,
        endRecord: last ? loaded.records : loaded.rows[end].record,
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
    if (batch.last) await this.#finish(head);
    else await this.#cursor.write({ seq: batch.seq, records: batch.endRecord });
  }

  /** A segment is done: move the cursor past it (durably), then delete it. */
  async #finish(head: Segment): Promise<void> {
    await this.#cursor.write({ seq: head.seq + 1, records: 0 });
    await Deno.remove(join(this.dir, head.name)).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    await syncDir(this.dir);
    this.#segments.shift();
    this.#bytes -= head.bytes;
    this.#loaded = null;
    this.#checkFill();
  }

  async #load(head: Segment): Promise<void> {
    const text = await Deno.readTextFile(join(this.dir, head.name));
    const parsed = parseSegment(text);
    for (const p of parsed.problems) {
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
    this.#loaded = { seq: head.seq, rows: parsed.rows, records: parsed.records };
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
