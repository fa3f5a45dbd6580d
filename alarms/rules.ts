/**
 * Alarm rule evaluation: whether one rule's condition is raised or cleared by
 * one sample, with hysteresis and on-delay. Pure functions over an immutable
 * condition state, so the engine, tests and any replay give the same answer.
 *
 * Semantics (see docs/alarms.md):
 * - HIHI/HI raise when value ≥ limit and clear when value < limit − hysteresis;
 *   LO/LOLO raise when value ≤ limit and clear when value > limit + hysteresis.
 * - ON raises while the bit is true, OFF while it is false.
 * - On-delay: the raise condition must hold on every usable sample from the
 *   first one that met it until a sample (or tick) at least `onDelayMs` later.
 *   Time is the samples' own timestamps, so evaluation is deterministic.
 * - An unusable sample (quality other than `good`, a null value, a value of the
 *   wrong type for the rule, or an analog rule without a limit) neither raises
 *   nor clears; it does interrupt a pending on-delay, because the condition is
 *   no longer known to have held continuously.
 * - Samples older than the last one evaluated are ignored (out of order).
 */
import type { AlarmKind, AlarmRuleConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";

/** The parts of a rule that decide its condition. */
export type RuleCondition = Pick<AlarmRuleConfig, "kind" | "limit" | "hysteresis" | "onDelayMs">;

/** What a rule knows between samples. */
export interface ConditionState {
  /** The condition is raised (the alarm is active as far as the rule goes). */
  readonly active: boolean;
  /** While inactive: timestamp of the first sample of the current run that met the raise condition. */
  readonly pendingSince: number | null;
  /** The last usable value seen, for tick-driven raises and transition records. */
  readonly lastValue: TagValue | null;
  /** Timestamp of the last sample evaluated, to drop out-of-order samples. */
  readonly lastTs: number | null;
}

/** The state of a rule that has seen no sample. */
export const INITIAL_CONDITION: ConditionState = {
  active: false,
  pendingSince: null,
  lastValue: null,
  lastTs: null,
};

/** A raise or clear of the condition, or null when nothing changed. */
export type ConditionChange = "raise" | "clear" | null;

/** The result of one evaluation: the next state and what changed. */
export interface ConditionStep {
  readonly state: ConditionState;
  readonly change: ConditionChange;
}

/** Analog kinds compare a number with the limit; bit kinds look at a boolean. */
export function isAnalogKind(kind: AlarmKind): boolean {
  return kind === "HIHI" || kind === "HI" || kind === "LO" || kind === "LOLO";
}

/**
 * Whether the condition holds for `value`, given whether it is active now
 * (active alarms clear only past the hysteresis band). Null when the value
 * cannot be judged by this rule: a non-finite or non-numeric value on an
 * analog rule, an analog rule without a limit, or a string on a bit rule.
 * Bit rules also accept numbers (non-zero is true), for bits read as words.
 */
export function conditionHolds(
  rule: RuleCondition,
  value: TagValue | null,
  active: boolean,
): boolean | null {
  switch (rule.kind) {
    case "HIHI":
    case "HI": {
      if (typeof value !== "number" || !Number.isFinite(value) || rule.limit === null) return null;
      return active ? value >= rule.limit - band(rule) : value >= rule.limit;
    }
    case "LO":
    case "LOLO": {
      if (typeof value !== "number" || !Number.isFinite(value) || rule.limit === null) return null;
      return active ? value <= rule.limit + band(rule) : value <= rule.limit;
    }
    case "ON":
    case "OFF": {
      let bit: boolean;
      if (typeof value === "boolean") bit = value;
      else if (typeof value === "number" && !Number.isNaN(value)) bit = value !== 0;
      else return null;
      return rule.kind === "ON" ? bit : !bit;
    }
  }
}

/** Evaluates one sample of the rule's tag. */
export function evaluateSample(
  rule: RuleCondition,
  state: ConditionState,
  sample: Sample,
): ConditionStep {
  if (state.lastTs !== null && sample.ts < state.lastTs) return { state, change: null };
  const holds = sample.quality === "good" ? conditionHolds(rule, sample.value, state.active) : null;
  if (holds === null) {
    // Unusable: keep the alarm as it is, but a pending on-delay starts again.
    return { state: { ...state, pendingSince: null, lastTs: sample.ts }, change: null };
  }
  const base = { lastValue: sample.value, lastTs: sample.ts };
  if (state.active) {
    return holds
      ? { state: { ...state, ...base }, change: null }
      : { state: { active: false, pendingSince: null, ...base }, change: "clear" };
  }
  if (!holds) return { state: { active: false, pendingSince: null, ...base }, change: null };
  const since = state.pendingSince ?? sample.ts;
  if (sample.ts - since >= delay(rule)) {
    return { state: { active: true, pendingSince: null, ...base }, change: "raise" };
  }
  return { state: { active: false, pendingSince: since, ...base }, change: null };
}

/**
 * Raises a pending condition whose on-delay has elapsed by `now` without a new
 * sample (a slow HANDSHAKE group, a tag that stopped changing). The last usable
 * sample met the condition and nothing since contradicted it.
 */
export function evaluateTick(
  rule: RuleCondition,
  state: ConditionState,
  now: number,
): ConditionStep {
  if (state.active || state.pendingSince === null) return { state, change: null };
  if (now - state.pendingSince < delay(rule)) return { state, change: null };
  return { state: { ...state, active: true, pendingSince: null }, change: "raise" };
}

/** The time at which a pending condition would raise, or null if none is pending. */
export function raiseDueAt(rule: RuleCondition, state: ConditionState): number | null {
  return state.active || state.pendingSince === null ? null : state.pendingSince + delay(rule);
}

function band(rule: RuleCondition): number {
  return Number.isFinite(rule.hysteresis) && rule.hysteresis > 0 ? rule.hysteresis : 0;
}

function delay(rule: RuleCondition): number {
  return Number.isFinite(rule.onDelayMs) && rule.onDelayMs > 0 ? rule.onDelayMs : 0;
}
