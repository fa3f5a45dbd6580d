/**
 * A lane for password hashing: at most `concurrency` scrypt calls run at
 * once, the rest wait in order. Deno's async `node:crypto` scrypt computes
 * on a blocking-task thread, not on the event loop, but it starts one thread
 * per call: 50 parallel logins ran 50 scrypt threads (32 MiB each) that
 * starved the main thread on a 2-core server (the longest event-loop gap
 * grew from ~10 ms to 190–500 ms). One lane keeps hashing on one thread.
 */

/** Thrown by {@link HashLane.run} when too many jobs already wait: the caller should answer "busy". */
export class LaneBusyError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} password checks are already waiting`);
    this.name = "LaneBusyError";
  }
}

/** Runs async jobs with bounded concurrency, first come first served, with a bounded queue. */
export class HashLane {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  #peak = 0;

  /**
   * A lane running at most `concurrency` jobs at a time, with at most
   * `maxWaiting` more waiting (beyond that, run() refuses with LaneBusyError,
   * so a login flood cannot queue minutes of hashing ahead of the real user).
   */
  constructor(concurrency = 1, maxWaiting = 64) {
    if (!(concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
    this.#concurrency = concurrency;
    this.#maxWaiting = maxWaiting;
  }

  /** Jobs running now. */
  get active(): number {
    return this.#active;
  }

  /** Jobs waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The most jobs that ever ran at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Runs `job` when a place is free; its result or error is the caller's. LaneBusyError when full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#concurrency) {
      if (this.#waiting.length >= this.#maxWaiting) throw new LaneBusyError(this.#waiting.length);
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    try {
      return await job();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

/** The process's one lane for scrypt (login, password changes). */
export const PASSWORD_HASHING: HashLane = new HashLane(1);
