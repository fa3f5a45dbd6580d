/**
 * The write planner: turns a set of writes into the fewest MC requests, batch
 * writes (1401) or random writes (1402), whichever needs fewer. Scattered
 * single words or bits go in one random write; long runs go as batch writes.
 * Pure, for the runtime's write path (operator writes, handshake acks).
 * 1E frames (FX3) have no random write: {@link BatchLimits} with `random:
 * false` and the 1E sizes (protocol/series.ts writePlannerLimitsFor) keep
 * every plan to batch writes.
 */
import {
  MAX_BATCH_BITS,
  MAX_BATCH_WORDS,
  type McRequest,
  type RandomBit,
  randomLimits,
  type RandomValue,
} from "./commands.ts";
import { type DeviceName, DEVICES } from "./devices.ts";
import type { FrameCode } from "./frame.ts";

/** Words to write from `address` on (a word device, or a bit device in word units: 16 points a word). */
export interface WordWrite {
  readonly device: DeviceName;
  readonly address: number;
  readonly words: readonly number[];
}

/** Points of a bit device to write from `address` on. */
export interface BitWrite {
  readonly device: DeviceName;
  readonly address: number;
  readonly bits: readonly boolean[];
}

/** What the PLC's frames allow; default 3E/4E: random writes, 960 words, the frame's bit limit. */
export interface BatchLimits {
  /** Random write 1402 may be chosen (default true; false for 1E, which has none). */
  readonly random?: boolean;
  /** The iQ-R subcommands are used, whose random writes hold half as much (commands.ts randomLimits). */
  readonly extended?: boolean;
  /** Most words per batch write of a word device (default 960). */
  readonly maxWords?: number;
  /** Most words per batch write of a bit device in word units (default `maxWords`). */
  readonly maxBitDeviceWords?: number;
  /** Most points per bit-unit batch write (default the frame code's limit). */
  readonly maxBits?: number;
}

/** Runs of one device: later writes win where they overlap. */
function runs<T>(
  writes: readonly { device: DeviceName; address: number; values: readonly T[] }[],
  step: (device: DeviceName) => number,
): { device: DeviceName; address: number; values: T[] }[] {
  const cells = new Map<DeviceName, Map<number, T>>();
  for (const w of writes) {
    let m = cells.get(w.device);
    if (!m) cells.set(w.device, m = new Map());
    const s = step(w.device);
    w.values.forEach((v, i) => m!.set(w.address + i * s, v));
  }
  const out: { device: DeviceName; address: number; values: T[] }[] = [];
  for (const [device, m] of cells) {
    const s = step(device);
    const keys = [...m.keys()].sort((a, b) => a - b);
    let cur: { device: DeviceName; address: number; values: T[] } | undefined;
    for (const k of keys) {
      if (cur && k === cur.address + cur.values.length * s) cur.values.push(m.get(k)!);
      else out.push(cur = { device, address: k, values: [m.get(k)!] });
    }
  }
  return out;
}

const wordStep = (d: DeviceName) => DEVICES.get(d)!.kind === "bit" ? 16 : 1;

/**
 * The fewest requests that write `writes` (word units): batch writes of each
 * contiguous run (split at 960 words), or random writes of every word (at
 * most 160 words a request: 160 × 12 = 1,920), whichever needs fewer; batch
 * writes on a tie. Overlapping writes: the later one wins.
 */
export function planWordWrites(
  writes: readonly WordWrite[],
  limits: BatchLimits = {},
): McRequest[] {
  const all = runs(writes.map((w) => ({ ...w, values: w.words })), wordStep);
  const maxWords = limits.maxWords ?? MAX_BATCH_WORDS;
  const batch: McRequest[] = [];
  for (const r of all) {
    const max = wordStep(r.device) === 16 ? limits.maxBitDeviceWords ?? maxWords : maxWords;
    for (let at = 0; at < r.values.length; at += max) {
      batch.push({
        command: "writeWords",
        head: { device: r.device, address: r.address + at * wordStep(r.device) },
        words: r.values.slice(at, at + max),
      });
    }
  }
  if (limits.random === false) return batch;
  const singles: RandomValue[] = all.flatMap((r) =>
    r.values.map((value, i) => ({
      device: r.device,
      address: r.address + i * wordStep(r.device),
      value,
    }))
  );
  const perRandom = Math.floor(randomLimits(limits.extended).writeUnits / 12);
  const random: McRequest[] = [];
  for (let at = 0; at < singles.length; at += perRandom) {
    random.push({
      command: "randomWriteWords",
      words: singles.slice(at, at + perRandom),
      dwords: [],
    });
  }
  return random.length < batch.length ? random : batch;
}

/**
 * The fewest requests that write `writes` (bit units): batch bit writes of
 * each contiguous run, or random bit writes (188 points a request), whichever
 * needs fewer; batch writes on a tie.
 */
export function planBitWrites(
  writes: readonly BitWrite[],
  frame: FrameCode,
  limits: BatchLimits = {},
): McRequest[] {
  for (const w of writes) {
    if (DEVICES.get(w.device)?.kind !== "bit") {
      throw new RangeError(`bit writes need a bit device; ${w.device} is a word device`);
    }
  }
  const all = runs(writes.map((w) => ({ ...w, values: w.bits })), () => 1);
  const max = limits.maxBits ?? MAX_BATCH_BITS[frame];
  const batch: McRequest[] = [];
  for (const r of all) {
    for (let at = 0; at < r.values.length; at += max) {
      batch.push({
        command: "writeBits",
        head: { device: r.device, address: r.address + at },
        bits: r.values.slice(at, at + max),
      });
    }
  }
  if (limits.random === false) return batch;
  const singles: RandomBit[] = all.flatMap((r) =>
    r.values.map((value, i) => ({ device: r.device, address: r.address + i, value }))
  );
  const random: McRequest[] = [];
  const perRandom = randomLimits(limits.extended).writeBits;
  for (let at = 0; at < singles.length; at += perRandom) {
    random.push({
      command: "randomWriteBits",
      bits: singles.slice(at, at + perRandom),
    });
  }
  return random.length < batch.length ? random : batch;
}
