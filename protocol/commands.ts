/**
 * MC protocol commands in 3E frames, both directions: requests that JSScada
 * sends and the fixture PLC decodes, responses that the fixture PLC sends and
 * JSScada decodes. Commands: batch read (0401) and batch write (1401) in word
 * and bit units, random read (0403) and CPU model read (0101). Pure codec.
 */
import { type DeviceInfo, type DeviceName, DEVICES } from "./devices.ts";
import { PlcError } from "./errors.ts";
import {
  checkRoute,
  DEFAULT_MONITORING_TIMER,
  DEFAULT_ROUTE,
  type FrameCode,
  type FrameOptions,
  FrameReader,
  FrameWriter,
  headerSize,
  REQUEST_SUBHEADER,
  RESPONSE_SUBHEADER,
  type Route,
} from "./frame.ts";
import { from4E, shiftOffset, to4E } from "./frame4e.ts";

/** A head device: device name and number. */
export interface DeviceRef {
  readonly device: DeviceName;
  readonly address: number;
}

/** Batch read in word units (0401/0000); bit devices give 16 points a word. */
export interface ReadWordsRequest {
  readonly command: "readWords";
  readonly head: DeviceRef;
  readonly points: number;
}
/** Batch read in bit units (0401/0001), bit devices only. */
export interface ReadBitsRequest {
  readonly command: "readBits";
  readonly head: DeviceRef;
  readonly points: number;
}
/** Batch write in word units (1401/0000). */
export interface WriteWordsRequest {
  readonly command: "writeWords";
  readonly head: DeviceRef;
  readonly words: ArrayLike<number>;
}
/** Batch write in bit units (1401/0001), bit devices only. */
export interface WriteBitsRequest {
  readonly command: "writeBits";
  readonly head: DeviceRef;
  readonly bits: ArrayLike<boolean>;
}
/** Random read (0403/0000) of single words and double words anywhere. */
export interface RandomReadRequest {
  readonly command: "randomRead";
  readonly words: readonly DeviceRef[];
  readonly dwords: readonly DeviceRef[];
}
/** CPU model name read (0101/0000). */
export interface CpuModelRequest {
  readonly command: "cpuModel";
}

/** Every request JSScada can send. */
export type McRequest =
  | ReadWordsRequest
  | ReadBitsRequest
  | WriteWordsRequest
  | WriteBitsRequest
  | RandomReadRequest
  | CpuModelRequest;

/** The decoded answer to each kind of request. */
export interface ResponseMap {
  readWords: { readonly command: "readWords"; readonly words: Uint16Array };
  readBits: { readonly command: "readBits"; readonly bits: boolean[] };
  writeWords: { readonly command: "writeWords" };
  writeBits: { readonly command: "writeBits" };
  randomRead: {
    readonly command: "randomRead";
    readonly words: Uint16Array;
    readonly dwords: number[];
  };
  cpuModel: { readonly command: "cpuModel"; readonly model: string; readonly modelCode: number };
}
/** Any decoded response. */
export type McResponse = ResponseMap[keyof ResponseMap];
/** The response type that answers request type R. */
export type ResponseFor<R extends McRequest> = ResponseMap[R["command"]];

/** Command and subcommand codes on the wire. */
export const COMMAND_CODES: Readonly<Record<McRequest["command"], readonly [number, number]>> = {
  readWords: [0x0401, 0x0000],
  readBits: [0x0401, 0x0001],
  writeWords: [0x1401, 0x0000],
  writeBits: [0x1401, 0x0001],
  randomRead: [0x0403, 0x0000],
  cpuModel: [0x0101, 0x0000],
};

/** Most words in one word-unit batch read or write. */
export const MAX_BATCH_WORDS = 960;
/** Most points in one bit-unit batch read or write, per frame code. */
export const MAX_BATCH_BITS: Readonly<Record<FrameCode, number>> = { ascii: 3584, binary: 7168 };
/** Most word plus double-word points in one random read. */
export const MAX_RANDOM_POINTS = 192;
/** Size of the CPU model name field. */
const MODEL_NAME_BYTES = 16;

