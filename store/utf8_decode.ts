/**
 * Strict UTF-8 decoding of uploaded files, with the offset of the first bad
 * byte in the message, for the CSV import check and the GX Works import.
 */

/** Decodes UTF-8 strictly; on failure, a message naming the first bad byte's offset. */
export function decodeUtf8(bytes: ArrayBuffer | Uint8Array): string | { message: string } {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // The offset: the longest prefix that still decodes, found by bisection over whole bytes.
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let lo = 0;
    let hi = view.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(view.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    return { message: `is not UTF-8: the byte at offset ${lo} is not valid there` };
  }
}
