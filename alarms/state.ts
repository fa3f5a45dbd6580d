/**
 * The alarm state model after ISA-18.2: normal → active-unacknowledged →
 * active-acknowledged or cleared-unacknowledged → normal, with shelving as an
 * orthogonal flag. `step` is the whole transition table as one pure function;
 * the engine applies it and records every change as an `AlarmTransition`.
 */
import type { AlarmKind } from "../model/config.ts";
import type { TagValue } from "../protocol/values.ts";

/**
 * The four states. `normal` is the "cleared": no condition and nothing
 * left to acknowledge. `cleared-unacknowledged` returned to normal before an
 * operator acknowledged it.
 */
export type AlarmState =
  | "normal"
  | "active-unacknowledged"
  | "active-acknowledged"
  | "cleared-unacknowledged";

/** All states, for validation and table tests. */
export const ALARM_STATES: readonly AlarmState[] = [
  "normal",
  "active-unacknowledged",
  "active-acknowledged",
  "cleared-unacknowledged",
];

/**
 * What can happen to an alarm: its condition raises or clears; an operator
 * acknowledges, shelves or unshelves it; a shelve runs out (`shelve-expire`);
 * its rule is deleted, disabled or changed to another tag or kind (`remove`).
 */
export type AlarmAction =
  | "raise"
  | "clear"
  | "acknowledge"
  | "shelve"
  | "unshelve"
  | "shelve-expire"
  | "remove";

/** All actions, for validation and table tests. */
export const ALARM_ACTIONS: readonly AlarmAction[] = [
  "raise",
  "clear",
  "acknowledge",
  "shelve",
  "unshelve",
  "shelve-expire",
  "remove",
];

/** An alarm's state and whether it is shelved. */
export interface AlarmStatus {
  readonly state: AlarmState;
  readonly shelved: boolean;
}

/** Why an operator's command was refused; the HTTP layer maps these to 404/409/400. */
export type RejectReason =
  | "not-found"
  | "nothing-to-acknowledge"
  | "not-shelved"
  | "invalid-shelve-until";

/** The outcome of one action: a (possibly unchanged) next status, or a refusal. */
export type StepResult =
  | { readonly ok: true; readonly changed: boolean; readonly next: AlarmStatus }
  | { readonly ok: false; readonly reason: RejectReason };

/**
 * The transition table. Notable rows:
 * - raise from cleared-unacknowledged goes back to active-unacknowledged;
 * - clear of a shelved alarm goes straight to normal: the operator chose not to
 *   see this alarm, so its return needs no acknowledgement;
 * - acknowledge of cleared-unacknowledged goes to normal; of normal or
 *   active-acknowledged it is refused;
 * - shelve of a shelved alarm is a re-shelve (new until, user, comment).
 */
export function step(status: AlarmStatus, action: AlarmAction): StepResult {
  const { state, shelved } = status;
  switch (action) {
    case "raise":
      if (state === "normal" || state === "cleared-unacknowledged") {
        return changed("active-unacknowledged", shelved);
      }
      return unchanged(status);
    case "clear":
      if (state === "active-unacknowledged") {
        return changed(shelved ? "normal" : "cleared-unacknowledged", shelved);
      }
      if (state === "active-acknowledged") return changed("normal", shelved);
      return unchanged(status);
    case "acknowledge":
      if (state === "active-unacknowledged") return changed("active-acknowledged", shelved);
      if (state === "cleared-unacknowledged") return changed("normal", shelved);
      return { ok: false, reason: "nothing-to-acknowledge" };
    case "shelve":
      return changed(state, true);
    case "unshelve":
      return shelved ? changed(state, false) : { ok: false, reason: "not-shelved" };
    case "shelve-expire":
      return shelved ? changed(state, false) : unchanged(status);
    case "remove":
      return state === "normal" && !shelved ? unchanged(status) : changed("normal", false);
  }
}

/** Whether an alarm in this state belongs in the active list. */
export function isActive(state: AlarmState): boolean {
  return state !== "normal";
}

/** Whether an alarm in this state waits for an operator's acknowledgement. */
export function isUnacknowledged(state: AlarmState): boolean {
  return state === "active-unacknowledged" || state === "cleared-unacknowledged";
}

/**
 * One recorded change of one alarm: what the WebSocket pushes and the journal
 * stores. Shelve and unshelve keep `from` equal to `to`; their change is in
 * `action` and `shelvedUntil`.
 */
export interface AlarmTransition {
  /** `rule:<ruleId>` for rule alarms; the system key (e.g. `plc:<code>:disconnected`) otherwise. */
  readonly alarmId: string;
  readonly ruleId: number | null;
  readonly systemKey: string | null;
  readonly tagId: number | null;
  /** The tag's code when the transition happened (codes can be renamed later). */
  readonly tagCode: string | null;
  /** The rule's kind, or `SYSTEM`. */
  readonly kind: AlarmKind | "SYSTEM";
  readonly action: AlarmAction;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** ms since the epoch: the sample's timestamp for raise/clear, the clock otherwise. */
  readonly ts: number;
  /** The operator, for acknowledge/shelve/unshelve; null otherwise. */
  readonly user: string | null;
  readonly comment: string | null;
  /** The value that raised or cleared the alarm (the last known value otherwise). */
  readonly value: TagValue | null;
  readonly message: string;
  /** 1 (lowest) to 1000 (highest). */
  readonly severity: number;
  /** The alarm was shelved when this happened: record it, but do not annunciate. */
  readonly suppressed: boolean;
  /** Until when the alarm is shelved after this transition, or null. */
  readonly shelvedUntil: number | null;
  /** Who reported a system alarm (`plc`, `poller`, `writer` …), or `rule`. */
  readonly source: string;
}

function changed(state: AlarmState, shelved: boolean): StepResult {
  return { ok: true, changed: true, next: { state, shelved } };
}

function unchanged(status: AlarmStatus): StepResult {
  return { ok: true, changed: false, next: status };
}
