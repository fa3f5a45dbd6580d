/**
 * Shared validation pieces: zod field builders whose messages name the rule
 * (`must be a whole number from 1 to 65535`), a message map that turns zod's
 * own issues into plant-engineer sentences, and `parseInput`, which turns a
 * failed parse into a ConfigError with field paths. Schemas use the `z` of
 * @hono/zod-openapi so the HTTP layer can generate OpenAPI from them.
 */
import { z } from "@hono/zod-openapi";
import { ConfigError, type Issue } from "./errors.ts";

/** A zod error option: "is required" for a missing value, `message` for any other failure. */
export function rule(message: string): { error: (issue: z.core.$ZodRawIssue) => string } {
  return { error: (issue) => (issue.input === undefined ? "is required" : message) };
}

/** Zod's issues as sentences, for schemas without a message of their own. */
export function friendlyMessage(issue: z.core.$ZodRawIssue): string {
  const i = issue as z.core.$ZodRawIssue & Record<string, unknown>;
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined || issue.input === null) return "is required";
      const expected = String(i.expected);
      if (expected === "number" && typeof issue.input === "number") {
        return "must be a finite number";
      }
      const words: Record<string, string> = {
        number: "must be a number",
        int: "must be a whole number",
        boolean: "must be true or false",
        string: "must be text",
        object: "must be an object",
        array: "must be a list",
      };
      return words[expected] ?? `must be ${expected}`;
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = String(small ? i.minimum : i.maximum);
      if (i.origin === "string") {
        if (small && bound === "1") return "must not be empty";
        return `must be at ${small ? "least" : "most"} ${bound} characters`;
      }
      if (i.origin === "array") return `must have at ${small ? "least" : "most"} ${bound} items`;
      if (i.inclusive === false) return `must be ${small ? "greater" : "less"} than ${bound}`;
      return `must be at ${small ? "least" : "most"} ${bound}`;
    }
    case "invalid_value":
      return `must be one of ${(i.values as unknown[]).map(String).join(", ")}`;
    case "invalid_format":
      return i.format === "datetime"
        ? "must be an ISO 8601 date and time such as 2024-05-01T08:00:00Z"
        : "has the wrong format";
    case "not_multiple_of":
      return `must be a multiple of ${String(i.divisor)}`;
    case "unrecognized_keys":
      return "is not a known field";
    default:
      return "is not valid";
  }
}

/** Zod issues → store issues: dotted paths, one issue per unknown key. */
export function issuesFromZod(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: path ? `${path}.${key}` : key, message: "is not a known field" });
      }
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Parses `input` with `schema`; throws ConfigError naming every broken rule. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: friendlyMessage });
  if (!result.success) throw new ConfigError(issuesFromZod(result.error));
  return result.data;
}

/** Like {@link parseInput} but returns issues instead of throwing (CSV rows). */
export function tryParse<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { data: z.output<S>; issues?: undefined } | { data?: undefined; issues: Issue[] } {
  const result = schema.safeParse(input, { error: friendlyMessage });
  return result.success ? { data: result.data } : { issues: issuesFromZod(result.error) };
}

/** A whole number in [min, max]; the message states the range (and unit, e.g. ` ms`). */
export function intIn(min: number, max: number, unit = ""): z.ZodNumber {
  return z.number(rule(`must be a whole number from ${min} to ${max}${unit}`)).int().min(min)
    .max(max);
}

/** A finite number. */
export function finite(): z.ZodNumber {
  return z.number(rule("must be a number"));
}

/** Required text of 1 to `max` characters that is not only spaces. */
export function requiredText(max: number): z.ZodString {
  return z.string(rule("must be text"))
    .max(max, `must be at most ${max} characters`)
    .regex(/\S/, "must not be empty");
}

/** Optional text (empty allowed) of at most `max` characters. */
export function optionalText(max: number): z.ZodString {
  return z.string(rule("must be text")).max(max, `must be at most ${max} characters`);
}

/** The rule for codes of lines, processes, groups and tags. */
export const CODE_MESSAGE = "must be 1 to 64 characters of A–Z, 0–9, _, - and .";
const CODE = /^[A-Z0-9_.-]{1,64}$/;

/** A code of a line, process, group or tag: what engineers type and CSV files reference. */
export function codeField(example: string): z.ZodString {
  return z.string(rule(CODE_MESSAGE)).regex(CODE, CODE_MESSAGE).openapi({ example });
}

/** The rule for PLC equipment codes. */
export const EQUIPMENT_CODE_MESSAGE = "must be exactly 14 characters of A–Z and 0–9";
const EQUIPMENT_CODE = /^[A-Z0-9]{14}$/;

/** A PLC's equipment code: exactly 14 characters of A–Z and 0–9. */
export function equipmentCodeField(): z.ZodString {
  return z.string(rule(EQUIPMENT_CODE_MESSAGE)).regex(EQUIPMENT_CODE, EQUIPMENT_CODE_MESSAGE)
    .openapi({ example: "PLCPRESS010001" });
}

/** A reference to another record by its integer id. */
export function idField(what: string): z.ZodNumber {
  return z.number(rule(`must be the id of ${what}`)).int().positive();
}

function makeBooleanField() {
  return z.union([z.boolean(), z.enum(["true", "false"])], rule("must be true or false"))
    .transform((v) => v === true || v === "true");
}

/** A boolean; query strings may say `true` or `false`. */
export const booleanField: typeof makeBooleanField = makeBooleanField;

/** An integer query parameter (numbers or decimal strings). */
export function queryInt(min: number, max: number): z.ZodCoercedNumber {
  return z.coerce.number(rule(`must be a whole number from ${min} to ${max}`)).int().min(min)
    .max(max);
}

/** Most records one list call returns. */
export const MAX_PAGE = 5000;

function makePagingShape<const S extends readonly [string, ...string[]]>(
  sortable: S,
  defaultSort: S[number],
) {
  return {
    limit: queryInt(1, MAX_PAGE).default(100).openapi({ description: "page size" }),
    offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
    sort: z.enum(sortable).default(defaultSort as never),
    order: z.enum(["asc", "desc"]).default("asc"),
  };
}

/** The paging and sorting part of every list query: limit, offset, sort (whitelisted), order. */
export const pagingShape: typeof makePagingShape = makePagingShape;

/** One page of a list: the items, the total matching the filters, and the page asked for. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

function makePageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** The schema of a page of `item`s, for OpenAPI responses. */
export const pageSchema: typeof makePageSchema = makePageSchema;

/** The schema of an issue list body, for OpenAPI error responses. */
export const IssueSchema = z.object({ path: z.string(), message: z.string() }).openapi("Issue");
