/**
 * The OpenAPI 3.1 document at /api/openapi.json, generated from the route
 * definitions (and so from the store's zod schemas), with the two ways to
 * authenticate as security schemes.
 */
import denoConfig from "../deno.json" with { type: "json" };
import { SESSION_COOKIE } from "./auth_middleware.ts";
import type { ApiApp } from "./context.ts";

/** Where the document is served. */
export const OPENAPI_PATH = "/api/openapi.json";

const TAGS = [
  ["Authentication", "Log in and out; who am I"],
  ["Lines", "Production lines: the top of the plant tree"],
  ["Processes", "Shops, areas and cells of a line"],
  ["PLCs", "MELSEC PLCs reached over the MC protocol"],
  ["Polling groups", "Tags of one PLC read together, FIXED or HANDSHAKE"],
  ["Tags", "Values in a PLC: address, data type, scaling"],
  ["Alarm rules", "Limits and bit states that raise alarms"],
  ["CSV import and export", "The plant as spreadsheet files"],
  ["Users", "Accounts and roles (admin)"],
  ["API tokens", "Bearer tokens for scripts and other systems"],
  ["Audit log", "Who changed what, when (admin)"],
  ["Live values", "Newest values from the live cache; trends from the historian"],
  ["Runtime", "PLC connections, polling groups, writer and buffer: status and control"],
  ["Alarms", "Active alarms, the alarm journal, acknowledge and shelve"],
  ["Operations", "Liveness, readiness and Prometheus metrics (outside /api/v1)"],
] as const;

/** Registers the security schemes and serves the document on `app`. */
export function registerOpenApi(app: ApiApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: "Set by POST /api/v1/auth/login. Changes made with it need the header " +
      "X-Requested-With: jsscada.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "An API token (jss_…) created with POST /api/v1/tokens.",
  });
  app.doc31(OPENAPI_PATH, {
    openapi: "3.1.0",
    info: {
      title: "JSScada API",
      version: denoConfig.version,
      description: "Configuration of the plant (lines, processes, PLCs, polling groups, tags, " +
        "alarm rules), CSV import and export, users, API tokens and the audit log; live values, " +
        "trends, runtime control and alarms; health, readiness and metrics. Live values are " +
        "also pushed over the WebSocket at /ws (see docs/api.md). Errors are " +
        "`{ error, message, issues? }`. Roles: viewer < operator < admin.",
    },
    security: [{ sessionCookie: [] }, { bearerToken: [] }],
    tags: TAGS.map(([name, description]) => ({ name, description })),
  });
}
