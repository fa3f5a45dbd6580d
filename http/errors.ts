/**
 * The HTTP layer's one error mapping. Domain errors keep their meaning:
 * ConfigError → 400, NotFoundError → 404, ConflictError → 409, each with its
 * field issues; HttpError (the HTTP layer's own: 401, 403, 413, 429 …) and
 * Hono's HTTPException keep their status; anything else is a bug → 500 with
 * a generic message and a log line. Only 5xx are logged as errors. Every
 * error body has one shape: `{ error, message, issues? }`. A configuration
 * database that cannot write (StoreUnavailableError, or SQLite's raw "database
 * or disk is full") is 503 `store_unavailable` saying so, never 500.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { logs } from "../observability/logging.ts";
import {
  ConfigError,
  ConflictError,
  type Issue,
  IssueSchema,
  NotFoundError,
  storeWriteFailure,
} from "../store/mod.ts";
import { issuesFromZod } from "../store/validation.ts";
import type { AppEnv } from "./context.ts";

/** The body of every error response. */
export const ErrorSchema = z.object({
  error: z.string().openapi({
    description: "a stable code: validation, invalid_json, unauthorized, forbidden, not_found, " +
      "conflict, payload_too_large, unsupported_media_type, too_many_requests, " +
      "store_unavailable, internal …",
    example: "validation",
  }),
  message: z.string().openapi({ example: "port: must be a whole number from 1 to 65535" }),
  issues: z.array(IssueSchema).optional().openapi({
    description: "one entry per broken rule, with the field it concerns",
  }),
}).openapi("Error");

/** An error body. */
export type ErrorBody = z.infer<typeof ErrorSchema>;

/** Builds an error body. */
export function errorBody(error: string, message: string, issues?: readonly Issue[]): ErrorBody {
  return issues && issues.length
    ? { error, message, issues: issues.map((i) => ({ path: i.path, message: i.message })) }
    : { error, message };
}

/** The error code of a status without a more specific one. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "too_many_requests",
  500: "internal",
  501: "not_implemented",
  502: "plc_error",
  503: "unavailable",
  504: "timeout",
};

/** The default `error` code of an HTTP status. */
export function codeOfStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? "internal" : "bad_request");
}

/**
 * An error the HTTP layer raises itself (401, 403, 413, 415, 429 …): a
 * status, a stable code, a message for people and optional headers such as
 * Retry-After or WWW-Authenticate.
 */
export class HttpError extends HTTPException {
  /** The body's `error` field. */
  readonly code: string;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    message: string,
    options: { code?: string; headers?: Record<string, string> } = {},
  ) {
    super(status, { message });
    this.code = options.code ?? codeOfStatus(status);
    this.headers = options.headers ?? {};
  }
}

/** The message Hono's validator throws for a body that is not JSON. */
const HONO_MALFORMED_JSON = "Malformed JSON in request body";

/** What is wrong with the JSON body (Hono keeps the text it failed to parse). */
async function jsonProblem(c: Context<AppEnv>): Promise<string> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return "the request body is not valid JSON";
  }
  if (text.trim() === "") return "the request body is empty; send a JSON object";
  try {
    JSON.parse(text);
    return "the request body is not valid JSON";
  } catch (e) {
    return `the request body is not valid JSON: ${(e as Error).message}`;
  }
}

/** The response of an error status, with its headers. */
function respond(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  body: ErrorBody,
  headers: Readonly<Record<string, string>> = {},
): Response {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, status);
}

/** The Retry-After of a 503 from a configuration database that cannot write, seconds. */
const STORE_RETRY_AFTER_S = 30;

/** `app.onError`: maps every thrown error to one JSON response; logs only 5xx. */
export async function handleError(err: Error, c: Context<AppEnv>): Promise<Response> {
  if (err instanceof ConfigError) {
    return respond(c, 400, errorBody("validation", err.message, err.issues));
  }
  if (err instanceof NotFoundError) {
    return respond(c, 404, errorBody("not_found", err.message, err.issues));
  }
  if (err instanceof ConflictError) {
    return respond(c, 409, errorBody("conflict", err.message, err.issues));
  }
  if (err instanceof HttpError) {
    return respond(c, err.status as ContentfulStatusCode, errorBody(err.code, err.message), {
      ...err.headers,
    });
  }
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    if (status === 400 && err.message === HONO_MALFORMED_JSON) {
      return respond(c, 400, errorBody("invalid_json", await jsonProblem(c)));
    }
    if (status === 415) {
      const type = c.req.header("Content-Type") ?? "none";
      return respond(
        c,
        415,
        errorBody(
          "unsupported_media_type",
          `this endpoint takes application/json, not Content-Type ${type}`,
        ),
      );
    }
    return respond(c, status, errorBody(codeOfStatus(status), err.message || "bad request"));
  }
  if (err instanceof z.ZodError) {
    const issues = issuesFromZod(err);
    return respond(c, 400, errorBody("validation", formatIssueList(issues), issues));
  }
  const unavailable = storeWriteFailure(err);
  if (unavailable) {
    logs.http.error("{method} {path} failed: {message}", {
      method: c.req.method,
      path: c.req.path,
      message: unavailable.message,
      error: unavailable.cause ?? unavailable,
    });
    return respond(c, 503, errorBody("store_unavailable", unavailable.message), {
      "Retry-After": String(STORE_RETRY_AFTER_S),
    });
  }
  logs.http.error("{method} {path} failed: {error}", {
    method: c.req.method,
    path: c.req.path,
    error: err,
  });
  const status = err instanceof HTTPException ? err.status as ContentfulStatusCode : 500;
  return respond(
    c,
    status,
    errorBody(codeOfStatus(status), "internal server error; the server log has the details"),
  );
}

function formatIssueList(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
}

/** `app.notFound`: a JSON 404 naming the method and path. */
export function handleNotFound(c: Context<AppEnv>): Response {
  return respond(
    c,
    404,
    errorBody("not_found", `no route for ${c.req.method} ${c.req.path}; see /api/docs`),
  );
}

/** The documented meaning of each error status, for route definitions. */
const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "invalid input: `issues` names each field and the rule it breaks",
  401: "no credentials, or an unknown, revoked or expired session or token",
  403: "the caller's role is too low, or a cookie-authenticated change lacks X-Requested-With",
  404: "no record with this id (or code)",
  409: "a duplicate, or a record that others still reference",
  413: "the request body is too large",
  415: "the request body's Content-Type is not accepted here",
  422: "the value breaks a rule of the tag (type, range, write limits): `issues` names it",
  429: "too many failed logins or requests; wait for Retry-After seconds",
  501: "the server cannot do this in its configuration (e.g. trend queries on Oracle)",
  502: "the PLC answered the request with an error (an end code)",
  503: "not ready: the configuration database cannot write (disk full, disk error or " +
    "read-only: `store_unavailable`, with Retry-After), the historian is unavailable, or the " +
    "PLC is failed",
  504: "the request (or the PLC read it waited for) took too long",
};

/** The `responses` entries of error statuses, each with the {@link ErrorSchema} body. */
export function errorResponses<const S extends readonly (keyof typeof ERROR_DESCRIPTIONS)[]>(
  ...statuses: S
): {
  [K in S[number]]: {
    description: string;
    content: { "application/json": { schema: typeof ErrorSchema } };
  };
} {
  const out: Record<number, unknown> = {};
  for (const s of statuses) {
    out[s] = {
      description: ERROR_DESCRIPTIONS[s],
      content: { "application/json": { schema: ErrorSchema } },
    };
  }
  return out as never;
}
