/**
 * The journal's replay cursor. The cursor says how far replay has got: every
 * segment numbered below `seq` is done, and so are the first `records`
 * records of segment `seq`. It lives in one fixed-width line
 * (`000000000007 000000001500\n`, 26 bytes) written when the journal opens
 * (so its block is allocated while the disk still has room) and from then on
 * overwritten in place at offset 0 and fsynced after every committed batch.
 * An in-place overwrite of allocated bytes needs no free space, so a full
 * disk cannot stop it; and should the write fail anyway (an I/O error, or a
 * disk that was already full at open), the cursor still moves on in memory:
 * replay keeps making progress, and after a crash it resumes from the last
 * durable cursor, re-sending at most what was committed since (the sinks'
 * (tag, ts) key absorbs it).
 */
import { join } from "node:path";
import type { JournalFile, JournalFs } from "./journal_fs.ts";

/** The cursor file's name inside the journal directory. */
export const CURSOR_FILE = "replay_cursor";

/** Bytes of the cursor line: two 12-digit numbers, a space and a newline. */
export const CURSOR_BYTES = 26;

/** A replay position. */
export interface Cursor {
  /** Segments with a smaller sequence number are done. */
  readonly seq: number;
  /** Records of segment `seq` that are done. */
  readonly records: number;
}

/** The replay cursor file of one journal directory. */
export class CursorFile {
  readonly #fs: JournalFs;
  readonly #dir: string;
  #file: JournalFile | null = null;
  #cursor: Cursor = { seq: 0, records: 0 };
  #durable = false;

  private constructor(fs: JournalFs, dir: string) {
    this.#fs = fs;
    this.#dir = dir;
  }

  /**
   * Reads the cursor of `dir` (the start when there is none) and makes sure
   * the file holds a full cursor line, so later commits overwrite allocated
   * bytes. An unreadable cursor also means the start, after `onReset` is told
   * why: replaying too much is safe, the sinks' (tag, ts) key absorbs it. A
   * file that cannot be written now is no error: {@link durable} says so.
   */
  static async open(
    fs: JournalFs,
    dir: string,
    onReset: (reason: string) => void,
  ): Promise<CursorFile> {
    const c = new CursorFile(fs, dir);
    let text: string | undefined;
    try {
      text = await fs.readText(join(dir, CURSOR_FILE));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (text !== undefined) {
      const m = /^(\d{12}) (\d{12})\n$/.exec(text);
      if (m) c.#cursor = { seq: Number(m[1]), records: Number(m[2]) };
      else {
        const shown = JSON.stringify(text.slice(0, 40));
        onReset(`unreadable ${CURSOR_FILE} ${shown}: replaying the oldest segment from its start`);
      }
    }
    await c.#store(c.#cursor);
    return c;
  }

  /** The cursor now (in memory; it may be ahead of the file, see {@link durable}). */
  get value(): Cursor {
    return this.#cursor;
  }

  /** Whether the file holds the cursor now (false after a failed write, until one succeeds). */
  get durable(): boolean {
    return this.#durable;
  }

  /**
   * Moves the cursor to `cursor` and records it: overwritten in place at
   * offset 0, then fsynced. Never throws: the cursor moves in memory even
   * when the write fails, and the error is returned for the journal to
   * report.
   */
  write(cursor: Cursor): Promise<unknown | undefined> {
    this.#cursor = cursor;
    return this.#store(cursor);
  }

  /** Closes the file (the cursor stays on disk). */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }

  async #store(cursor: Cursor): Promise<unknown | undefined> {
    try {
      if (!this.#file) {
        this.#file = await this.#fs.openInPlace(join(this.#dir, CURSOR_FILE));
        await this.#fs.syncDir(this.#dir);
      }
      await this.#file.writeAt(encodeCursor(cursor), 0);
      await this.#file.sync();
      this.#durable = true;
      return undefined;
    } catch (err) {
      this.#durable = false;
      return err;
    }
  }
}

/** The cursor's fixed-width line. */
export function encodeCursor(cursor: Cursor): Uint8Array {
  const pad = (n: number) => String(n).padStart(12, "0");
  return new TextEncoder().encode(`${pad(cursor.seq)} ${pad(cursor.records)}\n`);
}

/** Writes all of `bytes` at the end of `file` (a write may be partial). */
export async function appendAll(file: JournalFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    const n = await file.append(bytes.subarray(off));
    if (n <= 0) throw new Error("journal: a write made no progress");
    off += n;
  }
}
