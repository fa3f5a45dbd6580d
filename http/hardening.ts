/**
 * Hardening middleware of the app: the Content-Security-Policy the UI lives
 * under, request timeouts (hono/timeout: 30 s, longer for CSV imports) and
 * API rate limiting (hono-rate-limiter, keyed by the client address and the
 * authenticated user, with a bounded in-memory store that needs no timer). Body size limits are in body_limits.ts; CORS and security headers
 * are set up in app.ts.
 */
import type { Context, MiddlewareHandler } from "hono";
import { timeout } from "hono/timeout";
import { type ClientRateLimitInfo, rateLimiter, type Store } from "hono-rate-limiter";
import { clientAddress } from "./auth_middleware.ts";
import { API_BASE, type AppEnv, type ResolvedOptions } from "./context.ts";
import { HttpError } from "./errors.ts";

/**
 * A strict policy: scripts, styles, fonts, workers and connections (fetch and
 * the same-origin WebSocket: CSP 3 lets 'self' match ws:/wss: of this host)
 * only from this origin; images also as data: URLs; no inline script or
 * style, no plugins, no framing, forms post only here.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  workerSrc: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** A 504 naming the limit, as the app's error format. */
function timedOut(ms: number): HttpError {
  return new HttpError(
    504,
    `the request took longer than ${ms / 1000} s and was abandoned; try a smaller request`,
    { code: "timeout" },
  );
}

/** Request timeouts: `importTimeoutMs` under /api/v1/import, `requestTimeoutMs` elsewhere. */
export function requestTimeouts(options: ResolvedOptions): MiddlewareHandler<AppEnv> {
  const normal = timeout(options.requestTimeoutMs, () => timedOut(options.requestTimeoutMs));
  const long = timeout(options.importTimeoutMs, () => timedOut(options.importTimeoutMs));
  const importPath = `${API_BASE}/import`;
  return (c, next) => {
    const path = c.req.path;
    return (path === importPath || path.startsWith(`${importPath}/`) ? long : normal)(c, next);
  };
}

/**
 * The rate limiter's hit counters: a fixed window per key, at most `maxKeys`
 * keys (the least recently seen are forgotten first), expiry checked on use,
 * so it holds no timer and its memory is bounded.
 */
export class BoundedRateStore implements Store<AppEnv> {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, { totalHits: number; resetTime: Date }>();

  /** Counters for windows of `windowMs`, for up to `maxKeys` clients. */
  constructor(windowMs: number, maxKeys: number, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  /** A client's count in its current window. */
  get(key: string): ClientRateLimitInfo | undefined {
    const entry = this.#hits.get(key);
    return entry && entry.resetTime.getTime() > this.#now() ? entry : undefined;
  }

  /** Counts one request of `key`. */
  increment(key: string): ClientRateLimitInfo {
    const now = this.#now();
    let entry = this.#hits.get(key);
    if (entry) this.#hits.delete(key);
    if (!entry || entry.resetTime.getTime() <= now) {
      entry = { totalHits: 0, resetTime: new Date(now + this.#windowMs) };
    }
    entry.totalHits++;
    this.#hits.set(key, entry);
    if (this.#hits.size > this.#maxKeys) {
      this.#hits.delete(this.#hits.keys().next().value!);
    }
    return entry;
  }

  /** Takes one request back. */
  decrement(key: string): void {
    const entry = this.#hits.get(key);
    if (entry && entry.totalHits > 0) entry.totalHits--;
  }

  /** Forgets a client. */
  resetKey(key: string): void {
    this.#hits.delete(key);
  }

  /** Forgets every client. */
  resetAll(): void {
    this.#hits.clear();
  }

  /** Clients remembered now. */
  get size(): number {
    return this.#hits.size;
  }
}

/**
 * The rate limit key: the client's address, with the user when authenticated
 * — so ten control-room screens logged in as one shared operator account
 * each get their own budget, and one screen cannot use up another's.
 */
function clientKey(c: Context<AppEnv>, trustProxy: boolean): string {
  const user = c.get("user");
  const addr = clientAddress(c, trustProxy);
  return user ? `user:${user.id}@${addr}` : `addr:${addr}`;
}

/**
 * The API rate limiter, or undefined when `rateLimit` is off. Over the limit:
 * 429 with Retry-After (and the draft-6 `RateLimit-*` headers on every answer).
 */
export function apiRateLimit(options: ResolvedOptions): MiddlewareHandler<AppEnv> | undefined {
  const settings = options.rateLimit;
  if (!settings) return undefined;
  const { limit, windowMs, maxKeys } = settings;
  const store = new BoundedRateStore(windowMs, maxKeys, options.now);
  const per = windowMs === 60_000 ? "minute" : `${windowMs / 1000} s`;
  return rateLimiter<AppEnv>({
    windowMs,
    limit,
    standardHeaders: "draft-6",
    store,
    keyGenerator: (c) => clientKey(c, options.trustProxy),
    handler: (c) => {
      const info = store.get(clientKey(c, options.trustProxy));
      const retry = info?.resetTime
        ? Math.max(1, Math.ceil((info.resetTime.getTime() - options.now()) / 1000))
        : Math.ceil(windowMs / 1000);
      throw new HttpError(
        429,
        `too many requests: at most ${limit} per ${per} per client; try again in ${retry} s`,
        { headers: { "Retry-After": String(retry) } },
      );
    },
  });
}
