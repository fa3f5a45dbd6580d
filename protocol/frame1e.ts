/**
 * A-compatible 1E frames, as FX3 CPUs speak them through an FX3U-ENET(-ADP)
 * module, both directions, binary and ASCII: batch read and write in bit and
 * word units. After the FX3U-ENET user's manual (JY997D18101, "MC protocol":
 * A-compatible 1E frame) and the MELSEC communication protocol reference
 * manual (SH-080008, chapter on the 1E frame):
 *
 * request:  subheader (command 00 read bits, 01 read words, 02 write bits,
 *           03 write words), PC number (FF), monitoring timer (2 bytes, 250 ms
 *           units), head device number (4 bytes) and device code (2 bytes,
 *           e.g. 4420 = "D "; ASCII puts the code first), number of points
 *           (1 byte, 0 means 256), fixed 00, then the write data;
 * response: subheader (command + 80), completion code (00 normal; 5B is
 *           followed by an abnormal code byte), then the read data.
 *
 * The PLC model name read (command 15H, FX3U-ENET-ADP user's manual 7.6.3)
 * is the subheader, PC number and monitoring timer alone; its answer is 95H,
 * the completion code, the model code (F3H: FX3U/FX3UC) and a 00 byte, each
 * one byte (binary) or two characters (ASCII): `15 FF 0A 00` → `95 00 F3 00`,
 * `15FF000A` → `9500F300`.
 *
 * Binary sends numbers low byte first; ASCII sends every field as upper-case
 * hex, most significant digit first. Bit data is two points a byte (binary,
 * first point in the high nibble) or one character a point (ASCII); an odd
 * number of points is padded with a dummy 0 point in both codes. There is no
 * length field: the size of a frame follows from its command and points.
 * X and Y are numbered in octal on FX CPUs; the frame carries the plain number.
 *
 * The device table follows the FX3U-ENET user's manual, 9.x "Designation
 * method and accessible range of devices" (device list, p. 9-17): D 4420,
 * R 5220, TN 544E, TS 5453, CN 434E, CS 4353, X 5820, Y 5920, M 4D20, S 5320;
 * X0–X377 are device numbers 0000–00FF, and "D100 = 4420 00000064" in ASCII.
 */
import { PlcError } from "./errors.ts";
import { type FrameCode, FrameReader, FrameWriter } from "./frame.ts";

/** The devices of an FX3 CPU reachable through 1E frames. */
export type Device1EName =
  | "X"
  | "Y"
  | "M"
  | "S"
  | "TS"
  | "CS"
  | "TN"
  | "CN"
  | "D"
  | "R";

/** One 1E device: its 2-byte code (two ASCII letters, space-padded), unit and numbering. */
export interface Device1EInfo {
  readonly name: Device1EName;
  readonly code: number;
  readonly kind: "bit" | "word";
  readonly radix: 8 | 10;
  /** Points of an FX3U (specials included: M8000–M8511, D8000–D8511). */
  readonly size: number;
}

const code = (s: string) => (s.charCodeAt(0) << 8) | (s.length > 1 ? s.charCodeAt(1) : 0x20);
const TABLE: Device1EInfo[] = [
  { name: "X", code: code("X"), kind: "bit", radix: 8, size: 256 },
  { name: "Y", code: code("Y"), kind: "bit", radix: 8, size: 256 },
  { name: "M", code: code("M"), kind: "bit", radix: 10, size: 8512 },
  { name: "S", code: code("S"), kind: "bit", radix: 10, size: 4096 },
  { name: "TS", code: code("TS"), kind: "bit", radix: 10, size: 512 },
  { name: "CS", code: code("CS"), kind: "bit", radix: 10, size: 256 },
  { name: "TN", code: code("TN"), kind: "word", radix: 10, size: 512 },
  { name: "CN", code: code("CN"), kind: "word", radix: 10, size: 256 },
  { name: "D", code: code("D"), kind: "word", radix: 10, size: 8512 },
  { name: "R", code: code("R"), kind: "word", radix: 10, size: 32768 },
];
/** The 1E devices by name. */
export const DEVICES_1E: ReadonlyMap<Device1EName, Device1EInfo> = new Map(
  TABLE.map((d) => [d.name, d]),
);
const BY_CODE = new Map(TABLE.map((d) => [d.code, d]));

