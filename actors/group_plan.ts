/**
 * A polling group's read plan, made once when its poller starts: the group's
 * tags checked one by one (a tag whose address or type cannot be read is set
 * aside as bad-config instead of failing the whole group), then planned into
 * the fewest block reads (protocol/planner.ts).
 */
import type { PlcConfig, TagConfig } from "../model/config.ts";
import { type PlanOptions, planReads, type PlanTag, type ReadPlan } from "../protocol/planner.ts";
import { mergePlanOptions, parseAddressFor, readPlanOptionsFor } from "../protocol/series.ts";

/** A tag that cannot be read as configured, and why. */
export interface InvalidTag {
  /** Index in {@link GroupPlan.tags}. */
  readonly index: number;
  readonly message: string;
}

/** What a poller reads every cycle and how the responses map back to its tags. */
export interface GroupPlan {
  /** The group's tags in configuration order; samples follow this order. */
  readonly tags: readonly TagConfig[];
  /** Block reads for the valid tags (their ids are indices into {@link tags}). */
  readonly read: ReadPlan<number>;
  /** `blockOf[i]`: the block that tag i is read from, or -1 for an invalid tag. */
  readonly blockOf: Int32Array;
  /** `planIndex[i]`: tag i's position in `read.tags` (extractValues order), or -1. */
  readonly planIndex: Int32Array;
  readonly invalid: readonly InvalidTag[];
}

/**
 * Plans a group's reads. Never throws for a bad tag: each tag is checked on
 * its own (address, device, type, span) and a failing one is listed in
 * `invalid` with the planner's sentence. With the group's `plc`, addresses
 * are read in its series' numbering (X/Y octal on FX3 and iQ-F) and blocks
 * keep to its series' limits (FX3: 1E; iQ-F: 480 words in ASCII); `options`
 * may lower a limit, never raise it.
 */
export function planGroup(
  tags: readonly TagConfig[],
  planOptions: PlanOptions = {},
  plc?: Pick<PlcConfig, "series" | "frame">,
): GroupPlan {
  const series = plc?.series;
  const options = mergePlanOptions(readPlanOptionsFor(series, plc?.frame), planOptions);
  const valid: PlanTag<number>[] = [];
  const invalid: InvalidTag[] = [];
  tags.forEach((t, index) => {
    try {
      const pt: PlanTag<number> = {
        id: index,
        address: parseAddressFor(series, t.address),
        type: t.dataType,
        ...(t.length ? { length: t.length } : {}),
      };
      planReads([pt], options);
      valid.push(pt);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      invalid.push({ index, message: `tag ${t.code} (${t.address}): ${e.message}` });
    }
  });
  const read = planReads(valid, options);
  const blockOf = new Int32Array(tags.length).fill(-1);
  const planIndex = new Int32Array(tags.length).fill(-1);
  read.tags.forEach((pt, k) => {
    blockOf[pt.id] = read.entries[k].block;
    planIndex[pt.id] = k;
  });
  return { tags, read, blockOf, planIndex, invalid };
}
