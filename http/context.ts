/**
 * The types every route module shares: the Hono environment (what the auth
 * middleware puts on the context), the options of one app, and the route
 * module signature — the extension point through which later issues (runtime
 * control, live values) add their routes under /api/v1.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { DEFAULT_SESSION_TTL_MS, type Store, type User } from "../store/mod.ts";
import type { HistorianInfo } from "../sinks/factory.ts";

/** Where every REST route lives. */
export const API_BASE = "/api/v1";

/** How the caller proved who they are. */
export interface AuthInfo {
  readonly via: "session" | "token";
  /** The session cookie's value (session logins only), to end it at logout. */
  readonly sessionId?: string;
  /** The API token's id (token logins only). */
  readonly tokenId?: number;
  /** When the session or token stops working (ISO 8601), or null for a token without expiry. */
  readonly expiresAt: string | null;
}

/** Request-scoped values set by the middleware. */
export interface AppVariables {
  /** The authenticated user, or null for an anonymous request. */
  user: User | null;
  /** How `user` authenticated; null when anonymous. */
  auth: AuthInfo | null;
}

/** The Hono environment of the JSScada app. */
export interface AppEnv {
  Variables: AppVariables;
}

/** The app (or the /api/v1 sub-app) that route modules register on. */
export type ApiApp = OpenAPIHono<AppEnv>;

/** Login rate limiting (http/login_limiter.ts; docs/api.md explains the rules). */
export interface LoginRateLimitOptions {
  /** Attempts allowed per (user name, client address) within the window. Default 5. */
  readonly maxFailures?: number;
  /** The window, ms. Default 5 minutes. */
  readonly windowMs?: number;
  /** Attempts allowed per client address over all user names within the window. Default 20. */
  readonly maxFailuresPerAddress?: number;
  /** Failures of one user name from all addresses that start its slow backoff. Default 10. */
  readonly userBackoffAfter?: number;
  /** Under backoff, one attempt per address per this many ms for that name. Default 30 s. */
  readonly userBackoffMs?: number;
  /** How long an address that logged in as a user stays exempt from that user's backoff, ms. Default 30 days. */
  readonly trustMs?: number;
  /** Most keys (user names + addresses) remembered; the oldest go first. Default 10,000. */
  readonly maxKeys?: number;
}

/** API rate limiting (hono-rate-limiter): requests per client within a window. */
export interface RateLimitOptions {
  /** Requests allowed per client (address and user; address alone when anonymous) per window. Default 600. */
  readonly limit?: number;
  /** The window, ms. Default 1 minute. */
  readonly windowMs?: number;
  /** Most clients remembered at once; the least recent go first. Default 10,000. */
  readonly maxKeys?: number;
}

/** Options of {@link createApp}; every one has a safe default. */
export interface AppOptions {
  /** Let unauthenticated clients read the plant configuration (wall-mounted dashboards). Default false. */
  readonly anonymousRead?: boolean;
  /** Serving over HTTPS: mark the session cookie Secure and send HSTS. Default false. */
  readonly secureCookies?: boolean;
  /** How long a login session lasts, ms. Default 8 hours. */
  readonly sessionTtlMs?: number;
  /** Login failure limits; false turns them off (tests only). */
  readonly loginRateLimit?: LoginRateLimitOptions | false;
  /** Largest request body outside CSV import, bytes. Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** Largest CSV import body, bytes. Default 32 MiB. */
  readonly importBodyLimitBytes?: number;
  /** Most data rows per CSV file in one import (413 above it). Default 200,000. */
  readonly importMaxRows?: number;
  /** Origins allowed to call the API from other sites (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /**
   * Take the client address from the last `X-Forwarded-For` entry (set this
   * only behind a reverse proxy that writes it). Default false: the socket's
   * peer address.
   */
  readonly trustProxy?: boolean;
  /**
   * The historian's kind, retention and disk guard, shown with GET /runtime
   * (the runtime page); `historianInfo(settings.sink)` from sinks/factory.ts.
   */
  readonly historian?: HistorianInfo;
  /** Security headers (CSP, nosniff, frame denial …) on every response. Default true. */
  readonly securityHeaders?: boolean;
  /** The clock, ms since the epoch (login rate limiting). Default Date.now. */
  readonly now?: () => number;
  /** API rate limit under /api and on /ws; false turns it off. Default 600 requests per minute. */
  readonly rateLimit?: RateLimitOptions | false;
  /** Longest time a request under /api may take before a 504, ms. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** The same for CSV imports, ms. Default 5 minutes. */
  readonly importTimeoutMs?: number;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. Default: open. */
  readonly metricsToken?: string;
}

/** {@link AppOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly anonymousRead: boolean;
  readonly secureCookies: boolean;
  readonly sessionTtlMs: number;
  readonly loginRateLimit: Required<LoginRateLimitOptions> | false;
  readonly bodyLimitBytes: number;
  readonly importBodyLimitBytes: number;
  readonly importMaxRows: number;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;
  readonly securityHeaders: boolean;
  readonly now: () => number;
  readonly rateLimit: Required<RateLimitOptions> | false;
  readonly requestTimeoutMs: number;
  readonly importTimeoutMs: number;
  readonly metricsToken: string | undefined;
  readonly historian: HistorianInfo | undefined;
}

/** Fills in the defaults of {@link AppOptions}. */
export function resolveOptions(options: AppOptions = {}): ResolvedOptions {
  const limit = options.loginRateLimit;
  const rate = options.rateLimit;
  return {
    anonymousRead: options.anonymousRead ?? false,
    secureCookies: options.secureCookies ?? false,
    sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    loginRateLimit: limit === false ? false : {
      maxFailures: limit?.maxFailures ?? 5,
      windowMs: limit?.windowMs ?? 5 * 60_000,
      maxFailuresPerAddress: limit?.maxFailuresPerAddress ?? 20,
      userBackoffAfter: limit?.userBackoffAfter ?? 10,
      userBackoffMs: limit?.userBackoffMs ?? 30_000,
      trustMs: limit?.trustMs ?? 30 * 24 * 3600_000,
      maxKeys: limit?.maxKeys ?? 10_000,
    },
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    importBodyLimitBytes: options.importBodyLimitBytes ?? 32 * 1024 * 1024,
    importMaxRows: options.importMaxRows ?? 200_000,
    corsOrigins: options.corsOrigins ?? [],
    trustProxy: options.trustProxy ?? false,
    securityHeaders: options.securityHeaders ?? true,
    now: options.now ?? Date.now,
    rateLimit: rate === false ? false : {
      limit: rate?.limit ?? 600,
      windowMs: rate?.windowMs ?? 60_000,
      maxKeys: rate?.maxKeys ?? 10_000,
    },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    importTimeoutMs: options.importTimeoutMs ?? 5 * 60_000,
    metricsToken: options.metricsToken || undefined,
    historian: options.historian,
  };
}

/** What a route module gets besides the app: the store, the runtime, the options. */
export interface RouteContext<R = unknown> {
  readonly store: Store;
  /** Whatever the caller passed as `runtime` (the running plant, from later issues). */
  readonly runtime: R;
  readonly options: ResolvedOptions;
}

/**
 * A route module: registers its routes (with `api.openapi(createRoute(…))`,
 * paths relative to /api/v1) so they appear in the OpenAPI document too.
 */
export type RouteModule<R = unknown> = (api: ApiApp, ctx: RouteContext<R>) => void;
