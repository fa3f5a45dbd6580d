/**
 * The birth/death sequence number (bdSeq), kept in `<data-dir>/sparkplug/bdseq`
 * so that it moves on across restarts: Sparkplug 3.0 asks every new MQTT
 * CONNECT to carry the next bdSeq (0–255, 255 wraps to 0) in its Will NDEATH,
 * and the NBIRTH of that session to repeat it. The file is written (temp file,
 * fsync, rename) before the CONNECT that uses the number goes out.
 */
import { join } from "node:path";

/** The bdSeq after `n` (255 wraps to 0). */
export function nextBdSeq(n: number): number {
  return (n + 1) & 0xff;
}

/** The persisted bdSeq of one edge node. */
export class BdSeqStore {
  readonly #file: string;
  #last: number | undefined;

  private constructor(readonly dir: string) {
    this.#file = join(dir, "bdseq");
  }

  /** Opens the store in `dir` (created if missing) and reads the last bdSeq used, if any. */
  static async open(dir: string): Promise<BdSeqStore> {
    const s = new BdSeqStore(dir);
    await Deno.mkdir(dir, { recursive: true });
    try {
      const text = (await Deno.readTextFile(s.#file)).trim();
      const n = Number(text);
      s.#last = Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return s;
  }

  /** The last bdSeq used, or undefined on a first start. */
  get last(): number | undefined {
    return this.#last;
  }

  /** Takes the next bdSeq (0 on a first start) and persists it before returning it. */
  async take(): Promise<number> {
    const n = this.#last === undefined ? 0 : nextBdSeq(this.#last);
    const tmp = this.#file + ".tmp";
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      await f.write(new TextEncoder().encode(`${n}\n`));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.rename(tmp, this.#file);
    this.#last = n;
    return n;
  }
}