function info(ref: DeviceRef): DeviceInfo {
  const d = DEVICES.get(ref.device);
  if (!d) throw new RangeError(`unknown device "${ref.device}"`);
  return d;
}

function checkHead(ref: DeviceRef, frame: FrameCode): DeviceInfo {
  const d = info(ref);
  const max = frame === "binary" ? 0xffffff : d.radix === 16 ? 0xffffff : 999999;
  if (!Number.isInteger(ref.address) || ref.address < 0 || ref.address > max) {
    throw new RangeError(
      `device number ${ref.address} of ${ref.device} does not fit a ${frame} frame (0 to ${max})`,
    );
  }
  return d;
}

function checkCount(n: number, max: number, limit: string): void {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new RangeError(`${n} points break the limit of ${limit}: 1 to ${max}`);
  }
}

/**
 * Checks a request against the protocol's limits before anything is sent:
 * 960 words per word-unit batch, 3,584 (ASCII) or 7,168 (binary) points per
 * bit-unit batch, 192 points per random read, bit units only on bit devices.
 * A violation is a RangeError that names the limit.
 */
export function checkRequest(req: McRequest, frame: FrameCode): void {
  switch (req.command) {
    case "readWords":
    case "writeWords": {
      checkHead(req.head, frame);
      const n = req.command === "readWords" ? req.points : req.words.length;
      checkCount(n, MAX_BATCH_WORDS, `${MAX_BATCH_WORDS} words per word-unit batch`);
      if (req.command === "writeWords") {
        for (let i = 0; i < req.words.length; i++) {
          const v = req.words[i];
          if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
            throw new RangeError(`word ${i} (${v}) is not a 16-bit value (0 to 65535)`);
          }
        }
      }
      return;
    }
    case "readBits":
    case "writeBits": {
      const d = checkHead(req.head, frame);
      if (d.kind !== "bit") {
        throw new RangeError(`bit-unit access needs a bit device; ${d.name} is a word device`);
      }
      const n = req.command === "readBits" ? req.points : req.bits.length;
      const max = MAX_BATCH_BITS[frame];
      checkCount(n, max, `${max} points per bit-unit batch in ${frame} frames`);
      return;
    }
    case "randomRead":
      for (const ref of [...req.words, ...req.dwords]) checkHead(ref, frame);
      checkCount(
        req.words.length + req.dwords.length,
        MAX_RANDOM_POINTS,
        `${MAX_RANDOM_POINTS} points per random read`,
      );
      return;
    case "cpuModel":
      return;
  }
}

/** Size of a request's data part in bytes (binary) or characters (ASCII). */
function requestDataSize(req: McRequest, frame: FrameCode): number {
  const u = frame === "binary" ? 1 : 2;
  const dev = 4 * u;
  switch (req.command) {
    case "readWords":
    case "readBits":
      return dev + 2 * u;
    case "writeWords":
      return dev + 2 * u + req.words.length * 2 * u;
    case "writeBits":
      return dev + 2 * u + (frame === "binary" ? Math.ceil(req.bits.length / 2) : req.bits.length);
    case "randomRead":
      return 2 * u + (req.words.length + req.dwords.length) * dev;
    case "cpuModel":
      return 0;
  }
}

/**
 * Encodes a request as a 3E frame. Limits are checked first (RangeError);
 * route defaults to 00/FF/03FF/00 and the monitoring timer to 4 s.
 */
