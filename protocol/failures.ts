/**
 * How the socket client and pool name and count communication failures: the
 * per-code failure table of their stats, a short name of a request for error
 * messages, and the PlcError values for closed, aborted and broken
 * connections, so every message reads the same.
 */
import type { McRequest } from "./commands.ts";
import { PlcError, type PlcErrorCode } from "./errors.ts";

/** Failure counts keyed by PlcError code. */
export type FailureCounts = Record<PlcErrorCode, number>;

/** A zeroed failure table, for the stats of the client and the pool. */
export function emptyFailures(): FailureCounts {
  return { timeout: 0, refused: 0, closed: 0, protocol: 0, endCode: 0, aborted: 0, busy: 0 };
}

/** A short name of a request for error messages, such as "readWords D100 ×3". */
export function describeRequest(req: McRequest): string {
  switch (req.command) {
    case "readWords":
    case "readBits":
      return `${req.command} ${req.head.device}${req.head.address} ×${req.points}`;
    case "writeWords":
      return `${req.command} ${req.head.device}${req.head.address} ×${req.words.length}`;
    case "writeBits":
      return `${req.command} ${req.head.device}${req.head.address} ×${req.bits.length}`;
    case "randomRead":
      return `randomRead of ${req.words.length} words and ${req.dwords.length} double words`;
    case "cpuModel":
      return "cpuModel";
    case "randomWriteWords":
      return `randomWriteWords of ${req.words.length} words and ${req.dwords.length} double words`;
    case "randomWriteBits":
      return `randomWriteBits of ${req.bits.length} points`;
    case "loopback":
      return `loopback of ${req.data.length} bytes`;
    default:
      return req.command;
  }
}

/** PlcError `closed`: the connection (or the client or pool) to `label` is gone. */
export function closedError(label: string, detail?: string): PlcError {
  return new PlcError(
    "closed",
    detail ? `connection to ${label} closed ${detail}` : `connection to ${label} closed`,
  );
}

/** PlcError `aborted`: the caller's AbortSignal fired; `when` says at which stage. */
export function abortedError(req: McRequest, when: string): PlcError {
  return new PlcError("aborted", `${describeRequest(req)} was aborted ${when}`);
}

/** A read or write failure on an open connection (reset, broken pipe…): PlcError `closed`. */
export function ioError(e: unknown, label: string, doing: string): PlcError {
  if (e instanceof PlcError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new PlcError("closed", `${doing} ${label} failed: ${why}`, { cause: e });
}

/** PlcError `timeout`: no complete response to `req` arrived within `ms`. */
export function responseTimeoutError(label: string, ms: number, req: McRequest): PlcError {
  return new PlcError(
    "timeout",
    `no complete response from ${label} within ${ms} ms to ${describeRequest(req)}`,
  );
}
