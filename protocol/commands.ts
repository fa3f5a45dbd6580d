/**
 * MC protocol commands in 3E frames, both directions: requests that JSScada
 * sends and the fixture PLC decodes, responses that the fixture PLC sends and
 * JSScada decodes. Commands: batch read (0401) and batch write (1401) in word
 * and bit units, random read (0403) and CPU model read (0101). Pure codec.
 */
import {
  type DeviceInfo,
  type DeviceName,
  DEVICES,
  IQF_XY_POINTS,
  type Series,
  seriesDeviceProblem,
} from "./devices.ts";
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
  octalXyOnWire,
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
/** A device and the word or double word to write there. */
export interface RandomValue extends DeviceRef {
  readonly value: number;
}
/** A bit device point and the state to write. */
export interface RandomBit extends DeviceRef {
  readonly value: boolean;
}
/** Random write in word units (1402/0000): single words and double words anywhere. */
export interface RandomWriteWordsRequest {
  readonly command: "randomWriteWords";
  readonly words: readonly RandomValue[];
  readonly dwords: readonly RandomValue[];
}
/** Random write in bit units (1402/0001): single points of bit devices anywhere. */
export interface RandomWriteBitsRequest {
  readonly command: "randomWriteBits";
  readonly bits: readonly RandomBit[];
}
/** Remote RUN (1001): `force` runs even if another device holds STOP/PAUSE; `clear` 0 none, 1 all but latch, 2 all. */
export interface RemoteRunRequest {
  readonly command: "remoteRun";
  readonly force?: boolean;
  readonly clear?: 0 | 1 | 2;
}
/** Remote STOP (1002). */
export interface RemoteStopRequest {
  readonly command: "remoteStop";
}
/** Remote PAUSE (1003). */
export interface RemotePauseRequest {
  readonly command: "remotePause";
  readonly force?: boolean;
}
/** Remote latch clear (1005); the CPU must be stopped. */
export interface LatchClearRequest {
  readonly command: "latchClear";
}
/** Remote RESET (1006). */
export interface RemoteResetRequest {
  readonly command: "remoteReset";
}
/** Remote password unlock (1630) or lock (1631). */
export interface PasswordRequest {
  readonly command: "unlock" | "lock";
  readonly password: string;
}
/** Loopback test (0619): the PLC echoes `data` (1 to 960 characters of 0–9 and A–F). */
export interface LoopbackRequest {
  readonly command: "loopback";
  readonly data: string;
}
/** The remote operations, for callers that treat them apart from reads and writes. */
export type RemoteOperation =
  | RemoteRunRequest
  | RemoteStopRequest
  | RemotePauseRequest
  | LatchClearRequest
  | RemoteResetRequest
  | PasswordRequest
  | LoopbackRequest;

/** Every request JSScada can send. */
export type McRequest =
  | ReadWordsRequest
  | ReadBitsRequest
  | WriteWordsRequest
  | WriteBitsRequest
  | RandomReadRequest
  | CpuModelRequest
  | RandomWriteWordsRequest
  | RandomWriteBitsRequest
  | RemoteOperation;

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
  randomWriteWords: { readonly command: "randomWriteWords" };
  randomWriteBits: { readonly command: "randomWriteBits" };
  remoteRun: { readonly command: "remoteRun" };
  remoteStop: { readonly command: "remoteStop" };
  remotePause: { readonly command: "remotePause" };
  latchClear: { readonly command: "latchClear" };
  remoteReset: { readonly command: "remoteReset" };
  unlock: { readonly command: "unlock" };
  lock: { readonly command: "lock" };
  loopback: { readonly command: "loopback"; readonly data: string };
}
/** Any decoded response. */
export type McResponse = ResponseMap[keyof ResponseMap];
/** The response type that answers request type R. */
export type ResponseFor<R extends McRequest> = ResponseMap[R["command"]];

/**
 * Command and subcommand codes on the wire (Q/L subcommands; the iQ-R
 * extended device specification adds 0002 to the device-addressing ones).
 */
export const COMMAND_CODES: Readonly<Record<McRequest["command"], readonly [number, number]>> = {
  readWords: [0x0401, 0x0000],
  readBits: [0x0401, 0x0001],
  writeWords: [0x1401, 0x0000],
  writeBits: [0x1401, 0x0001],
  randomRead: [0x0403, 0x0000],
  cpuModel: [0x0101, 0x0000],
  randomWriteWords: [0x1402, 0x0000],
  randomWriteBits: [0x1402, 0x0001],
  remoteRun: [0x1001, 0x0000],
  remoteStop: [0x1002, 0x0000],
  remotePause: [0x1003, 0x0000],
  latchClear: [0x1005, 0x0000],
  remoteReset: [0x1006, 0x0000],
  unlock: [0x1630, 0x0000],
  lock: [0x1631, 0x0000],
  loopback: [0x0619, 0x0000],
};

