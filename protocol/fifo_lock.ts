/**
 * A first-come, first-served lock whose waiters can give up through an
 * AbortSignal. The socket client holds it while a request is on the wire, as
 * 3E frames allow only one outstanding request per connection; with 4E
 * pipelining it admits up to `capacity` holders at once (a semaphore).
 */

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** A FIFO mutex: `tryAcquire` for the uncontended fast path, `acquire` to wait in line. */
export class FifoLock {
  #holders = 0;
  readonly #waiters: Waiter[] = [];

  /** `capacity` holders at once (default 1: a mutex). */
  constructor(readonly capacity = 1) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError("the lock's capacity must be a whole number of at least 1");
    }
  }

  /** Whether someone holds the lock. */
  get held(): boolean {
    return this.#holders > 0;
  }

  /** How many hold it now. */
  get holders(): number {
    return this.#holders;
  }

  /** How many are waiting in line. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes the lock if it is free, without waiting; true when taken. */
  tryAcquire(): boolean {
    if (this.#holders >= this.capacity) return false;
    this.#holders++;
    return true;
  }

  /**
   * Waits in line for the lock. If `signal` aborts first, the waiter leaves
   * the line and the promise rejects with `abortError()`.
   */
  acquire(signal: AbortSignal | undefined, abortError: () => unknown): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(abortError());
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Passes the lock to the next in line, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next.resolve();
    else this.#holders--;
  }

  /** Rejects everyone waiting in line with `err` (the holder keeps the lock). */
  rejectWaiting(err: unknown): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}
