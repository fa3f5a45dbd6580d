/**
 * The journal's replay cursor and its small file helpers. The cursor says
 * how far replay has got: every segment numbered below `seq` is done, and so
 * are the first `records` records of segment `seq`. It lives in one
 * fixed-width line (`000000000007 000000001500`) overwritten in place and
 * fsynced after every committed batch, so after a crash replay resumes at
 * the batch that was in flight.
 */
import { join } from "node:path";

/** The cursor file's name inside the journal directory. */
export const CURSOR_FILE = "replay_cursor";

/** A replay position. */
export interface Cursor {
  /** Segments with a smaller sequence number are done. */
  readonly seq: number;
  /** Records of segment `seq` that are done. */
  readonly records: number;
}

/** The replay cursor file of one journal directory. */
export class CursorFile {
  readonly #dir: string;
  #file: Deno.FsFile | null = null;
  #cursor: Cursor = { seq: 0, records: 0 };

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Reads the cursor of `dir` (the start when there is none). An unreadable
   * cursor also means the start, after `onReset` is told why: replaying too
   * much is safe, the sinks' (tag, ts) key absorbs it.
   */
  static async read(dir: string, onReset: (reason: string) => void): Promise<CursorFile> {
    const c = new CursorFile(dir);
    let text: string;
    try {
      text = await Deno.readTextFile(join(dir, CURSOR_FILE));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return c;
      throw err;
    }
    const m = /^(\d{12}) (\d{12})\n$/.exec(text);
    if (m) c.#cursor = { seq: Number(m[1]), records: Number(m[2]) };
    else {
      const shown = JSON.stringify(text.slice(0, 40));
      onReset(`unreadable ${CURSOR_FILE} ${shown}: replaying the oldest segment from its start`);
    }
    return c;
  }

  /** The cursor now. */
  get value(): Cursor {
    return this.#cursor;
  }

  /** Records `cursor` durably: overwritten in place, then fsynced. */
  async write(cursor: Cursor): Promise<void> {
    if (!this.#file) {
      this.#file = await Deno.open(join(this.#dir, CURSOR_FILE), { write: true, create: true });
      await syncDir(this.#dir);
    }
    const line = `${pad(cursor.seq)} ${pad(cursor.records)}\n`;
    await this.#file.seek(0, Deno.SeekMode.Start);
    await writeAll(this.#file, new TextEncoder().encode(line));
    await this.#file.sync();
    this.#cursor = cursor;
  }

  /** Closes the file (the cursor stays on disk). */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

const pad = (n: number) => String(n).padStart(12, "0");

/** Writes all of `bytes` (a file write may be partial). */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

/** Makes file creations and deletions in `dir` durable; best effort where directories cannot be synced. */
export async function syncDir(dir: string): Promise<void> {
  try {
    using d = await Deno.open(dir, { read: true });
    await d.sync();
  } catch { /* not supported on this platform */ }
}