/** Commands that address devices, whose subcommand changes with the iQ-R device specification. */
const DEVICE_COMMANDS: ReadonlySet<McRequest["command"]> = new Set([
  "readWords",
  "readBits",
  "writeWords",
  "writeBits",
  "randomRead",
  "randomWriteWords",
  "randomWriteBits",
]);

/** Remote password length: 4 characters on Q/L, 6 to 32 on iQ-R; JSScada accepts 4 to 32. */
export const PASSWORD_LENGTH = { min: 4, max: 32 } as const;
/** Most characters of loopback data. */
export const MAX_LOOPBACK = 960;

/** The subcommand of the iQ-R extended device specification (0002/0003) for a Q one. */
export const EXTENDED_SUBCOMMAND_BIT = 0x0002;

/** Command and subcommand of a request, with the iQ-R subcommand when `extended`. */
export function commandCodes(req: McRequest, extended = false): readonly [number, number] {
  const [command, sub] = COMMAND_CODES[req.command];
  return extended && DEVICE_COMMANDS.has(req.command)
    ? [command, sub | EXTENDED_SUBCOMMAND_BIT]
    : [command, sub];
}

/** Most words in one word-unit batch read or write. */
export const MAX_BATCH_WORDS = 960;
/** Most points in one bit-unit batch read or write, per frame code. */
export const MAX_BATCH_BITS: Readonly<Record<FrameCode, number>> = { ascii: 3584, binary: 7168 };
/** Most words and bit points in one batch read or write (0401/1401) for a frame code and series. */
export interface BatchLimits {
  /** Word units (0000): words, 16 points each on a bit device. */
  readonly words: number;
  /** Bit units (0001): points. */
  readonly bits: number;
}

/**
 * The batch limits of a series and frame code. Q/L and iQ-R (MC protocol
 * manual, SLMP reference manual): 960 words, 3,584 (ASCII) or 7,168 (binary)
 * bits. iQ-F (FX5 SLMP manual JY997D56001, batch read, "Number of devices"):
 * ASCII 1 to 480 words and 1 to 1,792 bits, binary 1 to 960 words and 1 to
 * 3,584 bits.
 */
export function batchLimits(frame: FrameCode, series?: Series): BatchLimits {
  if (series === "iQ-F") {
    return frame === "ascii" ? { words: 480, bits: 1792 } : { words: 960, bits: 3584 };
  }
  return { words: MAX_BATCH_WORDS, bits: MAX_BATCH_BITS[frame] };
}

/** Most word plus double-word points in one random read. */
export const MAX_RANDOM_POINTS = 192;
/** Random write in word units: word points × 12 + double-word points × 14 may be at most this. */
export const MAX_RANDOM_WRITE_UNITS = 1920;
/** Most points in one random write in bit units. */
export const MAX_RANDOM_WRITE_BITS = 188;

/** The random read and write limits of one subcommand family. */
export interface RandomLimits {
  /** Random read 0403: word plus double-word points. */
  readonly readPoints: number;
  /** Random write 1402 in word units: word points × 12 + double-word points × 14. */
  readonly writeUnits: number;
  /** Random write 1402 in bit units: points. */
  readonly writeBits: number;
}

/**
 * Random read and write limits: the Q/L subcommands (0000/0001) allow 192
 * points, 1,920 units and 188 bits; the iQ-R subcommands (0002/0003) half of
 * each, 96 points, 960 units and 94 bits (SLMP reference manual SH(NA)-080956ENG,
 * Appendix 5 "Number of Processing per One Communication").
 */
export function randomLimits(extended = false): RandomLimits {
  return extended ? { readPoints: 96, writeUnits: 960, writeBits: 94 } : {
    readPoints: MAX_RANDOM_POINTS,
    writeUnits: MAX_RANDOM_WRITE_UNITS,
    writeBits: MAX_RANDOM_WRITE_BITS,
  };
}
/** Size of the CPU model name field. */
const MODEL_NAME_BYTES = 16;

function info(ref: DeviceRef): DeviceInfo {
  const d = DEVICES.get(ref.device);
  if (!d) throw new RangeError(`unknown device "${ref.device}"`);
  return d;
}

