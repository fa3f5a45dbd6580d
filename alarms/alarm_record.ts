/**
 * One alarm as the engine keeps it, the read-only view it hands out (REST's
 * active list, the WebSocket's snapshot), and how an action changes a record.
 * Records are mutable and private to the engine; views are copies.
 */
import type { AlarmKind, AlarmRuleConfig, TagConfig } from "../model/config.ts";
import type { TagValue } from "../protocol/values.ts";
import {
  type AlarmAction,
  type AlarmState,
  type AlarmTransition,
  isActive,
  type RejectReason,
  step,
} from "./state.ts";
import { ruleAlarmId } from "./system_keys.ts";

/** A shelve: who shelved the alarm, why, and until when. */
export interface Shelf {
  /** The operator; null when restored from a journal entry that did not name them. */
  readonly user: string | null;
  readonly comment: string | null;
  /** When it was shelved, ms since the epoch. */
  readonly since: number;
  /** When the shelve runs out, ms since the epoch. */
  readonly until: number;
}

/** The last acknowledgement of the current activation. */
export interface Acknowledgement {
  readonly user: string | null;
  readonly comment: string | null;
  readonly ts: number;
}

/** What the engine knows about one alarm, as a snapshot. */
export interface AlarmView {
  /** `rule:<ruleId>` or the system key. */
  readonly id: string;
  readonly ruleId: number | null;
  readonly systemKey: string | null;
  readonly tagId: number | null;
  readonly tagCode: string | null;
  readonly kind: AlarmKind | "SYSTEM";
  readonly state: AlarmState;
  readonly severity: number;
  readonly message: string;
  /** `rule`, or who reported the system alarm. */
  readonly source: string;
  /** The last value that raised, cleared or was seen by the alarm. */
  readonly value: TagValue | null;
  /** When the alarm was last raised; null in normal. */
  readonly activeSince: number | null;
  /** When the alarm last changed, or null if it never did. */
  readonly lastChange: number | null;
  readonly acknowledged: Acknowledgement | null;
  readonly shelf: Shelf | null;
}

/** The engine's mutable record of one alarm. */
export interface AlarmRecord {
  readonly id: string;
  readonly ruleId: number | null;
  readonly systemKey: string | null;
  tagId: number | null;
  tagCode: string | null;
  kind: AlarmKind | "SYSTEM";
  state: AlarmState;
  severity: number;
  message: string;
  source: string;
  value: TagValue | null;
  activeSince: number | null;
  lastChange: number | null;
  acknowledged: Acknowledgement | null;
  shelf: Shelf | null;
}

/** A copy of a record that callers cannot use to change the engine. */
export function viewOf(r: AlarmRecord): AlarmView {
  return {
    id: r.id,
    ruleId: r.ruleId,
    systemKey: r.systemKey,
    tagId: r.tagId,
    tagCode: r.tagCode,
    kind: r.kind,
    state: r.state,
    severity: r.severity,
    message: r.message,
    source: r.source,
    value: r.value,
    activeSince: r.activeSince,
    lastChange: r.lastChange,
    acknowledged: r.acknowledged,
    shelf: r.shelf,
  };
}

/**
 * Alarm list order: highest severity first, then the most recently raised,
 * then by id so equal alarms keep a stable order.
 */
