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
