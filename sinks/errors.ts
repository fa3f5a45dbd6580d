/** Errors that sinks throw on purpose (database errors pass through as they are). */

/** A write (or query) on a sink after `close()`: a bug in the caller's shutdown order. */
export class SinkClosedError extends Error {
  /** The sink's kind, for the log line. */
  readonly kind: string;

  constructor(kind: string) {
    super(`the ${kind} sink is closed`);
    this.name = "SinkClosedError";
    this.kind = kind;
  }
}
