/**
 * How every sink stores a sample's value and quality in plain columns: a small
 * integer `kind` says which JS type the value had (so booleans come back as
 * booleans and a stored NULL number comes back as NaN), a small integer
 * `quality` stands for the quality name, and the value goes into a numeric
 * column (numbers, booleans as 0/1) or a text column (strings).
 */
import type { Quality, Sample } from "../model/sample.ts";
import { QUALITIES } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";

/** The stored type of a value: 0 null, 1 number, 2 boolean, 3 string. */
export type ValueKind = 0 | 1 | 2 | 3;

/** Kind codes by name, for SQL text and readers of the DDL. */
export const KIND = { null: 0, number: 1, boolean: 2, string: 3 } as const;

/** Quality codes: the index in QUALITIES (good 0, bad-comm 1, bad-config 2, stale 3). */
const QUALITY_CODE: ReadonlyMap<Quality, number> = new Map(QUALITIES.map((q, i) => [q, i]));

/** The stored kind of a value. */
export function kindOf(value: TagValue | null): ValueKind {
  switch (typeof value) {
    case "number":
      return 1;
    case "boolean":
      return 2;
    case "string":
      return 3;
    default:
      return 0;
  }
}

/** The stored code of a quality (throws on an unknown one: a bug upstream). */
export function qualityCode(quality: Quality): number {
  const code = QUALITY_CODE.get(quality);
  if (code === undefined) throw new RangeError(`unknown quality ${JSON.stringify(quality)}`);
  return code;
}

/** The quality of a stored code (throws on a code no sink writes). */
export function qualityOf(code: number): Quality {
  const quality = QUALITIES[code];
  if (quality === undefined) throw new RangeError(`unknown quality code ${code}`);
  return quality;
}

/**
 * The numeric column of a value: the number itself, 0/1 for a boolean, null
 * for strings and nulls.
 */
export function numericOf(value: TagValue | null): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}

/** The text column of a value: the string itself, else null. */
export function textOf(value: TagValue | null): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * Rebuilds a value from its stored columns. A number stored as NULL (SQLite
 * cannot store NaN) comes back as NaN; a string stored as NULL (Oracle stores
 * '' as NULL) comes back as ''.
 */
export function decodeValue(
  kind: number,
  num: number | null,
  text: string | null,
): TagValue | null {
  switch (kind) {
    case 0:
      return null;
    case 1:
      return num === null ? NaN : num;
    case 2:
      return num === 1;
    case 3:
      return text ?? "";
    default:
      throw new RangeError(`unknown value kind ${kind}`);
  }
}

/** Rebuilds a sample from stored columns. */
export function decodeSample(
  tagId: number,
  ts: number,
  kind: number,
  quality: number,
  num: number | null,
  text: string | null,
): Sample {
  return { tagId, ts, value: decodeValue(kind, num, text), quality: qualityOf(quality) };
}

/**
 * The `last` field of a history bucket for a stored value: numbers as they
 * are, booleans as 0/1, strings as text, null as null.
 */
export function lastOf(
  kind: number,
  num: number | null,
  text: string | null,
): number | string | null {
  const value = decodeValue(kind, num, text);
  return typeof value === "boolean" ? (value ? 1 : 0) : value;
}