/** Most points of a bit-unit batch read (00H). */
export const MAX_1E_BITS = 256;
/** Most points of a bit-unit batch write (02H). */
export const MAX_1E_WRITE_BITS = 160;
/** Most points of a word device in a word-unit batch read or write (01H, 03H). */
export const MAX_1E_WORDS = 64;
/** Most words (16 points each) of a bit device in a word-unit batch read (01H). */
export const MAX_1E_BIT_DEVICE_READ_WORDS = 32;
/** Most words (16 points each) of a bit device in a word-unit batch write (03H). */
export const MAX_1E_BIT_DEVICE_WRITE_WORDS = 10;

/**
 * The most points one request of `command` may carry on a device of `kind`,
 * after the FX3U-ENET-ADP user's manual, 7.4 (list of commands): 256 bits
 * read, 160 written; in word units 64 points of a word device, 32 words of a
 * bit device read and 10 written.
 */
export function limit1E(command: DeviceRequest1E["command"], kind: "bit" | "word"): number {
  switch (command) {
    case "readBits":
      return MAX_1E_BITS;
    case "writeBits":
      return MAX_1E_WRITE_BITS;
    case "readWords":
      return kind === "bit" ? MAX_1E_BIT_DEVICE_READ_WORDS : MAX_1E_WORDS;
    case "writeWords":
      return kind === "bit" ? MAX_1E_BIT_DEVICE_WRITE_WORDS : MAX_1E_WORDS;
  }
}
/** The completion code followed by an abnormal code. */
export const COMPLETION_ABNORMAL = 0x5b;

/** A head device of a 1E request. */
export interface Ref1E {
  readonly device: Device1EName;
  readonly address: number;
}

/** The four 1E batch commands, which address devices. */
export type DeviceRequest1E =
  | { readonly command: "readBits"; readonly head: Ref1E; readonly points: number }
  | { readonly command: "readWords"; readonly head: Ref1E; readonly points: number }
  | { readonly command: "writeBits"; readonly head: Ref1E; readonly bits: ArrayLike<boolean> }
  | { readonly command: "writeWords"; readonly head: Ref1E; readonly words: ArrayLike<number> };

/** The 1E requests JSScada sends: the batch commands and the PLC model name read (15H). */
export type Request1E = DeviceRequest1E | { readonly command: "readModel" };

/** The decoded answer to a 1E request. */
export type Response1E =
  | { readonly command: "readBits"; readonly bits: boolean[] }
  | { readonly command: "readWords"; readonly words: Uint16Array }
  | { readonly command: "writeBits" }
  | { readonly command: "writeWords" }
  | { readonly command: "readModel"; readonly modelCode: number };

/** The PLC model name read's command (subheader). */
export const COMMAND_READ_MODEL = 0x15;
/** The model code an FX3U/FX3UC answers to 15H (FX3U-ENET-ADP user's manual 7.6.3). */
export const MODEL_CODE_FX3U = 0xf3;

/** The model a 15H model code stands for (`FX3U/FX3UC` for F3H), else the code in hex. */
export function modelName1E(modelCode: number): string {
  return modelCode === MODEL_CODE_FX3U ? "FX3U/FX3UC" : `model code ${hex2(modelCode)}H`;
}

const SUBHEADER: Readonly<Record<Request1E["command"], number>> = {
  readBits: 0x00,
  readWords: 0x01,
  writeBits: 0x02,
  writeWords: 0x03,
  readModel: COMMAND_READ_MODEL,
};
const COMMAND_OF = ["readBits", "readWords", "writeBits", "writeWords"] as const;

