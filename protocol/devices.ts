/**
 * MELSEC device table for the MC protocol (QnA-compatible 3E frames, device
 * codes of the Q/L series and iQ-R in Q-compatible mode), after the SLMP
 * reference manual's device code table. ZR is numbered in decimal there, which
 * JSScada follows (some third-party tools treat it as hexadecimal).
 */

/** The device names JSScada can address. */
export type DeviceName =
  | "X"
  | "Y"
  | "M"
  | "L"
  | "F"
  | "V"
  | "B"
  | "D"
  | "W"
  | "R"
  | "ZR"
  | "TS"
  | "TC"
  | "TN"
  | "CS"
  | "CC"
  | "CN"
  | "SM"
  | "SD"
  | "SB"
  | "SW"
  | "DX"
  | "DY"
  | "S"
  | "Z"
  | "LTS"
  | "LTC"
  | "LTN"
  | "LSTS"
  | "LSTC"
  | "LSTN"
  | "LCS"
  | "LCC"
  | "LCN"
  | "LZ"
  | "RD";

/** What the protocol needs to know about one device. */
export interface DeviceInfo {
  readonly name: DeviceName;
  /** Device code in binary frames (one byte). */
  readonly binaryCode: number;
  /** Device code in ASCII frames (two characters, `*` pads one-letter names). */
  readonly asciiCode: string;
  /** Bit devices hold points of one bit; word devices hold 16-bit words. */
  readonly kind: "bit" | "word";
  /** Radix of device numbers as written by engineers and sent in ASCII frames. */
  readonly radix: 10 | 16;
  /**
   * Number of points the fixture PLC provides and address validation accepts:
   * a generous Q/iQ-R configuration (the real size is set in the CPU parameters).
   */
  readonly size: number;
  readonly description: string;
  /** Only iQ-R CPUs have it; reachable only with the iQ-R subcommands (0002/0003). */
  readonly iqrOnly?: boolean;
  /**
   * A long device: each point is a double word (two words, low first). JSScada
   * reads it with random read double-word access only.
   */
  readonly long?: boolean;
}

