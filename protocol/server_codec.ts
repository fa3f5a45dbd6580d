/**
 * The PLC side of the codec: decoding request frames and encoding responses,
 * with the manual's end codes for requests a MELSEC CPU would refuse. The
 * fixture PLC is built on it; JSScada's client never uses it, so a mistake
 * here cannot hide one in the client (both are pinned to the manual's golden
 * vectors).
 */
import { type DeviceInfo, type Series, seriesDeviceProblem, type XyNotation } from "./devices.ts";
import { PlcError } from "./errors.ts";
import {
  type FrameCode,
  FrameReader,
  type FrameType,
  FrameWriter,
  headerSize,
  octalXyOnWire,
  REQUEST_SUBHEADER,
  RESPONSE_SUBHEADER,
  type Route,
} from "./frame.ts";
import { from4E, shiftOffset, to4E } from "./frame4e.ts";
import {
  batchLimits,
  type DeviceRef,
  MAX_LOOPBACK,
  type McRequest,
  type McResponse,
  PASSWORD_LENGTH,
  type RandomBit,
  randomLimits,
  type RandomValue,
} from "./commands.ts";

/** End codes the decoder answers with (after the manual). */
export const END_ASCII_NOT_HEX = 0xc050;
export const END_POINTS_OUT_OF_RANGE = 0xc051;
export const END_ADDRESS_PAST_END = 0xc056;
export const END_BAD_COMMAND = 0xc059;
export const END_BAD_DEVICE = 0xc05b;
export const END_BIT_UNIT_ON_WORD_DEVICE = 0xc05c;
export const END_LENGTH_MISMATCH = 0xc061;

/** The header of a request frame, known even when its body is refused. */
export interface RequestHeader {
  readonly frame: FrameCode;
  /** 3E, or 4E with {@link serial}. */
  readonly type: FrameType;
  /** The 4E serial number the answer must carry (0 in 3E). */
  readonly serial: number;
  readonly route: Route;
  readonly monitoringTimer: number;
  readonly command: number;
  readonly subcommand: number;
}

/** A decoded request, or the end code a PLC answers it with. */
export type DecodedRequest =
  | (RequestHeader & { readonly ok: true; readonly request: McRequest })
  | (RequestHeader & { readonly ok: false; readonly endCode: number; readonly message: string });

class Refusal {
  constructor(readonly endCode: number, readonly message: string) {}
}

/** What CPU the decoder plays: its series, and for iQ-F in ASCII the X/Y notation it was set to. */
export interface DecodeOptions {
  /** Default Q: iQ-F has halved ASCII limits and no DX/DY (unknown device code, C05B). */
  readonly series?: Series;
  /** iQ-F ASCII X/Y device numbers: octal (default) or hexadecimal digits. */
  readonly xyNotation?: XyNotation;
}

/** Tells the frame code of a request from its first byte. */
export function requestFrameCode(firstByte: number): FrameCode | undefined {
  return firstByte === 0x50 || firstByte === 0x54
    ? "binary"
    : firstByte === 0x35
    ? "ascii"
    : undefined;
}

/** Wraps a 3E response into 4E with the request's serial number when the request came in 4E. */
function wrap(bytes: Uint8Array, frame: FrameCode, type?: FrameType, serial?: number): Uint8Array {
  return type === "4E" ? to4E(bytes, frame, serial ?? 0) : bytes;
}

/**
 * Decodes one whole request frame (ASCII or binary, told apart by the first
 * byte). A frame whose header cannot be read is PlcError `protocol`; a
 * readable header with a body the PLC must refuse gives `ok: false` and the
 * manual's end code (C059 unknown command, C051 too many points, C05B unknown
 * device, C05C bit units on a word device, C050 non-hex ASCII, C061 wrong
 * length), so the caller can answer with an error response. `options` says
 * which CPU series is played (iQ-F: octal ASCII X/Y numbers by default,
 * halved ASCII limits, no DX/DY).
 */
