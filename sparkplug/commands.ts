/**
 * DCMD → tag writes: which metrics of a device command name writable tags,
 * and what becomes of them. With commands off every metric is ignored and
 * counted; with them on each metric found (by alias, or by name) becomes a
 * write item for the injected write port, and one not found is refused.
 * Pure: the publisher runs the port and counts the outcomes.
 */
import { decodePayload } from "./codec.ts";
import type { DeviceModel } from "./model.ts";
import type { TagValue } from "../protocol/values.ts";

/** One write a DCMD asks for: a tag and the value in engineering units. */
export interface WriteItem {
  readonly tagId: number;
  readonly value: TagValue;
}

/** What became of one write: done, or refused with the reason (limits, not writable, PLC down). */
export type WriteOutcome =
  | { readonly tagId: number; readonly ok: true }
  | { readonly tagId: number; readonly ok: false; readonly reason: string };

/**
 * The write port: writes the PLC through the same path as an operator's
 * write (limits, writable flag, audit entry with the principal `sparkplug`).
 */
export type WritePort = (items: WriteItem[]) => Promise<WriteOutcome[]>;

/** A DCMD read against its device: the writes to do, and the metrics ignored or refused. */
export interface CommandPlan {
  readonly items: WriteItem[];
  readonly ignored: number;
  /** Metrics refused at once (no such metric, or no value), with the reason. */
  readonly refused: string[];
}

/**
 * Reads a DCMD payload for `device`. `enabled` is `--sparkplug-commands`
 * (and a write port present). Throws PayloadError on bytes that are not a
 * Sparkplug payload.
 */
export function planCommand(
  device: DeviceModel,
  payload: Uint8Array,
  enabled: boolean,
): CommandPlan {
  const byAlias = new Map(device.metrics.map((m) => [m.alias, m]));
  const byName = new Map(device.metrics.map((m) => [m.name, m]));
  const find = (name: string | undefined, alias: number | undefined) =>
    (alias !== undefined ? byAlias.get(alias) : undefined) ??
      (name !== undefined ? byName.get(name) : undefined);
  const p = decodePayload(payload, (name, alias) => find(name, alias)?.datatype);
  if (!enabled) return { items: [], ignored: p.metrics.length, refused: [] };
  const items: WriteItem[] = [];
  const refused: string[] = [];
  for (const m of p.metrics) {
    const metric = find(m.name, m.alias);
    const label = m.name ?? `alias ${m.alias}`;
    if (!metric) refused.push(`${device.deviceId}: no metric ${label}`);
    else if (m.value === null) refused.push(`${device.deviceId}: ${label} has no value`);
    else items.push({ tagId: metric.tagId, value: m.value });
  }
  return { items, ignored: 0, refused };
}
