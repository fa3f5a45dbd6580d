/**
 * 4E frames: a 3E frame with a serial number. After the subheader (5400 for
 * requests, D400 for responses) come the serial number (2 bytes, low byte
 * first in binary; 4 hex digits, high byte first in ASCII) and a fixed 0000,
 * then exactly the 3E frame's route, length, and data (SLMP reference manual
 * SH-080956ENG, "Message format": subheader with a serial No.; MC protocol
 * reference manual SH-080008, 4E frame). The answer carries the request's
 * serial number, which lets several requests be in flight on one socket.
 *
 * Implemented as a conversion to and from the 3E layout, so that every
 * command's codec is written once and the 3E golden vectors stay untouched.
 * Pure: no sockets.
 */
import { PlcError } from "./errors.ts";
import {
  type FrameCode,
  type FrameType,
  HEX_VALUE,
  REQUEST_SUBHEADER,
  RESPONSE_SUBHEADER,
} from "./frame.ts";

export type { FrameType };

/** 4E subheaders as the first 16 bits on the wire. */
export const REQUEST_SUBHEADER_4E = 0x5400;
export const RESPONSE_SUBHEADER_4E = 0xd400;

/** Bytes (binary) or characters (ASCII) the serial number and fixed 0000 add to a 3E frame. */
export function extraSize4E(code: FrameCode): number {
  return code === "binary" ? 4 : 8;
}

/** Subheader width: 2 bytes or 4 characters. */
function subWidth(code: FrameCode): number {
  return code === "binary" ? 2 : 4;
}

const HEX = "0123456789ABCDEF";

/** Checks a serial number's range (RangeError). */
export function checkSerial(serial: number): void {
  if (!Number.isInteger(serial) || serial < 0 || serial > 0xffff) {
    throw new RangeError("the 4E serial number must be 0 to 65535");
  }
}

/**
 * Turns a whole 3E frame (request or response) into the 4E frame with
 * `serial`; the subheader becomes 5400 or D400 to match the 3E one.
 */
export function to4E(frame3e: Uint8Array, code: FrameCode, serial: number): Uint8Array {
  checkSerial(serial);
  const sw = subWidth(code);
  const out = new Uint8Array(frame3e.length + extraSize4E(code));
  out.set(frame3e.subarray(0, sw));
  // The 3E subheader's 0 becomes 4: 50→54 / D0→D4 (binary), "5000"→"5400" / "D000"→"D400".
  if (code === "binary") out[0] = frame3e[0] | 0x04;
  else out[1] = 0x34;
  let p = sw;
  if (code === "binary") {
    out[p++] = serial & 0xff;
    out[p++] = serial >> 8;
    out[p++] = 0;
    out[p++] = 0;
  } else {
    for (let i = 3; i >= 0; i--) out[p++] = HEX.charCodeAt((serial >> (4 * i)) & 0xf);
    for (let i = 0; i < 4; i++) out[p++] = 0x30;
  }
  out.set(frame3e.subarray(sw), p);
  return out;
}

/** A 4E frame taken apart: its serial number and the same message as a 3E frame. */
export interface Unwrapped4E {
  readonly serial: number;
  /** The equivalent 3E frame (subheader 5000 / D000). */
  readonly frame3e: Uint8Array;
}

/**
 * Reads a 4E frame's serial number without checking the rest: for matching
 * an answer to its request before decoding. PlcError `protocol` if the frame
 * is too short or the digits are not hexadecimal.
 */
export function serialOf(buf: Uint8Array, code: FrameCode): number {
  const sw = subWidth(code);
  if (code === "binary") {
    if (buf.length < sw + 2) {
      throw PlcError.protocol("frame ends inside the serial number", buf.length);
    }
    return buf[sw] | (buf[sw + 1] << 8);
  }
  if (buf.length < sw + 4) {
    throw PlcError.protocol("frame ends inside the serial number", buf.length);
  }
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const d = HEX_VALUE[buf[sw + i]];
    if (d < 0) throw PlcError.protocol("serial number is not hexadecimal", sw + i);
    v = v * 16 + d;
  }
  return v;
}

/**
 * Takes a 4E frame apart. `direction` says which subheader to expect (5400
 * for a request, D400 for a response). Anything malformed is PlcError
 * `protocol` naming the byte offset in the 4E frame.
 */
export function from4E(
  buf: Uint8Array,
  code: FrameCode,
  direction: "request" | "response",
): Unwrapped4E {
  const sw = subWidth(code);
  const want = direction === "request" ? REQUEST_SUBHEADER_4E : RESPONSE_SUBHEADER_4E;
  const wantText = want.toString(16).toUpperCase();
  if (code === "binary") {
    if (buf.length < 2) throw PlcError.protocol("frame ends inside the subheader", buf.length);
    if (buf[0] !== want >> 8 || buf[1] !== 0) {
      throw PlcError.protocol(`subheader is not the 4E ${direction}'s ${wantText}`, 0);
    }
  } else {
    for (let i = 0; i < 4; i++) {
      if (i >= buf.length) throw PlcError.protocol("frame ends inside the subheader", buf.length);
      if (buf[i] !== wantText.charCodeAt(i)) {
        throw PlcError.protocol(`subheader is not the 4E ${direction}'s ${wantText}`, i);
      }
    }
  }
  const serial = serialOf(buf, code);
  const fixedAt = sw + (code === "binary" ? 2 : 4);
  const fixedWidth = code === "binary" ? 2 : 4;
  if (buf.length < fixedAt + fixedWidth) {
    throw PlcError.protocol("frame ends inside the fixed 0000 after the serial number", buf.length);
  }
  for (let i = 0; i < fixedWidth; i++) {
    if (buf[fixedAt + i] !== (code === "binary" ? 0 : 0x30)) {
      throw PlcError.protocol("the 4E field after the serial number is not 0000", fixedAt + i);
    }
  }
  const extra = extraSize4E(code);
  const frame3e = new Uint8Array(buf.length - extra);
  const sub3e = direction === "request" ? REQUEST_SUBHEADER : RESPONSE_SUBHEADER;
  if (code === "binary") {
    frame3e[0] = sub3e >> 8;
    frame3e[1] = 0;
  } else frame3e.set(new TextEncoder().encode(sub3e.toString(16).toUpperCase()));
  frame3e.set(buf.subarray(sw + extra), sw);
  return { serial, frame3e };
}

/** Re-throws a PlcError from decoding the 3E equivalent with its offset moved to the 4E frame's. */
export function shiftOffset(e: unknown, code: FrameCode): unknown {
  if (!(e instanceof PlcError) || e.code !== "protocol" || e.offset === undefined) return e;
  const sw = subWidth(code);
  const offset = e.offset < sw ? e.offset : e.offset + extraSize4E(code);
  const message = e.message.replace(/\(at byte \d+\)$/, `(at byte ${offset})`);
  return new PlcError("protocol", message, { offset, cause: e.cause });
}

/** Writes `serial` into an encoded 4E frame in place (the client numbers a request when it sends it). */
export function setSerial(buf: Uint8Array, code: FrameCode, serial: number): void {
  const sw = subWidth(code);
  if (code === "binary") {
    buf[sw] = serial & 0xff;
    buf[sw + 1] = (serial >> 8) & 0xff;
  } else {
    for (let i = 0; i < 4; i++) buf[sw + i] = HEX.charCodeAt((serial >> (4 * (3 - i))) & 0xf);
  }
}
