/**
 * Who is calling, and may they: `authenticate` resolves the caller from an
 * `Authorization: Bearer` API token or the session cookie and puts the user on
 * the context (`c.get("user")`); `requireRole` and `readAccess` guard routes
 * (401 without credentials, 403 with too low a role); `access` bundles a
 * guard with its OpenAPI security and `x-jsscada-access` for route
 * definitions.
 *
 * CSRF: the session cookie is HttpOnly and SameSite=Strict, so other sites
 * never send it. Sites on the same host (another port, a sibling web app)
 * count as same-site, though, and an HTML form can post text/plain,
 * urlencoded or multipart bodies — CSV imports included — without a CORS
 * preflight. So every cookie-authenticated request other than GET, HEAD and
 * OPTIONS must carry `X-Requested-With: jsscada`, a header that a form cannot
 * set and that a cross-origin script can only send after a preflight the
 * CORS settings grant. Bearer tokens are never sent by a browser on its own,
 * so token requests need no such header.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getConnInfo } from "hono/deno";
import { type Role, roleAtLeast, type Store } from "../store/mod.ts";
import type { AppEnv } from "./context.ts";
import { HttpError } from "./errors.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "jsscada_session";
/** The header a cookie-authenticated change must carry, and its value. */
export const CSRF_HEADER = "X-Requested-With";
/** The value of {@link CSRF_HEADER}. */
export const CSRF_VALUE = "jsscada";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="jsscada"' };

/** A 401 with a message saying what to send. */
export function unauthorized(
  message = "log in (POST /api/v1/auth/login) or send Authorization: Bearer <token>",
): HttpError {
  return new HttpError(401, message, { headers: CHALLENGE });
}

/**
 * Resolves the caller. A malformed, unknown, revoked or expired bearer token
 * is refused at once (401); a stale session cookie just leaves the request
 * anonymous. A cookie-authenticated change without the CSRF header is 403.
 */
export function authenticate(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", null);
    c.set("auth", null);
    const header = c.req.header("Authorization");
    if (header !== undefined) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (!match) throw unauthorized('the Authorization header must read "Bearer <token>"');
      const found = store.tokens.verify(match[1]);
      if (!found) throw unauthorized("the API token is unknown, revoked or expired");
      c.set("user", found.user);
      c.set("auth", { via: "token", tokenId: found.token.id, expiresAt: found.token.expiresAt });
      return await next();
    }
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session = sessionId ? store.sessions.verify(sessionId) : null;
    if (sessionId && session) {
      if (!SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== CSRF_VALUE) {
        throw new HttpError(
          403,
          `a change made with the session cookie needs the header ${CSRF_HEADER}: ${CSRF_VALUE}`,
          { code: "csrf" },
        );
      }
      c.set("user", session.user);
      c.set("auth", { via: "session", sessionId, expiresAt: session.expiresAt });
    }
    await next();
  };
}

/** A guard: the caller must be logged in with at least `role` (401 / 403 otherwise). */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (!user) throw unauthorized();
    if (!roleAtLeast(user.role, role)) {
      throw new HttpError(403, `this needs the ${role} role; ${user.name} is ${user.role}`);
    }
    await next();
  };
}

/** A guard for reading the plant: viewer, or anyone when `anonymousRead` is on. */
export function readAccess(anonymousRead: boolean): MiddlewareHandler<AppEnv> {
  const viewer = requireRole("viewer");
  return anonymousRead ? async (_c, next) => await next() : viewer;
}

/**
 * Who may call a route: `public` (anyone), `read` (viewer, or anyone with
 * anonymous read), or a minimum role.
 */
export type Access = "public" | "read" | Role;

const SIGNED_IN: Record<string, string[]>[] = [{ sessionCookie: [] }, { bearerToken: [] }];

/**
 * The parts of a route definition that say who may call it: the guard
 * middleware, the OpenAPI `security` and the `x-jsscada-access` extension
 * (which the API reference page shows).
 */
export function access(level: Access, anonymousRead: boolean): {
  middleware: MiddlewareHandler<AppEnv>[];
  security: Record<string, string[]>[];
  "x-jsscada-access": Access;
} {
  const anonymous = level === "public" || (level === "read" && anonymousRead);
  const middleware = level === "public"
    ? []
    : level === "read"
    ? [readAccess(anonymousRead)]
    : [requireRole(level)];
  return {
    middleware,
    security: level === "public" ? [] : anonymous ? [{}, ...SIGNED_IN] : SIGNED_IN,
    "x-jsscada-access": level,
  };
}

/**
 * The client's address: the socket peer's, or with `trustProxy` the last
 * X-Forwarded-For entry (the one the trusted proxy added). "unknown" when
 * neither is there (in-process requests in tests).
 */
export function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").map((s) => s.trim())
      .filter((s) => s !== "");
    if (forwarded?.length) return forwarded[forwarded.length - 1];
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
