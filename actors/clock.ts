/**
 * The clock port: wall-clock time plus timers, injected into every actor so
 * that intervals, drift, backoff and supervision delays are tested without
 * sleeping. XState takes the same object (`createActor(machine, { clock })`)
 * for its delayed transitions, so machine delays and our own schedule math
 * read one clock.
 */

import { setImmediate } from "node:timers";

/** Time and timers. A superset of XState's `Clock`, which has no `now`. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC): sample timestamps and schedules. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for {@link clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(id: unknown): void;
}

/** The real clock: `Date.now()` and the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * Lets every promise callback that is ready run, by waiting one real
 * macrotask (a MessageChannel message: setTimeout(0) costs ~2 ms in Deno).
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told to, for tests. Unlike XState's
 * SimulatedClock, {@link advance} fires timers one at a time in due order with
 * `now()` equal to each timer's due time, and lets promise callbacks run in
 * between, so a machine waiting on a fake read sees the time it would see in
 * production.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, Timer>();

  /** Starts at `start` ms since the epoch (default 1,000,000 so that `0` is never a real time). */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  /** The current manual time. */
  now(): number {
    return this.#now;
  }

  /** Registers a timer due `ms` from now. */
  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.#seq;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, ms || 0), fn });
    return id;
  }

  /** Cancels a timer. */
  clearTimeout(id: unknown): void {
    this.#timers.delete(id as number);
  }

  /** Timers registered and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, or undefined when none is. */
  get nextDue(): number | undefined {
    return this.#earliest()?.due;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way at its due
   * time (also timers that fired timers set), and lets promise callbacks run
   * after each one.
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  /** Like {@link advance}, to an absolute time (never backwards). */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (let fired = 0;; fired++) {
      if (fired > 1_000_000) throw new Error("ManualClock: a timer keeps re-arming itself at once");
      const next = this.#earliest();
      if (!next || next.due > target) break;
      this.#timers.delete(next.id);
      if (next.due > this.#now) this.#now = next.due;
      next.fn();
      await settle();
    }
    if (target > this.#now) this.#now = target;
    await settle();
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }
}