const table: DeviceInfo[] = [
  {
    name: "X",
    binaryCode: 0x9c,
    asciiCode: "X*",
    kind: "bit",
    radix: 16,
    size: 0x2000,
    description: "input",
  },
  {
    name: "Y",
    binaryCode: 0x9d,
    asciiCode: "Y*",
    kind: "bit",
    radix: 16,
    size: 0x2000,
    description: "output",
  },
  {
    name: "M",
    binaryCode: 0x90,
    asciiCode: "M*",
    kind: "bit",
    radix: 10,
    size: 32768,
    description: "internal relay",
  },
  {
    name: "L",
    binaryCode: 0x92,
    asciiCode: "L*",
    kind: "bit",
    radix: 10,
    size: 8192,
    description: "latch relay",
  },
  {
    name: "F",
    binaryCode: 0x93,
    asciiCode: "F*",
    kind: "bit",
    radix: 10,
    size: 2048,
    description: "annunciator",
  },
  {
    name: "V",
    binaryCode: 0x94,
    asciiCode: "V*",
    kind: "bit",
    radix: 10,
    size: 2048,
    description: "edge relay",
  },
  {
    name: "B",
    binaryCode: 0xa0,
    asciiCode: "B*",
    kind: "bit",
    radix: 16,
    size: 0x8000,
    description: "link relay",
  },
  {
    name: "D",
    binaryCode: 0xa8,
    asciiCode: "D*",
    kind: "word",
    radix: 10,
    size: 32768,
    description: "data register",
  },
  {
    name: "W",
    binaryCode: 0xb4,
    asciiCode: "W*",
    kind: "word",
    radix: 16,
    size: 0x8000,
    description: "link register",
  },
  {
    name: "R",
    binaryCode: 0xaf,
    asciiCode: "R*",
    kind: "word",
    radix: 10,
    size: 32768,
    description: "file register (block switching)",
  },
  {
    name: "ZR",
    binaryCode: 0xb0,
    asciiCode: "ZR",
    kind: "word",
    radix: 10,
    size: 1048576,
    description: "file register (serial numbers)",
  },
  {
    name: "TS",
    binaryCode: 0xc1,
    asciiCode: "TS",
    kind: "bit",
    radix: 10,
    size: 2048,
    description: "timer contact",
  },
  {
    name: "TC",
    binaryCode: 0xc0,
    asciiCode: "TC",
    kind: "bit",
    radix: 10,
    size: 2048,
    description: "timer coil",
  },
  {
    name: "TN",
    binaryCode: 0xc2,
    asciiCode: "TN",
    kind: "word",
    radix: 10,
    size: 2048,
    description: "timer current value",
  },
  {
    name: "CS",
    binaryCode: 0xc4,
    asciiCode: "CS",
    kind: "bit",
    radix: 10,
    size: 1024,
    description: "counter contact",
  },
  {
    name: "CC",
    binaryCode: 0xc3,
    asciiCode: "CC",
    kind: "bit",
    radix: 10,
    size: 1024,
    description: "counter coil",
  },
  {
    name: "CN",
    binaryCode: 0xc5,
    asciiCode: "CN",
    kind: "word",
    radix: 10,
    size: 1024,
    description: "counter current value",
  },
  {
    name: "SM",
    binaryCode: 0x91,
    asciiCode: "SM",
    kind: "bit",
    radix: 10,
    size: 2048,
    description: "special relay",
  },
  {
    name: "SD",
    binaryCode: 0xa9,
    asciiCode: "SD",
    kind: "word",
    radix: 10,
    size: 2048,
    description: "special register",
  },
  {
    name: "SB",
    binaryCode: 0xa1,
    asciiCode: "SB",
    kind: "bit",
    radix: 16,
    size: 0x800,
    description: "link special relay",
  },
  {
    name: "SW",
    binaryCode: 0xb5,
    asciiCode: "SW",
    kind: "word",
    radix: 16,
    size: 0x800,
    description: "link special register",
  },
  {
    name: "DX",
    binaryCode: 0xa2,
    asciiCode: "DX",
    kind: "bit",
    radix: 16,
    size: 0x2000,
    description: "direct access input",
  },
  {
    name: "DY",
    binaryCode: 0xa3,
    asciiCode: "DY",
    kind: "bit",
    radix: 16,
    size: 0x2000,
    description: "direct access output",
  },
  {
    name: "S",
    binaryCode: 0x98,
    asciiCode: "S*",
    kind: "bit",
    radix: 10,
    size: 8192,
    description: "step relay",
  },
  {
    name: "Z",
    binaryCode: 0xcc,
    asciiCode: "Z*",
    kind: "word",
    radix: 10,
    size: 20,
    description: "index register",
  },
  // iQ-R devices (SLMP reference manual device code table; the same codes as
  // pymcprotocol's DeviceConstants). Reachable only with subcommands 0002/0003.
  iqr("LTS", 0x51, "bit", 1024, "long timer contact"),
  iqr("LTC", 0x50, "bit", 1024, "long timer coil"),
  iqr("LTN", 0x52, "word", 1024, "long timer current value", true),
  iqr("LSTS", 0x59, "bit", 1024, "long retentive timer contact"),
  iqr("LSTC", 0x58, "bit", 1024, "long retentive timer coil"),
  iqr("LSTN", 0x5a, "word", 1024, "long retentive timer current value", true),
  iqr("LCS", 0x55, "bit", 1024, "long counter contact"),
  iqr("LCC", 0x54, "bit", 1024, "long counter coil"),
  iqr("LCN", 0x56, "word", 1024, "long counter current value", true),
  iqr("LZ", 0x62, "word", 32, "long index register", true),
  iqr("RD", 0x2c, "word", 524288, "refresh data register"),
];

function iqr(
  name: DeviceName,
  binaryCode: number,
  kind: "bit" | "word",
  size: number,
  description: string,
  long = false,
): DeviceInfo {
  const d = { name, binaryCode, asciiCode: name, kind, radix: 10 as const, size, description };
  return long ? { ...d, iqrOnly: true, long: true } : { ...d, iqrOnly: true };
}

/** A device's code in the iQ-R extended specification's ASCII form: four characters, `*`-padded. */
export function extendedAsciiCode(info: DeviceInfo): string {
  return info.name.padEnd(4, "*");
}

/** Every device, by name. */
export const DEVICES: ReadonlyMap<DeviceName, DeviceInfo> = new Map(table.map((d) => [d.name, d]));

/** Device names, two-letter names first so that prefix matching picks `DX` over `D`. */
export const DEVICE_NAMES: readonly DeviceName[] = table.map((d) => d.name).sort((a, b) =>
  b.length - a.length
);

