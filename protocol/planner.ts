/**
 * The read planner: turns a configuration's tags into the fewest MC batch
 * reads (command 0401) once per configuration, and maps every poll's responses
 * back to tag values through offsets fixed in the plan.
 *
 * ## Word units, also for bit devices
 *
 * Bit devices (X, Y, M, …) are always read in word units (subcommand 0000):
 * word k of a block whose head is point h holds points h+16k … h+16k+15, bit 0
 * the lowest, and heads are multiples of 16 so that a point always lands on the
 * same bit. Bit units (subcommand 0001) never need fewer requests: a bit-unit
 * read of n ≤ 7,168 points (3,584 in ASCII) spans at most ⌈n/16⌉ + 1 ≤ 449
 * aligned words, well inside one word-unit read of 960 words, so every
 * bit-unit plan maps to a word-unit plan with the same number of requests.
 * Word units also carry 16 points in 2 bytes (4 characters in ASCII) where bit
 * units need 8 bytes (16 characters). So {@link ReadBlock.unit} is always
 * `"word"` from {@link planReads}.
 *
 * ## Valid plans
 *
 * Each tag occupies a span of words on its device: a word-device tag the
 * {@link wordCount} words from its address (BOOL with or without `.n`: one
 * word), a bit-device BOOL at point p the aligned word ⌊p/16⌋. A plan is valid
 * when every block is a span of words [b, e] of one device such that
 *
 * 1. it holds at most `maxWords` words;
 * 2. its first and last words are covered by tags lying wholly inside it, and
 * 3. no run of more than `maxGap` consecutive words inside it is covered by no
 *    tag lying wholly inside it (tags cut by the block's edges do not count:
 *    their words are of no use in this block);
 *
 * and every tag lies wholly inside at least one block. Overlapping tags (a
 * STRING over an INT16) and duplicate tags are simply spans that overlap.
 *
 * ## Minimality
 *
 * {@link planReads} returns a valid plan with the fewest blocks, per device,
 * by the classic greedy sweep over tags sorted by first word: a block starts
 * at the first uncovered tag r and takes the following tags while each starts
 * at most `maxGap` words past the block's reach and ends within `maxWords`.
 *
 * Why that is optimal. (a) Let the block from r instead reach the furthest
 * valid end. Any plan covers r by some block [b', e'] with b' ≤ first(r); as
 * every uncovered tag starts at or after r, that block covers exactly the
 * uncovered tags ending by e', so the furthest-reaching block covers a
 * superset and what is left needs no more blocks. Starting before r cannot
 * reach further: earlier tags end within the blocks already made, so their
 * words past first(r) lie inside r. The furthest valid end is the reach of the
 * sweep when it passes over (rather than stops at) tags too long to fit:
 * every tag starting before the first gap of more than `maxGap` words ends by
 * that reach, and no tag inside the block can bridge that gap. (b) Stopping at
 * such a tag X instead, as the sweep does, costs no block: X is then the next
 * uncovered tag, the next block starts at first(X) either way, and the tags
 * passing over X would have added lie inside X's span, so the block from X
 * holds them. It only saves reading their words twice. The planner test checks
 * minimality against a brute-force search.
 *
 * ## iQ-R devices
 *
 * With `series: "iQ-R"` the planner also reads the iQ-R devices that a batch
 * read reaches: RD (a word device) and the long counter contact and coil LCS,
 * LCC (bit devices, in word units like every bit device) go into ordinary
 * blocks, sent with the iQ-R subcommand 0002 by the PLC's pool. The long
 * devices LTN, LSTN, LCN and LZ hold one double word a point and are read
 * with random read (0403/0002) double-word access only: their tags (INT32 or
 * UINT32) go into blocks of kind `dwords`, each the distinct points of up to
 * `maxDwords` tags (96 a request with the iQ-R subcommand, SLMP manual
 * Appendix 5), so ⌈distinct points / maxDwords⌉ requests, the fewest
 * possible. Such a block's response is laid out as two words a point, low
 * word first, so {@link extractValues} decodes it like any other. Other series
 * refuse the iQ-R devices, and every series refuses LTS, LTC, LSTS and LSTC
 * (protocol/devices.ts tagDeviceProblem).
 */

import type { DeviceRef } from "./commands.ts";
import {
  type Address,
  type DeviceName,
  DEVICES,
  formatAddress,
  tagDeviceProblem,
} from "./devices.ts";
import { type DataType, decodeValue, type TagValue, wordCount } from "./values.ts";

/** Most words one word-unit batch read (0401/0000) may request, per the MC protocol. */
export const MC_MAX_WORDS = 960;