export function decodeRequest(buf: Uint8Array, options: DecodeOptions = {}): DecodedRequest {
  const frame = requestFrameCode(buf[0]);
  if (!frame) {
    throw PlcError.protocol("the first byte is neither binary 50 or 54 nor ASCII '5'", 0);
  }
  if (buf[0] === 0x54 || (frame === "ascii" && buf[1] === 0x34)) {
    const { serial, frame3e } = from4E(buf, frame, "request");
    try {
      return { ...decodeRequest(frame3e, options), type: "4E", serial };
    } catch (e) {
      throw shiftOffset(e, frame);
    }
  }
  const r = new FrameReader(frame, buf);
  r.octalXy = octalXyOnWire({ frame, ...options });
  const sub = r.subheader();
  if (sub !== REQUEST_SUBHEADER) {
    throw PlcError.protocol(`subheader ${sub.toString(16)} is not a 3E request's 5000`, 0);
  }
  const route = r.route();
  const lengthAt = r.pos;
  const length = r.uint(2, "data length");
  if (length !== r.remaining()) {
    throw PlcError.protocol(
      `data length field says ${length} but ${r.remaining()} follow`,
      lengthAt,
    );
  }
  const monitoringTimer = r.uint(2, "monitoring timer");
  const command = r.uint(2, "command");
  const subcommand = r.uint(2, "subcommand");
  const header: RequestHeader = {
    frame,
    type: "3E",
    serial: 0,
    route,
    monitoringTimer,
    command,
    subcommand,
  };
  try {
    const request = decodeBody(r, command, subcommand, options.series);
    if (r.remaining() !== 0) {
      throw new Refusal(END_LENGTH_MISMATCH, `${r.remaining()} bytes follow the request data`);
    }
    return { ...header, ok: true, request };
  } catch (e) {
    if (e instanceof Refusal) return { ...header, ok: false, ...e };
    if (e instanceof PlcError) {
      const endCode = frame === "ascii" && /hexadecimal|base-/.test(e.message)
        ? END_ASCII_NOT_HEX
        : END_LENGTH_MISMATCH;
      return { ...header, ok: false, endCode, message: e.message };
    }
    throw e;
  }
}

function head(
  r: FrameReader,
  extended: boolean,
  series: Series | undefined,
): { info: DeviceInfo; ref: DeviceRef } {
  const { info, address } = r.device("head", extended);
  if (!info) throw new Refusal(END_BAD_DEVICE, "unknown device code");
  // A device the series does not have is an unknown device code to its CPU.
  const missing = seriesDeviceProblem(info.name, series);
  if (missing) throw new Refusal(END_BAD_DEVICE, missing);
  return { info, ref: { device: info.name, address } };
}

function points(r: FrameReader, max: number): number {
  const n = r.uint(2, "number of points");
  if (n < 1 || n > max) throw new Refusal(END_POINTS_OUT_OF_RANGE, `${n} points (1 to ${max})`);
  return n;
}

function bitDevice(info: DeviceInfo): void {
  if (info.kind !== "bit") {
    throw new Refusal(END_BIT_UNIT_ON_WORD_DEVICE, "bit units on a word device");
  }
}

/**
 * The request body. Subcommands 0000/0001 use the Q device specification,
 * 0002/0003 the iQ-R extended one; whether the CPU accepts the latter is the
 * server's business (a Q CPU answers C059).
 */
