/**
 * Operators' writes to one PLC, as the runtime executes them: engineering
 * values turned into raw values by the exact inverse of the tag's scaling,
 * planned into the fewest block writes (write_plan.ts, within the limits of
 * the PLC's series: 1E batch writes for an FX3), sent ahead of the queued
 * reads on that PLC's link, then read back. Requests and results are
 * plain structured-cloneable data (no functions, no Error objects), so they
 * can cross a worker boundary; expected failures are results, never throws.
 */
import type { TagConfig } from "../model/config.ts";
import { PlcError } from "../protocol/errors.ts";
import { extractValues, planReads, type PlanTag } from "../protocol/planner.ts";
import { parseAddressFor, readPlanOptionsFor, writeLimitsFor } from "../protocol/series.ts";
import {
  type DataType,
  encodeValue,
  type TagValue,
  toEngineering,
  toRaw,
} from "../protocol/values.ts";
import type { Clock } from "./clock.ts";
import { blockRequest, blockWords, type PlcLink } from "./plc_link.ts";
import { planWrites, requestCount, type WriteOp, type WriteTarget } from "./write_plan.ts";

/** One tag to write: what the runtime needs of its configuration, and the engineering value. */
export interface WriteItem {
  readonly tagId: number;
  readonly code: string;
  readonly address: string;
  readonly dataType: DataType;
  readonly length: number | null;
  readonly scale: number;
  readonly offset: number;
  /** A bit of a word may be written (read-modify-write of the word). */
  readonly bitWrite: boolean;
  /** Engineering units (BOOL: true/false, STRING: text). */
  readonly value: TagValue;
}

/** The writes of one PLC, applied together. */
export interface WriteRequest {
  readonly plcId: number;
  readonly items: readonly WriteItem[];
}

/**
 * How a write ended: `written` (the PLC acknowledged it), `refused` (the
 * request was invalid; nothing was sent), `unavailable` (the PLC is failed,
 * disabled or not connected; nothing was sent), `timeout` (no reply within
 * the PLC's timeout; the write may or may not have happened), `failed` (the
 * PLC answered with an error, e.g. an end code).
 */
export type WriteOutcome = "written" | "refused" | "unavailable" | "timeout" | "failed";

/** What happened to one tag. */
export interface WriteItemResult {
  readonly tagId: number;
  readonly code: string;
  readonly outcome: WriteOutcome;
  /** Why, when not written. */
  readonly error?: string;
  /** The engineering value asked for. */
  readonly value: TagValue;
  /** The raw value sent (after the inverse scaling). */
  readonly raw?: TagValue;
  /** The value read back after the write, in engineering units; null when the read-back failed. */
  readonly readBack?: TagValue | null;
  readonly readBackError?: string;
}

/** What a write request did. */
export interface WriteResult {
  readonly plcId: number;
  /** `written` when every item was written; otherwise the first failure's outcome. */
  readonly outcome: WriteOutcome;
  readonly error?: string;
  readonly items: readonly WriteItemResult[];
  /** MC write requests sent (a read-modify-write counts two). */
  readonly requests: number;
  /** From the request to the read-back, ms. */
  readonly ms: number;
}

/** The raw value of an item, by the exact inverse of its scaling; RangeError when impossible. */
export function rawValue(
  item: Pick<WriteItem, "value" | "dataType" | "scale" | "offset">,
): TagValue {
  const { value, dataType } = item;
  if (dataType === "BOOL" && typeof value !== "boolean") {
    throw new RangeError("a BOOL value must be true or false");
  }
  if (dataType === "STRING" && typeof value !== "string") {
    throw new RangeError("a STRING value must be text");
  }
  if (dataType !== "BOOL" && dataType !== "STRING" && typeof value !== "number") {
    throw new RangeError(`a ${dataType} value must be a number`);
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError("the value must be a finite number");
  }
  return toRaw(value, item, dataType);
}