/** Options of 1E requests: code, PC number (default FF) and monitoring timer (default 16 × 250 ms). */
export interface Frame1EOptions {
  readonly frame: FrameCode;
  readonly pc?: number;
  readonly monitoringTimer?: number;
}

/**
 * Parses an FX address as engineers write it: `X17` and `Y20` in octal, the
 * rest in decimal (`D100`, `M8000`, `TN5`). RangeError naming the problem.
 */
export function parseAddress1E(text: string): Ref1E {
  const s = text.trim().toUpperCase();
  const names = [...DEVICES_1E.keys()].sort((a, b) => b.length - a.length);
  const name = names.find((n) => s.startsWith(n) && s.length > n.length);
  if (!name) throw new RangeError(`"${text}" does not start with an FX device name`);
  const info = DEVICES_1E.get(name)!;
  const digits = s.slice(name.length);
  const ok = info.radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!ok.test(digits)) {
    throw new RangeError(
      `"${text}": ${name} numbers are ${info.radix === 8 ? "octal (0–7)" : "decimal"} on FX CPUs`,
    );
  }
  const address = parseInt(digits, info.radix);
  if (address >= info.size) {
    throw new RangeError(`"${text}" is past the end of ${name} on an FX3U`);
  }
  return { device: name, address };
}

/** A short name of a 1E request for messages, such as "readWords D100 ×3". */
export function describe1E(req: Request1E): string {
  return req.command === "readModel"
    ? "readModel (15H)"
    : `${req.command} ${formatAddress1E(req.head)} ×${points1E(req)}`;
}

/** Formats a 1E device number back (octal for X and Y). */
export function formatAddress1E(ref: Ref1E): string {
  return `${ref.device}${ref.address.toString(DEVICES_1E.get(ref.device)!.radix)}`;
}

function points1E(req: DeviceRequest1E): number {
  switch (req.command) {
    case "readBits":
    case "readWords":
      return req.points;
    case "writeBits":
      return req.bits.length;
    case "writeWords":
      return req.words.length;
  }
}

/** Checks a 1E batch request's device, range and points (RangeError naming the limit). */
export function checkRequest1E(req: DeviceRequest1E): Device1EInfo {
  const d = DEVICES_1E.get(req.head.device);
  if (!d) throw new RangeError(`"${req.head.device}" is not an FX device of 1E frames`);
  const bits = req.command === "readBits" || req.command === "writeBits";
  if (bits && d.kind !== "bit") {
    throw new RangeError(`bit-unit access needs a bit device; ${d.name} is a word device`);
  }
  const n = points1E(req);
  const max = limit1E(req.command, d.kind);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    const of = bits ? "points" : d.kind === "bit" ? `words of bit device ${d.name}` : "words";
    throw new RangeError(`${n} points break the 1E limit of 1 to ${max} ${of}`);
  }
  const span = bits || d.kind === "word" ? n : n * 16;
  const a = req.head.address;
  if (!Number.isInteger(a) || a < 0 || a + span > d.size) {
    throw new RangeError(`${formatAddress1E(req.head)} + ${n} is past the end of ${d.name}`);
  }
  if (req.command === "writeWords") {
    for (let i = 0; i < req.words.length; i++) {
      const v = req.words[i];
      if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
        throw new RangeError(`word ${i} (${v}) is not a 16-bit value (0 to 65535)`);
      }
    }
  }
  return d;
}

/** Bit data padded with a dummy point to an even count, as 1E frames carry it. */
function padded(bits: ArrayLike<boolean>): boolean[] {
  const out = Array.from(bits);
  if (out.length % 2 === 1) out.push(false);
  return out;
}

function dataSize(command: DeviceRequest1E["command"], n: number, frame: FrameCode): number {
  const u = frame === "binary" ? 1 : 2;
  const even = n + (n % 2);
  switch (command) {
    case "readBits":
    case "readWords":
      return 0;
    case "writeBits":
      return frame === "binary" ? even / 2 : even;
    case "writeWords":
      return n * 2 * u;
  }
}