/** Most double words one random read (0403/0002, iQ-R subcommand) may request: 96 points. */
export const MAX_RANDOM_DWORDS = 96;

/**
 * Default `maxGap`: a separate request costs a round trip plus the PLC's wait
 * for END processing (milliseconds), while an unneeded word costs 2 bytes (4
 * characters in ASCII); 64 words keeps sparse tags in one read without making
 * each poll move and parse mostly unneeded data.
 */
export const DEFAULT_MAX_GAP = 64;

/** A tag as the planner sees it. */
export interface PlanTag<Id = string | number> {
  readonly id: Id;
  /** Where the value lives; `.bit` selects a bit of a word device (BOOL only; else bit 0). */
  readonly address: Address;
  readonly type: DataType;
  /** STRING length in words. */
  readonly length?: number;
}

/** Planner limits. */
export interface PlanOptions {
  /** Most unneeded words allowed in a row inside a block; default {@link DEFAULT_MAX_GAP}. */
  readonly maxGap?: number;
  /** Most words per block, 1 to {@link MC_MAX_WORDS} (the default). */
  readonly maxWords?: number;
  /**
   * Most words per block of a bit device (read in word units, 16 points a
   * word); default `maxWords`. An FX3 over 1E reads 32 (protocol/fx3.ts).
   */
  readonly maxBitDeviceWords?: number;
  /**
   * Points of each device of a series whose CPU has fewer than the Q table
   * (FX3: protocol/fx3.ts); a device missing from the map cannot be read.
   * Default: the sizes of protocol/devices.ts.
   */
  readonly sizes?: ReadonlyMap<DeviceName, number>;
  /** How messages write an address (default {@link formatAddress}; X/Y octal on FX3). */
  readonly format?: (a: Address) => string;
  /**
   * The PLC's series (default Q): only "iQ-R" reads the iQ-R devices (see the
   * module notes); messages name it.
   */
  readonly series?: string;
  /** Most double words per random read of long devices, 1 to {@link MAX_RANDOM_DWORDS} (the default). */
  readonly maxDwords?: number;
}

/** Where one tag's value sits in the responses; also the options passed to decodeValue. */
export interface ReadEntry {
  /** Index of the tag in {@link ReadPlan.tags}. */
  readonly tag: number;
  /** Index of the block it is read from. */
  readonly block: number;
  /** Word offset of the value in that block's response. */
  readonly offset: number;
  /** Bit of the word for BOOL (a bit-device point's position in its word), else 0. */
  readonly bit: number;
  readonly type: DataType;
  readonly length: number;
}

/**
 * One read: a batch read of `points` words from device number `start` of
 * `device`, or (kind `dwords`) a random read of the double words `dwords`,
 * whose response is `points` = 2 × `dwords.length` words, low word first.
 */
export interface ReadBlock {
  /** The device read (for `dwords`: the first point's). */
  readonly device: DeviceName;
  /** Always "word": bit units never need fewer requests (see the module notes). */
  readonly unit: "word" | "bit";
  /** Device number of the head device; a multiple of 16 on bit devices (for `dwords`: the first point's). */
  readonly start: number;
  /** Number of words to read (16 points each on bit devices; two per double word). */
  readonly points: number;
  /** The tags read from this block. */
  readonly entries: readonly ReadEntry[];
  /** `dwords`: a random read (0403) of long-device points by double-word access. Default a batch read. */
  readonly kind?: "dwords";
  /** For kind `dwords`: the points, in response order. */
  readonly dwords?: readonly DeviceRef[];
}

/** The reads for one configuration's tags, made once and used every poll. */
export interface ReadPlan<Id = string | number> {
  /** The tags as given; results of {@link extractValues} follow this order. */
  readonly tags: readonly PlanTag<Id>[];
  /** Grouped by device (in order of first appearance), ascending within a device. */
  readonly blocks: readonly ReadBlock[];
  /** `entries[i]` tells where `tags[i]` is read from. */
  readonly entries: readonly ReadEntry[];
}

/** The requests that reading tag by tag would take: the baseline for benchmark reports. */
export function naiveRequestCount(tags: readonly PlanTag<unknown>[]): number {
  return tags.length;
}

/**
 * Plans the fewest batch reads that cover `tags` under the gap and size
 * limits (see the module notes for what a valid plan is and why this one is
 * minimal). Throws RangeError naming the tag for a tag that cannot be read:
 * unknown device, non-BOOL on a bit device, `.n` on a non-BOOL, a span past the
 * device's end or longer than `maxWords`.
 */
