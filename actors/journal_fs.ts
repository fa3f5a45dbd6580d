/**
 * The journal's file-system port: the few operations the journal and its
 * cursor need (create a directory, list it, open, append, overwrite in place,
 * sync, truncate, remove, free space). The journal gets them through this
 * port so that a full or failing disk can be injected in tests; production
 * uses {@link denoJournalFs}. Files are created 0600 and directories 0700:
 * the journal holds plant data.
 */
import { statfs } from "node:fs/promises";

/** Mode of every file the journal creates: owner read/write only. */
export const FILE_MODE = 0o600;
/** Mode of every directory the journal creates: owner only. */
export const DIR_MODE = 0o700;

/** An open journal file (a segment being appended to, or the cursor). */
export interface JournalFile {
  /** Writes at the end of the file (segments are opened in append mode); returns bytes written. */
  append(bytes: Uint8Array): Promise<number>;
  /** Writes all of `bytes` at `offset`, overwriting in place (the cursor). */
  writeAt(bytes: Uint8Array, offset: number): Promise<void>;
  /** Makes the file's data durable (fsync). */
  sync(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  /** Closes the file; never throws. */
  close(): void;
}

/** What the journal needs of a file system. */
export interface JournalFs {
  /** Creates `dir` and its parents (mode 0700); an existing directory is fine. */
  mkdir(dir: string): Promise<void>;
  /** The regular files in `dir`. */
  listFiles(dir: string): Promise<string[]>;
  /** The size of a file, bytes. */
  size(path: string): Promise<number>;
  /** A whole file as text. */
  readText(path: string): Promise<string>;
  /** Creates a new file (mode 0600) for appending; fails when it exists. */
  createAppend(path: string): Promise<JournalFile>;
  /** Opens a file for in-place writes, creating it (mode 0600) when missing. */
  openInPlace(path: string): Promise<JournalFile>;
  /** Removes a file; a missing file is fine. */
  remove(path: string): Promise<void>;
  /** Makes creations and deletions in `dir` durable (best effort). */
  syncDir(dir: string): Promise<void>;
  /** Bytes an unprivileged writer may still use on the file system of `dir`; null when unknown. */
  freeBytes(dir: string): Promise<number | null>;
}

/** Whether `err` says the disk (or the user's quota) is full: ENOSPC or EDQUOT. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return true;
  const message = err instanceof Error ? err.message : String(err);
  return /No space left on device|os error 28\b|Disk quota exceeded|os error 122\b/i.test(message);
}

function denoFile(file: Deno.FsFile): JournalFile {
  return {
    append: (bytes) => file.write(bytes),
    async writeAt(bytes, offset) {
      await file.seek(offset, Deno.SeekMode.Start);
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
    },
    sync: () => file.sync(),
    truncate: (length) => file.truncate(length),
    close() {
      try {
        file.close();
      } catch { /* already closed */ }
    },
  };
}

/** The real file system through Deno's API (free space from `statfs`). */
export const denoJournalFs: JournalFs = {
  async mkdir(dir) {
    await Deno.mkdir(dir, { recursive: true, mode: DIR_MODE });
    // mkdir's mode is masked by the umask and leaves an existing directory as it was.
    await Deno.chmod(dir, DIR_MODE);
  },
  async listFiles(dir) {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
    return names;
  },
  size: async (path) => (await Deno.stat(path)).size,
  readText: (path) => Deno.readTextFile(path),
  async createAppend(path) {
    const file = await Deno.open(path, {
      createNew: true,
      write: true,
      append: true,
      mode: FILE_MODE,
    });
    return denoFile(file);
  },
  async openInPlace(path) {
    const file = await Deno.open(path, { write: true, create: true, mode: FILE_MODE });
    try {
      // An existing file (an earlier version's, 0644) is tightened too.
      await Deno.chmod(path, FILE_MODE);
    } catch (err) {
      file.close();
      throw err;
    }
    return denoFile(file);
  },
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  },
  async syncDir(dir) {
    try {
      using d = await Deno.open(dir, { read: true });
      await d.sync();
    } catch { /* not supported on this platform */ }
  },
  async freeBytes(dir) {
    try {
      const s = await statfs(dir);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      return null;
    }
  },
};