function checkDevice(
  ref: DeviceRef,
  frame: FrameCode,
  extended = false,
  dword = false,
  series?: Series,
): DeviceInfo {
  const d = info(ref);
  const missing = seriesDeviceProblem(d.name, series);
  if (missing) throw new RangeError(missing);
  if (d.iqrOnly && !extended) {
    throw new RangeError(
      `${ref.device} is an iQ-R device: it needs the iQ-R subcommands (set the PLC's series to iQ-R)`,
    );
  }
  if (d.long && !dword) {
    throw new RangeError(
      `${ref.device} holds double words: read it with random read double-word access`,
    );
  }
  if (series === "iQ-F" && (d.name === "X" || d.name === "Y") && ref.address >= IQF_XY_POINTS) {
    throw new RangeError(
      `${d.name} point ${ref.address} is past the end of an iQ-F CPU's ${IQF_XY_POINTS} ${d.name} points`,
    );
  }
  const max = extended
    ? (frame === "binary" || d.radix === 16 ? 0xffffffff : 99999999)
    : (frame === "binary" ? 0xffffff : d.radix === 16 ? 0xffffff : 999999);
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
 * bit-unit batch (half of each in ASCII and bit units on iQ-F, see
 * {@link batchLimits}), 192 points per random read (96 with the iQ-R
 * subcommands, {@link randomLimits}), bit units only on bit devices, and only devices the series has. A violation is a RangeError that
 * names the limit.
 */
export function checkRequest(
  req: McRequest,
  frame: FrameCode,
  extended = false,
  series?: Series,
): void {
  const limits = batchLimits(frame, series);
  const random = randomLimits(extended);
  const checkHead = (ref: DeviceRef, dword = false) =>
    checkDevice(ref, frame, extended, dword, series);
  switch (req.command) {
    case "readWords":
    case "writeWords": {
      checkHead(req.head);
      const n = req.command === "readWords" ? req.points : req.words.length;
      checkCount(n, limits.words, `${limits.words} words per word-unit batch`);
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
      const d = checkHead(req.head);
      if (d.kind !== "bit") {
        throw new RangeError(`bit-unit access needs a bit device; ${d.name} is a word device`);
      }
      const n = req.command === "readBits" ? req.points : req.bits.length;
      const max = limits.bits;
      checkCount(n, max, `${max} points per bit-unit batch in ${frame} frames`);
      return;
    }
    case "randomRead":
      for (const ref of req.words) checkHead(ref);
      for (const ref of req.dwords) checkHead(ref, true);
      checkCount(
        req.words.length + req.dwords.length,
        random.readPoints,
        `${random.readPoints} points per random read`,
      );
      return;
    case "cpuModel":
      return;
    case "randomWriteWords": {
      for (const w of req.words) {
        checkHead(w);
        checkValue(w.value, 0xffff, `word for ${w.device}${w.address}`);
      }
      for (const w of req.dwords) {
        checkHead(w, true);
        checkValue(w.value, 0xffffffff, `double word for ${w.device}${w.address}`);
      }
      const units = req.words.length * 12 + req.dwords.length * 14;
      if (req.words.length + req.dwords.length < 1 || units > random.writeUnits) {
        throw new RangeError(
          `${req.words.length} words and ${req.dwords.length} double words break the random ` +
            `write limit: 1 point at least, words × 12 + double words × 14 ≤ ${random.writeUnits}`,
        );
      }
      if (req.words.length > 0xff || req.dwords.length > 0xff) {
        throw new RangeError("a random write holds at most 255 words and 255 double words");
      }
      return;
    }
    case "randomWriteBits":
      for (const b of req.bits) {
        const d = checkHead(b);
        if (d.kind !== "bit") {
          throw new RangeError(`bit-unit access needs a bit device; ${d.name} is a word device`);
        }
      }
      checkCount(
        req.bits.length,
        random.writeBits,
        `${random.writeBits} points per bit-unit random write`,
      );
      return;
    case "remoteRun":
      if (req.clear !== undefined && ![0, 1, 2].includes(req.clear)) {
        throw new RangeError("the RUN clear mode must be 0 (none), 1 (all but latch) or 2 (all)");
      }
      return;
    case "unlock":
    case "lock":
      if (
        req.password.length < PASSWORD_LENGTH.min || req.password.length > PASSWORD_LENGTH.max ||
        !/^[\x21-\x7e]+$/.test(req.password)
      ) {
        throw new RangeError(
          `the remote password must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} printable ASCII characters`,
        );
      }
      return;
    case "loopback":
      if (!/^[0-9A-F]+$/.test(req.data) || req.data.length > MAX_LOOPBACK) {
        throw new RangeError(
          `loopback data must be 1 to ${MAX_LOOPBACK} characters of 0-9 and A-F`,
        );
      }
      return;
    default:
      return;
  }
}

function checkValue(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`the ${what} (${v}) is not 0 to ${max}`);
  }
}

