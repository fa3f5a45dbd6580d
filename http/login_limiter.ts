/**
 * Failed-login limiting, in memory: each key (a user name, a client address)
 * may fail `maxFailures` times within `windowMs`; then logins on that key are
 * refused until the oldest of those failures leaves the window. A successful
 * login clears its keys. The map is bounded: expired keys are dropped first,
 * then the least recently failed.
 */

/** Settings of a {@link LoginLimiter}. */
export interface LoginLimiterOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  /** The clock, ms since the epoch. */
  readonly now: () => number;
}

/** Counts failed logins per key. */
export class LoginLimiter {
  readonly #options: LoginLimiterOptions;
  /** Key → times of its most recent failures (at most maxFailures, oldest first). */
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginLimiterOptions) {
    this.#options = options;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#failures.size;
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (!times) return [];
    const recent = times.filter((t) => t > now - this.#options.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else if (recent.length !== times.length) this.#failures.set(key, recent);
    return recent;
  }

  /**
   * Milliseconds until every key may try again; 0 when none is blocked.
   */
  blockedFor(keys: readonly string[]): number {
    const { maxFailures, windowMs, now } = this.#options;
    const t = now();
    let wait = 0;
    for (const key of keys) {
      const recent = this.#recent(key, t);
      if (recent.length >= maxFailures) {
        wait = Math.max(wait, recent[recent.length - maxFailures] + windowMs - t);
      }
    }
    return wait;
  }

  /** Records one failure on each key. */
  fail(keys: readonly string[]): void {
    const t = this.#options.now();
    for (const key of keys) {
      const recent = this.#recent(key, t);
      recent.push(t);
      if (recent.length > this.#options.maxFailures) recent.shift();
      // Re-insert so that Map order is least recently failed first.
      this.#failures.delete(key);
      this.#makeRoom(t);
      this.#failures.set(key, recent);
    }
  }

  /** Forgets the failures of each key (after a successful login). */
  reset(keys: readonly string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.#failures.size < this.#options.maxKeys) return;
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
    while (this.#failures.size >= this.#options.maxKeys) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
  }
}