/**
 * Why an operator may not write `value` to `tag`, as one sentence naming
 * the rule (type, writeMin/writeMax, the data type's range after the inverse
 * scaling, text length), or undefined when the value is fine. Whether the
 * tag is writable at all is the caller's first check.
 */
export function checkWriteValue(tag: TagConfig, value: unknown): string | undefined {
  const type = tag.dataType;
  if (type === "BOOL") {
    return typeof value === "boolean" ? undefined : "type: a BOOL value must be true or false";
  }
  if (type === "STRING") {
    if (typeof value !== "string") return "type: a STRING value must be text";
  } else {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return `type: a ${type} value must be a finite number`;
    }
    const unit = tag.unit ? ` ${tag.unit}` : "";
    if (tag.writeMin !== undefined && tag.writeMin !== null && value < tag.writeMin) {
      return `writeMin: ${value}${unit} is below the lowest value operators may write, ` +
        `${tag.writeMin}${unit}`;
    }
    if (tag.writeMax !== undefined && tag.writeMax !== null && value > tag.writeMax) {
      return `writeMax: ${value}${unit} is above the highest value operators may write, ` +
        `${tag.writeMax}${unit}`;
    }
  }
  try {
    const raw = rawValue({
      value: value as TagValue,
      dataType: type,
      scale: tag.scale,
      offset: tag.offset,
    });
    encodeValue(raw, type, tag.length ?? 0);
  } catch (e) {
    return `range: ${(e as Error).message}` +
      (tag.scale !== 1 || tag.offset !== 0 ? " (after the inverse of the tag's scaling)" : "");
  }
  return undefined;
}

/** Whether the tag is a bit of a word device that does not allow read-modify-write. */
export function needsBitWrite(tag: TagConfig): boolean {
  return tag.dataType === "BOOL" && tag.address.includes(".") && !tag.bitWrite;
}

/** A write item from a tag's configuration and the value to write. */
export function writeItem(tag: TagConfig, value: TagValue): WriteItem {
  return {
    tagId: tag.id,
    code: tag.code,
    address: tag.address,
    dataType: tag.dataType,
    length: tag.length,
    scale: tag.scale,
    offset: tag.offset,
    bitWrite: tag.bitWrite ?? false,
    value,
  };
}

function outcomeOf(e: PlcError): WriteOutcome {
  if (e.code === "closed") return "unavailable";
  if (e.code === "timeout" || e.code === "aborted") return "timeout";
  return "failed";
}

/**
 * Writes the items to the PLC behind `link`, all or nothing on validation:
 * a bad item refuses the whole request before anything is sent. The ops run
 * in parallel over the pool's sockets (they touch disjoint addresses), each
 * ahead of queued reads; then the written tags are read back with the
 * fewest block reads.
 */
