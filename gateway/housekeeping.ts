/**
 * Housekeeping of the configuration database, off the hot path: expired
 * login sessions, and audit and alarm journal entries past their retention.
 * Runs once at start and then every hour; each step is bounded.
 */
import type { Store } from "../store/store.ts";
import { logs } from "../observability/logging.ts";

/** Retention of the configuration database's journals. */
export interface Retention {
  /** Audit log entries older than this are deleted (default 365 days). */
  readonly auditDays: number;
  /** Alarm journal entries older than this are deleted (default 365 days). */
  readonly alarmDays: number;
}

/** Default retention: one year of audit and alarm history. */
export const DEFAULT_RETENTION: Retention = { auditDays: 365, alarmDays: 365 };

const DAY_MS = 86_400_000;

/** One pass; returns what it removed. Errors are logged, never thrown. */
export function housekeep(
  store: Store,
  now: number,
  retention: Retention = DEFAULT_RETENTION,
): { sessions: number; audit: number; alarms: number } {
  const result = { sessions: 0, audit: 0, alarms: 0 };
  try {
    result.sessions = store.sessions.purgeExpired();
    result.audit = store.audit.purgeBefore(now - retention.auditDays * DAY_MS);
    result.alarms = store.alarmJournal.prune(now - retention.alarmDays * DAY_MS);
  } catch (e) {
    logs.store.error("housekeeping failed: {error}", { error: e });
  }
  return result;
}