const qTable = table.filter((d) => !d.iqrOnly);
const byBinaryCode = new Map(qTable.map((d) => [d.binaryCode, d]));
const byAsciiCode = new Map(qTable.map((d) => [d.asciiCode, d]));
const byExtendedBinaryCode = new Map(table.map((d) => [d.binaryCode, d]));
const byExtendedAsciiCode = new Map(table.map((d) => [extendedAsciiCode(d), d]));

/** The device with this 2-byte code of the iQ-R extended specification, or undefined. */
export function deviceByExtendedBinaryCode(code: number): DeviceInfo | undefined {
  return byExtendedBinaryCode.get(code);
}

/** The device with this 4-character code of the iQ-R extended specification (`D***`, `LTN*`). */
export function deviceByExtendedAsciiCode(code: string): DeviceInfo | undefined {
  return byExtendedAsciiCode.get(code);
}

/** Looks a device up by name; throws RangeError for an unknown name. */
export function device(name: string): DeviceInfo {
  const info = DEVICES.get(name as DeviceName);
  if (!info) throw new RangeError(`unknown device "${name}"`);
  return info;
}

/** The device with this binary code, or undefined. */
export function deviceByBinaryCode(code: number): DeviceInfo | undefined {
  return byBinaryCode.get(code);
}

/** The device with this ASCII code (upper case, e.g. `D*`), or undefined. */
export function deviceByAsciiCode(code: string): DeviceInfo | undefined {
  return byAsciiCode.get(code);
}

/**
 * MELSEC CPU series as the codec tells them apart: Q (also L), iQ-R, iQ-F
 * (FX5, SLMP) and FX3 (1E frames, protocol/frame1e.ts). The series decides
 * how X and Y are numbered and which devices exist.
 */
export type Series = "Q" | "iQ-R" | "iQ-F" | "FX3";

/**
 * How an iQ-F CPU set to the ASCII data code writes X/Y device numbers on the
 * wire (GX Works3 own-node setting, FX5 SLMP manual JY997D56001 §4.1):
 * "ASCII code (X, Y OCT)" as octal digits, "ASCII code (X, Y HEX)" as
 * hexadecimal digits of the point index. Binary frames always carry the index.
 */
export type XyNotation = "octal" | "hex";

/** X and Y points of an iQ-F CPU: 1,024 each, X0–X1777 in octal. */
export const IQF_XY_POINTS = 1024;

const isXy = (name: DeviceName) => name === "X" || name === "Y";

/**
 * The radix engineers write a device's numbers in on a series: X and Y are
 * octal on iQ-F (GX Works3 shows X0–X7, X10…), hexadecimal on Q/L/iQ-R; the
 * other devices keep the device table's radix.
 */
export function deviceRadix(name: DeviceName, series?: Series): 8 | 10 | 16 {
  return series === "iQ-F" && isXy(name) ? 8 : DEVICES.get(name)!.radix;
}

/** Points a device has on a series (iQ-F: 1,024 X and 1,024 Y; else the device table's size). */
export function deviceSize(name: DeviceName, series?: Series): number {
  return series === "iQ-F" && isXy(name) ? IQF_XY_POINTS : DEVICES.get(name)!.size;
}

/**
 * Why a series has no such device, or undefined. An iQ-F CPU refuses the
 * iQ-R subcommands 0002/0003 (end code C059), so the 4-character iQ-R devices
 * are out of its reach, and it has no direct access DX/DY.
 */
export function seriesDeviceProblem(name: DeviceName, series?: Series): string | undefined {
  if (series !== "iQ-F") return undefined;
  const info = DEVICES.get(name)!;
  if (info.iqrOnly) {
    return `${name} (${info.description}) is an iQ-R device; an iQ-F CPU refuses the iQ-R ` +
      "subcommands 0002/0003 it needs (end code C059)";
  }
  if (name === "DX" || name === "DY") {
    return `iQ-F CPUs have no ${name} (${info.description}); use ${name.slice(1)} instead`;
  }
  return undefined;
}

/**
 * iQ-R timer contacts and coils that JSScada neither polls nor writes: on an
 * R08CPU a batch read (0401) of LTS, LTC, LSTS or LSTC answers end code 4030
 * (measured, fa-yoshinobu/plc-comm-slmp-python device access matrix); the
 * SLMP manual's device code list does not say which commands reach them.
 * Their state is in the long timer's current value (LTN, LSTN) records only.
 */
const IQR_UNPOLLED: ReadonlySet<DeviceName> = new Set(["LTS", "LTC", "LSTS", "LSTC"]);