/** Size of a request's data part in bytes (binary) or characters (ASCII). */
function requestDataSize(req: McRequest, frame: FrameCode, extended: boolean): number {
  const u = frame === "binary" ? 1 : 2;
  const dev = (extended ? 6 : 4) * u;
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
    case "randomWriteWords":
      return 2 * u + req.words.length * (dev + 2 * u) + req.dwords.length * (dev + 4 * u);
    case "randomWriteBits":
      // The set/reset value is 1 byte with subcommand 0001 and 2 bytes with 0003.
      return u + req.bits.length * (dev + (extended ? 2 : 1) * u);
    case "remoteRun":
      return 4 * u;
    case "remoteStop":
    case "remotePause":
    case "latchClear":
    case "remoteReset":
      return 2 * u;
    case "unlock":
    case "lock":
      return 2 * u + req.password.length;
    case "loopback":
      return 2 * u + req.data.length;
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
  const extended = options.extended === true;
  checkRequest(req, frame, extended, options.series);
  const u = frame === "binary" ? 1 : 2;
  const w = new FrameWriter(
    frame,
    headerSize(frame) + 6 * u + requestDataSize(req, frame, extended),
  );
  w.octalXy = octalXyOnWire(options);
  w.subheader(REQUEST_SUBHEADER);
  w.route(route);
  const lengthAt = w.pos;
  w.uint(0, 2);
  w.uint(timer, 2);
  const [command, subcommand] = commandCodes(req, extended);
  w.uint(command, 2);
  w.uint(subcommand, 2);
  switch (req.command) {
    case "readWords":
    case "readBits":
      w.device(info(req.head), req.head.address, extended);
      w.uint(req.points, 2);
      break;
    case "writeWords":
      w.device(info(req.head), req.head.address, extended);
      w.uint(req.words.length, 2);
      w.words(req.words);
      break;
    case "writeBits":
      w.device(info(req.head), req.head.address, extended);
      w.uint(req.bits.length, 2);
      w.bits(req.bits);
      break;
    case "randomRead":
      w.uint(req.words.length, 1);
      w.uint(req.dwords.length, 1);
      for (const ref of [...req.words, ...req.dwords]) w.device(info(ref), ref.address, extended);
      break;
    case "cpuModel":
      break;
    case "randomWriteWords":
      w.uint(req.words.length, 1);
      w.uint(req.dwords.length, 1);
      for (const v of req.words) {
        w.device(info(v), v.address, extended);
        w.uint(v.value, 2);
      }
      for (const v of req.dwords) {
        w.device(info(v), v.address, extended);
        w.uint(v.value, 4);
      }
      break;
    case "randomWriteBits":
      w.uint(req.bits.length, 1);
      for (const b of req.bits) {
        w.device(info(b), b.address, extended);
        w.uint(b.value ? 1 : 0, extended ? 2 : 1);
      }
      break;
    case "remoteRun":
      w.uint(req.force ? 0x0003 : 0x0001, 2);
      w.uint(req.clear ?? 0, 1);
      w.uint(0, 1);
      break;
    case "remotePause":
      w.uint(req.force ? 0x0003 : 0x0001, 2);
      break;
    case "remoteStop":
    case "latchClear":
    case "remoteReset":
      w.uint(0x0001, 2);
      break;
    case "unlock":
    case "lock":
      // The password is ASCII text in both codes, after its length.
      w.uint(req.password.length, 2);
      w.text(req.password, req.password.length);
      break;
    case "loopback":
      w.uint(req.data.length, 2);
      w.text(req.data, req.data.length);
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
    case "randomWriteWords":
    case "randomWriteBits":
    case "remoteRun":
    case "remoteStop":
    case "remotePause":
    case "latchClear":
    case "remoteReset":
    case "unlock":
    case "lock":
      res = { command: req.command };
      break;
    case "loopback": {
      const at = r.pos;
      const n = r.uint(2, "loopback byte count");
      if (n !== req.data.length) {
        throw PlcError.protocol(`the loopback answer holds ${n} bytes, not ${req.data.length}`, at);
      }
      const data = r.text(n, "loopback data");
      if (data !== req.data) throw PlcError.protocol("the loopback data came back changed", at);
      res = { command: "loopback", data };
      break;
    }
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
