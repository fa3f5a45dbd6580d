/**
 * Columnar sample batches: how samples cross threads. One poll's samples
 * become one ArrayBuffer (timestamps, numeric values, tag ids and one meta
 * byte per sample) that is transferred, not cloned, plus a short array of the
 * string values; the receiver rebuilds plain {@link Sample} objects. A
 * structured clone of one object per sample costs several times more (see
 * docs/benchmarks.md, bench/sample_batch_bench.ts).
 */
import { QUALITIES, type Quality, type Sample } from "./sample.ts";

/** A sample went to the live cache and the alarm engine (every sample a poller read). */
export const FLAG_LIVE = 1;
/** A sample passed the deadband and goes to the historian. */
export const FLAG_STORED = 2;

/** One batch of samples in columnar form; `buffer` is transferable. */
export interface SampleBatch {
  /** Number of samples. */
  readonly n: number;
  /**
   * n × ts (Float64), n × value (Float64), n × tagId (Int32), n × meta
   * (Uint8: value kind in bits 0–1, quality in bits 2–3, flags in bits 4–5).
   */
  readonly buffer: ArrayBuffer;
  /** The string values, in sample order. */
  readonly strings: readonly string[];
}

const KIND_NULL = 0, KIND_NUMBER = 1, KIND_BOOL = 2, KIND_STRING = 3;
const QUALITY_CODE = new Map<Quality, number>(QUALITIES.map((q, i) => [q, i]));

/** Bytes of a batch of `n` samples. */
function byteLength(n: number): number {
  return n * 21;
}

/**
 * Encodes samples into one batch. `flags(i)` gives sample i's flags
 * ({@link FLAG_LIVE}, {@link FLAG_STORED}); default both.
 */
export function encodeBatch(
  samples: readonly Sample[],
  flags?: (index: number) => number,
): SampleBatch {
  const n = samples.length;
  const buffer = new ArrayBuffer(byteLength(n));
  const ts = new Float64Array(buffer, 0, n);
  const values = new Float64Array(buffer, n * 8, n);
  const tagIds = new Int32Array(buffer, n * 16, n);
  const meta = new Uint8Array(buffer, n * 20, n);
  const strings: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    ts[i] = s.ts;
    tagIds[i] = s.tagId;
    const v = s.value;
    let kind: number;
    if (v === null) kind = KIND_NULL;
    else if (typeof v === "number") {
      kind = KIND_NUMBER;
      values[i] = v;
    } else if (typeof v === "boolean") {
      kind = KIND_BOOL;
      values[i] = v ? 1 : 0;
    } else {
      kind = KIND_STRING;
      strings.push(v);
    }
    const q = QUALITY_CODE.get(s.quality) ?? 0;
    meta[i] = kind | (q << 2) | ((flags ? flags(i) : FLAG_LIVE | FLAG_STORED) << 4);
  }
  return { n, buffer, strings };
}

/** The batch's columns, after checking that its buffer has the size `n` needs. */
function columns(batch: SampleBatch) {
  const { n, buffer } = batch;
  if (!Number.isSafeInteger(n) || n < 0 || buffer.byteLength !== byteLength(n)) {
    throw new RangeError(
      `sample batch of ${n} samples needs ${byteLength(n)} bytes, got ${buffer.byteLength}`,
    );
  }
  return {
    ts: new Float64Array(buffer, 0, n),
    values: new Float64Array(buffer, n * 8, n),
    tagIds: new Int32Array(buffer, n * 16, n),
    meta: new Uint8Array(buffer, n * 20, n),
  };
}

/** What {@link decodeBatch} gives: the samples and each one's flags. */
export interface DecodedBatch {
  readonly samples: Sample[];
  readonly flags: Uint8Array;
}

/**
 * Rebuilds the samples of a batch. Throws a RangeError naming the problem
 * when the batch is malformed (wrong size, unknown quality, missing string).
 */
export function decodeBatch(batch: SampleBatch): DecodedBatch {
  const { n, strings } = batch;
  const { ts, values, tagIds, meta } = columns(batch);
  const samples = new Array<Sample>(n);
  const flags = new Uint8Array(n);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const m = meta[i];
    const kind = m & 3;
    const quality = QUALITIES[(m >> 2) & 3];
    flags[i] = (m >> 4) & 3;
    let value: Sample["value"];
    if (kind === KIND_NULL) value = null;
    else if (kind === KIND_NUMBER) value = values[i];
    else if (kind === KIND_BOOL) value = values[i] !== 0;
    else {
      if (next >= strings.length) {
        throw new RangeError(
          `sample batch: sample ${i} needs string ${next}, there are ${strings.length}`,
        );
      }
      value = strings[next++];
    }
    samples[i] = { tagId: tagIds[i], ts: ts[i], value, quality };
  }
  if (next !== strings.length) {
    throw new RangeError(`sample batch: ${strings.length - next} strings left over`);
  }
  return { samples, flags };
}

/** The samples of a decoded batch whose flags include `flag`. */
export function withFlag(decoded: DecodedBatch, flag: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < decoded.samples.length; i++) {
    if (decoded.flags[i] & flag) out.push(decoded.samples[i]);
  }
  return out;
}

/**
 * A copy of a batch for another thread: one memory copy of the buffer, so a
 * poll is encoded once however many threads receive it (main, historian,
 * Sparkplug), each receiver taking the samples its flag marks.
 */
export function cloneBatch(batch: SampleBatch): SampleBatch {
  return { n: batch.n, buffer: batch.buffer.slice(0), strings: [...batch.strings] };
}

/**
 * The samples of a batch whose flags include `flag`, decoded without building
 * the others (a historian decodes only what the deadband kept). Throws
 * RangeError, as {@link decodeBatch} does, on a malformed batch.
 */
export function decodeFlagged(batch: SampleBatch, flag: number): Sample[] {
  const { n, strings } = batch;
  const { ts, values, tagIds, meta } = columns(batch);
  const out: Sample[] = [];
  let next = 0;
  for (let i = 0; i < n; i++) {
    const m = meta[i];
    const kind = m & 3;
    if (kind === KIND_STRING && next >= strings.length) {
      throw new RangeError(
        `sample batch: sample ${i} needs string ${next}, there are ${strings.length}`,
      );
    }
    const str = kind === KIND_STRING ? strings[next++] : undefined;
    if (!(((m >> 4) & 3) & flag)) continue;
    let value: Sample["value"];
    if (kind === KIND_NULL) value = null;
    else if (kind === KIND_NUMBER) value = values[i];
    else if (kind === KIND_BOOL) value = values[i] !== 0;
    else value = str!;
    out.push({ tagId: tagIds[i], ts: ts[i], value, quality: QUALITIES[(m >> 2) & 3] });
  }
  if (next !== strings.length) {
    throw new RangeError(`sample batch: ${strings.length - next} strings left over`);
  }
  return out;
}
