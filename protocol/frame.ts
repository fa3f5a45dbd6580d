/**
 * 3E frame primitives shared by requests and responses: frame codes, the route
 * header, and the byte-level readers and writers that hide the difference
 * between binary (little-endian bytes) and ASCII (upper-case hex characters,
 * most significant digit first) codes. Pure: no sockets, no Deno I/O.
 */
import {
  deviceByAsciiCode,
  deviceByBinaryCode,
  deviceByExtendedAsciiCode,
  deviceByExtendedBinaryCode,
  type DeviceInfo,
  extendedAsciiCode,
  type Series,
  type XyNotation,
} from "./devices.ts";
import { PlcError } from "./errors.ts";

/** The two communication data codes of the MC protocol. */
export type FrameCode = "ascii" | "binary";

/** Where a request goes: the 3E frame's route fields. */
export interface Route {
  /** Network number (0 = own network). */
  readonly network: number;
  /** PC number (0xFF = the station connected to). */
  readonly pc: number;
  /** Request destination module I/O number (0x03FF = own CPU). */
  readonly moduleIo: number;
  /** Request destination module station number. */
  readonly station: number;
}

/** The route of a directly connected CPU: 00 / FF / 03FF / 00. */
export const DEFAULT_ROUTE: Route = Object.freeze({
  network: 0,
  pc: 0xff,
  moduleIo: 0x03ff,
  station: 0,
});

/** Default monitoring timer: 16 × 250 ms = 4 s. */
export const DEFAULT_MONITORING_TIMER = 0x0010;

/** Which frame carries the messages: 3E, or 4E (3E plus a serial number). */
export type FrameType = "3E" | "4E";

/** Options for building request frames. */
export interface FrameOptions {
  readonly frame: FrameCode;
  /** 3E (default) or 4E. */
  readonly type?: FrameType;
  /**
   * 4E only: the serial number the request carries (default 0); decoding a
   * response checks that it echoes this number.
   */
  readonly serial?: number;
  /**
   * iQ-R subcommands (0002 words, 0003 bits) with the extended device
   * specification: binary 4-byte device number and 2-byte code, ASCII
   * 4-character code and 8-digit number. Needed for iQ-R devices.
   */
  readonly extended?: boolean;
  /**
   * The CPU series (default Q). iQ-F (FX5) has halved ASCII batch limits
   * (commands.ts batchLimits) and, in ASCII frames, X/Y numbers written per
   * {@link xyNotation}; no iQ-R devices and no DX/DY.
   */
  readonly series?: Series;
  /** iQ-F in ASCII only: X/Y device numbers as octal (default) or hexadecimal digits. */
  readonly xyNotation?: XyNotation;
  readonly route?: Route;
  /** Monitoring timer in 250 ms units (0 waits forever). */
  readonly monitoringTimer?: number;
}

/**
 * Whether ASCII frames carry X/Y device numbers as octal digits: an iQ-F CPU
 * set to "ASCII code (X, Y OCT)" (FX5 SLMP manual JY997D56001 §4.1), the
 * default notation for iQ-F. Binary frames always carry the point index.
 */
export function octalXyOnWire(
  options: {
    readonly frame: FrameCode;
    readonly series?: Series;
    readonly xyNotation?: XyNotation;
  },
): boolean {
  return options.frame === "ascii" && options.series === "iQ-F" && options.xyNotation !== "hex";
}

/** The radix of a device's number in an ASCII frame: its table radix, or 8 for X/Y when `octalXy`. */
function asciiRadix(info: DeviceInfo, octalXy: boolean): number {
  return octalXy && (info.name === "X" || info.name === "Y") ? 8 : info.radix;
}

/** Subheaders as the first 16 bits on the wire. */
export const REQUEST_SUBHEADER = 0x5000;
export const RESPONSE_SUBHEADER = 0xd000;

/** Size of the fixed part before the data length field ends (binary bytes / ASCII characters). */
export function headerSize(frame: FrameCode): number {
  return frame === "binary" ? 9 : 18;
}

