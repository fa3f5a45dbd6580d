/**
 * Keeps alarms working when the alarm journal cannot write (disk full, disk
 * error, read-only database): the writer is the engine's journal listener,
 * stores each batch of transitions, and when an append fails it counts the
 * lost transitions, logs the first failure with its reason and then at most
 * once a minute, and lets the engine go on — alarms stay live in memory, on
 * the WebSocket and in /alarms; only their history has a gap. While appends
 * fail, a system alarm says so in words (see {@link AlarmJournalWriter.attach}).
 */
import { logs } from "../observability/logging.ts";
import type { AlarmEngine, AlarmListener } from "./engine.ts";
import type { AlarmJournal } from "./journal.ts";
import type { AlarmTransition } from "./state.ts";

/** The system alarm raised while the alarm journal cannot write. */
export const ALARM_JOURNAL_FAILING_KEY = "alarms:journal:failing";

/** The severity of that system alarm (1–1000): history is being lost. */
export const ALARM_JOURNAL_FAILING_SEVERITY = 700;

/** The writer's counters (plain data: safe to post to another thread or show in REST). */
export interface AlarmJournalWriterStats {
  /** Appends that failed since start. */
  readonly failedAppends: number;
  /** Transitions that were not stored because their append failed. */
  readonly lostTransitions: number;
  /** True while the latest append failed. */
  readonly failing: boolean;
  /** When the current run of failures began (ms since the epoch), or null. */
  readonly failingSince: number | null;
  /** The latest failure's message, or null. */
  readonly lastError: string | null;
}

/** Where the writer logs (a LogTape logger fits). */
export interface AlarmJournalLog {
  error(message: string, properties: Record<string, unknown>): void;
  info(message: string, properties: Record<string, unknown>): void;
}

/** Options of {@link AlarmJournalWriter}. */
export interface AlarmJournalWriterOptions {
  /** ms since the epoch (default Date.now). */
  readonly clock?: () => number;
  /** Repeated failures are logged at most this often, ms (default 60,000). */
  readonly logEveryMs?: number;
  /** Where failures and the recovery are logged (default the `jsscada.alarm` logger). */
  readonly logger?: AlarmJournalLog;
}

/** Stores alarm transitions in the journal; a failing append is counted, logged and survived. */
export class AlarmJournalWriter {
  readonly #journal: Pick<AlarmJournal, "append">;
  readonly #clock: () => number;
  readonly #logEveryMs: number;
  readonly #log: AlarmJournalLog;
  readonly #onChange = new Set<(stats: AlarmJournalWriterStats) => void>();
  #failedAppends = 0;
  #lostTransitions = 0;
  #failingSince: number | null = null;
  #lastError: string | null = null;
  #lastLogAt = -Infinity;
  #lostSinceLog = 0;

  constructor(journal: Pick<AlarmJournal, "append">, options: AlarmJournalWriterOptions = {}) {
    this.#journal = journal;
    this.#clock = options.clock ?? Date.now;
    this.#logEveryMs = Math.max(0, options.logEveryMs ?? 60_000);
    this.#log = options.logger ?? logs.alarm;
  }

  /** The engine listener: `engine.subscribe(writer.listener)`. */
  readonly listener: AlarmListener = (transitions) => void this.append(transitions);

  /** Stores `transitions`; true when stored, false when the append failed (counted and logged). */
  append(transitions: readonly AlarmTransition[]): boolean {
    if (transitions.length === 0) return true;
    try {
      this.#journal.append(transitions);
    } catch (error) {
      this.#failed(transitions.length, error);
      return false;
    }
    if (this.#failingSince !== null) this.#recovered();
    return true;
  }

  /** The counters now. */
  stats(): AlarmJournalWriterStats {
    return {
      failedAppends: this.#failedAppends,
      lostTransitions: this.#lostTransitions,
      failing: this.#failingSince !== null,
      failingSince: this.#failingSince,
      lastError: this.#lastError,
    };
  }

  /**
   * Calls `fn` (in a microtask, outside the engine's listener loop) when
   * appends start failing, then at most once per `logEveryMs` while they keep
   * failing, and when they work again. Returns the function that removes it.
   */
  onChange(fn: (stats: AlarmJournalWriterStats) => void): () => void {
    this.#onChange.add(fn);
    return () => this.#onChange.delete(fn);
  }

  /**
   * Subscribes the writer to `engine` and keeps the system alarm
   * {@link ALARM_JOURNAL_FAILING_KEY} raised while appends fail ("the alarm
   * journal cannot write: N transitions not stored since …"), cleared once
   * they work again. Returns the function that undoes both.
   */
  attach(engine: Pick<AlarmEngine, "subscribe" | "raiseSystem" | "clearSystem">): () => void {
    const unsubscribe = engine.subscribe(this.listener);
    const off = this.onChange((s) => {
      if (s.failing) {
        engine.raiseSystem(ALARM_JOURNAL_FAILING_KEY, {
          message: failingMessage(s),
          severity: ALARM_JOURNAL_FAILING_SEVERITY,
          source: "alarm-journal",
          value: s.lostTransitions,
        });
      } else {
        engine.clearSystem(ALARM_JOURNAL_FAILING_KEY, s.lostTransitions);
      }
    });
    return () => {
      off();
      unsubscribe();
    };
  }

  #failed(count: number, error: unknown): void {
    const now = this.#clock();
    const first = this.#failingSince === null;
    this.#failedAppends++;
    this.#lostTransitions += count;
    this.#lostSinceLog += count;
    this.#lastError = error instanceof Error ? error.message : String(error);
    if (first) this.#failingSince = now;
    if (first || now - this.#lastLogAt >= this.#logEveryMs) {
      this.#log.error(
        "alarm journal cannot write: {lost} alarm transitions not stored ({total} since " +
          "{since}); alarms stay live, their history has a gap: {reason}",
        {
          lost: this.#lostSinceLog,
          total: this.#lostTransitions,
          since: new Date(this.#failingSince!).toISOString(),
          reason: this.#lastError,
          error,
        },
      );
      this.#lastLogAt = now;
      this.#lostSinceLog = 0;
      this.#notify();
    }
  }

  #recovered(): void {
    const since = this.#failingSince!;
    this.#failingSince = null;
    this.#log.info(
      "alarm journal writes again after {ms} ms; {total} alarm transitions were not stored",
      { ms: this.#clock() - since, total: this.#lostTransitions },
    );
    this.#lastLogAt = -Infinity;
    this.#lostSinceLog = 0;
    this.#notify();
  }

  #notify(): void {
    if (this.#onChange.size === 0) return;
    const stats = this.stats();
    queueMicrotask(() => {
      for (const fn of [...this.#onChange]) fn(stats);
    });
  }
}

/** The system alarm's words. */
function failingMessage(s: AlarmJournalWriterStats): string {
  return `the alarm journal cannot write (disk full?): ${s.lostTransitions} alarm transitions ` +
    `not stored since ${new Date(s.failingSince!).toISOString()}; alarms stay live: ${s.lastError}`;
}
