/**
 * A small disk for journal tests: the real file system in a temp directory,
 * seen through a byte budget. Writes that would need more space than is left
 * write what fits and then fail with ENOSPC, the way a full disk answers;
 * overwriting bytes a file already has needs no space; truncating and
 * removing give space back. `freeBytes` reports what is left, so the
 * free-space watermark sees the same disk. Other failures can be injected
 * per operation. Used by tests only.
 */
import { denoJournalFs, type JournalFile, type JournalFs } from "./journal_fs.ts";

/** The error a full disk gives. */
export function enospc(): Error {
  return Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
}

/** Operations of {@link QuotaFs} that can be made to fail. */
export type QuotaFsOp = "append" | "writeAt" | "remove" | "createAppend" | "openInPlace";

/** A byte-budget view of the real file system; see the module comment. */
export class QuotaFs implements JournalFs {
  /** Bytes the "disk" holds in all. */
  capacity: number;
  /** Bytes taken by other files on the same disk (a history database, logs). */
  occupied = 0;
  /** Operations that fail with the given error while set. */
  readonly failing = new Map<QuotaFsOp, () => Error>();
  /** ENOSPC errors given so far. */
  enospcCount = 0;
  readonly #sizes = new Map<string, number>();
  readonly #real: JournalFs;

  /** A disk of `capacity` bytes over `real` (default: the real file system). */
  constructor(capacity: number, real: JournalFs = denoJournalFs) {
    this.capacity = capacity;
    this.#real = real;
  }

  /** Bytes in use: the files written through this port plus {@link occupied}. */
  get used(): number {
    let n = this.occupied;
    for (const v of this.#sizes.values()) n += v;
    return n;
  }

  /** Bytes left. */
  get free(): number {
    return Math.max(0, this.capacity - this.used);
  }

  mkdir(dir: string): Promise<void> {
    return this.#real.mkdir(dir);
  }

  listFiles(dir: string): Promise<string[]> {
    return this.#real.listFiles(dir);
  }

  async size(path: string): Promise<number> {
    const n = await this.#real.size(path);
    this.#sizes.set(path, n);
    return n;
  }

  async readText(path: string): Promise<string> {
    const text = await this.#real.readText(path);
    this.#sizes.set(path, new TextEncoder().encode(text).length);
    return text;
  }

  async createAppend(path: string): Promise<JournalFile> {
    this.#fail("createAppend");
    const file = await this.#real.createAppend(path);
    this.#sizes.set(path, 0);
    return this.#wrap(path, file);
  }

  async openInPlace(path: string): Promise<JournalFile> {
    this.#fail("openInPlace");
    const file = await this.#real.openInPlace(path);
    if (!this.#sizes.has(path)) this.#sizes.set(path, await this.#real.size(path));
    return this.#wrap(path, file);
  }

  async remove(path: string): Promise<void> {
    this.#fail("remove");
    await this.#real.remove(path);
    this.#sizes.delete(path);
  }

  syncDir(dir: string): Promise<void> {
    return this.#real.syncDir(dir);
  }

  freeBytes(): Promise<number | null> {
    return Promise.resolve(this.free);
  }

  #fail(op: QuotaFsOp): void {
    const make = this.failing.get(op);
    if (make) {
      const err = make();
      if ((err as { code?: string }).code === "ENOSPC") this.enospcCount++;
      throw err;
    }
  }

  #full(): Error {
    this.enospcCount++;
    return enospc();
  }

  #wrap(path: string, file: JournalFile): JournalFile {
    const size = () => this.#sizes.get(path) ?? 0;
    return {
      append: async (bytes) => {
        this.#fail("append");
        const n = Math.min(bytes.length, this.free);
        if (n === 0) throw this.#full();
        const written = await file.append(bytes.subarray(0, n));
        this.#sizes.set(path, size() + written);
        return written;
      },
      writeAt: async (bytes, offset) => {
        this.#fail("writeAt");
        const growth = Math.max(0, offset + bytes.length - size());
        if (growth > this.free) throw this.#full();
        await file.writeAt(bytes, offset);
        this.#sizes.set(path, size() + growth);
      },
      sync: () => file.sync(),
      truncate: async (length) => {
        await file.truncate(length);
        this.#sizes.set(path, length);
      },
      close: () => file.close(),
    };
  }
}