/** Checks that a route's fields fit their widths; throws RangeError naming the field. */
export function checkRoute(route: Route): void {
  const fits = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
  if (!fits(route.network, 0xff)) throw new RangeError("route network must be 0 to 255");
  if (!fits(route.pc, 0xff)) throw new RangeError("route pc must be 0 to 255");
  if (!fits(route.moduleIo, 0xffff)) throw new RangeError("route moduleIo must be 0 to 0xFFFF");
  if (!fits(route.station, 0xff)) throw new RangeError("route station must be 0 to 255");
}

const HEX = new TextEncoder().encode("0123456789ABCDEF");
/** Hex digit value per byte, -1 for non-hex bytes (both letter cases accepted). */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE[HEX[i]] = i;
  HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
}

/** Writes frame fields into a preallocated buffer in either code. */
export class FrameWriter {
  readonly buf: Uint8Array;
  pos = 0;
  /** ASCII X/Y device numbers as octal digits (see {@link octalXyOnWire}). */
  octalXy = false;
  constructor(readonly frame: FrameCode, capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  /** An unsigned field of `bytes` bytes (binary: little-endian; ASCII: 2 × bytes hex digits). */
  uint(value: number, bytes: number): void {
    const b = this.buf;
    if (this.frame === "binary") {
      for (let i = 0; i < bytes; i++) b[this.pos++] = (value >>> (8 * i)) & 0xff;
    } else {
      for (let i = bytes * 2 - 1; i >= 0; i--) b[this.pos++] = HEX[(value >>> (4 * i)) & 0xf];
    }
  }

  /** 16-bit words: binary little-endian, ASCII four hex digits each. */
  words(values: ArrayLike<number>): void {
    const b = this.buf;
    let p = this.pos;
    if (this.frame === "binary") {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        b[p++] = v & 0xff;
        b[p++] = (v >>> 8) & 0xff;
      }
    } else {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        b[p++] = HEX[(v >>> 12) & 0xf];
        b[p++] = HEX[(v >>> 8) & 0xf];
        b[p++] = HEX[(v >>> 4) & 0xf];
        b[p++] = HEX[v & 0xf];
      }
    }
    this.pos = p;
  }

  /** Bit-unit points: binary two points a byte (first point in the high nibble), ASCII one character a point. */
  bits(values: ArrayLike<boolean>): void {
    const b = this.buf;
    if (this.frame === "binary") {
      for (let i = 0; i < values.length; i += 2) {
        b[this.pos++] = (values[i] ? 0x10 : 0) | (i + 1 < values.length && values[i + 1] ? 1 : 0);
      }
    } else {
      for (let i = 0; i < values.length; i++) b[this.pos++] = values[i] ? 0x31 : 0x30;
    }
  }

  /**
   * A device specification: binary number (3 bytes) then code; ASCII code then
   * six digits in the device's radix (octal for X/Y when {@link octalXy}).
   */
  device(info: DeviceInfo, address: number, extended = false): void {
    if (extended) {
      if (this.frame === "binary") {
        this.uint(address, 4);
        this.uint(info.binaryCode, 2);
        return;
      }
      const code = extendedAsciiCode(info);
      for (let i = 0; i < 4; i++) this.buf[this.pos++] = code.charCodeAt(i);
      const digits = address.toString(asciiRadix(info, this.octalXy)).toUpperCase()
        .padStart(8, "0");
      for (let i = 0; i < 8; i++) this.buf[this.pos++] = digits.charCodeAt(i);
      return;
    }
    if (this.frame === "binary") {
      this.uint(address, 3);
      this.buf[this.pos++] = info.binaryCode;
    } else {
      this.buf[this.pos++] = info.asciiCode.charCodeAt(0);
      this.buf[this.pos++] = info.asciiCode.charCodeAt(1);
      const digits = address.toString(asciiRadix(info, this.octalXy)).toUpperCase()
        .padStart(6, "0");
      for (let i = 0; i < 6; i++) this.buf[this.pos++] = digits.charCodeAt(i);
    }
  }

  /** Raw ASCII text (binary) or its characters (ASCII), padded with spaces to `size` bytes. */
  text(value: string, size: number): void {
    for (let i = 0; i < size; i++) {
      this.buf[this.pos++] = i < value.length ? value.charCodeAt(i) & 0x7f : 0x20;
    }
  }

  /** A subheader: its two bytes in wire order (binary) or four characters (ASCII). */
  subheader(value: number): void {
    if (this.frame === "binary") {
      this.buf[this.pos++] = value >> 8;
      this.buf[this.pos++] = value & 0xff;
    } else this.uint(value, 2);
  }

  /** The route header fields in frame order. */
  route(r: Route): void {
    this.uint(r.network, 1);
    this.uint(r.pc, 1);
    this.uint(r.moduleIo, 2);
    this.uint(r.station, 1);
  }

  /** Writes the data length at `at` (a 2-byte field) as the number of units after the header. */
  patchLength(at: number): void {
    const saved = this.pos;
    const length = saved - headerSize(this.frame);
    this.pos = at;
    this.uint(length, 2);
    this.pos = saved;
  }

  /** The bytes written so far. */
  done(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
  }
}

