/**
 * What a PLC's CPU series changes in addressing and request sizes, in one
 * place for the store, the read planner, the pollers and the write path:
 * FX3 addresses follow the FX numbering and FX3 devices (protocol/fx3.ts) and
 * its requests the 1E limits; every other series uses protocol/devices.ts and
 * the 3E/4E limits. `series` is the PLC's `series` field (default Q).
 */
import { type Address, formatAddress, parseAddress } from "./devices.ts";
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
  return series === "FX3" ? parseFx3Address(text) : parseAddress(text);
}

/** Formats an address in the numbering of `series` (X/Y octal on FX3). */
export function formatAddressFor(series: string | undefined, a: Address): string {
  return series === "FX3" ? formatFx3Address(a) : formatAddress(a);
}

/** The read planner's limits for `series` (FX3: 64 words a block, 32 of a bit device, FX3 sizes). */
export function readPlanOptionsFor(series: string | undefined): PlanOptions {
  return series === "FX3"
    ? {
      maxWords: FX3_MAX_READ_WORDS,
      maxBitDeviceWords: FX3_MAX_READ_BIT_DEVICE_WORDS,
      sizes: FX3_SIZES,
      format: formatFx3Address,
    }
    : {};
}

/** The write plan's limits for `series` (FX3: 64 words, 160 points a request, FX3 sizes). */
export function writeLimitsFor(series: string | undefined): {
  maxWords?: number;
  maxBits?: number;
  sizes?: PlanOptions["sizes"];
  format?: PlanOptions["format"];
} {
  return series === "FX3"
    ? {
      maxWords: FX3_MAX_WRITE_WORDS,
      maxBits: FX3_MAX_WRITE_BITS,
      sizes: FX3_SIZES,
      format: formatFx3Address,
    }
    : {};
}

/** The write planner's limits for `series`: FX3 batch writes only (1E has no random write 1402). */
export function writePlannerLimitsFor(series: string | undefined): BatchLimits {
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
