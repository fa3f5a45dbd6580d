/**
 * The write-side twin of protocol/planner.ts: the fewest MC protocol batch
 * writes that put a set of raw tag values into one PLC. Unlike reads, a
 * write block may never span a gap (the words in between would be
 * overwritten), so blocks are runs of adjacent words (word devices, 1401/0000)
 * or adjacent points (bit devices in bit units, 1401/0001). A BOOL that is a
 * bit of a word (`D100.5`) is a read-modify-write of its word: one per word,
 * whatever number of its bits are written. The long devices of an iQ-R
 * (LTN, LSTN, LCN, LZ: one double word a point) are written by random write
 * double-word access (1402/0002), as many points a request as the limit
 * allows. Pure: no I/O.
 */
import { MAX_BATCH_BITS, MAX_BATCH_WORDS, type RandomValue } from "../protocol/commands.ts";
import {
  type Address,
  type DeviceName,
  DEVICES,
  formatAddress,
  tagDeviceProblem,
} from "../protocol/devices.ts";
import { type DataType, encodeValue, type TagValue, wordCount } from "../protocol/values.ts";

/** One value to write, raw (scaling already undone). */
export interface WriteTarget<Id = number> {
  readonly id: Id;
  readonly address: Address;
  readonly type: DataType;
  /** STRING length in words. */
  readonly length?: number;
  readonly raw: TagValue;
  /** How messages name the target (default `tag <id>`). */
  readonly label?: string;
}

/** A batch write of adjacent words of a word device. */
export interface WordsOp<Id> {
  readonly kind: "words";
  readonly device: DeviceName;
  readonly start: number;
  readonly words: readonly number[];
  readonly ids: readonly Id[];
}

/** A batch write of adjacent points of a bit device, in bit units. */
export interface BitsOp<Id> {
  readonly kind: "bits";
  readonly device: DeviceName;
  readonly start: number;
  readonly bits: readonly boolean[];
  readonly ids: readonly Id[];
}

/** A read-modify-write of one word: `set` bits to 1, `clear` bits to 0, the rest kept. */
export interface BitsOfWordOp<Id> {
  readonly kind: "bitsOfWord";
  readonly device: DeviceName;
  readonly address: number;
  readonly set: number;
  readonly clear: number;
  readonly ids: readonly Id[];
}

/** A random write of double words of long devices (1402, double-word access). */
export interface DwordsOp<Id> {
  readonly kind: "dwords";
  /** The first point's device and number (for messages). */
  readonly device: DeviceName;
  readonly start: number;
  /** Each point and its unsigned 32-bit value. */
  readonly dwords: readonly RandomValue[];
  readonly ids: readonly Id[];
}

/** One step of a write plan. */
export type WriteOp<Id> = WordsOp<Id> | BitsOp<Id> | BitsOfWordOp<Id> | DwordsOp<Id>;

/** Planner limits (defaults: the protocol's for binary frames). */
export interface WritePlanOptions {
  /** Most words per word write; default {@link MAX_BATCH_WORDS} (960). */
  readonly maxWords?: number;
  /** Most points per bit write; default the ASCII frame's {@link MAX_BATCH_BITS} (3584). */
  readonly maxBits?: number;
  /**
   * Points of each device of a series with fewer than the Q table (FX3:
   * protocol/fx3.ts); a device missing from it cannot be written.
   */
  readonly sizes?: ReadonlyMap<DeviceName, number>;
  /** How messages write an address (default protocol/devices.ts; X/Y octal on FX3). */
  readonly format?: (a: Address) => string;
  /** The PLC's series (default Q): only "iQ-R" writes the iQ-R devices (devices.ts tagDeviceProblem). */
  readonly series?: string;
  /** Most double words per random write of long devices (default 68: 68 × 14 ≤ 960, iQ-R). */
  readonly maxDwords?: number;
}

/** The MC requests a plan costs: one per words/bits op, two per read-modify-write. */
export function requestCount(ops: readonly WriteOp<unknown>[]): number {
  return ops.reduce((n, op) => n + (op.kind === "bitsOfWord" ? 2 : 1), 0);
}

interface Span<Id> {
  readonly id: Id;
  readonly label: string;
  readonly first: number;
  readonly values: readonly number[] | readonly boolean[];
}

/**
 * Plans the writes of `targets` (any PLC devices, any order). Throws
 * RangeError naming the tag for a value its type cannot hold, an address the
 * type cannot have, a span past the device's end, or two targets that write
 * the same word or bit.
 */
