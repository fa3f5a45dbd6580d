/**
 * The HTTP layer's public API in one import, for `serve` and for the route
 * modules of later issues: the app factory, the route module extension point
 * and its types, the guards and the typed HTTP error.
 *
 * ```ts
 * const app = createApp({ store, metrics, runtime, routes: [runtimeRoutes], options });
 * Deno.serve({ port: 8080 }, app.fetch); // passes the connection info for getConnInfo
 * ```
 */
export { type AppDeps, CORE_ROUTES, createApp } from "./app.ts";
export {
  type Access,
  access,
  CSRF_HEADER,
  CSRF_VALUE,
  readAccess,
  requireRole,
  SESSION_COOKIE,
} from "./auth_middleware.ts";
export {
  API_BASE,
  type ApiApp,
  type AppEnv,
  type AppOptions,
  type AuthInfo,
  type LoginRateLimitOptions,
  type RouteContext,
  type RouteModule,
} from "./context.ts";
export { errorResponses, ErrorSchema, HttpError } from "./errors.ts";
export { IdParamSchema, jsonBody, jsonResponse } from "./schemas.ts";
export { API_DOCS_PATH } from "./api_docs_page.ts";
export { OPENAPI_PATH } from "./openapi.ts";
