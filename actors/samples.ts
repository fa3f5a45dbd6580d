/**
 * Turning one read of a group into samples, pure: scaling to engineering
 * units, quality per tag (good, bad-comm, bad-config), and report by
 * exception (deadband) with a maximum-interval heartbeat. The poller calls
 * {@link samplesFromRead} every cycle and {@link DeadbandFilter.select} to
 * pick what the historian stores; the live cache gets every sample.
 */
import type { TagConfig } from "../model/config.ts";
import type { Quality, Sample } from "../model/sample.ts";
import type { PlcError } from "../protocol/errors.ts";
import { extractValues } from "../protocol/planner.ts";
import { type TagValue, toEngineering } from "../protocol/values.ts";
import type { GroupPlan } from "./group_plan.ts";
import { type BlockReads, isTransportFailure } from "./plc_link.ts";

/** Longest time between two stored samples of a tag with a deadband, by default: 60 s. */
export const DEFAULT_HEARTBEAT_MS = 60_000;

/**
 * End codes that mean the configuration is wrong rather than the line: bad
 * point counts (C051–C054), an address past the device's end (C056), an
 * unsupported command or device (C059, C05A, C05B, C05C, C05F, C060, C061,
 * C070). Any other end code, like every transport failure, is bad-comm.
 */
export const CONFIG_END_CODES: ReadonlySet<number> = new Set([
  0xc051,
  0xc052,
  0xc053,
  0xc054,
  0xc056,
  0xc059,
  0xc05a,
  0xc05b,
  0xc05c,
  0xc05f,
  0xc060,
  0xc061,
  0xc070,
]);

/** The quality that a failed read gives its tags. */
export function qualityOf(error: PlcError): Quality {
  return error.code === "endCode" && error.endCode !== undefined &&
      CONFIG_END_CODES.has(error.endCode)
    ? "bad-config"
    : "bad-comm";
}

/** Reusable buffers per plan, so a poll allocates only the samples. */
const scratch = new WeakMap<GroupPlan, { zeros: Uint16Array[]; values: TagValue[] }>();

function buffers(plan: GroupPlan): { zeros: Uint16Array[]; values: TagValue[] } {
  let b = scratch.get(plan);
  if (!b) {
    b = {
      zeros: plan.read.blocks.map((blk) => new Uint16Array(blk.points)),
      values: new Array<TagValue>(plan.read.tags.length),
    };
    scratch.set(plan, b);
  }
  return b;
}

/**
 * One sample per tag of the group, in plan order, stamped `ts`: the scaled
 * value and quality good for tags of blocks that were read; value null and
 * the block's failure quality for the rest; bad-config for tags the plan set
 * aside.
 */
export function samplesFromRead(plan: GroupPlan, read: BlockReads, ts: number): Sample[] {
  const { zeros, values } = buffers(plan);
  const n = plan.read.blocks.length;
  const responses = new Array<Uint16Array>(n);
  const blockQuality = new Array<Quality>(n);
  for (let k = 0; k < n; k++) {
    const error = read.errors[k];
    responses[k] = read.words[k] ?? zeros[k];
    blockQuality[k] = error ? qualityOf(error) : read.words[k] ? "good" : "bad-comm";
  }
  if (n > 0) extractValues(plan.read, responses, values);
  const out = new Array<Sample>(plan.tags.length);
  for (let i = 0; i < plan.tags.length; i++) {
    const tag = plan.tags[i];
    const block = plan.blockOf[i];
    const quality: Quality = block < 0 ? "bad-config" : blockQuality[block];
    const value = quality === "good" ? toEngineering(values[plan.planIndex[i]], tag) : null;
    out[i] = { tagId: tag.id, ts, value, quality };
  }
  return out;
}

/** What {@link publishableSamples} gives: the samples and, when some were held, their tag positions. */
export interface Publishable {
  readonly samples: Sample[];
  /** Position in the plan's tags of each sample; undefined when every tag has its sample. */
  readonly positions: number[] | undefined;
  /** Tags left out because their block's request failed while the PLC was not failed. */
  readonly held: number;
}

