/**
 * PostgreSQL's binary COPY format for the history table's six columns, so
 * that the PostgreSQL sink can stream a batch with `COPY … FROM STDIN (FORMAT
 * binary)`: no text escaping to get wrong, and every value exact — doubles
 * bit for bit (NaN, ±Infinity, −0, 5e-324), times as the integer
 * microseconds since 2000-01-01 that `timestamptz` stores, strings as UTF-8.
 * Values are mapped with the same codes as every sink (sinks/codes.ts).
 * Format: https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).
 */
import type { Sample } from "../model/sample.ts";
import { kindOf, numericOf, qualityCode, textOf } from "./codes.ts";

/** The columns, in the order the encoded tuples carry them. */
export const COPY_COLUMNS = "tag_id, ts, kind, quality, num_value, text_value";

/** `PGCOPY\n\377\r\n\0`, then flags (int32 0) and header-extension length (int32 0). */
const HEADER = [80, 71, 67, 79, 80, 89, 10, 255, 13, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/** 2000-01-01T00:00:00Z in ms since the Unix epoch: PostgreSQL's timestamp origin. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;
/**
 * Bytes of one tuple without its text: field count (2), tag_id (4+4), ts
 * (4+8), kind (4+2), quality (4+2), num_value (4+8), text_value length (4).
 */
const FIXED_TUPLE_BYTES = 2 + 8 + 12 + 6 + 6 + 12 + 4;

const utf8 = new TextEncoder();

/**
 * The high (signed) and low (unsigned) 32-bit halves of `ms` − 2000-01-01 in
 * microseconds, computed exactly with doubles: the product itself (up to
 * 2.5e17 µs for year 9999) is beyond 2^53, so it is split before multiplying.
 */
export function timestampHalves(ms: number): [hi: number, lo: number] {
  const d = ms - PG_EPOCH_MS; // an integer well inside ±2^53
  const dh = Math.floor(d / TWO_32);
  const dl = d - dh * TWO_32; // in [0, 2^32)
  const lowProduct = dl * 1000; // < 2^42: exact
  const carry = Math.floor(lowProduct / TWO_32);
  return [dh * 1000 + carry, lowProduct - carry * TWO_32];
}

/**
 * One batch as a complete binary COPY stream (header, a tuple per sample,
 * trailer). Samples must already be validated (sinks/batch.ts). U+0000 is
 * dropped from strings because PostgreSQL `text` cannot hold it (as the
 * sink has always done); other strings go as UTF-8 (a lone surrogate becomes
 * U+FFFD, as in any UTF-8 encoding).
 */
export function encodeCopyBinary(samples: readonly Sample[]): Uint8Array {
  let capacity = HEADER.length + 2;
  const texts = new Array<string | null>(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const text = textOf(samples[i].value);
    const clean = text === null ? null : text.includes("\0") ? text.replaceAll("\0", "") : text;
    texts[i] = clean;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    capacity += FIXED_TUPLE_BYTES + (clean === null ? 0 : clean.length * 3);
  }
  const bytes = new Uint8Array(capacity);
  const view = new DataView(bytes.buffer);
  bytes.set(HEADER, 0);
  let o = HEADER.length;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    view.setInt16(o, 6);
    view.setInt32(o + 2, 4);
    view.setInt32(o + 6, s.tagId);
    const [hi, lo] = timestampHalves(s.ts);
    view.setInt32(o + 10, 8);
    view.setInt32(o + 14, hi);
    view.setUint32(o + 18, lo);
    view.setInt32(o + 22, 2);
    view.setInt16(o + 26, kindOf(s.value));
    view.setInt32(o + 28, 2);
    view.setInt16(o + 32, qualityCode(s.quality));
    o += 34;
    const num = numericOf(s.value);
    if (num === null) {
      view.setInt32(o, -1);
      o += 4;
    } else {
      view.setInt32(o, 8);
      view.setFloat64(o + 4, num);
      o += 12;
    }
    const text = texts[i];
    if (text === null) {
      view.setInt32(o, -1);
      o += 4;
    } else {
      const { written } = utf8.encodeInto(text, bytes.subarray(o + 4));
      view.setInt32(o, written);
      o += 4 + written;
    }
  }
  view.setInt16(o, -1);
  return bytes.subarray(0, o + 2);
}