export function encodeRequest(req: McRequest, options: FrameOptions): Uint8Array {
  const { frame } = options;
  const route = options.route ?? DEFAULT_ROUTE;
  const timer = options.monitoringTimer ?? DEFAULT_MONITORING_TIMER;
  checkRoute(route);
  if (!Number.isInteger(timer) || timer < 0 || timer > 0xffff) {
    throw new RangeError("the monitoring timer must be 0 to 65535 (units of 250 ms)");
  }
  checkRequest(req, frame);
  const u = frame === "binary" ? 1 : 2;
  const w = new FrameWriter(frame, headerSize(frame) + 6 * u + requestDataSize(req, frame));
  w.subheader(REQUEST_SUBHEADER);
  w.route(route);
  const lengthAt = w.pos;
  w.uint(0, 2);
  w.uint(timer, 2);
  const [command, subcommand] = COMMAND_CODES[req.command];
  w.uint(command, 2);
  w.uint(subcommand, 2);
  switch (req.command) {
    case "readWords":
    case "readBits":
      w.device(info(req.head), req.head.address);
      w.uint(req.points, 2);
      break;
    case "writeWords":
      w.device(info(req.head), req.head.address);
      w.uint(req.words.length, 2);
      w.words(req.words);
      break;
    case "writeBits":
      w.device(info(req.head), req.head.address);
      w.uint(req.bits.length, 2);
      w.bits(req.bits);
      break;
    case "randomRead":
      w.uint(req.words.length, 1);
      w.uint(req.dwords.length, 1);
      for (const ref of [...req.words, ...req.dwords]) w.device(info(ref), ref.address);
      break;
    case "cpuModel":
      break;
  }
  w.patchLength(lengthAt);
  return options.type === "4E" ? to4E(w.done(), frame, options.serial ?? 0) : w.done();
}

/** Reads the response header; returns the reader positioned after the end code. */
function readResponseHeader(buf: Uint8Array, frame: FrameCode, route: Route): FrameReader {
  const r = new FrameReader(frame, buf);
  const sub = r.subheader();
  if (sub !== RESPONSE_SUBHEADER) {
    throw PlcError.protocol(
      `subheader is ${sub.toString(16).toUpperCase().padStart(4, "0")}, not the response's D000`,
      0,
    );
  }
  const routeAt = r.pos;
  const echoed = r.route();
  if (
    echoed.network !== route.network || echoed.pc !== route.pc ||
    echoed.moduleIo !== route.moduleIo || echoed.station !== route.station
  ) {
    throw PlcError.protocol("the response's route does not echo the request's", routeAt);
  }
  const lengthAt = r.pos;
  const length = r.uint(2, "data length");
  if (length !== r.remaining()) {
    throw PlcError.protocol(
      `data length field says ${length} but ${r.remaining()} follow`,
      lengthAt,
    );
  }
  if (length < r.width(2)) throw PlcError.protocol("frame ends before the end code", buf.length);
  const endCode = r.uint(2, "end code");
  if (endCode !== 0) throw PlcError.fromEndCode(endCode);
  return r;
}

/**
 * Decodes a whole response frame to `req`. Validates subheader, echoed route,
 * data length and end code; a non-zero end code is PlcError `endCode`, any
 * malformed frame is PlcError `protocol` with the byte offset. Nothing else is
 * thrown.
 */
export function decodeResponse<R extends McRequest>(
  buf: Uint8Array,
  req: R,
  options: FrameOptions,
): ResponseFor<R> {
  if (options.type === "4E") {
    const { serial, frame3e } = from4E(buf, options.frame, "response");
    const want = options.serial ?? 0;
    if (serial !== want) {
      throw PlcError.protocol(
        `the response's serial number ${serial} is not the request's ${want}`,
        options.frame === "binary" ? 2 : 4,
      );
    }
    try {
      return decodeResponse(frame3e, req, { ...options, type: "3E" });
    } catch (e) {
      throw shiftOffset(e, options.frame);
    }
  }
  const r = readResponseHeader(buf, options.frame, options.route ?? DEFAULT_ROUTE);
  let res: McResponse;
  switch (req.command) {
    case "readWords":
      res = { command: "readWords", words: r.words(req.points, "word data") };
      break;
    case "readBits":
      res = { command: "readBits", bits: r.bits(req.points, "bit data") };
      break;
    case "writeWords":
    case "writeBits":
      res = { command: req.command };
      break;
    case "randomRead": {
      const words = r.words(req.words.length, "word data");
      const dwords = req.dwords.map(() => r.uint(4, "double-word data"));
      res = { command: "randomRead", words, dwords };
      break;
    }
    case "cpuModel": {
      const model = r.text(MODEL_NAME_BYTES, "model name").trimEnd();
      res = { command: "cpuModel", model, modelCode: r.uint(2, "model code") };
      break;
    }
  }
  if (r.remaining() !== 0) {
    throw PlcError.protocol(`${r.remaining()} bytes follow the expected data`, r.pos);
  }
  return res as ResponseFor<R>;
}