/** Bytes (binary) or characters (ASCII) of a 1E request's fixed part. */
export function header1ESize(frame: FrameCode): number {
  return frame === "binary" ? 12 : 24;
}

/** Encodes a 1E request; limits are checked first (RangeError). */
export function encodeRequest1E(req: Request1E, options: Frame1EOptions): Uint8Array {
  const { frame } = options;
  const d = req.command === "readModel" ? undefined : checkRequest1E(req);
  const pc = options.pc ?? 0xff;
  const timer = options.monitoringTimer ?? 0x10;
  if (!Number.isInteger(pc) || pc < 0 || pc > 0xff) {
    throw new RangeError("PC number must be 0 to 255");
  }
  if (!Number.isInteger(timer) || timer < 0 || timer > 0xffff) {
    throw new RangeError("the monitoring timer must be 0 to 65535 (units of 250 ms)");
  }
  if (req.command === "readModel" || !d) {
    const w = new FrameWriter(frame, frame === "binary" ? 4 : 8);
    w.uint(COMMAND_READ_MODEL, 1);
    w.uint(pc, 1);
    w.uint(timer, 2);
    return w.done();
  }
  const n = points1E(req);
  const w = new FrameWriter(frame, header1ESize(frame) + dataSize(req.command, n, frame));
  w.uint(SUBHEADER[req.command], 1);
  w.uint(pc, 1);
  w.uint(timer, 2);
  // Binary: head number, then the code low byte first (64000000 2044); ASCII: the code's
  // letters in order, then the number ("4420" "00000064"), as in 3E device specifications.
  if (frame === "binary") {
    w.uint(req.head.address, 4);
    w.uint(d.code, 2);
  } else {
    w.uint(d.code, 2);
    w.uint(req.head.address, 4);
  }
  w.uint(n & 0xff, 1);
  w.uint(0, 1);
  if (req.command === "writeBits") w.bits(padded(req.bits));
  if (req.command === "writeWords") w.words(req.words);
  return w.done();
}

/**
 * The size of the response to `req` starting in `buf`, once its completion
 * code is in; undefined while fewer bytes have arrived. PlcError `protocol`
 * if the subheader is not the answer to `req`.
 */
export function responseSize1E(
  buf: Uint8Array,
  req: Request1E,
  frame: FrameCode,
): number | undefined {
  const u = frame === "binary" ? 1 : 2;
  if (buf.length < 2 * u) return undefined;
  const r = new FrameReader(frame, buf);
  const sub = r.uint(1, "subheader");
  if (sub !== (SUBHEADER[req.command] | 0x80)) {
    throw PlcError.protocol(
      `1E subheader ${hex2(sub)} does not answer command ${hex2(SUBHEADER[req.command])}`,
      0,
    );
  }
  const completion = r.uint(1, "completion code");
  if (completion === COMPLETION_ABNORMAL) return 3 * u;
  if (completion !== 0) return 2 * u;
  if (req.command === "readModel") return 4 * u;
  const n = points1E(req);
  const even = n + (n % 2);
  switch (req.command) {
    case "readBits":
      return 2 * u + (frame === "binary" ? even / 2 : even);
    case "readWords":
      return 2 * u + n * 2 * u;
    default:
      return 2 * u;
  }
}

/**
 * Decodes a whole 1E response to `req`: data, PlcError `endCode` for a
 * completion code (0x5Bnn with the abnormal code nn, else the completion
 * code), PlcError `protocol` naming the byte offset for anything malformed.
 */
