/**
 * Tag data types and their layout in PLC words, as MELSEC stores them: 32- and
 * 64-bit values low word first, strings two characters per word with the low
 * byte first. Pure functions over word arrays; no I/O.
 */

/** The data types a tag can have. */
export type DataType =
  | "BOOL"
  | "INT16"
  | "UINT16"
  | "INT32"
  | "UINT32"
  | "FLOAT32"
  | "FLOAT64"
  | "STRING";

/** All data types, for validation and property tests. */
export const DATA_TYPES: readonly DataType[] = [
  "BOOL",
  "INT16",
  "UINT16",
  "INT32",
  "UINT32",
  "FLOAT32",
  "FLOAT64",
  "STRING",
];

/** A tag value as JSScada carries it. */
export type TagValue = number | boolean | string;

/**
 * Number of 16-bit words a value occupies. BOOL occupies one word when it is a
 * bit of a word device (and one 16-point word when a bit device is read in word
 * units); STRING occupies `length` words.
 */
export function wordCount(type: DataType, length = 0): number {
  switch (type) {
    case "BOOL":
    case "INT16":
    case "UINT16":
      return 1;
    case "INT32":
    case "UINT32":
    case "FLOAT32":
      return 2;
    case "FLOAT64":
      return 4;
    case "STRING":
      if (!Number.isInteger(length) || length < 1) {
        throw new RangeError("a STRING needs a length of at least 1 word");
      }
      return length;
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * Reads a value of `type` from `words` at `offset`. For BOOL, `bit` selects a
 * bit of the word (0 when omitted). Words are taken as unsigned 16-bit.
 */
export function decodeValue(
  words: ArrayLike<number>,
  offset: number,
  type: DataType,
  options: { bit?: number; length?: number } = {},
): TagValue {
  const w = (i: number) => words[offset + i] & 0xffff;
  switch (type) {
    case "BOOL":
      return ((w(0) >> (options.bit ?? 0)) & 1) === 1;
    case "UINT16":
      return w(0);
    case "INT16":
      return (w(0) << 16) >> 16;
    case "UINT32":
      return (w(0) | (w(1) << 16)) >>> 0;
    case "INT32":
      return w(0) | (w(1) << 16);
    case "FLOAT32":
      scratch.setUint16(0, w(0), true);
      scratch.setUint16(2, w(1), true);
      return scratch.getFloat32(0, true);
    case "FLOAT64":
      for (let i = 0; i < 4; i++) scratch.setUint16(i * 2, w(i), true);
      return scratch.getFloat64(0, true);
    case "STRING": {
      const n = wordCount("STRING", options.length);
      let s = "";
      for (let i = 0; i < n; i++) {
        const lo = w(i) & 0xff, hi = w(i) >> 8;
        if (lo === 0) break;
        s += String.fromCharCode(lo);
        if (hi === 0) break;
        s += String.fromCharCode(hi);
      }
      return s;
    }
  }
}

/**
 * Encodes a value of `type` into words (the exact inverse of
 * {@link decodeValue}). Integers out of range and strings that are too long or
 * not single-byte are RangeErrors; they are never silently wrapped.
 */
export function encodeValue(value: TagValue, type: DataType, length = 0): number[] {
  switch (type) {
    case "BOOL":
      if (typeof value !== "boolean") throw new RangeError("a BOOL value must be true or false");
      return [value ? 1 : 0];
    case "STRING": {
      if (typeof value !== "string") throw new RangeError("a STRING value must be text");
      const n = wordCount("STRING", length);
      if (value.length > n * 2) {
        throw new RangeError(`the text has ${value.length} characters; ${n} words hold ${n * 2}`);
      }
      const words = new Array<number>(n).fill(0);
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c === 0 || c > 0xff) {
          throw new RangeError(`character ${i + 1} of the text is not a single-byte character`);
        }
        words[i >> 1] |= (i & 1) ? c << 8 : c;
      }
      return words;
    }
  }
  if (typeof value !== "number" || Number.isNaN(value) && !type.startsWith("FLOAT")) {
    throw new RangeError(`a ${type} value must be a number`);
  }
  const integer = (min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${value} is not a ${type} (${min} to ${max})`);
    }
    return value;
  };
  switch (type) {
    case "INT16":
      return [integer(-0x8000, 0x7fff) & 0xffff];
    case "UINT16":
      return [integer(0, 0xffff)];
    case "INT32":
    case "UINT32": {
      const v = type === "INT32" ? integer(-0x80000000, 0x7fffffff) : integer(0, 0xffffffff);
      return [v & 0xffff, (v >>> 16) & 0xffff];
    }
    case "FLOAT32":
      scratch.setFloat32(0, value, true);
      return [scratch.getUint16(0, true), scratch.getUint16(2, true)];
    case "FLOAT64":
      scratch.setFloat64(0, value, true);
      return [0, 2, 4, 6].map((o) => scratch.getUint16(o, true));
  }
}

/** Linear scaling from raw PLC values to engineering units: eng = raw × scale + offset. */
export interface Scaling {
  readonly scale: number;
  readonly offset: number;
}

/** The identity scaling (scale 1, offset 0). */
export const NO_SCALING: Scaling = { scale: 1, offset: 0 };

/** Raw PLC value → engineering units. Non-numbers pass through unchanged. */
export function toEngineering(raw: TagValue, s: Scaling): TagValue {
  if (typeof raw !== "number" || (s.scale === 1 && s.offset === 0)) return raw;
  return raw * s.scale + s.offset;
}

/**
 * Engineering units → raw PLC value, the inverse of {@link toEngineering}. For
 * integer types the result is rounded to the nearest raw integer, so that a
 * value read and written back lands on the same raw count.
 */
export function toRaw(eng: TagValue, s: Scaling, type: DataType): TagValue {
  if (typeof eng !== "number" || (s.scale === 1 && s.offset === 0)) return eng;
  if (s.scale === 0) throw new RangeError("a scale of 0 cannot be inverted");
  const raw = (eng - s.offset) / s.scale;
  // `+ 0` turns the -0 that Math.round gives for (-0.5, -0] into a plain 0 raw count.
  return type === "FLOAT32" || type === "FLOAT64" ? raw : Math.round(raw) + 0;
}
