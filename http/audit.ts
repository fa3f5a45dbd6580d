/**
 * The audit log over REST (admin only): who changed what and when, with the
 * record before and after, filtered by user, resource, action, record and
 * time range, newest first, a page at a time.
 */
import { createRoute } from "@hono/zod-openapi";
import { AuditEntrySchema, AuditListQuerySchema, pageSchema } from "../store/mod.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, RouteContext } from "./context.ts";
import { errorResponses } from "./errors.ts";
import { IdParamSchema, jsonResponse } from "./schemas.ts";

const TAG = "Audit log";

/** The audit log routes. */
export function auditRoutes(api: ApiApp, { store, options }: RouteContext): void {
  const admin = access("admin", options.anonymousRead);

  api.openapi(
    createRoute({
      method: "get",
      path: "/audit",
      tags: [TAG],
      operationId: "listAudit",
      summary: "List audit entries (newest first by default)",
      ...admin,
      request: { query: AuditListQuerySchema },
      responses: {
        200: jsonResponse(pageSchema(AuditEntrySchema).openapi("AuditPage"), "a page of entries"),
        ...errorResponses(400, 401, 403),
      },
    }),
    (c) => c.json(store.audit.list(c.req.valid("query")), 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/audit/{id}",
      tags: [TAG],
      operationId: "getAuditEntry",
      summary: "Get one audit entry",
      ...admin,
      request: { params: IdParamSchema },
      responses: {
        200: jsonResponse(AuditEntrySchema, "the entry"),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (c) => c.json(store.audit.get(c.req.valid("param").id), 200),
  );
}
