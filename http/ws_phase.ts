/**
 * When in each 100 ms the WebSocket hub should flush. Values frames may go
 * out at most once per period, so a value waits for the next flush. FIXED
 * groups tick on an epoch-aligned grid, so their reads finish at much the
 * same offsets into every period (a few ms to a few tens of ms after the
 * tick, group by group); HANDSHAKE reads come whenever the PLC asks.
 *
 * Each second, this counts how many changed values arrived at each ms of the
 * period and finds the end of the shortest stretch of the period (going
 * round) that holds 99 % of them: for that second, the flush phase that
 * makes the 99th percentile of the waits smallest. The phase used is the
 * median of the last five seconds' ends, plus a small margin: a second of
 * disturbance (a handshake's burst at a random moment, a garbage collection,
 * hundreds of clients connecting at once) moves one end, not the median, so
 * the flush stays where the regular reads need it. Values that arrive later
 * than usual wait for the next flush (at most one period). A phase in the middle of a burst
 * would make its latter half wait a whole period; one after only the bulk
 * would make a slower group's reads wait a period every time.
 */

/** Learns the arrival pattern and picks the flush phase; see the module comment. */
export class FlushPhase {
  readonly #period: number;
  readonly #windowMs: number;
  readonly #keep: number;
  readonly #quantile: number;
  readonly #marginMs: number;
  readonly #ends: number[] = [];
  #current: Float64Array;
  #windowStart: number | undefined;
  #phase: number | undefined;

  /**
   * `periodMs`: the flush period; an end per `windowMs` (1 s), the median
   * of the last `keep` (5); each stretch holds `quantile` (0.99) of its
   * window's values; the flush comes `marginMs` (3) after the median end.
   */
  constructor(
    periodMs = 100,
    options: { windowMs?: number; keep?: number; quantile?: number; marginMs?: number } = {},
  ) {
    this.#period = Math.max(1, Math.round(periodMs));
    this.#windowMs = options.windowMs ?? 1000;
    this.#keep = options.keep ?? 5;
    this.#quantile = options.quantile ?? 0.995;
    this.#marginMs = options.marginMs ?? 3;
    this.#current = new Float64Array(this.#period);
  }

  #offset(at: number): number {
    const p = this.#period;
    return ((Math.floor(at) % p) + p) % p;
  }

  /** Counts `n` changed values arriving at time `at` (ms). */
  record(at: number, n: number): void {
    this.#windowStart ??= at;
    this.#roll(at);
    this.#current[this.#offset(at)] += n;
  }

  /** The flush phase (ms into the period), or undefined until a whole second has been counted. */
  phase(now: number): number | undefined {
    this.#roll(now);
    return this.#phase;
  }

  /** The first time at or after `earliest` that is `phase` ms into a period. */
  next(earliest: number, phase: number): number {
    const at = earliest - this.#offset(earliest) + phase;
    return at < earliest ? at + this.#period : at;
  }

  /** Closes the counting windows that ended before `now`. */
  #roll(now: number): void {
    if (this.#windowStart === undefined || now < this.#windowStart + this.#windowMs) return;
    const end = this.#covering(this.#current);
    if (end !== undefined) {
      this.#ends.push(end);
      if (this.#ends.length > this.#keep) this.#ends.shift();
      this.#phase = (this.#median() + this.#marginMs) % this.#period;
    }
    this.#current = new Float64Array(this.#period);
    this.#windowStart = now - ((now - this.#windowStart) % this.#windowMs);
  }

  /**
   * The end of the shortest stretch of the period (going round) that holds
   * `quantile` of one window's values: where the flush makes them wait least.
   */
  #covering(counts: Float64Array): number | undefined {
    const p = this.#period;
    let total = 0;
    for (let s = 0; s < p; s++) total += counts[s];
    if (total <= 0) return undefined;
    const target = this.#quantile * total;
    let bestEnd = 0;
    let bestLength = p + 1;
    for (let start = 0; start < p; start++) {
      if (counts[start] === 0) continue;
      let seen = 0;
      for (let k = 0; k < bestLength && k < p; k++) {
        seen += counts[(start + k) % p];
        if (seen >= target) {
          bestLength = k;
          bestEnd = (start + k + 1) % p;
          break;
        }
      }
    }
    return bestEnd;
  }

  /** The median of the kept ends, on the circle of the period (around the newest). */
  #median(): number {
    const p = this.#period;
    const ref = this.#ends[this.#ends.length - 1];
    const rel = this.#ends.map((e) => ((e - ref + p + p / 2) % p) - p / 2).sort((a, b) => a - b);
    const mid = rel[Math.floor((rel.length - 1) / 2)];
    return (((ref + mid) % p) + p) % p;
  }
}
