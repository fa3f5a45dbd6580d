/**
 * Stream framing for 1E requests over TCP (the PLC side): 1E frames have no
 * length field, so each request's size follows from its command and number
 * of points (see {@link requestSize1E}). Binary and ASCII are told apart per
 * frame by the first byte. Pure.
 */
import { PlcError } from "./errors.ts";
import { request1EFrameCode, requestSize1E } from "./frame1e.ts";

/** Splits a byte stream into whole 1E requests; PlcError `protocol` for a stream that cannot be one. */
export class RequestSplitter1E {
  #pending: Uint8Array = new Uint8Array(0);
  #consumed = 0;

  /** Feeds a chunk; returns the whole requests it completes (copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    const buf = new Uint8Array(this.#pending.length + chunk.length);
    buf.set(this.#pending);
    buf.set(chunk, this.#pending.length);
    const frames: Uint8Array[] = [];
    let start = 0;
    while (start < buf.length) {
      const frame = request1EFrameCode(buf[start]);
      if (!frame) {
        throw PlcError.protocol("byte cannot start a 1E request", this.#consumed + start);
      }
      let size: number | undefined;
      try {
        size = requestSize1E(buf.subarray(start), frame);
      } catch (e) {
        const off = e instanceof PlcError && e.offset !== undefined ? e.offset : 0;
        throw PlcError.protocol("stream is not a 1E request", this.#consumed + start + off);
      }
      if (size === undefined || buf.length - start < size) break;
      frames.push(buf.slice(start, start + size));
      start += size;
    }
    this.#consumed += start;
    this.#pending = buf.slice(start);
    return frames;
  }
}
