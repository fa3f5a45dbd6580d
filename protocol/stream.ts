/**
 * Stream framing for 3E and 4E frames over TCP (told apart per frame by the subheader): chunks arrive split and coalesced
 * arbitrarily; the splitter yields whole frames using the data length field.
 * Pure: it is fed bytes and returns frames.
 */
import { PlcError } from "./errors.ts";
import {
  type FrameCode,
  headerSize,
  HEX_VALUE,
  REQUEST_SUBHEADER,
  RESPONSE_SUBHEADER,
} from "./frame.ts";

/** Which side of the conversation the splitter reads. */
export type FrameDirection = "request" | "response";

/**
 * Splits a TCP byte stream into whole 3E and 4E frames. `frame` fixes the code; when
 * omitted (a server accepting both), each frame's code is told by its first
 * byte. A stream that cannot be a 3E frame throws PlcError `protocol` whose
 * offset counts bytes from the start of the stream; the connection should then
 * be dropped, as there is no way to resynchronise a stream without frame
 * delimiters.
 */
export class FrameSplitter {
  #pending: Uint8Array = new Uint8Array(0);
  #consumed = 0;

  constructor(readonly direction: FrameDirection, readonly frame?: FrameCode) {}

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.#pending.length;
  }

  /**
   * Feeds a chunk; returns the frames it completes. Frames may be views into
   * `chunk`, so the caller must not overwrite that buffer while it still needs
   * them (decode first, then read into the buffer again).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    let buf: Uint8Array;
    if (this.#pending.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#pending.length + chunk.length);
      buf.set(this.#pending);
      buf.set(chunk, this.#pending.length);
    }
    const frames: Uint8Array[] = [];
    let start = 0;
    for (;;) {
      const size = this.#frameSize(buf, start);
      if (size === undefined || buf.length - start < size) break;
      frames.push(buf.subarray(start, start + size));
      start += size;
      this.#consumed += size;
    }
    this.#pending = start === buf.length ? new Uint8Array(0) : buf.slice(start);
    return frames;
  }

  /** Forgets buffered bytes (after a timeout, before reusing a connection). */
  reset(): void {
    this.#consumed += this.#pending.length;
    this.#pending = new Uint8Array(0);
  }

  /** Total size of the frame starting at `start`, or undefined if the header is incomplete. */
  #frameSize(buf: Uint8Array, start: number): number | undefined {
    const avail = buf.length - start;
    if (avail === 0) return undefined;
    const first = buf[start];
    const expected = this.direction === "request" ? REQUEST_SUBHEADER : RESPONSE_SUBHEADER;
    const code = this.frame ??
      (first === expected >> 8 || first === (expected >> 8 | 4)
        ? "binary"
        : first === asciiFirst(expected)
        ? "ascii"
        : undefined);
    const at = this.#consumed;
    if (code === undefined) {
      throw PlcError.protocol(`byte ${hex2(first)} cannot start a 3E or 4E ${this.direction}`, at);
    }
    if (code === "binary") {
      if (avail < 2) return undefined;
      const second = buf[start + 1];
      const is4E = first === (expected >> 8 | 4);
      if ((first !== expected >> 8 && !is4E) || second !== 0) {
        throw PlcError.protocol(
          `subheader ${hex2(first)}${hex2(second)} is not a 3E or 4E ${this.direction}'s`,
          at,
        );
      }
      const extra = is4E ? 4 : 0;
      const hsize = headerSize(code) + extra;
      if (avail < hsize) return undefined;
      return hsize + (buf[start + 7 + extra] | (buf[start + 8 + extra] << 8));
    }
    // ASCII: "5000"/"5400" or "D000"/"D400".
    const sub = expected.toString(16).toUpperCase();
    let is4E = false;
    for (let i = 0; i < Math.min(4, avail); i++) {
      const c = buf[start + i];
      if (i === 1 && c === 0x34) is4E = true;
      else if (c !== sub.charCodeAt(i)) {
        throw PlcError.protocol(
          `ASCII subheader is not a 3E or 4E ${this.direction}'s "${sub}" or "${sub[0]}4${
            sub.slice(2)
          }"`,
          at + i,
        );
      }
    }
    if (avail < 4) return undefined;
    const extra = is4E ? 8 : 0;
    const hsize = headerSize(code) + extra;
    if (avail < hsize) return undefined;
    let length = 0;
    for (let i = 14 + extra; i < 18 + extra; i++) {
      const d = HEX_VALUE[buf[start + i]];
      if (d < 0) throw PlcError.protocol("data length is not hexadecimal", at + i);
      length = length * 16 + d;
    }
    return hsize + length;
  }
}

function asciiFirst(subheader: number): number {
  return subheader.toString(16).toUpperCase().charCodeAt(0);
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, "0");
}
