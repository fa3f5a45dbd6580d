/**
 * Address rules for tags and handshake bits: the address parses for its
 * device and lies inside the device's range (protocol/devices.ts), the data
 * type fits the device kind, multi-word values end inside the device, and the
 * device number can be sent in the PLC's frame code (ASCII frames carry six
 * decimal digits, so ZR1000000 and above need binary frames; see
 * protocol/commands.ts).
 */
import type { FrameCode } from "../protocol/frame.ts";
import {
  type Address,
  DEVICES,
  deviceSize,
  formatAddress,
  formatDeviceNumber,
  parseAddress,
  type Series,
  tagDeviceProblem,
} from "../protocol/devices.ts";
import { formatAddressFor, parseAddressFor, readPlanOptionsFor } from "../protocol/series.ts";
import { type DataType, wordCount } from "../protocol/values.ts";
import type { Issue } from "./errors.ts";

/**
 * An address in its canonical form (`x1a0 ` → `X1A0`, `D100.10` → `D100.A`),
 * so the same point is always written the same way; text that does not parse
 * is returned unchanged for the checks below to report.
 */
export function normalizeAddress(text: string): string {
  try {
    return formatAddress(parseAddress(text));
  } catch {
    return text;
  }
}

/** The highest device number a frame can carry for a device of this radix. */
export function maxDeviceNumber(frame: FrameCode, radix: 10 | 16): number {
  return frame === "binary" || radix === 16 ? 0xffffff : 999_999;
}

/** Why `address` cannot be sent in `frame`, or undefined when it can. */
export function frameProblem(a: Address, text: string, frame: FrameCode): string | undefined {
  const info = DEVICES.get(a.device)!;
  const max = maxDeviceNumber(frame, info.radix);
  if (a.address <= max) return undefined;
  return `${text} cannot be sent in ${frame.toUpperCase()} frames, which reach ${a.device}${
    formatDeviceNumber(a.device, max)
  } at most; give this PLC binary frames`;
}

function parse(
  text: string,
  path: string,
  series: string | undefined,
): { address?: Address; issue?: Issue } {
  try {
    return { address: parseAddressFor(series, text) };
  } catch (e) {
    return { issue: { path, message: (e as Error).message } };
  }
}

/**
 * Checks a tag's address against its data type (and length, for STRING) and,
 * when the PLC is known, its frame code and series (an FX3's devices, octal
 * X/Y and ranges: protocol/fx3.ts; the iQ-R devices only on iQ-R, long ones
 * INT32 or UINT32). Issues name `address` or `dataType`.
 */
export function checkTagAddress(
  text: string,
  dataType: DataType,
  length: number | null,
  frame: FrameCode | undefined,
  series?: string,
): Issue[] {
  const { address: a, issue } = parse(text, "address", series);
  if (!a) return [issue!];
  const info = DEVICES.get(a.device)!;
  const size = readPlanOptionsFor(series).sizes?.get(a.device) ??
    deviceSize(a.device, series as Series | undefined);
  const issues: Issue[] = [];
  const missing = tagDeviceProblem(a.device, series);
  if (missing) return [{ path: "address", message: missing }];
  if (info.long) {
    // One double word a point, read and written by random access (protocol/planner.ts).
    if (a.bit !== undefined) {
      issues.push({
        path: "address",
        message: `${a.device} (${info.description}) holds double words; a bit of it (.n) cannot ` +
          "be read, write the whole point",
      });
    }
    if (dataType !== "INT32" && dataType !== "UINT32") {
      issues.push({
        path: "dataType",
        message: `must be INT32 or UINT32 on long device ${a.device} (${info.description}), ` +
          `which holds one double word a point; not ${dataType}`,
      });
    }
    const reach = frame && frameProblem(a, text, frame);
    if (reach) issues.push({ path: "address", message: reach });
    return issues;
  }
  if (info.kind === "bit" && dataType !== "BOOL") {
    issues.push({
      path: "dataType",
      message: `must be BOOL on bit device ${a.device} (${info.description}); ` +
        `${dataType} needs a word device such as D`,
    });
  }
  if (a.bit !== undefined && dataType !== "BOOL") {
    issues.push({
      path: "dataType",
      message: `must be BOOL for a bit of a word (${text}), not ${dataType}`,
    });
  }
  if (info.kind === "word" && dataType === "BOOL" && a.bit === undefined) {
    issues.push({
      path: "address",
      message: `a BOOL on word device ${a.device} needs a bit number, e.g. ${text.trim()}.0`,
    });
  }
  if (info.kind === "word" && a.bit === undefined && dataType !== "BOOL") {
    const words = dataType === "STRING" ? (length ?? 1) : wordCount(dataType);
    if (a.address + words > size) {
      issues.push({
        path: "address",
        message:
          `${dataType} at ${text} takes ${words} words and runs past the end of device ${a.device} (${
            formatAddressFor(series, { device: a.device, address: size - 1 })
          })`,
      });
    }
  }
  const reach = frame && frameProblem(a, text, frame);
  if (reach) issues.push({ path: "address", message: reach });
  return issues;
}

/**
 * Checks a handshake bit: a point of a bit device or a bit of a word
 * (`M3000`, `D100.0`) that the PLC's frame can address, in its series' numbering
 * (iQ-R devices only on iQ-R, never a long device).
 */
export function checkBitAddress(
  text: string,
  path: string,
  frame: FrameCode | undefined,
  series?: string,
): Issue[] {
  const { address: a, issue } = parse(text, path, series);
  if (!a) return [issue!];
  const missing = tagDeviceProblem(a.device, series);
  if (missing) return [{ path, message: missing }];
  if (DEVICES.get(a.device)!.long) {
    return [{
      path,
      message: `${a.device} holds double words; a handshake bit needs M3000 or D100.0`,
    }];
  }
  if (DEVICES.get(a.device)!.kind === "word" && a.bit === undefined) {
    return [{
      path,
      message: `must be a bit address such as M3000 or ${text.trim()}.0, not a whole word`,
    }];
  }
  const reach = frame && frameProblem(a, text, frame);
  return reach ? [{ path, message: reach }] : [];
}