export function compareAlarms(a: AlarmView, b: AlarmView): number {
  if (a.severity !== b.severity) return b.severity - a.severity;
  const ta = a.activeSince ?? a.lastChange ?? 0;
  const tb = b.activeSince ?? b.lastChange ?? 0;
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The fixed facts of a new alarm; it starts normal and unshelved. */
export type AlarmIdentity = Pick<
  AlarmRecord,
  "id" | "ruleId" | "systemKey" | "tagId" | "tagCode" | "kind" | "severity" | "message" | "source"
>;

/** A new record in normal. */
export function newRecord(identity: AlarmIdentity): AlarmRecord {
  return {
    ...identity,
    state: "normal",
    value: null,
    activeSince: null,
    lastChange: null,
    acknowledged: null,
    shelf: null,
  };
}

/** A rule's alarm, in normal. */
export function ruleRecord(rule: AlarmRuleConfig, tag: TagConfig | undefined): AlarmRecord {
  return newRecord({
    id: ruleAlarmId(rule.id),
    ruleId: rule.id,
    systemKey: null,
    tagId: rule.tagId,
    tagCode: tag?.code ?? null,
    kind: rule.kind,
    severity: rule.severity,
    message: ruleMessage(rule, tag),
    source: "rule",
  });
}

/** A system alarm, in normal. */
export function systemRecord(
  key: string,
  severity: number,
  message: string,
  source: string,
): AlarmRecord {
  const identity = { id: key, ruleId: null, systemKey: key, tagId: null, tagCode: null };
  return newRecord({ ...identity, kind: "SYSTEM", severity, message, source });
}

/** The rule's message, or `<tag code> <kind> <limit>` when it has none. */
export function ruleMessage(rule: AlarmRuleConfig, tag: TagConfig | undefined): string {
  if (rule.message.trim() !== "") return rule.message;
  const name = tag?.code ?? `tag ${rule.tagId}`;
  return rule.limit === null ? `${name} ${rule.kind}` : `${name} ${rule.kind} ${rule.limit}`;
}

/** What comes with an action: the operator and comment, the value seen, a shelve's end. */
export interface ActionDetail {
  readonly user?: string | null;
  readonly comment?: string | null;
  readonly value?: TagValue | null;
  /** For `shelve`: when it ends. */
  readonly until?: number;
}

/** An applied action: the transition it made (null if nothing changed), or a refusal. */
export type ApplyResult =
  | { readonly ok: true; readonly transition: AlarmTransition | null }
  | { readonly ok: false; readonly reason: RejectReason };

/**
 * Applies one action to a record through the transition table (`step`):
 * updates state, acknowledgement, shelve and value, and describes the change.
 * A refused action changes nothing.
 */
export function applyAction(
  alarm: AlarmRecord,
  action: AlarmAction,
  ts: number,
  detail: ActionDetail,
): ApplyResult {
  const from = alarm.state;
  const wasShelved = alarm.shelf !== null;
  const result = step({ state: from, shelved: wasShelved }, action);
  if (!result.ok) return result;
  if (detail.value !== undefined) alarm.value = detail.value;
  if (!result.changed) return { ok: true, transition: null };
  const to = result.next.state;
  const user = detail.user ?? null;
  const comment = detail.comment ?? null;
  alarm.state = to;
  alarm.lastChange = ts;
  if (action === "raise") {
    alarm.activeSince = ts;
    alarm.acknowledged = null;
  } else if (action === "acknowledge") {
    alarm.acknowledged = { user, comment, ts };
  }
  if (to === "normal") {
    alarm.activeSince = null;
    alarm.acknowledged = null;
  }
  if (action === "shelve") alarm.shelf = { user, comment, since: ts, until: detail.until ?? ts };
  else if (!result.next.shelved) alarm.shelf = null;
  const transition: AlarmTransition = {
    alarmId: alarm.id,
    ruleId: alarm.ruleId,
    systemKey: alarm.systemKey,
    tagId: alarm.tagId,
    tagCode: alarm.tagCode,
    kind: alarm.kind,
    action,
    from,
    to,
    ts,
    user,
    comment,
    value: alarm.value,
    message: alarm.message,
    severity: alarm.severity,
    suppressed: wasShelved && (action === "raise" || action === "clear"),
    shelvedUntil: alarm.shelf?.until ?? null,
    source: alarm.source,
  };
  return { ok: true, transition };
}

/**
 * Sets a record from its latest journal transition after a restart. The
 * acknowledgement and shelve keep their user and comment only when that
 * transition was the acknowledge or shelve itself; `activeSince` becomes the
 * transition's time. Shelves that ended before `now` are dropped.
 */
export function restoreRecord(alarm: AlarmRecord, t: AlarmTransition, now: number): void {
  const shelved = t.shelvedUntil !== null && t.shelvedUntil > now;
  alarm.state = t.to;
  alarm.value = t.value;
  alarm.lastChange = t.ts;
  alarm.activeSince = isActive(t.to) ? t.ts : null;
  alarm.acknowledged = t.action === "acknowledge" && t.to === "active-acknowledged"
    ? { user: t.user, comment: t.comment, ts: t.ts }
    : null;
  alarm.shelf = shelved
    ? {
      user: t.action === "shelve" ? t.user : null,
      comment: t.action === "shelve" ? t.comment : null,
      since: t.ts,
      until: t.shelvedUntil!,
    }
    : null;
}
