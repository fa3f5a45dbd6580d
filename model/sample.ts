/**
 * A sample: one tag's value at one poll. Everything downstream of the pollers
 * (live cache, alarms, buffer, writer, sinks, journal) speaks samples.
 */
import type { TagValue } from "../protocol/values.ts";

/**
 * Quality of a sample, after OPC practice: `good`; `bad-comm` (the PLC could
 * not be read); `bad-config` (the tag's configuration cannot be read, e.g. an
 * address the PLC refuses); `stale` (the last good value, no longer fresh).
 */
export type Quality = "good" | "bad-comm" | "bad-config" | "stale";

/** All qualities, for validation. */
export const QUALITIES: readonly Quality[] = ["good", "bad-comm", "bad-config", "stale"];

/** One tag's value at one poll time. `value` is null when the quality is bad. */
export interface Sample {
  /** The tag's id in the configuration store. */
  readonly tagId: number;
  /** Poll time, ms since the Unix epoch (UTC). */
  readonly ts: number;
  readonly value: TagValue | null;
  readonly quality: Quality;
}