function decodeBody(
  r: FrameReader,
  command: number,
  subcommand: number,
  series: Series | undefined,
): McRequest {
  const limits = batchLimits(r.frame, series);
  const extended = subcommand === 0x0002 || subcommand === 0x0003;
  const random = randomLimits(extended);
  const base = extended ? subcommand & ~0x0002 : subcommand;
  if (base !== 0x0000 && base !== 0x0001) {
    throw new Refusal(END_BAD_COMMAND, "unknown command or subcommand");
  }
  const bits = base === 0x0001;
  switch (command) {
    case 0x0401: {
      const { info, ref } = head(r, extended, series);
      if (!bits) return { command: "readWords", head: ref, points: points(r, limits.words) };
      bitDevice(info);
      return { command: "readBits", head: ref, points: points(r, limits.bits) };
    }
    case 0x1401: {
      const { info, ref } = head(r, extended, series);
      if (!bits) {
        const n = points(r, limits.words);
        return { command: "writeWords", head: ref, words: r.words(n, "write data") };
      }
      bitDevice(info);
      const n = points(r, limits.bits);
      return { command: "writeBits", head: ref, bits: r.bits(n, "write data") };
    }
    case 0x0403: {
      if (bits) break;
      const nw = r.uint(1, "word access points");
      const nd = r.uint(1, "double-word access points");
      if (nw + nd < 1 || nw + nd > random.readPoints) {
        throw new Refusal(
          END_POINTS_OUT_OF_RANGE,
          `${nw + nd} random points (1 to ${random.readPoints})`,
        );
      }
      const words: DeviceRef[] = [];
      const dwords: DeviceRef[] = [];
      for (let i = 0; i < nw; i++) words.push(head(r, extended, series).ref);
      for (let i = 0; i < nd; i++) dwords.push(head(r, extended, series).ref);
      return { command: "randomRead", words, dwords };
    }
    case 0x1402: {
      if (!bits) {
        const nw = r.uint(1, "word access points");
        const nd = r.uint(1, "double-word access points");
        if (nw + nd < 1 || nw * 12 + nd * 14 > random.writeUnits) {
          throw new Refusal(END_POINTS_OUT_OF_RANGE, `${nw} words and ${nd} double words`);
        }
        const words: RandomValue[] = [];
        const dwords: RandomValue[] = [];
        for (let i = 0; i < nw; i++) {
          const { ref } = head(r, extended, series);
          words.push({ ...ref, value: r.uint(2, "write data") });
        }
        for (let i = 0; i < nd; i++) {
          const { ref } = head(r, extended, series);
          dwords.push({ ...ref, value: r.uint(4, "write data") });
        }
        return { command: "randomWriteWords", words, dwords };
      }
      const n = r.uint(1, "bit access points");
      if (n < 1 || n > random.writeBits) {
        throw new Refusal(
          END_POINTS_OUT_OF_RANGE,
          `${n} random bits (1 to ${random.writeBits})`,
        );
      }
      const list: RandomBit[] = [];
      for (let i = 0; i < n; i++) {
        const { info, ref } = head(r, extended, series);
        bitDevice(info);
        const at = r.pos;
        const v = r.uint(extended ? 2 : 1, "set/reset data");
        if (v > 1) {
          throw new Refusal(END_LENGTH_MISMATCH, `set/reset data ${v} at byte ${at} is not 0 or 1`);
        }
        list.push({ ...ref, value: v === 1 });
      }
      return { command: "randomWriteBits", bits: list };
    }
    case 0x0101:
      if (subcommand === 0) return { command: "cpuModel" };
      break;
    case 0x1001: {
      if (subcommand !== 0) break;
      const mode = r.uint(2, "RUN mode");
      const clear = r.uint(1, "clear mode");
      r.uint(1, "fixed 00");
      if ((mode !== 1 && mode !== 3) || clear > 2) {
        throw new Refusal(END_LENGTH_MISMATCH, `RUN mode ${mode} or clear mode ${clear} is wrong`);
      }
      return { command: "remoteRun", force: mode === 3, clear: clear as 0 | 1 | 2 };
    }
    case 0x1003: {
      if (subcommand !== 0) break;
      const mode = r.uint(2, "PAUSE mode");
      if (mode !== 1 && mode !== 3) throw new Refusal(END_LENGTH_MISMATCH, `PAUSE mode ${mode}`);
      return { command: "remotePause", force: mode === 3 };
    }
    case 0x1002:
    case 0x1005:
    case 0x1006: {
      if (subcommand !== 0) break;
      const fixed = r.uint(2, "fixed 0001");
      if (fixed !== 1) throw new Refusal(END_LENGTH_MISMATCH, `fixed value ${fixed} is not 0001`);
      return {
        command: command === 0x1002
          ? "remoteStop"
          : command === 0x1005
          ? "latchClear"
          : "remoteReset",
      };
    }
    case 0x1630:
    case 0x1631: {
      if (subcommand !== 0) break;
      const n = r.uint(2, "password length");
      if (n < PASSWORD_LENGTH.min || n > PASSWORD_LENGTH.max) {
        throw new Refusal(END_LENGTH_MISMATCH, `a ${n}-character password`);
      }
      const password = r.text(n, "password");
      return { command: command === 0x1630 ? "unlock" : "lock", password };
    }
    case 0x0619: {
      if (subcommand !== 0) break;
      const n = r.uint(2, "loopback byte count");
      if (n < 1 || n > MAX_LOOPBACK) {
        throw new Refusal(END_POINTS_OUT_OF_RANGE, `${n} loopback bytes`);
      }
      const data = r.text(n, "loopback data");
      if (!/^[0-9A-F]+$/.test(data)) {
        throw new Refusal(END_ASCII_NOT_HEX, "loopback data is not 0-9, A-F");
      }
      return { command: "loopback", data };
    }
  }
  throw new Refusal(END_BAD_COMMAND, "unknown command or subcommand");
}