export function decodeResponse1E(buf: Uint8Array, req: Request1E, frame: FrameCode): Response1E {
  const size = responseSize1E(buf, req, frame);
  if (size === undefined) throw PlcError.protocol("frame ends inside the 1E header", buf.length);
  const r = new FrameReader(frame, buf);
  r.uint(1, "subheader");
  const completion = r.uint(1, "completion code");
  if (completion !== 0) {
    const abnormal = completion === COMPLETION_ABNORMAL ? r.uint(1, "abnormal code") : undefined;
    if (r.remaining() !== 0) {
      throw PlcError.protocol(`${r.remaining()} bytes follow the error`, r.pos);
    }
    const endCode = abnormal === undefined ? completion : (completion << 8) | abnormal;
    return fail1E(endCode, completion, abnormal);
  }
  if (req.command === "readModel") {
    const modelCode = r.uint(1, "model code");
    r.uint(1, "byte after the model code");
    return { command: "readModel", modelCode };
  }
  const n = points1E(req);
  let res: Response1E;
  switch (req.command) {
    case "readBits": {
      const bits = r.bits(n + (n % 2), "bit data");
      if (n % 2 === 1 && bits[n]) throw PlcError.protocol("the dummy point is not 0", r.pos - 1);
      res = { command: "readBits", bits: bits.slice(0, n) };
      break;
    }
    case "readWords":
      res = { command: "readWords", words: r.words(n, "word data") };
      break;
    default:
      res = { command: req.command };
  }
  if (r.remaining() !== 0) {
    throw PlcError.protocol(`${r.remaining()} bytes follow the expected data`, r.pos);
  }
  return res;
}

