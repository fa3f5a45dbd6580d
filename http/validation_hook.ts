/**
 * Request validation failures, as the store reports its own: the OpenAPI
 * routes' `defaultHook` turns a failed zod parse of a path, query or body
 * into a ConfigError (→ 400 with field paths). Messages the schemas carry
 * (`must be a whole number from 1 to 65535`) pass through; zod's stock
 * English ones (`Invalid input: expected string, received undefined`) are
 * reworded by the store's `friendlyMessage` (`is required`), so a field reads
 * the same whether the HTTP layer or the store refused it.
 */
import { z } from "@hono/zod-openapi";
import { ConfigError, type Issue } from "../store/mod.ts";
import { friendlyMessage, issuesFromZod } from "../store/validation.ts";

const english = z.locales.en().localeError;

/** The value at `path` inside `input` (own properties only), or undefined. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function text(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (message && typeof message === "object" && "message" in message) {
    return String((message as { message: unknown }).message);
  }
  return undefined;
}

/**
 * The issues of a failed parse of `input`, with zod's stock messages replaced
 * by the store's wording and paths dotted (`items.0.code`).
 */
export function friendlyIssues(error: z.ZodError, input: unknown): Issue[] {
  const issues = error.issues.map((issue) => {
    const raw = { ...issue, input: valueAt(input, issue.path) } as unknown as z.core.$ZodRawIssue;
    return text(english(raw)) === issue.message
      ? { ...issue, message: friendlyMessage(raw) }
      : issue;
  });
  return issuesFromZod({ issues } as z.ZodError);
}

/** The result zod-openapi hands a hook: the target, and success with data or failure with error. */
export type ValidationResult =
  & { target: string }
  & ({ success: true; data: unknown } | { success: false; error: z.ZodError; data?: unknown });

/**
 * OpenAPIHono's `defaultHook`: on a failed parse, throws a ConfigError that
 * the app's onError answers with 400 and the field issues.
 */
export function validationHook(result: ValidationResult): undefined {
  if (!result.success) throw new ConfigError(friendlyIssues(result.error, result.data));
  return undefined;
}
