/**
 * Request body size limits (hono/body-limit): larger for CSV imports than for
 * JSON, answered with 413 before a handler reads more than the limit.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { API_BASE, type AppEnv, type ResolvedOptions } from "./context.ts";
import { HttpError } from "./errors.ts";

/** Limits request bodies: `importBodyLimitBytes` under /api/v1/import, `bodyLimitBytes` elsewhere. */
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
  const importPath = `${API_BASE}/import`;
  return (c, next) => {
    const path = c.req.path;
    const isImport = path === importPath || path.startsWith(`${importPath}/`);
    return (isImport ? large : small)(c, next);
  };
}
