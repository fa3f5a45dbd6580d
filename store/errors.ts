/**
 * The configuration store's typed errors. Every expected failure (bad input,
 * unknown id, duplicate or dependent record) is one of these, each carrying
 * `issues` with field paths, so the HTTP layer maps them to 400, 404 and 409
 * with one body shape and never guesses from message text.
 */

/** One problem with one field: `path` names the field (`code`, `tags.csv/12/address`). */
export interface Issue {
  readonly path: string;
  /** The rule that was broken, as a sentence fragment: `must be at least 50 ms`. */
  readonly message: string;
}

/** Joins issues into one line: `code: must be …; port: must be …`. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
}

/** Base of the store's errors: a message and the issues behind it. */
export abstract class StoreError extends Error {
  /** The problems, each with the field it concerns. */
  readonly issues: readonly Issue[];

  constructor(message: string, issues: readonly Issue[]) {
    super(message);
    this.issues = issues;
  }
}

/** Input that breaks a validation rule (HTTP 400). */
export class ConfigError extends StoreError {
  override name = "ConfigError";

  constructor(issues: readonly Issue[]) {
    super(formatIssues(issues), issues);
  }

  /** A ConfigError with one issue. */
  static of(path: string, message: string): ConfigError {
    return new ConfigError([{ path, message }]);
  }
}

/** A record that does not exist (HTTP 404). */
export class NotFoundError extends StoreError {
  override name = "NotFoundError";

  constructor(message: string, path = "id") {
    super(message, [{ path, message }]);
  }
}

/**
 * A change that clashes with other records (HTTP 409): a duplicate code, a
 * record that others still reference, the last admin.
 */
export class ConflictError extends StoreError {
  override name = "ConflictError";

  constructor(message: string, path = "") {
    super(path ? `${path}: ${message}` : message, [{ path, message }]);
  }
}

/** The database's schema is newer than this program knows (refuse to run). */
export class SchemaVersionError extends Error {
  override name = "SchemaVersionError";
}

/** Why the configuration database cannot write. */
export type StoreUnavailableReason = "full" | "io" | "readonly";

/** SQLite's primary result codes that mean "cannot write" (node:sqlite's `errcode`). */
const CANNOT_WRITE_CODES: Readonly<Record<number, StoreUnavailableReason>> = {
  8: "readonly", // SQLITE_READONLY
  10: "io", // SQLITE_IOERR
  13: "full", // SQLITE_FULL
};

/**
 * The same meanings by message: node:sqlite's `exec` errors carry only the
 * message (no `errcode`), `prepare().run()` errors carry both.
 */
const CANNOT_WRITE_MESSAGES: readonly (readonly [string, StoreUnavailableReason])[] = [
  ["database or disk is full", "full"],
  ["disk i/o error", "io"],
  ["attempt to write a readonly database", "readonly"],
];

const REASON_TEXT: Readonly<Record<StoreUnavailableReason, string>> = {
  full: "the disk is full",
  io: "a disk I/O error (is the disk full or failing?)",
  readonly: "the database is read-only (file permissions, or a file system remounted read-only)",
};

/**
 * The configuration database cannot write: the disk is full, the disk fails,
 * or the file is read-only (HTTP 503). Reads still work; the operator has to
 * free space or fix the disk, then retry. `cause` is SQLite's own error.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  /** What SQLite reported, in one word. */
  readonly reason: StoreUnavailableReason;
  /** SQLite's words: `database or disk is full`. */
  readonly detail: string;

  constructor(reason: StoreUnavailableReason, detail: string, options: { cause?: unknown } = {}) {
    super(
      `the configuration database cannot write: ${REASON_TEXT[reason]} (SQLite: ${detail}); ` +
        "free disk space on the data directory's file system (or fix its permissions) and retry",
      options,
    );
    this.reason = reason;
    this.detail = detail;
  }

  /**
   * The same failure, saying what could not be done:
   * `the session could not be saved: the configuration database cannot write …`.
   */
  during(what: string): StoreUnavailableError {
    const e = new StoreUnavailableError(this.reason, this.detail, { cause: this.cause });
    e.message = `${what}: ${this.message}`;
    return e;
  }
}

/**
 * The one place that recognises SQLite's "cannot write" errors (SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_READONLY, by `errcode` or by message) and turns them
 * into a {@link StoreUnavailableError}; any other error gives undefined.
 */
export function storeWriteFailure(error: unknown): StoreUnavailableError | undefined {
  if (error instanceof StoreUnavailableError) return error;
  if (!(error instanceof Error)) return undefined;
  const { errcode, errstr } = error as { errcode?: unknown; errstr?: unknown };
  const detail = typeof errstr === "string" && errstr ? errstr : error.message;
  if (typeof errcode === "number") {
    const reason = CANNOT_WRITE_CODES[errcode & 0xff];
    if (reason) return new StoreUnavailableError(reason, detail, { cause: error });
  }
  const text = error.message.toLowerCase();
  for (const [needle, reason] of CANNOT_WRITE_MESSAGES) {
    if (text.includes(needle)) return new StoreUnavailableError(reason, detail, { cause: error });
  }
  return undefined;
}

/** Rethrows `error`, as a {@link StoreUnavailableError} when it means the database cannot write. */
export function rethrowStoreError(error: unknown): never {
  throw storeWriteFailure(error) ?? error;
}
