/**
 * UTF-8 validation that names where a body goes wrong: the byte offset of
 * the first byte that is not part of a well-formed UTF-8 sequence (Unicode
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
 * JSON bodies and CSV uploads are refused with this offset instead of being
 * stored with U+FFFD in place of the bad bytes.
 */

/** The first invalid byte of `bytes`: its offset and value; undefined when all is UTF-8. */
export function findInvalidUtf8(bytes: Uint8Array): { offset: number; byte: number } | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return { offset: i, byte: b };
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k] : -1;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return { offset: c < 0 ? n : i + k, byte: c < 0 ? -1 : c };
    }
    i += need + 1;
  }
  return undefined;
}

/** A sentence naming the first invalid byte, e.g. "is not UTF-8: byte 0xff at offset 12". */
export function describeInvalidUtf8(bad: { offset: number; byte: number }): string {
  return bad.byte < 0
    ? `is not UTF-8: it ends inside a character at byte offset ${bad.offset}`
    : `is not UTF-8: byte 0x${
      bad.byte.toString(16).padStart(2, "0")
    } at byte offset ${bad.offset} is not valid there`;
}