export function planReads<Id>(
  tags: readonly PlanTag<Id>[],
  options: PlanOptions = {},
): ReadPlan<Id> {
  const maxGap = options.maxGap ?? DEFAULT_MAX_GAP;
  const maxWords = options.maxWords ?? MC_MAX_WORDS;
  if (!Number.isInteger(maxGap) || maxGap < 0) {
    throw new RangeError(`maxGap must be a whole number of words ≥ 0, not ${maxGap}`);
  }
  const maxBitWords = options.maxBitDeviceWords ?? maxWords;
  for (const [name, v] of [["maxWords", maxWords], ["maxBitDeviceWords", maxBitWords]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MC_MAX_WORDS) {
      throw new RangeError(`${name} must be 1 to ${MC_MAX_WORDS}, not ${v}`);
    }
  }
  const maxDwords = options.maxDwords ?? MAX_RANDOM_DWORDS;
  if (!Number.isInteger(maxDwords) || maxDwords < 1 || maxDwords > MAX_RANDOM_DWORDS) {
    throw new RangeError(`maxDwords must be 1 to ${MAX_RANDOM_DWORDS}, not ${maxDwords}`);
  }
  const n = tags.length;
  const first = new Int32Array(n), last = new Int32Array(n);
  const bits = new Uint8Array(n), lengths = new Int32Array(n);
  const byDevice = new Map<DeviceName, number[]>();
  const dwordTags: number[] = [];
  for (let i = 0; i < n; i++) {
    const tag = tags[i];
    const m = measure(tag, maxWords, options);
    first[i] = m.first, last[i] = m.last, bits[i] = m.bit, lengths[i] = m.length;
    if (m.dword) {
      dwordTags.push(i);
      continue;
    }
    const list = byDevice.get(tag.address.device);
    if (list) list.push(i);
    else byDevice.set(tag.address.device, [i]);
  }

  const blocks: ReadBlock[] = [];
  const entries = new Array<ReadEntry>(n);
  for (const [name, list] of byDevice) {
    const perWord = DEVICES.get(name)!.kind === "bit" ? 16 : 1;
    const cap = perWord === 16 ? maxBitWords : maxWords;
    list.sort((a, b) => first[a] - first[b] || last[a] - last[b]);
    let head = 0, end = -1, blockEntries: ReadEntry[] = [];
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      if (last[i] > end) {
        head = first[i];
        end = blockEnd(list, k, first, last, maxGap, cap);
        blockEntries = [];
        blocks.push({
          device: name,
          unit: "word",
          start: head * perWord,
          points: end - head + 1,
          entries: blockEntries,
        });
      }
      const entry: ReadEntry = {
        tag: i,
        block: blocks.length - 1,
        offset: first[i] - head,
        bit: bits[i],
        type: tags[i].type,
        length: lengths[i],
      };
      entries[i] = entry;
      blockEntries.push(entry);
    }
  }
  planDwords(tags, dwordTags, maxDwords, blocks, entries);
  return { tags, blocks, entries };
}

/**
 * Puts the long-device tags `list` into random-read blocks of at most
 * `maxDwords` distinct points each, points sorted by device and number (two
 * tags on one point share it).
 */
function planDwords<Id>(
  tags: readonly PlanTag<Id>[],
  list: number[],
  maxDwords: number,
  blocks: ReadBlock[],
  entries: ReadEntry[],
): void {
  const key = (i: number) => `${tags[i].address.device}:${tags[i].address.address}`;
  list.sort((a, b) =>
    tags[a].address.device.localeCompare(tags[b].address.device) ||
    tags[a].address.address - tags[b].address.address
  );
  let refs: DeviceRef[] = [], blockEntries: ReadEntry[] = [];
  const slot = new Map<string, number>();
  for (const i of list) {
    const k = key(i);
    let at = slot.get(k);
    if (at === undefined) {
      if (refs.length === 0 || refs.length === maxDwords) {
        refs = [];
        blockEntries = [];
        slot.clear();
        const { device, address } = tags[i].address;
        blocks.push({
          device,
          unit: "word",
          start: address,
          points: 0,
          entries: blockEntries,
          kind: "dwords",
          dwords: refs,
        });
      }
      at = refs.length;
      slot.set(k, at);
      refs.push({ device: tags[i].address.device, address: tags[i].address.address });
      const b = blocks.length - 1;
      blocks[b] = { ...blocks[b], points: refs.length * 2 };
    }
    const entry: ReadEntry = {
      tag: i,
      block: blocks.length - 1,
      offset: at * 2,
      bit: 0,
      type: tags[i].type,
      length: 0,
    };
    entries[i] = entry;
    blockEntries.push(entry);
  }
}

