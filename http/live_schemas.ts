/**
 * Schema pieces the live API's route modules share: time parameters (ms
 * since the epoch or ISO 8601), tag values and qualities, and `{ref}` path
 * parameters that take an id or a code.
 */
import { z } from "@hono/zod-openapi";
import { QUALITIES, type Quality } from "../model/sample.ts";

const TIME_MESSAGE =
  "must be ms since the epoch or an ISO 8601 date and time such as 2024-05-01T08:00:00Z";

/** A time as ms since the epoch, from digits (`1714550400000`) or ISO 8601 text; undefined if neither. */
export function parseTime(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isSafeInteger(input) ? input : undefined;
  const text = input.trim();
  if (/^-?\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A query parameter holding a time (ms or ISO 8601), parsed to ms since the epoch. */
export function timeQuery(
  description: string,
): z.ZodPipe<z.ZodString, z.ZodTransform<number, string>> {
  return z.string().transform((text, ctx) => {
    const ms = parseTime(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: TIME_MESSAGE, input: text });
      return z.NEVER;
    }
    return ms;
  }).openapi({ description: `${description} (ms since the epoch or ISO 8601)` });
}

/** A body field holding a time (a number of ms, or ISO 8601 text), parsed to ms since the epoch. */
export function timeBody(
  description: string,
): z.ZodPipe<
  z.ZodUnion<readonly [z.ZodNumber, z.ZodString]>,
  z.ZodTransform<number, string | number>
> {
  return z.union([z.number(), z.string()], { error: TIME_MESSAGE }).transform((value, ctx) => {
    const ms = parseTime(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: TIME_MESSAGE, input: value });
      return z.NEVER;
    }
    return ms;
  }).openapi({ description: `${description} (ms since the epoch or ISO 8601)` });
}

/** A tag's value: number, boolean or text; null when never read or bad. */
export const TagValueSchema = z.union([z.number(), z.boolean(), z.string()]).nullable()
  .openapi("TagValue", { example: 42.5 });

/** A sample's quality; `stale` also marks a tag that was never read. */
export const QualitySchema = z.enum(QUALITIES as unknown as [Quality, ...Quality[]]).openapi(
  "Quality",
  { example: "good" },
);

/** A `{ref}` path parameter: a record's numeric id or its code. */
export function refParam<N extends string>(
  name: N,
  example: string,
): z.ZodObject<Record<N, z.ZodString>> {
  const field = z.string().min(1).max(64).openapi({
    param: { name, in: "path" },
    description: "the id or the code",
    example,
  });
  return z.object({ [name]: field } as Record<N, z.ZodString>);
}

/** Splits a comma-separated query list, dropping blanks. */
export function splitList(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
