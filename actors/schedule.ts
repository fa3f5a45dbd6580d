/**
 * Time math of the runtime, pure: the FIXED polling schedule (absolute ticks
 * t0 + k × interval, skipping instead of bursting) and exponential backoff
 * with jitter (PLC reconnects, supervisor restarts).
 */

/**
 * The first tick at or after `now` on the grid `phaseMs + k × intervalMs`
 * (k an integer). With phase 0 the grid is aligned to the epoch, so groups
 * with the same interval tick together and timestamps are round numbers
 * (a 100 ms group stamps …00.100, …00.200).
 */
export function firstTick(now: number, intervalMs: number, phaseMs = 0): number {
  checkInterval(intervalMs);
  return phaseMs + Math.ceil((now - phaseMs) / intervalMs) * intervalMs;
}

/** Where the schedule goes after a tick's read has finished. */
export interface NextTick {
  /** Scheduled time of the next tick to run. */
  readonly at: number;
  /** Ticks that came due while the read ran and are skipped (overruns). */
  readonly skipped: number;
}

/**
 * The tick after `tick`, given that its read finished at `now`: normally
 * `tick + interval`; when the read overran past one or more ticks, those are
 * skipped (never run late in a burst) and the next tick is the first one not
 * in the past. A tick due exactly at `now` still runs.
 */
export function nextTick(tick: number, intervalMs: number, now: number): NextTick {
  checkInterval(intervalMs);
  const at = tick + intervalMs;
  if (at >= now) return { at, skipped: 0 };
  const skipped = Math.ceil((now - at) / intervalMs);
  return { at: at + skipped * intervalMs, skipped };
}

/** Milliseconds to wait from `now` until `at`, never negative. */
export function delayUntil(at: number, now: number): number {
  return Math.max(0, at - now);
}

function checkInterval(intervalMs: number): void {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new RangeError(`a polling interval must be a positive number of ms, not ${intervalMs}`);
  }
}

/** Exponential backoff: initial × factor^attempt, capped, with random jitter. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Growth per attempt (2 doubles). */
  readonly factor: number;
  /** Longest delay, ms (jitter never goes above it). */
  readonly maxMs: number;
  /**
   * Fraction taken off at random, 0 to 1: the delay is d × (1 − jitter × r),
   * r uniform in [0, 1), so PLCs that failed together do not retry in step.
   */
  readonly jitter: number;
}

/**
 * PLC reconnect backoff: 100 ms, 200, 400, 800, then 1 s, each up to 20 %
 * shorter at random. With a 500 ms probe timeout a PLC that comes back is
 * talking again within 1.5 s (see docs/runtime.md).
 */
export const PLC_BACKOFF: BackoffPolicy = { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0 for the first retry).
 * `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.initialMs * policy.factor ** Math.max(0, attempt), policy.maxMs);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(exp * (1 - jitter * random())));
}
