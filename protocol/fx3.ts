/**
 * FX3 addressing and limits as the runtime and the store use them: tag
 * addresses in the FX numbering (X and Y octal, the rest decimal, `.n` for a
 * bit of a word device as on Q), mapped onto the device names of
 * protocol/devices.ts so the read planner and the write plan work unchanged,
 * with the FX3's own device sizes and the 1E limits per request.
 *
 * Limits are the 1E codec's (protocol/frame1e.ts limit1E, after the
 * FX3U-ENET-ADP user's manual, 7.4 "List of commands and functions for the
 * MC protocol"): batch read in bit units 256 points (00H); in word units 32
 * words (512 points) of a bit device, 64 points of a word device (01H);
 * batch write in bit units 160 points (02H); in word units 10 words (160
 * points) of a bit device, 64 points of a word device (03H). The
 * counters C200–C255 are 32-bit: a 1E answer carries 4 bytes a point for
 * them, which JSScada's 1E codec does not frame, so CN200 and above are
 * refused here.
 */
import type { Address, DeviceName } from "./devices.ts";
import {
  DEVICES_1E,
  formatAddress1E,
  MAX_1E_BIT_DEVICE_READ_WORDS,
  MAX_1E_BIT_DEVICE_WRITE_WORDS,
  MAX_1E_WORDS,
  MAX_1E_WRITE_BITS,
  parseAddress1E,
} from "./frame1e.ts";

/** Points of each FX3 device (protocol/frame1e.ts); a device not in the map is no FX3 device. */
export const FX3_SIZES: ReadonlyMap<DeviceName, number> = new Map(
  [...DEVICES_1E.values()].map((d) => [d.name, d.size]),
);

const NAMES = [...DEVICES_1E.keys()].sort((a, b) => b.length - a.length);
const NAMES_TEXT = [...DEVICES_1E.keys()].join(", ");

/** Most words of a word-unit batch read of a word device (01H). */
export const FX3_MAX_READ_WORDS = MAX_1E_WORDS;
/** Most words of a word-unit batch read of a bit device (01H: 32 words, 512 points). */
export const FX3_MAX_READ_BIT_DEVICE_WORDS = MAX_1E_BIT_DEVICE_READ_WORDS;
/** Most words of a word-unit batch write of a word device (03H). */
export const FX3_MAX_WRITE_WORDS = MAX_1E_WORDS;
/** Most words of a word-unit batch write of a bit device (03H: 10 words, 160 points). */
export const FX3_MAX_WRITE_BIT_DEVICE_WORDS = MAX_1E_BIT_DEVICE_WRITE_WORDS;
/** Most points of a bit-unit batch write (02H). */
export const FX3_MAX_WRITE_BITS = MAX_1E_WRITE_BITS;
/** The first 32-bit counter: CN200–CN255 are not read or written through 1E by JSScada. */
export const FX3_FIRST_LONG_COUNTER = 200;

/**
 * Parses an FX3 tag address: `X17` and `Y20` in octal, `D100`, `M8000`,
 * `TN5` in decimal, `D100.5` for bit 5 of D100 (the bit 0–15 or 0–F, word
 * devices only). RangeError with a sentence naming the problem (a digit that
 * is not octal, a device the FX3 does not have, a point past its end).
 */
export function parseFx3Address(text: string): Address {
  const s = text.trim().toUpperCase();
  const dot = s.indexOf(".");
  const main = dot >= 0 ? s.slice(0, dot) : s;
  const name = NAMES.find((n) => main.startsWith(n) && /^[0-9]/.test(main.slice(n.length)));
  if (!name) {
    throw new RangeError(
      `"${text}" is no FX3 device; FX3 devices over 1E are ${NAMES_TEXT} (e.g. D100, X17)`,
    );
  }
  const info = DEVICES_1E.get(name)!;
  const bad = info.radix === 8 ? [...main.slice(name.length)].find((c) => c > "7") : undefined;
  if (bad) {
    throw new RangeError(
      `"${text}": ${name} is numbered in octal on FX CPUs; ${bad} is no octal digit (0–7)`,
    );
  }
  const head = parseAddress1E(main);
  if (head.device === "CN" && head.address >= FX3_FIRST_LONG_COUNTER) {
    throw new RangeError(
      `"${text}": CN200–CN255 are 32-bit counters, answered with 4 bytes a point over 1E, ` +
        "which JSScada does not read; use CN0–CN199",
    );
  }
  if (dot < 0) return { device: head.device, address: head.address };
  const bitText = s.slice(dot + 1);
  if (info.kind !== "word") {
    throw new RangeError(`"${text}": a bit number (.n) is only allowed on word devices`);
  }
  if (!/^[0-9A-F]$|^1[0-5]$/.test(bitText)) {
    throw new RangeError(`"${text}": the bit number must be 0 to 15 (or 0 to F)`);
  }
  const bit = /^[0-9]+$/.test(bitText) ? Number(bitText) : parseInt(bitText, 16);
  return { device: head.device, address: head.address, bit };
}

/** Formats an FX3 address back (X and Y in octal), as {@link parseFx3Address} reads it. */
export function formatFx3Address(a: Address): string {
  const base = DEVICES_1E.has(a.device as never)
    ? formatAddress1E({ device: a.device as never, address: a.address })
    : `${a.device}${a.address}`;
  return a.bit === undefined ? base : `${base}.${a.bit.toString(16).toUpperCase()}`;
}
