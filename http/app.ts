/**
 * The HTTP app: `createApp({ store, metrics, runtime, routes, options })`
 * builds the Hono app with every REST route under /api/v1, the OpenAPI
 * document at /api/openapi.json and the reference page at /api/docs. Serve it
 * with `Deno.serve(app.fetch)`; test it with `app.request()`.
 *
 * Middleware, outermost first:
 * 1. request timing → metrics (route pattern, status; sees the mapped error status),
 * 2. security headers (CSP and friends; optional),
 * 3. CORS, only for configured origins (answers preflights before auth),
 * 4. request timeouts under /api (504; hardening.ts),
 * 5. body size limits (413 before a handler reads too much),
 * 6. authentication (bearer token or session cookie → `c.get("user")`; CSRF check),
 * 7. API rate limiting per user or client address (429; hardening.ts),
 * then each route's own guard (401/403), its zod validation (400 via the
 * defaultHook) and its handler. One `onError` maps every error; `notFound`
 * answers JSON. `rootRoutes` (health, readiness, metrics, the WebSocket)
 * are registered at the top level, outside /api/v1.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { Metrics } from "../observability/metrics.ts";
import type { Store } from "../store/mod.ts";
import { registerApiDocs } from "./api_docs_page.ts";
import { alarmRuleRoutes } from "./alarm_rules.ts";
import { auditRoutes } from "./audit.ts";
import { authRoutes } from "./auth.ts";
import { authenticate, CSRF_HEADER } from "./auth_middleware.ts";
import { bodyLimits } from "./body_limits.ts";
import {
  API_BASE,
  type AppEnv,
  type AppOptions,
  resolveOptions,
  type RouteContext,
  type RouteModule,
} from "./context.ts";
import { csvRoutes } from "./csv.ts";
import { handleError, handleNotFound } from "./errors.ts";
import { groupRoutes } from "./groups.ts";
import { apiRateLimit, CONTENT_SECURITY_POLICY, requestTimeouts } from "./hardening.ts";
import { lineRoutes } from "./lines.ts";
import { registerOpenApi } from "./openapi.ts";
import { plcRoutes } from "./plcs.ts";
import { processRoutes } from "./processes.ts";
import { requestTiming } from "./request_timing.ts";
import { tagRoutes } from "./tags.ts";
import { tokenRoutes } from "./tokens.ts";
import { userRoutes } from "./users.ts";
import { validationHook } from "./validation_hook.ts";

/** What {@link createApp} is built from. */
export interface AppDeps<R = unknown> {
  /** The configuration store. */
  readonly store: Store;
  /** Where request durations go; none: not measured. */
  readonly metrics?: Metrics;
  /** The running plant, handed to `routes` as `ctx.runtime` (later issues). */
  readonly runtime?: R;
  /**
   * More route modules, registered under /api/v1 after the built-in ones (and
   * listed in the OpenAPI document): the runtime's start/stop/trigger, live
   * values … Guard them with `requireRole("operator")` or `access(…)`.
   */
  readonly routes?: readonly RouteModule<R>[];
  /**
   * Route modules registered at the top level rather than under /api/v1:
   * /health, /ready, /metrics, /ws. They get the same context; the auth
   * middleware does not run for them, so each checks its own caller.
   */
  readonly rootRoutes?: readonly RouteModule<R>[];
  readonly options?: AppOptions;
}

/** The built-in route modules, in the order the reference lists them. */
export const CORE_ROUTES: readonly RouteModule[] = [
  authRoutes,
  lineRoutes,
  processRoutes,
  plcRoutes,
  groupRoutes,
  tagRoutes,
  alarmRuleRoutes,
  csvRoutes,
  userRoutes,
  tokenRoutes,
  auditRoutes,
];

/** Builds the app. */
export function createApp<R = unknown>(deps: AppDeps<R>): OpenAPIHono<AppEnv> {
  const options = resolveOptions(deps.options);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(handleError);
  app.notFound(handleNotFound);

  if (deps.metrics) app.use("*", requestTiming(deps.metrics));
  if (options.securityHeaders) {
    app.use(
      "*",
      secureHeaders({
        contentSecurityPolicy: CONTENT_SECURITY_POLICY,
        // HSTS only when served over HTTPS, and never for other hosts of the plant network.
        strictTransportSecurity: options.secureCookies ? "max-age=15552000" : false,
      }),
    );
  }
  if (options.corsOrigins.length) {
    app.use(
      "/api/*",
      cors({
        origin: [...options.corsOrigins],
        credentials: true,
        allowHeaders: ["Content-Type", "Authorization", CSRF_HEADER],
        allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
        exposeHeaders: ["Location", "Retry-After", "Content-Disposition"],
        maxAge: 600,
      }),
    );
  }
  app.use("/api/*", requestTimeouts(options), bodyLimits(options), authenticate(deps.store));
  const limiter = apiRateLimit(options);
  if (limiter) app.use("/api/*", limiter);

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const ctx: RouteContext<R> = { store: deps.store, runtime: deps.runtime as R, options };
  for (const module of CORE_ROUTES) module(api, ctx as RouteContext);
  for (const module of deps.routes ?? []) module(api, ctx);
  app.route(API_BASE, api);
  for (const module of deps.rootRoutes ?? []) module(app, ctx);

  registerOpenApi(app);
  registerApiDocs(app);
  return app;
}
