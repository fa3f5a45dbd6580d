import { endCodeMeaning, formatEndCode } from "./end_codes.ts";

/**
 * The kinds of PLC communication failure JSScada tells apart. `busy` is
 * back-pressure from JSScada's own socket pool (its request queue is full),
 * not a PLC fault: nothing was sent.
 */
export type PlcErrorCode =
  | "timeout"
  | "refused"
  | "closed"
  | "protocol"
  | "endCode"
  | "aborted"
  | "busy";

/** Options that go with a {@link PlcError}. */
export interface PlcErrorOptions {
  /** The MC end code, for `code: "endCode"`. */
  endCode?: number;
  /**
   * For `code: "protocol"`: where decoding failed, in bytes (an ASCII frame's
   * characters are bytes) from the start of the frame, or of the TCP stream
   * when the stream splitter found the stream unreadable.
   */
  offset?: number;
  cause?: unknown;
}

/**
 * The one error type of PLC communication. Expected failures (timeouts,
 * refusals, end codes, garbled frames) are all PlcError, so callers can treat
 * them as events and only bugs surface as other exceptions.
 */
export class PlcError extends Error {
  readonly code: PlcErrorCode;
  readonly endCode?: number;
  readonly offset?: number;

  constructor(code: PlcErrorCode, message: string, options: PlcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlcError";
    this.code = code;
    if (options.endCode !== undefined) this.endCode = options.endCode;
    if (options.offset !== undefined) this.offset = options.offset;
  }

  /** A PLC's refusal, with the manual's meaning of the end code as the message. */
  static fromEndCode(endCode: number): PlcError {
    return new PlcError("endCode", `${formatEndCode(endCode)}: ${endCodeMeaning(endCode)}`, {
      endCode,
    });
  }

  /** A malformed frame, naming the byte offset where it went wrong. */
  static protocol(message: string, offset: number): PlcError {
    return new PlcError("protocol", `${message} (at byte ${offset})`, { offset });
  }
}
