/**
 * The words of the Sparkplug system alarms, from the publisher's status
 * (plain data, so the main thread builds them from what the worker answers):
 * the broker unreachable for longer than {@link SPARKPLUG_UNREACHABLE_MS}, and
 * values dropped at the spool's bound. Each says what happens, since when and
 * how many values, so an operator knows whether data is held or lost.
 */
import { formatBytes, formatSince } from "../actors/journal_alarm_text.ts";
import type { SparkplugStatus } from "./publisher.ts";

/** A broker connection missing for this long raises the "unreachable" alarm, ms. */
export const SPARKPLUG_UNREACHABLE_MS = 5_000;

/** The part of the publisher's status the texts read. */
export type SparkplugAlarmInput =
  & Pick<
    SparkplugStatus,
    "url" | "connected" | "disconnectedSince" | "inflightValues"
  >
  & {
    readonly spool: Pick<
      SparkplugStatus["spool"],
      "bytes" | "maxBytes" | "pendingValues" | "droppedValues"
    >;
  };

/** Thousands separated: `105,238`. */
function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * The "broker unreachable" text, or null while connected or when the
 * connection has been missing for less than {@link SPARKPLUG_UNREACHABLE_MS}.
 */
export function unreachableAlarmText(status: SparkplugAlarmInput, now: number): string | null {
  const since = status.disconnectedSince;
  if (status.connected || since === undefined || now - since < SPARKPLUG_UNREACHABLE_MS) {
    return null;
  }
  const held = status.spool.pendingValues + status.inflightValues;
  return `Sparkplug: broker ${status.url} unreachable since ${formatSince(since)}; ` +
    `${count(held)} values held in the spool (${formatBytes(status.spool.bytes)}), ` +
    `published flagged historical when it answers`;
}

/** The "spool dropped values" text: `dropped` values lost since `since` (epoch ms). */
export function spoolDroppedAlarmText(
  status: SparkplugAlarmInput,
  dropped: number,
  since: number,
): string {
  return `Sparkplug: the spool is full (${formatBytes(status.spool.bytes)} of ` +
    `${formatBytes(status.spool.maxBytes)}); ${count(dropped)} values dropped since ` +
    `${formatSince(since)} will never reach the broker`;
}
