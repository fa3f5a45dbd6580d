/**
 * The JSON Lines format of JSScada's log files: one JSON object per line,
 * `{"time","level","category","message","properties"}`, readable by log
 * shippers and by `jq`. Formatting never throws: errors, bigints, byte
 * arrays, maps, sets and cycles all turn into plain JSON.
 *
 * @module
 */

import type { LogRecord } from "@logtape/logtape";

/** One parsed line of a JSScada log file. */
export interface LogLine {
  /** ISO 8601 UTC timestamp, such as "2025-01-31T08:15:02.123Z". */
  readonly time: string;
  /** TRACE, DEBUG, INFO, WARNING, ERROR or FATAL. */
  readonly level: string;
  /** The logger category joined with dots, such as "jsscada.plc". */
  readonly category: string;
  /** The message with its placeholders filled in. */
  readonly message: string;
  /** The structured properties given with the message. */
  readonly properties: Record<string, unknown>;
}

/** A JSON-safe rendering of an Error, keeping its own fields (such as PlcError's `code`). */
function errorToJson(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of Object.keys(error)) if (!(key in out)) out[key] = (error as never)[key];
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = error.cause;
  return out;
}

/** Hex of a byte array, such as "5000ff03". */
function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** A JSON.stringify replacer that makes the awkward values plain and cuts cycles. */
function safeReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "symbol" || typeof value === "function") return String(value);
    if (value === null || typeof value !== "object") return value;
    // `this` is the object holding `value`: pop the stack back to it.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return "[Circular]";
    ancestors.push(value);
    if (value instanceof Uint8Array) return hex(value);
    let out: unknown = value;
    if (value instanceof Error) out = errorToJson(value);
    else if (value instanceof Map) out = Object.fromEntries(value);
    else if (value instanceof Set) out = [...value];
    // The replacement's children see it as their holder; keep it on the stack too.
    if (out !== value) ancestors.push(out);
    return out;
  };
}

/** JSON with the line separators that some tools split lines on escaped too. */
function stringify(value: unknown): string {
  try {
    return (JSON.stringify(value, safeReplacer()) ?? "null")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029");
  } catch (error) {
    // A throwing getter or toJSON: say so rather than lose the line.
    return JSON.stringify(`[unserializable: ${String(error)}]`);
  }
}

/** A message value as text: strings as they are, errors as "Name: message", the rest as JSON. */
function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === undefined) return "undefined";
  return stringify(value);
}

/** The message of `record` with its values in place of the placeholders. */
export function renderMessage(record: LogRecord): string {
  let text = "";
  for (let i = 0; i < record.message.length; i++) {
    const part = record.message[i];
    text += i % 2 === 0 ? String(part) : renderValue(part);
  }
  return text;
}

/** Formats one record as a JSON line (with its newline) for the log files. */
export function formatJsonLine(record: LogRecord): string {
  const time = new Date(record.timestamp).toISOString();
  const level = record.level.toUpperCase();
  const category = record.category.join(".");
  return `{"time":"${time}","level":"${level}","category":${JSON.stringify(category)},` +
    `"message":${stringify(renderMessage(record))},` +
    `"properties":${stringify(record.properties)}}\n`;
}