/**
 * The samples of a read under the failure rule: like {@link samplesFromRead},
 * but while the PLC is not declared failed, the tags of blocks lost to a
 * transport failure (timeout, refused, closed, garbled) get no sample at all,
 * so they keep their previous values in the live cache and the historian
 * stores nothing for that tick (Kepware keeps the last value until the device
 * is declared in error). Once the PLC is failed they are bad-comm. Blocks the
 * PLC answered with an end code keep their quality either way.
 */
export function publishableSamples(plan: GroupPlan, read: BlockReads, ts: number): Publishable {
  const all = samplesFromRead(plan, read, ts);
  if (read.plcFailed || read.failed === 0) return { samples: all, positions: undefined, held: 0 };
  const holdBlock = read.errors.map((e) => e !== undefined && isTransportFailure(e));
  if (!holdBlock.some(Boolean)) return { samples: all, positions: undefined, held: 0 };
  const samples: Sample[] = [], positions: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const block = plan.blockOf[i];
    if (block >= 0 && holdBlock[block]) continue;
    samples.push(all[i]);
    positions.push(i);
  }
  return { samples, positions, held: all.length - samples.length };
}

/** One sample per tag, all with the same bad quality (a read that never happened). */
export function badSamples(plan: GroupPlan, quality: Quality, ts: number): Sample[] {
  return plan.tags.map((t, i) => ({
    tagId: t.id,
    ts,
    value: null,
    quality: plan.blockOf[i] < 0 ? "bad-config" : quality,
  }));
}

/** Options of {@link DeadbandFilter}. */
export interface DeadbandOptions {
  /** Longest time between stored samples of a deadband tag; default {@link DEFAULT_HEARTBEAT_MS}. */
  readonly heartbeatMs?: number;
}

/**
 * Report by exception for one group's tags. A tag without deadband stores
 * every sample. A tag with deadband d stores a sample when it is the tag's
 * first, when its quality differs from the last stored one, when a number
 * moved more than d from the last stored value (a boolean or text: any
 * change), or when the heartbeat has passed since the last stored sample.
 * State is kept per tag position, so samples must come in the order of the
 * tags given to the constructor.
 */
export class DeadbandFilter {
  readonly heartbeatMs: number;
  readonly #deadband: Float64Array;
  readonly #lastValue: (TagValue | null)[];
  readonly #lastQuality: (Quality | undefined)[];
  readonly #lastTs: Float64Array;

  /** `tags` in sample order; NaN in the deadband array marks "no deadband". */
  constructor(tags: readonly Pick<TagConfig, "deadband">[], options: DeadbandOptions = {}) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!(this.heartbeatMs > 0)) throw new RangeError("heartbeatMs must be above 0");
    this.#deadband = Float64Array.from(tags, (t) => t.deadband ?? NaN);
    this.#lastValue = new Array(tags.length).fill(null);
    this.#lastQuality = new Array(tags.length).fill(undefined);
    this.#lastTs = new Float64Array(tags.length).fill(-Infinity);
  }

  /**
   * The samples to store, remembering them as the tags' last stored samples.
   * Without `positions`, one sample per tag in tag order; with it, sample k
   * is of the tag at `positions[k]` (a read whose other tags were held).
   */
  select(samples: readonly Sample[], positions?: readonly number[]): Sample[] {
    if (
      positions ? positions.length !== samples.length : samples.length !== this.#deadband.length
    ) {
      throw new RangeError(`expected ${this.#deadband.length} samples, got ${samples.length}`);
    }
    const out: Sample[] = [];
    for (let k = 0; k < samples.length; k++) {
      const s = samples[k];
      const i = positions ? positions[k] : k;
      if (this.#keep(i, s)) {
        this.#lastValue[i] = s.value;
        this.#lastQuality[i] = s.quality;
        this.#lastTs[i] = s.ts;
        out.push(s);
      }
    }
    return out;
  }

  #keep(i: number, s: Sample): boolean {
    const d = this.#deadband[i];
    if (Number.isNaN(d)) return true;
    if (s.quality !== this.#lastQuality[i]) return true;
    if (s.ts - this.#lastTs[i] >= this.heartbeatMs) return true;
    const last = this.#lastValue[i], v = s.value;
    if (typeof v === "number" && typeof last === "number") {
      if (Number.isNaN(v) || Number.isNaN(last)) return !Object.is(v, last);
      return Math.abs(v - last) > d;
    }
    return v !== last;
  }
}