/**
 * Reads frame fields in either code, tracking the offset so that every
 * failure is a PlcError naming the byte where the frame went wrong.
 */
export class FrameReader {
  pos = 0;
  /** ASCII X/Y device numbers are octal digits (see {@link octalXyOnWire}). */
  octalXy = false;
  constructor(readonly frame: FrameCode, readonly buf: Uint8Array) {}

  /** Bytes (binary) or characters (ASCII) that a field of `bytes` bytes takes. */
  width(bytes: number): number {
    return this.frame === "binary" ? bytes : bytes * 2;
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }

  need(units: number, what: string): void {
    if (this.remaining() < units) {
      throw PlcError.protocol(`frame ends inside the ${what}`, this.buf.length);
    }
  }

  uint(bytes: number, what: string): number {
    const b = this.buf;
    this.need(this.width(bytes), what);
    let v = 0;
    if (this.frame === "binary") {
      for (let i = 0; i < bytes; i++) v += b[this.pos++] * 2 ** (8 * i);
    } else {
      for (let i = 0; i < bytes * 2; i++) {
        const d = HEX_VALUE[b[this.pos]];
        if (d < 0) throw PlcError.protocol(`${what} is not hexadecimal`, this.pos);
        v = v * 16 + d;
        this.pos++;
      }
    }
    return v;
  }

  words(count: number, what: string): Uint16Array {
    const out = new Uint16Array(count);
    const b = this.buf;
    let p = this.pos;
    if (this.frame === "binary") {
      this.need(count * 2, what);
      for (let i = 0; i < count; i++, p += 2) out[i] = b[p] | (b[p + 1] << 8);
    } else {
      this.need(count * 4, what);
      for (let i = 0; i < count; i++, p += 4) {
        const a = HEX_VALUE[b[p]], c = HEX_VALUE[b[p + 1]];
        const d = HEX_VALUE[b[p + 2]], e = HEX_VALUE[b[p + 3]];
        if ((a | c | d | e) < 0) {
          const bad = [a, c, d, e].findIndex((x) => x < 0);
          throw PlcError.protocol(`${what} is not hexadecimal`, p + bad);
        }
        out[i] = (a << 12) | (c << 8) | (d << 4) | e;
      }
    }
    this.pos = p;
    return out;
  }

