/**
 * Login, logout and "who am I": POST /auth/login checks a user name and
 * password (attempts limited as http/login_limiter.ts explains) and sets the
 * HttpOnly, SameSite=Strict session cookie; POST /auth/logout ends the
 * session; GET /auth/me tells the UI who is logged in and with what role.
 * Logins, failed logins and logouts are written to the audit log.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { LaneBusyError } from "../store/hash_lane.ts";
import { StoreUnavailableError, UserSchema } from "../store/mod.ts";
import { rule } from "../store/validation.ts";
import { access, clientAddress, SESSION_COOKIE } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import { LoginLimiter } from "./login_limiter.ts";
import { jsonBody, jsonResponse } from "./schemas.ts";

/** The body of a login. */
export const LoginSchema = z.strictObject({
  name: z.string(rule("must be text")).min(1, "must not be empty").max(
    200,
    "must be at most 200 characters",
  )
    .openapi({ example: "admin" }),
  password: z.string(rule("must be text")).min(1, "must not be empty")
    .max(1000, "must be at most 1000 characters"),
}).openapi("Login");

/** Who the caller is, how they authenticated and until when. */
export const MeSchema = z.object({
  user: UserSchema,
  via: z.enum(["session", "token"]),
  expiresAt: z.string().nullable().openapi({
    description: "ISO 8601; null: a token without expiry",
  }),
}).openapi("Me");

const TAG = "Authentication";

/** The 429 message of each login limit. */
const REFUSED = {
  user_address: "too many login attempts for this user from this address",
  address: "too many login attempts from this address",
  user_backoff: "too many failed logins for this user name from several addresses; " +
    "each new address may try it once in a while",
} as const;

/** The authentication routes. */
export function authRoutes(api: ApiApp, { store, options }: RouteContext): void {
  const limits = options.loginRateLimit;
  const limiter = limits ? new LoginLimiter({ ...limits, now: options.now }) : undefined;
  const cookieOptions = {
    httpOnly: true,
    sameSite: "Strict",
    secure: options.secureCookies,
    path: "/",
  } as const;
  /** Ends the caller's session, if any (audited); the cookie is the caller's to clear. */
  const endSession = (c: Context<AppEnv>) => {
    const auth = c.get("auth");
    const user = c.get("user");
    if (auth?.via === "session" && auth.sessionId && store.sessions.delete(auth.sessionId)) {
      store.audit.record({
        user: user?.name ?? null,
        action: "logout",
        resource: "sessions",
        resourceId: user?.id ?? null,
      });
    }
  };

  api.openapi(
    createRoute({
      method: "post",
      path: "/auth/login",
      tags: [TAG],
      operationId: "login",
      summary: "Log in with a user name and password; sets the session cookie",
      description: `Sets the HttpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\`. ` +
        "Attempts are limited per (user name, client address), per address, and by a slower " +
        "per-user backoff that spares addresses which logged in as that user before " +
        "(429 with Retry-After; see docs/api.md). When the configuration database cannot " +
        "write (disk full), no session can be saved: 503 `store_unavailable` says so.",
      ...access("public", options.anonymousRead),
      request: { body: jsonBody(LoginSchema) },
      responses: {
        200: jsonResponse(MeSchema, "logged in"),
        ...errorResponses(400, 401, 403, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const { name, password } = c.req.valid("json");
      const address = clientAddress(c, options.trustProxy);
      // Counted before the password check, so parallel attempts cannot outrun the limit.
      const attempt = limiter?.begin(name, address);
      if (attempt && !attempt.ok) {
        const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
        throw new HttpError(429, `${REFUSED[attempt.reason]}; try again in ${seconds} s`, {
          headers: { "Retry-After": String(seconds) },
        });
      }
      let user;
      try {
        user = await store.users.verifyPassword(name, password);
      } catch (e) {
        attempt?.cancel();
        if (e instanceof LaneBusyError) {
          throw new HttpError(
            503,
            "too many logins are being checked right now; try again shortly",
            {
              headers: { "Retry-After": "5" },
            },
          );
        }
        throw e;
      }
      if (!user) {
        attempt?.failed();
        try {
          store.audit.record({
            user: null,
            action: "login_failed",
            resource: "sessions",
            after: { name: name.slice(0, 64), address },
          });
        } catch (e) {
          if (e instanceof StoreUnavailableError) {
            throw e.during(
              "wrong user name or password, and the failed login could not be audited",
            );
          }
          throw e;
        }
        throw new HttpError(401, "wrong user name or password");
      }
      attempt?.succeeded();
      // The old session's end, the new session and its audit entry commit together; a
      // database that cannot write (disk full) answers 503 saying so (docs/api.md).
      let session;
      try {
        session = store.transaction(() => {
          endSession(c);
          const created = store.sessions.create(user.id, options.sessionTtlMs);
          store.audit.record({
            user: user.name,
            action: "login",
            resource: "sessions",
            resourceId: user.id,
            after: { address, expiresAt: created.expiresAt },
          });
          return created;
        });
      } catch (e) {
        if (e instanceof StoreUnavailableError) {
          throw e.during("the password is right, but the login session could not be saved");
        }
        throw e;
      }
      setCookie(c, SESSION_COOKIE, session.id, {
        ...cookieOptions,
        maxAge: Math.floor(options.sessionTtlMs / 1000),
      });
      return c.json({ user, via: "session" as const, expiresAt: session.expiresAt }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/auth/logout",
      tags: [TAG],
      operationId: "logout",
      summary: "End the session and clear its cookie (does nothing without one)",
      ...access("public", options.anonymousRead),
      responses: { 204: { description: "logged out" }, ...errorResponses(403) },
    }),
    (c) => {
      endSession(c);
      deleteCookie(c, SESSION_COOKIE, cookieOptions);
      return c.body(null, 204);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/auth/me",
      tags: [TAG],
      operationId: "me",
      summary: "Who is logged in (401 when nobody)",
      ...access("viewer", options.anonymousRead),
      responses: { 200: jsonResponse(MeSchema, "the caller"), ...errorResponses(401) },
    }),
    (c) => {
      const auth = c.get("auth")!;
      return c.json({ user: c.get("user")!, via: auth.via, expiresAt: auth.expiresAt }, 200);
    },
  );
}
