/**
 * Login attempt limiting, in memory, after OWASP ASVS 2.2 (anti-automation
 * without a lockout that an attacker can aim at the real user):
 *
 * - an attempt is counted when it starts, before the password is checked,
 *   so concurrent attempts beyond a limit are refused at once; a successful
 *   login takes its own attempt back;
 * - per (user name, client address): `maxFailures` within `windowMs`;
 * - per client address, over all user names: `maxFailuresPerAddress`;
 * - per user name over all addresses, slower: once a name has collected
 *   `userBackoffAfter` failures within the window, each address that has not
 *   logged in as that user before may try the name once per `userBackoffMs`.
 *   Addresses with an earlier successful login for the name are exempt, and
 *   any address keeps its own slow slot, so an attacker elsewhere slows the
 *   name down but cannot lock its owner out.
 *
 * Every map is bounded (`maxKeys`): expired keys go first, then the least
 * recently used.
 */

/** Settings of a {@link LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Attempts (failed or still being checked) per (user, address) within the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Attempts per client address over all user names within the window. */
  readonly maxFailuresPerAddress: number;
  /** Failures of one user name (any address) within the window that start the slow backoff. */
  readonly userBackoffAfter: number;
  /** Under backoff: one attempt per address per this many ms for that user name. */
  readonly userBackoffMs: number;
  /** How long an address stays known-good for a user after a successful login, ms. */
  readonly trustMs: number;
  /** Most keys remembered per map. */
  readonly maxKeys: number;
  /** The clock, ms since the epoch. */
  readonly now: () => number;
}

/** Times of recent events per key within a sliding window, with a bounded number of keys. */
export class SlidingWindows {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #times = new Map<string, number[]>();

  /** Windows of `windowMs` for at most `maxKeys` keys. */
  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Keys remembered. */
  get size(): number {
    return this.#times.size;
  }

  /** The key's event times within the window at `now`, oldest first. */
  recent(key: string, now: number): number[] {
    const times = this.#times.get(key);
    if (!times) return [];
    const recent = times.filter((t) => t > now - this.#windowMs);
    if (recent.length === 0) this.#times.delete(key);
    else if (recent.length !== times.length) this.#times.set(key, recent);
    return recent;
  }

  /** Ms until the key holds fewer than `limit` events in the window; 0 when it does now. */
  waitFor(key: string, limit: number, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < limit) return 0;
    return recent[recent.length - limit] + this.#windowMs - now;
  }

  /** Records one event at `now` (keeping at most `keep` times for the key). */
  add(key: string, now: number, keep: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    while (recent.length > keep) recent.shift();
    // Re-insert so that Map order is least recently used first.
    this.#times.delete(key);
    this.#makeRoom(now);
    this.#times.set(key, recent);
  }

  /** Takes back one event recorded at `at` (a successful login's own attempt). */
  remove(key: string, at: number): void {
    const times = this.#times.get(key);
    if (!times) return;
    const i = times.lastIndexOf(at);
    if (i >= 0) times.splice(i, 1);
    if (times.length === 0) this.#times.delete(key);
  }

  /** Forgets a key. */
  reset(key: string): void {
    this.#times.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.#times.size < this.#maxKeys) return;
    for (const key of [...this.#times.keys()]) this.recent(key, now);
    while (this.#times.size >= this.#maxKeys) {
      this.#times.delete(this.#times.keys().next().value as string);
    }
  }
}

/** A started login attempt: report how the password check ended. */
export interface LoginAttempt {
  readonly ok: true;
  /** The password was right: the attempt is taken back and the address becomes known-good. */
  succeeded(): void;
  /** The password was wrong: the attempt stays counted. */
  failed(): void;
  /** The check could not run (an internal error): the attempt is taken back. */
  cancel(): void;
}

/** A refused attempt: wait `retryAfterMs`; `reason` names the limit that refused it. */
export interface LoginRefused {
  readonly ok: false;
  readonly retryAfterMs: number;
  readonly reason: "user_address" | "address" | "user_backoff";
}

/** Counts login attempts per (user, address), per address and per user (see the module doc). */
export class LoginLimiter {
  readonly #options: LoginLimiterOptions;
  readonly #pairs: SlidingWindows;
  readonly #addresses: SlidingWindows;
  readonly #users: SlidingWindows;
  /** user@address → time of its last attempt while the user is under backoff. */
  readonly #slowSlots = new Map<string, number>();
  /** user@address → time of its last successful login. */
  readonly #trusted = new Map<string, number>();

  constructor(options: LoginLimiterOptions) {
    this.#options = options;
    this.#pairs = new SlidingWindows(options.windowMs, options.maxKeys);
    this.#addresses = new SlidingWindows(options.windowMs, options.maxKeys);
    this.#users = new SlidingWindows(options.windowMs, options.maxKeys);
  }

  /** Keys remembered over all maps (for tests and bounds). */
  get size(): number {
    return this.#pairs.size + this.#addresses.size + this.#users.size + this.#slowSlots.size +
      this.#trusted.size;
  }

  /**
   * Starts an attempt for `name` from `address`: refused with the wait when a
   * limit is reached, else counted now (before the password check).
   */
  begin(name: string, address: string): LoginAttempt | LoginRefused {
    const o = this.#options;
    const now = o.now();
    const user = name.toLowerCase();
    const pair = `${user}@${address}`;
    const pairWait = this.#pairs.waitFor(pair, o.maxFailures, now);
    if (pairWait > 0) return { ok: false, retryAfterMs: pairWait, reason: "user_address" };
    const addressWait = this.#addresses.waitFor(address, o.maxFailuresPerAddress, now);
    if (addressWait > 0) return { ok: false, retryAfterMs: addressWait, reason: "address" };
    const trusted = this.#isTrusted(pair, now);
    const underBackoff = !trusted &&
      this.#users.recent(user, now).length >= o.userBackoffAfter;
    if (underBackoff) {
      const last = this.#slowSlots.get(pair);
      const wait = last === undefined ? 0 : last + o.userBackoffMs - now;
      if (wait > 0) return { ok: false, retryAfterMs: wait, reason: "user_backoff" };
      this.#remember(this.#slowSlots, pair, now, o.userBackoffMs);
    }
    this.#pairs.add(pair, now, o.maxFailures);
    this.#addresses.add(address, now, o.maxFailuresPerAddress);
    if (!trusted) this.#users.add(user, now, o.userBackoffAfter);
    let settled = false;
    const takeBack = () => {
      this.#pairs.remove(pair, now);
      this.#addresses.remove(address, now);
      this.#users.remove(user, now);
    };
    return {
      ok: true,
      succeeded: () => {
        if (settled) return;
        settled = true;
        takeBack();
        this.#pairs.reset(pair);
        this.#slowSlots.delete(pair);
        this.#remember(this.#trusted, pair, o.now(), o.trustMs);
      },
      failed: () => {
        settled = true;
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        takeBack();
      },
    };
  }

  #isTrusted(pair: string, now: number): boolean {
    const at = this.#trusted.get(pair);
    if (at === undefined) return false;
    if (at + this.#options.trustMs > now) return true;
    this.#trusted.delete(pair);
    return false;
  }

  /** Sets key → now in a map bounded by maxKeys, dropping entries older than `ttl` first. */
  #remember(map: Map<string, number>, key: string, now: number, ttl: number): void {
    map.delete(key);
    if (map.size >= this.#options.maxKeys) {
      for (const [k, at] of map) if (at + ttl <= now) map.delete(k);
      while (map.size >= this.#options.maxKeys) map.delete(map.keys().next().value as string);
    }
    map.set(key, now);
  }
}
