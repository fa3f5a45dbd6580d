/**
 * The Sparkplug store-and-forward spool: DDATA samples that could not be
 * published (broker unreachable, primary host offline) go to disk and are
 * replayed oldest first once the edge node is born again. It is the
 * historian's journal (actors/journal.ts: CSV segment files, fsync before an
 * append counts, a replay cursor, a size bound with counted drops) in its own
 * directory `<data-dir>/sparkplug/spool`: one implementation, two consumers.
 * This wrapper adds only what the publisher needs on top: appends in call
 * order, and the events turned into log lines.
 */
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import { Journal } from "../actors/journal.ts";
import type { JournalEvent, JournalStats, ReplayBatch } from "../actors/journal_port.ts";

/** Default bound on the spool's size on disk: 256 MiB. */
export const DEFAULT_SPOOL_MAX_BYTES = 256 * 1024 ** 2;

/** A log line of the spool: level and sentence. */
export type SpoolLog = (level: "info" | "warning" | "error", message: string) => void;

/** The spool: see the module comment. */
export class Spool {
  #tail: Promise<unknown> = Promise.resolve();
  #appending = 0;

  private constructor(private readonly journal: Journal) {}

  /** Opens (or creates) the spool under `<dataDir>/sparkplug/spool`. */
  static async open(
    dataDir: string,
    options: { maxBytes?: number; log?: SpoolLog } = {},
  ): Promise<Spool> {
    const log = options.log ?? (() => {});
    const journal = await Journal.open({
      dir: join(dataDir, "sparkplug", "spool"),
      maxBytes: options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
      onEvent: (e: JournalEvent) => log(levelOf(e), `Sparkplug spool: ${describe(e)}`),
    });
    return new Spool(journal);
  }

  /** Appends samples durably, after every earlier append; resolves with the values dropped at the bound. */
  append(samples: readonly Sample[]): Promise<number> {
    if (samples.length === 0) return this.#tail.then(() => 0);
    this.#appending++;
    const next = this.#tail.then(() => this.journal.append(samples)).then((r) => r.dropped)
      .finally(() => this.#appending--);
    this.#tail = next.catch(() => 0);
    return next;
  }

  /** The next batch, oldest first, after every pending append; null when nothing waits. */
  async read(max: number): Promise<ReplayBatch | null> {
    await this.#tail;
    return this.journal.read(max);
  }

  /** Marks a batch as published: advances the cursor, deletes finished segments. */
  commit(batch: ReplayBatch): Promise<void> {
    return this.journal.commit(batch);
  }

  /** Whether anything waits for replay (or is being appended). */
  hasPending(): boolean {
    return this.#appending > 0 || this.journal.hasPending();
  }

  /** The journal's sizes and counters. */
  stats(): JournalStats {
    return this.journal.stats();
  }

  /** Waits for pending appends and closes the files. */
  async close(): Promise<void> {
    await this.#tail;
    await this.journal.close();
  }
}

function levelOf(e: JournalEvent): "info" | "warning" | "error" {
  switch (e.type) {
    case "full":
      return "error";
    case "cursorReset":
      return "info";
    default:
      return e.type.endsWith("Ok") ? "info" : "warning";
  }
}

function describe(e: JournalEvent): string {
  const { type, ...rest } = e as { type: string } & Record<string, unknown>;
  return `${type} ${JSON.stringify(rest)}`;
}
