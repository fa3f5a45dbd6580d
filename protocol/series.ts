/**
 * What a PLC's CPU series changes in addressing and request sizes, in one
 * place for the store, the read planner, the pollers and the write path:
 * FX3 addresses follow the FX numbering and FX3 devices (protocol/fx3.ts) and
 * its requests the 1E limits; every other series uses protocol/devices.ts
 * (iQ-F: X/Y in octal, no DX/DY or iQ-R devices) and the 3E/4E limits
 * (iQ-F: the FX5 SLMP manual's batch limits, which depend on the frame
 * code). `series` is the PLC's `series` field (default Q).
 */
import { batchLimits, randomLimits } from "./commands.ts";
import { type Address, formatAddress, parseAddress, type Series } from "./devices.ts";
import type { FrameCode } from "./frame.ts";
import {
  formatFx3Address,
  FX3_MAX_READ_BIT_DEVICE_WORDS,
  FX3_MAX_READ_WORDS,
  FX3_MAX_WRITE_BIT_DEVICE_WORDS,
  FX3_MAX_WRITE_BITS,
  FX3_MAX_WRITE_WORDS,
  FX3_SIZES,
  parseFx3Address,
} from "./fx3.ts";
import type { PlanOptions } from "./planner.ts";
import type { BatchLimits } from "./write_planner.ts";

/** Parses a tag or handshake-bit address in the numbering of `series` (RangeError naming the problem). */
export function parseAddressFor(series: string | undefined, text: string): Address {
  return series === "FX3"
    ? parseFx3Address(text)
    : parseAddress(text, series as Series | undefined);
}

/** Formats an address in the numbering of `series` (X/Y octal on FX3 and iQ-F). */
export function formatAddressFor(series: string | undefined, a: Address): string {
  return series === "FX3" ? formatFx3Address(a) : formatAddress(a, series as Series | undefined);
}

const formatIqf = (a: Address) => formatAddress(a, "iQ-F");

/**
 * The read planner's limits for `series` (FX3: 64 words a block, 32 of a bit
 * device, FX3 sizes; iQ-F: 960 words in binary, 480 in ASCII; iQ-R: its
 * devices, long ones 96 double words a random read), naming the series.
 */
export function readPlanOptionsFor(
  series: string | undefined,
  frame: FrameCode = "binary",
): PlanOptions {
  if (series === "FX3") {
    return {
      maxWords: FX3_MAX_READ_WORDS,
      maxBitDeviceWords: FX3_MAX_READ_BIT_DEVICE_WORDS,
      sizes: FX3_SIZES,
      format: formatFx3Address,
      series,
    };
  }
  if (series === "iQ-F") {
    return { maxWords: batchLimits(frame, "iQ-F").words, format: formatIqf, series };
  }
  // iQ-R: RD, LCS and LCC in batch reads, long devices in random reads of 96 double words
  // (protocol/planner.ts); the PLC's pool sends the iQ-R subcommands.
  if (series === "iQ-R") return { series, maxDwords: randomLimits(true).readPoints };
  return series ? { series } : {};
}

/**
 * The read planner's options for a PLC: the series' limits, and the caller's
 * options where they are stricter (a caller may lower a limit, never raise it).
 */
export function mergePlanOptions(series: PlanOptions, caller: PlanOptions): PlanOptions {
  const out: PlanOptions = { ...series, ...caller };
  const min = (a?: number, b?: number) =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  const maxWords = min(series.maxWords, caller.maxWords);
  const maxBitDeviceWords = min(series.maxBitDeviceWords, caller.maxBitDeviceWords);
  const maxDwords = min(series.maxDwords, caller.maxDwords);
  return {
    ...out,
    ...(series.series !== undefined ? { series: series.series } : {}),
    ...(maxWords !== undefined ? { maxWords } : {}),
    ...(maxBitDeviceWords !== undefined ? { maxBitDeviceWords } : {}),
    ...(maxDwords !== undefined ? { maxDwords } : {}),
  };
}

/**
 * The write plan's limits for `series` (FX3: 64 words, 160 points a request,
 * FX3 sizes; iQ-F: the batch limits of its frame code, octal X/Y in messages;
 * iQ-R: its devices, long ones by random writes of at most 68 double words,
 * 68 × 14 ≤ 960), naming the series.
 */
export function writeLimitsFor(series: string | undefined, frame: FrameCode = "binary"): {
  maxWords?: number;
  maxBits?: number;
  sizes?: PlanOptions["sizes"];
  format?: PlanOptions["format"];
  series?: string;
  maxDwords?: number;
} {
  if (series === "FX3") {
    return {
      maxWords: FX3_MAX_WRITE_WORDS,
      maxBits: FX3_MAX_WRITE_BITS,
      sizes: FX3_SIZES,
      format: formatFx3Address,
      series,
    };
  }
  if (series === "iQ-F") {
    const limits = batchLimits(frame, "iQ-F");
    return { maxWords: limits.words, maxBits: limits.bits, format: formatIqf, series };
  }
  if (series === "iQ-R") {
    return { series, maxDwords: Math.floor(randomLimits(true).writeUnits / 14) };
  }
  return series ? { series } : {};
}

/**
 * The write planner's limits for `series`: FX3 batch writes only (1E has no
 * random write 1402); iQ-R random writes of the iQ-R subcommands (half the size).
 */
export function writePlannerLimitsFor(series: string | undefined): BatchLimits {
  if (series === "iQ-R") return { extended: true };
  return series === "FX3"
    ? {
      random: false,
      maxWords: FX3_MAX_WRITE_WORDS,
      maxBitDeviceWords: FX3_MAX_WRITE_BIT_DEVICE_WORDS,
      maxBits: FX3_MAX_WRITE_BITS,
    }
    : {};
}

/** Whether the series speaks 1E frames (no CPU model read, random access or remote operations). */
export function speaks1E(series: string | undefined): boolean {
  return series === "FX3";
}