export async function executeWrites(
  link: PlcLink,
  request: WriteRequest,
  clock: Clock,
): Promise<WriteResult> {
  const t0 = clock.now();
  const { plcId, items } = request;
  const targets: WriteTarget<number>[] = [];
  const raws = new Map<number, TagValue>();
  const problems = new Map<number, string>();
  items.forEach((item, i) => {
    try {
      const address = parseAddressFor(link.plc.series, item.address);
      if (address.bit !== undefined && !item.bitWrite) {
        throw new RangeError(
          `${item.address} is a bit of a word; writing it rewrites the whole word and may undo ` +
            "a change the PLC program made in between, so the tag must allow it (bitWrite)",
        );
      }
      const raw = rawValue(item);
      encodeValue(raw, item.dataType, item.length ?? 0); // range and text checks, per item
      raws.set(i, raw);
      targets.push({
        id: i,
        label: `tag ${item.code}`,
        address,
        type: item.dataType,
        length: item.length ?? undefined,
        raw,
      });
    } catch (e) {
      problems.set(i, (e as Error).message);
    }
  });
  let ops: WriteOp<number>[] = [];
  if (problems.size === 0) {
    try {
      ops = planWrites(targets, writeLimitsFor(link.plc.series, link.plc.frame));
    } catch (e) {
      const message = (e as Error).message;
      items.forEach((_, i) => problems.set(i, message));
    }
  }
  if (problems.size > 0) {
    const first = [...problems.values()][0];
    return {
      plcId,
      outcome: "refused",
      error: first,
      items: items.map((item, i) => ({
        tagId: item.tagId,
        code: item.code,
        value: item.value,
        outcome: "refused",
        error: problems.get(i) ?? "another item of this write was refused; nothing was written",
      })),
      requests: 0,
      ms: clock.now() - t0,
    };
  }

  const failures = new Map<number, PlcError>();
  await Promise.all(ops.map(async (op) => {
    const error = await runOp(link, op);
    if (error) { for (const id of op.ids) failures.set(id, error); }
  }));

  const written = items.map((_, i) => i).filter((i) => !failures.has(i));
  const readBack = await readBackValues(link, written.map((i) => targets.find((t) => t.id === i)!));
  const results: WriteItemResult[] = items.map((item, i) => {
    const base = { tagId: item.tagId, code: item.code, value: item.value, raw: raws.get(i) };
    const failure = failures.get(i);
    if (failure) return { ...base, outcome: outcomeOf(failure), error: failure.message };
    const back = readBack.get(i);
    if (!back || back instanceof PlcError) {
      return {
        ...base,
        outcome: "written" as const,
        readBack: null,
        readBackError: back?.message ?? "not read back",
      };
    }
    return { ...base, outcome: "written" as const, readBack: toEngineering(back.raw, item) };
  });
  const bad = results.find((r) => r.outcome !== "written");
  return {
    plcId,
    outcome: bad ? bad.outcome : "written",
    ...(bad ? { error: bad.error } : {}),
    items: results,
    requests: requestCount(ops),
    ms: clock.now() - t0,
  };
}

/** Sends one op; returns its failure, or undefined. */
async function runOp(link: PlcLink, op: WriteOp<number>): Promise<PlcError | undefined> {
  if (op.kind === "dwords") {
    const r = await link.urgent({ command: "randomWriteWords", words: [], dwords: op.dwords });
    return r instanceof PlcError ? r : undefined;
  }
  const head = { device: op.device, address: op.kind === "bitsOfWord" ? op.address : op.start };
  if (op.kind === "words") {
    const r = await link.urgent({ command: "writeWords", head, words: op.words });
    return r instanceof PlcError ? r : undefined;
  }
  if (op.kind === "bits") {
    const r = await link.urgent({ command: "writeBits", head, bits: op.bits });
    return r instanceof PlcError ? r : undefined;
  }
  const read = await link.urgent({ command: "readWords", head, points: 1 });
  if (read instanceof PlcError) return read;
  const next = ((read.words[0] | op.set) & ~op.clear) & 0xffff;
  const r = await link.urgent({ command: "writeWords", head, words: [next] });
  return r instanceof PlcError ? r : undefined;
}

/** Reads the targets back (fewest block reads); raw values by target id, or the failure. */
async function readBackValues(
  link: PlcLink,
  targets: readonly WriteTarget<number>[],
): Promise<Map<number, { raw: TagValue } | PlcError>> {
  const out = new Map<number, { raw: TagValue } | PlcError>();
  if (targets.length === 0) return out;
  const tags: PlanTag<number>[] = targets.map((t) => ({
    id: t.id,
    address: t.address,
    type: t.type,
    length: t.length,
  }));
  const plan = planReads(tags, {
    ...readPlanOptionsFor(link.plc.series, link.plc.frame),
    maxGap: 0,
  });
  const responses = await Promise.all(plan.blocks.map(async (b) => {
    const r = await link.urgent(blockRequest(b));
    return r instanceof PlcError ? r : blockWords(b, r);
  }));
  const failed = responses.find((r): r is PlcError => r instanceof PlcError);
  if (failed) {
    for (const t of targets) out.set(t.id, failed);
    return out;
  }
  const values = extractValues(plan, responses as Uint16Array[]);
  tags.forEach((t, k) => out.set(t.id, { raw: values[k] }));
  return out;
}
