/**
 * The alarm engine: evaluates alarm rules on samples, keeps every alarm's
 * ISA-18.2 state, takes operators' acknowledgements and shelves, holds the
 * system alarms that actors raise, and tells its listeners (WebSocket,
 * journal) about every transition. Synchronous and clock-injected; it does no
 * I/O itself.
 */
import type { AlarmRuleConfig, TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import {
  type ActionDetail,
  type AlarmRecord,
  type AlarmView,
  applyAction,
  type ApplyResult,
  compareAlarms,
  restoreRecord,
  ruleMessage,
  ruleRecord,
  systemRecord,
  viewOf,
} from "./alarm_record.ts";
import {
  type ConditionState,
  evaluateSample,
  evaluateTick,
  INITIAL_CONDITION,
  raiseDueAt,
} from "./rules.ts";
import {
  type AlarmAction,
  type AlarmTransition,
  isActive,
  isUnacknowledged,
  type RejectReason,
} from "./state.ts";
import { isValidSystemKey } from "./system_keys.ts";

/** Receives each batch of transitions, in order, once per engine call that made any. */
export type AlarmListener = (transitions: readonly AlarmTransition[]) => void;

/** The result of an operator's command. */
export type AlarmCommandResult =
  | { readonly ok: true; readonly transition: AlarmTransition }
  | { readonly ok: false; readonly reason: RejectReason };

/** How a system alarm is described when raised. */
export interface SystemAlarmInfo {
  readonly message: string;
  /** 1 (lowest) to 1000 (highest); see SYSTEM_SEVERITY. */
  readonly severity: number;
  /** Who reports it: `plc`, `poller`, `writer`, `sink` … */
  readonly source: string;
  readonly value?: TagValue | null;
}

/** Alarm counts for metrics and the status snapshot. */
export interface AlarmCounts {
  readonly active: number;
  readonly unacknowledged: number;
  readonly shelved: number;
}

/** What the engine is built from. */
export interface AlarmEngineOptions {
  readonly rules: readonly AlarmRuleConfig[];
  /** For tag codes in records and default messages. */
  readonly tags: readonly TagConfig[];
  /** ms since the epoch; operator commands and system alarms are stamped with it. */
  readonly clock?: () => number;
  /** The longest a shelve may last, ms (default 24 h). */
  readonly maxShelveMs?: number;
  /** Called when a listener throws; the other listeners still run (default console.error). */
  readonly onListenerError?: (error: unknown) => void;
}

interface RuleEntry {
  rule: AlarmRuleConfig;
  condition: ConditionState;
  readonly alarm: AlarmRecord;
}

const DEFAULT_MAX_SHELVE_MS = 24 * 3_600_000;

/** The alarm engine; see the module comment and docs/alarms.md. */
export class AlarmEngine {
  readonly #clock: () => number;
  readonly #maxShelveMs: number;
  readonly #onListenerError: (error: unknown) => void;
  readonly #listeners = new Set<AlarmListener>();
  #tags = new Map<number, TagConfig>();
  #rules = new Map<number, RuleEntry>();
  #byTag = new Map<number, RuleEntry[]>();
  readonly #system = new Map<string, AlarmRecord>();
  readonly #pending = new Set<RuleEntry>();
  readonly #shelved = new Set<AlarmRecord>();

  /** Builds the engine with every alarm in normal. */
  constructor(options: AlarmEngineOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#maxShelveMs = options.maxShelveMs ?? DEFAULT_MAX_SHELVE_MS;
    this.#onListenerError = options.onListenerError ?? ((e) => console.error("alarm listener", e));
    this.replaceRules(options.rules, options.tags);
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: AlarmListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Evaluates every enabled rule of each sample's tag, in order. A tag with no
   * rules costs one map lookup. Returns (and publishes) the transitions.
   */
  onSamples(samples: Iterable<Sample>): readonly AlarmTransition[] {
    let out: AlarmTransition[] | undefined;
    for (const sample of samples) {
      const entries = this.#byTag.get(sample.tagId);
      if (entries === undefined) continue;
      for (const entry of entries) {
        out ??= [];
        const alarm = entry.alarm;
        if (alarm.shelf !== null && alarm.shelf.until <= sample.ts) {
          this.#apply(alarm, "shelve-expire", alarm.shelf.until, {}, out);
        }
        const { state, change } = evaluateSample(entry.rule, entry.condition, sample);
        entry.condition = state;
        if (state.pendingSince === null) this.#pending.delete(entry);
        else this.#pending.add(entry);
        if (change !== null) this.#apply(alarm, change, sample.ts, { value: sample.value }, out);
        else if (state.lastValue !== null) alarm.value = state.lastValue;
      }
    }
    return this.#publish(out ?? []);
  }

  /**
   * Advances time without samples: raises pending conditions whose on-delay
   * has elapsed and ends shelves that ran out. Call it on a timer (once a
   * second is plenty), or at `nextDueAt()`.
   */
  tick(now: number = this.#clock()): readonly AlarmTransition[] {
    const out: AlarmTransition[] = [];
    for (const entry of [...this.#pending]) {
      const { state, change } = evaluateTick(entry.rule, entry.condition, now);
      if (change === null) continue;
      entry.condition = state;
      this.#pending.delete(entry);
      this.#apply(entry.alarm, change, now, { value: state.lastValue }, out);
    }
    for (const alarm of [...this.#shelved]) {
      if (alarm.shelf !== null && alarm.shelf.until <= now) {
        this.#apply(alarm, "shelve-expire", alarm.shelf.until, {}, out);
      }
    }
    return this.#publish(out);
  }

  /** The earliest time a `tick` would change something, or null if nothing is waiting. */
  nextDueAt(): number | null {
    let due: number | null = null;
    for (const entry of this.#pending) {
      const at = raiseDueAt(entry.rule, entry.condition);
      if (at !== null && (due === null || at < due)) due = at;
    }
    for (const alarm of this.#shelved) {
      if (alarm.shelf !== null && (due === null || alarm.shelf.until < due)) {
        due = alarm.shelf.until;
      }
    }
    return due;
  }

  /**
   * Raises (or keeps raised) the system alarm `key`; see systemKeys for the
   * conventions. Raising an active one only refreshes its message and
   * severity. Throws on an invalid key (a bug in the caller).
   */
  raiseSystem(key: string, info: SystemAlarmInfo): readonly AlarmTransition[] {
    if (!isValidSystemKey(key)) throw new RangeError(`invalid system alarm key: ${key}`);
    let alarm = this.#system.get(key);
    if (alarm === undefined) {
      alarm = systemRecord(key, info.severity, info.message, info.source);
      this.#system.set(key, alarm);
    }
    alarm.message = info.message;
    alarm.severity = info.severity;
    alarm.source = info.source;
    const out: AlarmTransition[] = [];
    this.#apply(alarm, "raise", this.#clock(), { value: info.value ?? null }, out);
    return this.#publish(out);
  }

  /** Clears the system alarm `key`; idempotent, so callers may call it on every success. */
  clearSystem(key: string, value: TagValue | null = null): readonly AlarmTransition[] {
    const alarm = this.#system.get(key);
    if (alarm === undefined) return [];
    const out: AlarmTransition[] = [];
    this.#apply(alarm, "clear", this.#clock(), { value }, out);
    return this.#publish(out);
  }

  /** An operator acknowledges alarm `id` (active-unack → active-ack, cleared-unack → normal). */
  acknowledge(id: string, user: string, comment?: string): AlarmCommandResult {
    return this.#command(id, "acknowledge", { user, comment: comment || null });
  }

  /**
   * An operator shelves alarm `id` until `untilTs`: it keeps following its
   * condition, but its raises and clears are marked suppressed. `untilTs` must
   * be in the future and within the engine's maxShelveMs.
   */
  shelve(
    id: string,
    user: string,
    comment: string | undefined,
    untilTs: number,
  ): AlarmCommandResult {
    const now = this.#clock();
    if (!Number.isFinite(untilTs) || untilTs <= now || untilTs > now + this.#maxShelveMs) {
      return { ok: false, reason: "invalid-shelve-until" };
    }
    return this.#command(id, "shelve", { user, comment: comment || null, until: untilTs });
  }

  /** An operator ends a shelve early. */
  unshelve(id: string, user: string, comment?: string): AlarmCommandResult {
    return this.#command(id, "unshelve", { user, comment: comment || null });
  }

  /** Alarms not in normal, in list order (severity, then newest raise); shelved ones included. */
  active(): AlarmView[] {
    const views: AlarmView[] = [];
    for (const alarm of this.#allRecords()) if (isActive(alarm.state)) views.push(viewOf(alarm));
    return views.sort(compareAlarms);
  }

  /** Shelved alarms in any state, in list order. */
  shelved(): AlarmView[] {
    return [...this.#shelved].map(viewOf).sort(compareAlarms);
  }

  /** One alarm by id, or undefined (rule alarms always exist; system alarms while not normal or shelved). */
  get(id: string): AlarmView | undefined {
    const alarm = this.#find(id);
    return alarm && viewOf(alarm);
  }

  /** Counts for /metrics and status snapshots. */
  counts(): AlarmCounts {
    let active = 0;
    let unacknowledged = 0;
    for (const alarm of this.#allRecords()) {
      if (isActive(alarm.state)) active++;
      if (isUnacknowledged(alarm.state)) unacknowledged++;
    }
    return { active, unacknowledged, shelved: this.#shelved.size };
  }

  /**
   * Applies a new rule set live. A rule whose id, tag and kind are unchanged
   * keeps its alarm state, condition and shelve; new limits, hysteresis,
   * on-delay, message and severity apply from the next sample. A rule that is
   * gone, disabled, or moved to another tag or kind is removed (a `remove`
   * transition to normal if it was not normal). Passing `tags` refreshes codes.
   */
  replaceRules(
    rules: readonly AlarmRuleConfig[],
    tags?: readonly TagConfig[],
  ): readonly AlarmTransition[] {
    if (tags !== undefined) this.#tags = new Map(tags.map((t) => [t.id, t]));
    const out: AlarmTransition[] = [];
    const next = new Map<number, RuleEntry>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const old = this.#rules.get(rule.id);
      const tag = this.#tags.get(rule.tagId);
      if (old !== undefined && old.rule.tagId === rule.tagId && old.rule.kind === rule.kind) {
        old.rule = rule;
        old.alarm.severity = rule.severity;
        old.alarm.message = ruleMessage(rule, tag);
        old.alarm.tagCode = tag?.code ?? old.alarm.tagCode;
        next.set(rule.id, old);
      } else {
        const alarm = ruleRecord(rule, tag);
        next.set(rule.id, { rule, condition: INITIAL_CONDITION, alarm });
      }
    }
    for (const [id, entry] of this.#rules) {
      if (next.get(id) === entry) continue;
      this.#pending.delete(entry);
      this.#apply(entry.alarm, "remove", this.#clock(), {}, out);
    }
    this.#rules = next;
    this.#byTag = new Map();
    for (const entry of next.values()) {
      const list = this.#byTag.get(entry.rule.tagId);
      if (list === undefined) this.#byTag.set(entry.rule.tagId, [entry]);
      else list.push(entry);
    }
    return this.#publish(out);
  }

  /**
   * Restores alarm states after a restart from each alarm's latest journal
   * transition (AlarmJournal.latest). Call once, before the first samples. A
   * rule alarm is restored only if its rule still has the same tag and kind;
   * an active one clears on its next sample back within limits. Nothing is
   * published. Shelves already expired by now are dropped.
   */
  restore(latest: Iterable<AlarmTransition>): void {
    const now = this.#clock();
    for (const t of latest) {
      let alarm: AlarmRecord | undefined;
      if (t.ruleId !== null) {
        const entry = this.#rules.get(t.ruleId);
        if (entry === undefined || entry.rule.tagId !== t.tagId || entry.rule.kind !== t.kind) {
          continue;
        }
        alarm = entry.alarm;
        const active = t.to === "active-unacknowledged" || t.to === "active-acknowledged";
        entry.condition = { ...INITIAL_CONDITION, active, lastValue: t.value };
        this.#pending.delete(entry);
      } else if (t.systemKey !== null && isValidSystemKey(t.systemKey)) {
        alarm = this.#system.get(t.systemKey) ??
          systemRecord(t.systemKey, t.severity, t.message, t.source);
        this.#system.set(t.systemKey, alarm);
      } else continue;
      restoreRecord(alarm, t, now);
      this.#track(alarm);
    }
  }

  #command(id: string, action: AlarmAction, detail: ActionDetail): AlarmCommandResult {
    const alarm = this.#find(id);
    if (alarm === undefined) return { ok: false, reason: "not-found" };
    const out: AlarmTransition[] = [];
    const result = this.#apply(alarm, action, this.#clock(), detail, out);
    if (!result.ok) return result;
    this.#publish(out);
    return { ok: true, transition: out[0] };
  }

  #find(id: string): AlarmRecord | undefined {
    const ruleId = id.startsWith("rule:") ? Number(id.slice(5)) : NaN;
    return Number.isInteger(ruleId) ? this.#rules.get(ruleId)?.alarm : this.#system.get(id);
  }

  *#allRecords(): Iterable<AlarmRecord> {
    for (const entry of this.#rules.values()) yield entry.alarm;
    yield* this.#system.values();
  }

  /** Applies one action to one alarm, collects its transition, and keeps the indexes current. */
  #apply(
    alarm: AlarmRecord,
    action: AlarmAction,
    ts: number,
    detail: ActionDetail,
    out: AlarmTransition[],
  ): ApplyResult {
    const result = applyAction(alarm, action, ts, detail);
    if (result.ok && result.transition !== null) {
      out.push(result.transition);
      this.#track(alarm);
    }
    return result;
  }

  /** Keeps the shelved set current and forgets system alarms back in normal and unshelved. */
  #track(alarm: AlarmRecord): void {
    if (alarm.shelf !== null) this.#shelved.add(alarm);
    else this.#shelved.delete(alarm);
    if (alarm.systemKey !== null && alarm.state === "normal" && alarm.shelf === null) {
      this.#system.delete(alarm.systemKey);
    }
  }

  #publish(out: AlarmTransition[]): readonly AlarmTransition[] {
    if (out.length === 0) return out;
    for (const listener of [...this.#listeners]) {
      try {
        listener(out);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return out;
  }
}