/**
 * Decodes every tag's value from one poll's responses: `responses[k]` holds the
 * words read for `plan.blocks[k]` (unsigned 16-bit; number[] or Uint16Array).
 * Returns values in the order of `plan.tags`, written into `out` when given so
 * that a poll allocates nothing but the values. Throws RangeError when the
 * responses do not match the plan (a caller's bug, not a PLC failure).
 */
export function extractValues(
  plan: ReadPlan<unknown>,
  responses: readonly ArrayLike<number>[],
  out: TagValue[] = new Array<TagValue>(plan.entries.length),
): TagValue[] {
  const { blocks, entries } = plan;
  if (responses.length !== blocks.length) {
    throw new RangeError(`the plan has ${blocks.length} blocks, not ${responses.length}`);
  }
  for (let k = 0; k < blocks.length; k++) {
    if (responses[k].length < blocks[k].points) {
      throw new RangeError(
        `block ${k} needs ${blocks[k].points} words; its response has ${responses[k].length}`,
      );
    }
  }
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    out[i] = decodeValue(responses[e.block], e.offset, e.type, e);
  }
  return out;
}

/**
 * Validates one tag and tells its word span, the bit it reads, its STRING
 * length and whether it is a long device's double word (random read).
 */
function measure(
  tag: PlanTag<unknown>,
  maxWords: number,
  options: PlanOptions,
): { first: number; last: number; bit: number; length: number; dword?: boolean } {
  const sizes = options.sizes;
  const format = options.format ?? formatAddress;
  const { address, type } = tag;
  const info = DEVICES.get(address.device);
  if (!info) {
    throw new RangeError(`tag ${JSON.stringify(tag.id)}: unknown device "${address.device}"`);
  }
  const a = address.address;
  if (!Number.isInteger(a) || a < 0) {
    throw new RangeError(`tag ${JSON.stringify(tag.id)}: bad ${info.name} device number ${a}`);
  }
  const label = `tag ${JSON.stringify(tag.id)} (${format(address)})`;
  const size = sizes ? sizes.get(info.name) : info.size;
  if (size === undefined) {
    throw new RangeError(`${label}: ${info.name} is no device of this PLC's CPU series`);
  }
  const missing = tagDeviceProblem(info.name, options.series);
  if (missing) throw new RangeError(`${label}: ${missing}`);
  if (info.long) {
    if (type !== "INT32" && type !== "UINT32") {
      throw new RangeError(
        `${label}: ${type} on long device ${info.name}; only INT32 or UINT32 (one double word a point)`,
      );
    }
    if (address.bit !== undefined) throw new RangeError(`${label}: .n on a long device`);
    if (a >= size) throw new RangeError(`${label} is past the end of ${info.name}`);
    return { first: a, last: a, bit: 0, length: 0, dword: true };
  }
  if (info.kind === "bit") {
    if (type !== "BOOL") {
      throw new RangeError(`${label}: ${type} on bit device ${info.name}; only BOOL can be`);
    }
    if (address.bit !== undefined) throw new RangeError(`${label}: .n on a bit device`);
    if (a >= size) throw new RangeError(`${label} is past the end of ${info.name}`);
    return { first: a >> 4, last: a >> 4, bit: a & 15, length: 0 };
  }
  const bit = address.bit;
  if (bit !== undefined && (type !== "BOOL" || !Number.isInteger(bit) || bit < 0 || bit > 15)) {
    throw new RangeError(`${label}: .n needs type BOOL and a bit from 0 to 15`);
  }
  let words: number;
  try {
    words = wordCount(type, tag.length);
  } catch (e) {
    throw new RangeError(`${label}: ${(e as Error).message}`);
  }
  if (a + words > size) throw new RangeError(`${label} runs past the end of ${info.name}`);
  if (words > maxWords) {
    throw new RangeError(`${label} needs ${words} words; one read holds ${maxWords}`);
  }
  return { first: a, last: a + words - 1, bit: bit ?? 0, length: type === "STRING" ? words : 0 };
}

/**
 * The last word of the block starting at tag `list[k]` (`list` sorted by first
 * word): the reach of the tags taken in order until one starts more than
 * `maxGap` words past the reach or would make the block longer than `maxWords`.
 */
function blockEnd(
  list: readonly number[],
  k: number,
  first: Int32Array,
  last: Int32Array,
  maxGap: number,
  maxWords: number,
): number {
  const limit = first[list[k]] + maxWords - 1;
  let reach = last[list[k]];
  for (let j = k + 1; j < list.length; j++) {
    const i = list[j];
    if (last[i] > limit || first[i] > reach + maxGap + 1) break;
    if (last[i] > reach) reach = last[i];
  }
  return reach;
}
