/**
 * Request body size limits (hono/body-limit): larger for CSV imports than for
 * JSON, answered with 413 before a handler reads more than the limit. JSON
 * bodies must be UTF-8: a bad byte answers 400 naming its offset, instead of
 * being stored as U+FFFD.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { API_BASE, type AppEnv, type ResolvedOptions } from "./context.ts";
import { ConfigError } from "../store/mod.ts";
import { HttpError } from "./errors.ts";
import { describeInvalidUtf8, findInvalidUtf8 } from "./utf8.ts";

/** True for `application/json` and `application/…+json` content types. */
function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Refuses a JSON body that is not UTF-8 with a 400 (ConfigError on `body`)
 * naming the byte offset; the bytes it read stay cached for the validator.
 */
export function jsonUtf8(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isJson(c.req.header("Content-Type"))) {
      const bad = findInvalidUtf8(new Uint8Array(await c.req.arrayBuffer()));
      if (bad) throw ConfigError.of("body", describeInvalidUtf8(bad));
    }
    await next();
  };
}

/**
 * Limits request bodies: `importBodyLimitBytes` under /api/v1/import,
 * `bodyLimitBytes` elsewhere; then checks that JSON bodies are UTF-8.
 */
export function bodyLimits(options: ResolvedOptions): MiddlewareHandler<AppEnv> {
  const limiter = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpError(
          413,
          `the request body is larger than the limit of ${maxSize.toLocaleString("en-US")} bytes`,
        );
      },
    });
  const small = limiter(options.bodyLimitBytes);
  const large = limiter(options.importBodyLimitBytes);
  const utf8 = jsonUtf8();
  const importPath = `${API_BASE}/import`;
  return (c, next) => {
    const path = c.req.path;
    const isImport = path === importPath || path.startsWith(`${importPath}/`);
    return (isImport ? large : small)(c, async () => {
      await utf8(c, next);
    });
  };
}