  bits(count: number, what: string): boolean[] {
    const out = new Array<boolean>(count);
    const b = this.buf;
    if (this.frame === "binary") {
      this.need(Math.ceil(count / 2), what);
      for (let i = 0; i < count; i += 2) {
        const byte = b[this.pos];
        const hi = byte >> 4, lo = byte & 0xf;
        if (hi > 1 || lo > 1 || (i + 1 >= count && lo !== 0)) {
          throw PlcError.protocol(`${what} holds a point that is neither 0 nor 1`, this.pos);
        }
        out[i] = hi === 1;
        if (i + 1 < count) out[i + 1] = lo === 1;
        this.pos++;
      }
    } else {
      this.need(count, what);
      for (let i = 0; i < count; i++) {
        const c = b[this.pos];
        if (c !== 0x30 && c !== 0x31) {
          throw PlcError.protocol(`${what} holds a point that is neither 0 nor 1`, this.pos);
        }
        out[i] = c === 0x31;
        this.pos++;
      }
    }
    return out;
  }

  /** Reads `bytes` bytes of ASCII text (the same in both codes). */
  text(bytes: number, what: string): string {
    this.need(bytes, what);
    let s = "";
    for (let i = 0; i < bytes; i++) s += String.fromCharCode(this.buf[this.pos++]);
    return s;
  }

  /**
   * A device specification. `info` is undefined for an unknown device code, so
   * that a server can answer with the manual's end code instead of failing.
   */
  device(
    what: string,
    extended = false,
  ): { info: DeviceInfo | undefined; address: number; codeOffset: number } {
    if (extended) return this.#extendedDevice(what);
    if (this.frame === "binary") {
      const address = this.uint(3, `${what} device number`);
      this.need(1, `${what} device code`);
      const codeOffset = this.pos;
      return { info: deviceByBinaryCode(this.buf[this.pos++]), address, codeOffset };
    }
    this.need(8, `${what} device`);
    const codeOffset = this.pos;
    const info = deviceByAsciiCode(String.fromCharCode(this.buf[this.pos], this.buf[this.pos + 1]));
    this.pos += 2;
    const radix = info ? asciiRadix(info, this.octalXy) : 16;
    let address = 0;
    for (let i = 0; i < 6; i++, this.pos++) {
      const d = HEX_VALUE[this.buf[this.pos]];
      if (d < 0 || d >= radix) {
        throw PlcError.protocol(`${what} device number is not a base-${radix} number`, this.pos);
      }
      address = address * radix + d;
    }
    return { info, address, codeOffset };
  }

  /** The iQ-R extended device specification (subcommands 0002/0003). */
  #extendedDevice(
    what: string,
  ): { info: DeviceInfo | undefined; address: number; codeOffset: number } {
    if (this.frame === "binary") {
      const address = this.uint(4, `${what} device number`);
      const codeOffset = this.pos;
      const code = this.uint(2, `${what} device code`);
      return { info: deviceByExtendedBinaryCode(code), address, codeOffset };
    }
    this.need(12, `${what} device`);
    const codeOffset = this.pos;
    const b = this.buf;
    const info = deviceByExtendedAsciiCode(
      String.fromCharCode(b[this.pos], b[this.pos + 1], b[this.pos + 2], b[this.pos + 3]),
    );
    this.pos += 4;
    const radix = info ? asciiRadix(info, this.octalXy) : 16;
    let address = 0;
    for (let i = 0; i < 8; i++, this.pos++) {
      const d = HEX_VALUE[b[this.pos]];
      if (d < 0 || d >= radix) {
        throw PlcError.protocol(`${what} device number is not a base-${radix} number`, this.pos);
      }
      address = address * radix + d;
    }
    return { info, address, codeOffset };
  }

  /** A subheader, read as its first byte times 256 plus its second (0x5000, 0xD000). */
  subheader(): number {
    if (this.frame === "ascii") return this.uint(2, "subheader");
    this.need(2, "subheader");
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  route(): Route {
    const network = this.uint(1, "network number");
    const pc = this.uint(1, "PC number");
    const moduleIo = this.uint(2, "module I/O number");
    const station = this.uint(1, "station number");
    return { network, pc, moduleIo, station };
  }
}