function fail1E(endCode: number, completion: number, abnormal: number | undefined): never {
  const what = abnormal === undefined
    ? `1E completion code ${hex2(completion)}`
    : `1E completion code 5B, abnormal code ${hex2(abnormal)}`;
  throw new PlcError("endCode", `${what}: the FX CPU refused the request`, { endCode });
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

// ---- The PLC side: requests in, responses out (used by the fixture PLC). ----

/** Tells a 1E request's code from its first byte: binary commands 00–03 and 15, ASCII '0' or '1'. */
export function request1EFrameCode(first: number): FrameCode | undefined {
  if (first <= 0x03 || first === COMMAND_READ_MODEL) return "binary";
  return first === 0x30 || first === 0x31 ? "ascii" : undefined;
}

/**
 * The size of the 1E request starting in `buf`, or undefined until its
 * header is in. PlcError `protocol` if it cannot be a 1E batch request.
 */
export function requestSize1E(buf: Uint8Array, frame: FrameCode): number | undefined {
  const u = frame === "binary" ? 1 : 2;
  if (buf.length < u) return undefined;
  const r = new FrameReader(frame, buf);
  const sub = r.uint(1, "subheader");
  if (sub === COMMAND_READ_MODEL) return 4 * u;
  if (sub > 0x03) throw PlcError.protocol(`1E command ${hex2(sub)} is not a batch command`, 0);
  if (buf.length < header1ESize(frame)) return undefined;
  r.pos = 10 * u;
  const n = r.uint(1, "number of points") || 256;
  return header1ESize(frame) + dataSize(COMMAND_OF[sub], n, frame);
}

/** A decoded 1E request, or the completion code a CPU answers it with. */
export type Decoded1E =
  | {
    readonly ok: true;
    readonly frame: FrameCode;
    readonly subheader: number;
    readonly request: Request1E;
  }
  | {
    readonly ok: false;
    readonly frame: FrameCode;
    readonly subheader: number;
    readonly completion: number;
    readonly abnormal?: number;
  };

/** Abnormal codes the fixture answers with (completion 5B). */
export const ABNORMAL_DEVICE = 0x10; // device code or number out of range
export const ABNORMAL_POINTS = 0x11; // number of points out of range

/**
 * Decodes one whole 1E request. An unreadable header is PlcError `protocol`;
 * a request the CPU must refuse gives `ok: false` with completion 5B and an
 * abnormal code (unknown device, points or range out of bounds).
 */
export function decodeRequest1E(buf: Uint8Array): Decoded1E {
  const frame = request1EFrameCode(buf[0]);
  if (!frame) throw PlcError.protocol("the first byte is no 1E batch command", 0);
  const r = new FrameReader(frame, buf);
  const subheader = r.uint(1, "subheader");
  if (subheader > 0x03 && subheader !== COMMAND_READ_MODEL) {
    throw PlcError.protocol(`1E command ${hex2(subheader)} is unknown`, 0);
  }
  r.uint(1, "PC number");
  r.uint(2, "monitoring timer");
  if (subheader === COMMAND_READ_MODEL) {
    if (r.remaining() !== 0) {
      throw PlcError.protocol(`${r.remaining()} bytes follow the model name read`, r.pos);
    }
    return { ok: true, frame, subheader, request: { command: "readModel" } };
  }
  let address: number, devCode: number;
  if (frame === "binary") {
    address = r.uint(4, "head device number");
    devCode = r.uint(2, "device code");
  } else {
    devCode = r.uint(2, "device code");
    address = r.uint(4, "head device number");
  }
  const n = r.uint(1, "number of points") || 256;
  const fixedAt = r.pos;
  if (r.uint(1, "fixed 00") !== 0) {
    throw PlcError.protocol("the byte after the points is not 00", fixedAt);
  }
  const refuse = (abnormal: number): Decoded1E => ({
    ok: false,
    frame,
    subheader,
    completion: COMPLETION_ABNORMAL,
    abnormal,
  });
  const d = BY_CODE.get(devCode);
  const command = COMMAND_OF[subheader as 0 | 1 | 2 | 3];
  const bits = command === "readBits" || command === "writeBits";
  if (!d || (bits && d.kind !== "bit")) return refuse(ABNORMAL_DEVICE);
  if (n > limit1E(command, d.kind)) return refuse(ABNORMAL_POINTS);
  const span = bits || d.kind === "word" ? n : n * 16;
  if (address + span > d.size) return refuse(ABNORMAL_DEVICE);
  const head: Ref1E = { device: d.name, address };
  let request: Request1E;
  switch (command) {
    case "readBits":
    case "readWords":
      request = { command, head, points: n };
      break;
    case "writeBits": {
      const all = r.bits(n + (n % 2), "write data");
      request = { command, head, bits: all.slice(0, n) };
      break;
    }
    case "writeWords":
      request = { command, head, words: r.words(n, "write data") };
      break;
  }
  if (r.remaining() !== 0) {
    throw PlcError.protocol(`${r.remaining()} bytes follow the request data`, r.pos);
  }
  return { ok: true, frame, subheader, request };
}

/** Encodes a normal 1E response carrying `res`'s data. */
export function encodeResponse1E(frame: FrameCode, res: Response1E): Uint8Array {
  const u = frame === "binary" ? 1 : 2;
  if (res.command === "readModel") {
    const m = new FrameWriter(frame, 4 * u);
    m.uint(COMMAND_READ_MODEL | 0x80, 1);
    m.uint(0, 1);
    m.uint(res.modelCode, 1);
    m.uint(0, 1);
    return m.done();
  }
  const pairs = res.command === "readBits" ? Math.ceil(res.bits.length / 2) : 0;
  const data = res.command === "readWords" ? res.words.length * 2 * u : pairs * u;
  const w = new FrameWriter(frame, 2 * u + data);
  w.uint(SUBHEADER[res.command] | 0x80, 1);
  w.uint(0, 1);
  if (res.command === "readWords") w.words(res.words);
  if (res.command === "readBits") w.bits(padded(res.bits));
  return w.done();
}

/** Encodes a 1E error response: completion code, and the abnormal code after 5B. */
export function encodeErrorResponse1E(
  frame: FrameCode,
  subheader: number,
  completion: number,
  abnormal?: number,
): Uint8Array {
  const u = frame === "binary" ? 1 : 2;
  const w = new FrameWriter(frame, (completion === COMPLETION_ABNORMAL ? 3 : 2) * u);
  w.uint(subheader | 0x80, 1);
  w.uint(completion, 1);
  if (completion === COMPLETION_ABNORMAL) w.uint(abnormal ?? 0, 1);
  return w.done();
}