/**
 * Why tags (polling and operator writes) cannot use this device on a PLC of
 * `series`, or undefined when they can. The iQ-R devices need a PLC of series
 * iQ-R (subcommands 0002/0003); of them, the long timer contacts and coils are
 * refused on every series (see {@link IQR_UNPOLLED}).
 */
export function tagDeviceProblem(name: DeviceName, series?: string): string | undefined {
  const info = DEVICES.get(name)!;
  if (!info.iqrOnly) return undefined;
  if (series !== "iQ-R") {
    return `${name} (${info.description}) is an iQ-R device, which a PLC of series ${
      series ?? "Q"
    } does not have; set the PLC's series to iQ-R`;
  }
  if (IQR_UNPOLLED.has(name)) {
    const value = name.startsWith("LST") ? "LSTN" : "LTN";
    return `${name} (${info.description}) is not read by polling: an iQ-R CPU refuses its batch ` +
      `read (end code 4030 measured on an R08CPU); poll the timer's current value ${value} instead`;
  }
  return undefined;
}

/** A parsed device address such as `D100`, `X1A0` or `D100.5` (bit 5 of D100). */
export interface Address {
  readonly device: DeviceName;
  /** Device number (already converted from the device's radix): the point index for X/Y. */
  readonly address: number;
  /** For `D100.5`: the bit (0–15) of a word device. */
  readonly bit?: number;
}

const DIGITS: Readonly<Record<8 | 10 | 16, RegExp>> = {
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9A-F]+$/,
};
const RADIX_NAMES: Readonly<Record<8 | 10 | 16, string>> = {
  8: "octal",
  10: "decimal",
  16: "hexadecimal",
};

/**
 * Parses an address as engineers write it: device name, then the number in the
 * device's radix on `series` (hex for X, Y, B, W, SB, SW, DX, DY; X and Y
 * octal on iQ-F, so `X17` is point 15), then optionally `.n` for bit n of a
 * word device. Throws RangeError with a sentence naming the problem: a digit
 * outside the radix, an address past the device's end, a device the series
 * does not have.
 */
export function parseAddress(text: string, series?: Series): Address {
  const s = text.trim().toUpperCase();
  const name = DEVICE_NAMES.find((n) => s.startsWith(n) && s.length > n.length);
  if (!name) throw new RangeError(`"${text}" does not start with a known device name`);
  const info = DEVICES.get(name)!;
  const missing = seriesDeviceProblem(name, series);
  if (missing) throw new RangeError(`"${text}": ${missing}`);
  let rest = s.slice(name.length);
  let bit: number | undefined;
  const dot = rest.indexOf(".");
  if (dot >= 0) {
    const bitText = rest.slice(dot + 1);
    rest = rest.slice(0, dot);
    if (info.kind !== "word") {
      throw new RangeError(`"${text}": a bit number (.n) is only allowed on word devices`);
    }
    if (!/^[0-9A-F]$|^1[0-5]$/.test(bitText)) {
      throw new RangeError(`"${text}": the bit number must be 0 to 15 (or 0 to F)`);
    }
    bit = /^[0-9]+$/.test(bitText) ? Number(bitText) : parseInt(bitText, 16);
  }
  const radix = deviceRadix(name, series);
  if (!DIGITS[radix].test(rest)) {
    const bad = radix === 8 ? [...rest].find((c) => !/[0-7]/.test(c)) : undefined;
    throw new RangeError(
      `"${text}": ${name} device numbers are ${RADIX_NAMES[radix]}${
        series === "iQ-F" && radix === 8 ? " on iQ-F" : ""
      }${bad !== undefined ? ` (digits 0 to 7; "${bad}" is not one)` : ""}`,
    );
  }
  const address = parseInt(rest, radix);
  const size = deviceSize(name, series);
  if (address >= size) {
    throw new RangeError(
      `"${text}" is past the end of device ${name} (${formatDeviceNumber(name, size - 1, series)})`,
    );
  }
  return bit === undefined ? { device: name, address } : { device: name, address, bit };
}

/** Formats a device number in its device's radix on `series`, e.g. `1A0` for X (`17` for point 15 of X on iQ-F). */
export function formatDeviceNumber(name: DeviceName, address: number, series?: Series): string {
  return address.toString(deviceRadix(name, series)).toUpperCase();
}

/** Formats an address back to the text form that {@link parseAddress} reads on `series`. */
export function formatAddress(a: Address, series?: Series): string {
  const base = `${a.device}${formatDeviceNumber(a.device, a.address, series)}`;
  return a.bit === undefined ? base : `${base}.${a.bit.toString(16).toUpperCase()}`;
}