function responseDataSize(res: McResponse, frame: FrameCode): number {
  const u = frame === "binary" ? 1 : 2;
  switch (res.command) {
    case "readWords":
      return res.words.length * 2 * u;
    case "readBits":
      return frame === "binary" ? Math.ceil(res.bits.length / 2) : res.bits.length;
    case "loopback":
      return 2 * u + res.data.length;
    default:
      return 0;
    case "randomRead":
      return (res.words.length * 2 + res.dwords.length * 4) * u;
    case "cpuModel":
      return 16 + 2 * u;
  }
}

/** Encodes a normal response (end code 0000) carrying `res`'s data; in 4E with `serial` when `type` is 4E. */
export function encodeResponse(
  frame: FrameCode,
  route: Route,
  res: McResponse,
  type?: FrameType,
  serial?: number,
): Uint8Array {
  const u = frame === "binary" ? 1 : 2;
  const w = new FrameWriter(frame, headerSize(frame) + 2 * u + responseDataSize(res, frame));
  w.subheader(RESPONSE_SUBHEADER);
  w.route(route);
  const lengthAt = w.pos;
  w.uint(0, 2);
  w.uint(0, 2);
  switch (res.command) {
    case "readWords":
      w.words(res.words);
      break;
    case "readBits":
      w.bits(res.bits);
      break;
    case "randomRead":
      w.words(res.words);
      for (const d of res.dwords) w.uint(d, 4);
      break;
    case "cpuModel":
      w.text(res.model, 16);
      w.uint(res.modelCode, 2);
      break;
    case "loopback":
      w.uint(res.data.length, 2);
      w.text(res.data, res.data.length);
      break;
    default:
      break;
  }
  w.patchLength(lengthAt);
  return wrap(w.done(), frame, type, serial);
}

/**
 * Encodes an error response: the end code, then the error information block
 * (the request's route, command and subcommand), as the manual's C051 example.
 */
export function encodeErrorResponse(
  frame: FrameCode,
  route: Route,
  endCode: number,
  command: number,
  subcommand: number,
  type?: FrameType,
  serial?: number,
): Uint8Array {
  const u = frame === "binary" ? 1 : 2;
  const w = new FrameWriter(frame, headerSize(frame) + 11 * u);
  w.subheader(RESPONSE_SUBHEADER);
  w.route(route);
  const lengthAt = w.pos;
  w.uint(0, 2);
  w.uint(endCode, 2);
  w.route(route);
  w.uint(command, 2);
  w.uint(subcommand, 2);
  w.patchLength(lengthAt);
  return wrap(w.done(), frame, type, serial);
}
