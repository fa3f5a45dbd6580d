/**
 * An event loop lag probe: a timer that fires every `intervalMs` and records
 * the longest gap between two of its callbacks. A gap much longer than the
 * interval means one task held the thread that long (a synchronous parse, a
 * hash on the event loop, a starved thread). Used by tests and benchmarks to
 * check that main-thread work stays short.
 */

/** What a {@link LoopLagProbe} saw. */
export interface LoopLagReport {
  /** The longest time between two timer callbacks, ms. */
  readonly maxGapMs: number;
  /** How many gaps were measured. */
  readonly samples: number;
  /** Gaps longer than the threshold given to the probe. */
  readonly gapsOver: number;
  /** How long the probe ran, ms. */
  readonly durationMs: number;
}

/** Settings of a {@link LoopLagProbe}. */
export interface LoopLagOptions {
  /** The timer's interval, ms. Default 5. */
  readonly intervalMs?: number;
  /** Gaps above this count in `gapsOver`, ms. Default 50. */
  readonly thresholdMs?: number;
  /** The clock, ms. Default performance.now. */
  readonly now?: () => number;
}

/** Measures the longest gap between timer callbacks on this thread while it runs. */
export class LoopLagProbe {
  readonly #intervalMs: number;
  readonly #thresholdMs: number;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #started = 0;
  #last = 0;
  #maxGap = 0;
  #samples = 0;
  #over = 0;

  constructor(options: LoopLagOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 5;
    this.#thresholdMs = options.thresholdMs ?? 50;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Starts measuring (again, from zero). */
  start(): this {
    this.stop();
    this.#started = this.#last = this.#now();
    this.#maxGap = this.#samples = this.#over = 0;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    return this;
  }

  #tick(): void {
    const now = this.#now();
    this.#record(now - this.#last);
    this.#last = now;
  }

  #record(gap: number): void {
    this.#samples++;
    if (gap > this.#maxGap) this.#maxGap = gap;
    if (gap > this.#thresholdMs) this.#over++;
  }

  /** What was measured so far; the probe keeps running. */
  report(): LoopLagReport {
    return {
      maxGapMs: this.#maxGap,
      samples: this.#samples,
      gapsOver: this.#over,
      durationMs: this.#timer === undefined ? 0 : this.#now() - this.#started,
    };
  }

  /**
   * Stops the timer and returns the report; the time since the last callback
   * counts as a gap too, so a block right before stop() is not missed.
   */
  stop(): LoopLagReport {
    if (this.#timer === undefined) return this.report();
    this.#record(this.#now() - this.#last);
    const report = this.report();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return report;
  }

  /** Stops the probe (for `using`). */
  [Symbol.dispose](): void {
    this.stop();
  }
}

/** Runs `work` under a probe and returns its result with what the probe saw. */
export async function measureLoopLag<T>(
  work: () => Promise<T>,
  options: LoopLagOptions = {},
): Promise<{ result: T; lag: LoopLagReport }> {
  const probe = new LoopLagProbe(options).start();
  try {
    const result = await work();
    return { result, lag: probe.stop() };
  } finally {
    probe.stop();
  }
}