export function planWrites<Id>(
  targets: readonly WriteTarget<Id>[],
  options: WritePlanOptions = {},
): WriteOp<Id>[] {
  const maxWords = options.maxWords ?? MAX_BATCH_WORDS;
  const maxBits = options.maxBits ?? MAX_BATCH_BITS.ascii;
  const format = options.format ?? formatAddress;
  const words = new Map<DeviceName, Span<Id>[]>();
  const bits = new Map<DeviceName, Span<Id>[]>();
  const bitsOfWord = new Map<string, { op: BitsOfWordOp<Id>; ids: Id[]; names: string[] }>();
  const dwords = new Map<string, { value: RandomValue; id: Id; label: string }>();
  const push = (m: Map<DeviceName, Span<Id>[]>, d: DeviceName, s: Span<Id>) => {
    const list = m.get(d);
    if (list) list.push(s);
    else m.set(d, [s]);
  };
  for (const t of targets) {
    const { address: a, type } = t;
    const name = t.label ?? `tag ${JSON.stringify(t.id)}`;
    const label = `${name} (${format(a)})`;
    const info = DEVICES.get(a.device);
    if (!info) throw new RangeError(`${label}: unknown device "${a.device}"`);
    const size = options.sizes ? options.sizes.get(a.device) : info.size;
    if (size === undefined) {
      throw new RangeError(`${label}: ${a.device} is no device of this PLC's CPU series`);
    }
    const missing = tagDeviceProblem(a.device, options.series);
    if (missing) throw new RangeError(`${label}: ${missing}`);
    let encoded: number[];
    try {
      encoded = encodeValue(t.raw, type, t.length ?? 0);
    } catch (e) {
      throw new RangeError(`${label}: ${(e as Error).message}`);
    }
    if (info.long) {
      if (type !== "INT32" && type !== "UINT32") {
        throw new RangeError(`${label}: long device ${a.device} takes INT32 or UINT32 only`);
      }
      if (a.bit !== undefined) throw new RangeError(`${label}: .n on a long device`);
      if (a.address >= size) throw new RangeError(`${label} is past the end of ${a.device}`);
      const key = `${a.device}:${a.address}`;
      const other = dwords.get(key);
      if (other) throw new RangeError(`${name} and ${other.label} both write ${format(a)}`);
      const value = (encoded[0] | (encoded[1] << 16)) >>> 0;
      dwords.set(key, {
        value: { device: a.device, address: a.address, value },
        id: t.id,
        label: name,
      });
      continue;
    }
    if (info.kind === "bit") {
      if (type !== "BOOL") throw new RangeError(`${label}: only BOOL tags sit on bit devices`);
      if (a.address >= size) throw new RangeError(`${label} is past the end of ${a.device}`);
      push(bits, a.device, { id: t.id, label: name, first: a.address, values: [encoded[0] === 1] });
    } else if (a.bit !== undefined) {
      if (type !== "BOOL") throw new RangeError(`${label}: .n needs type BOOL`);
      const key = `${a.device}:${a.address}`;
      let entry = bitsOfWord.get(key);
      if (!entry) {
        entry = {
          op: {
            kind: "bitsOfWord",
            device: a.device,
            address: a.address,
            set: 0,
            clear: 0,
            ids: [],
          },
          ids: [],
          names: [],
        };
        bitsOfWord.set(key, entry);
      }
      const mask = 1 << a.bit;
      if ((entry.op.set | entry.op.clear) & mask) {
        throw new RangeError(`${label}: another tag of this write sets the same bit`);
      }
      entry.op = encoded[0] === 1
        ? { ...entry.op, set: entry.op.set | mask }
        : { ...entry.op, clear: entry.op.clear | mask };
      entry.ids.push(t.id);
      entry.names.push(name);
    } else {
      const n = wordCount(type, t.length ?? 0);
      if (a.address + n > size) {
        throw new RangeError(`${label} runs past the end of ${a.device}`);
      }
      if (n > maxWords) {
        throw new RangeError(`${label} needs ${n} words; one write holds ${maxWords}`);
      }
      push(words, a.device, { id: t.id, label: name, first: a.address, values: encoded });
    }
  }
  const ops: WriteOp<Id>[] = [];
  for (const [device, spans] of words) {
    for (const run of runs(spans, maxWords, device, format)) {
      ops.push({
        kind: "words",
        device,
        start: run.start,
        words: run.values as number[],
        ids: run.ids,
      });
    }
  }
  for (const [device, spans] of bits) {
    for (const run of runs(spans, maxBits, device, format)) {
      ops.push({
        kind: "bits",
        device,
        start: run.start,
        bits: run.values as boolean[],
        ids: run.ids,
      });
    }
  }
  for (const { op, ids, names } of bitsOfWord.values()) {
    const clash = words.get(op.device)?.find((s) =>
      s.first <= op.address && op.address < s.first + s.values.length
    );
    if (clash) {
      throw new RangeError(
        `${clash.label} and ${names[0]} both write ` +
          format({ device: op.device, address: op.address }),
      );
    }
    ops.push({ ...op, ids });
  }
  const maxDwords = options.maxDwords ?? 68;
  const points = [...dwords.values()].sort((x, y) =>
    x.value.device.localeCompare(y.value.device) || x.value.address - y.value.address
  );
  for (let at = 0; at < points.length; at += maxDwords) {
    const chunk = points.slice(at, at + maxDwords);
    ops.push({
      kind: "dwords",
      device: chunk[0].value.device,
      start: chunk[0].value.address,
      dwords: chunk.map((p) => p.value),
      ids: chunk.map((p) => p.id),
    });
  }
  return ops;
}

/** Adjacent spans merged into runs of at most `max` points; overlaps are errors. */
function runs<Id>(
  spans: Span<Id>[],
  max: number,
  device: DeviceName,
  format: (a: Address) => string,
): { start: number; values: (number | boolean)[]; ids: Id[]; labels: string[] }[] {
  spans.sort((a, b) => a.first - b.first);
  const out: { start: number; values: (number | boolean)[]; ids: Id[]; labels: string[] }[] = [];
  let end = -1;
  for (const s of spans) {
    const cur = out[out.length - 1];
    if (cur && s.first < end) {
      const other = cur.labels[cur.labels.length - 1];
      throw new RangeError(
        `${s.label} and ${other} both write ` +
          format({ device, address: s.first }),
      );
    }
    if (cur && s.first === end && cur.values.length + s.values.length <= max) {
      cur.values.push(...s.values);
      cur.ids.push(s.id);
      cur.labels.push(s.label);
    } else out.push({ start: s.first, values: [...s.values], ids: [s.id], labels: [s.label] });
    end = s.first + s.values.length;
  }
  return out;
}
