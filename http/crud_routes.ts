/**
 * The one route factory of the six plant resources (lines, processes, PLCs,
 * polling groups, tags, alarm rules): list with paging, filters and sort;
 * get; create (201 + Location); update (PATCH); delete (204, `?cascade=true`
 * where records can have dependents). The schemas are the store's, so the
 * OpenAPI document and the validation come from the same definitions; the
 * store does the rules, the audit entries and the change events.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import type { ResourceApi, Store } from "../store/mod.ts";
import { pageSchema } from "../store/mod.ts";
import { access } from "./auth_middleware.ts";
import { API_BASE, type RouteModule } from "./context.ts";
import { errorResponses } from "./errors.ts";
import {
  DeleteQuerySchema,
  IdParamSchema,
  jsonBody,
  jsonResponse,
  LOCATION_HEADER,
} from "./schemas.ts";

/** A record with an id, as every plant resource has. */
type AnyRecord = { id: number };

/** What the factory needs to know about one plant resource. */
export interface CrudSpec {
  /** The collection's path under /api/v1: `/alarm-rules`. */
  readonly path: `/${string}`;
  /** The OpenAPI tag (section of the reference): `Alarm rules`. */
  readonly tag: string;
  /** For operation ids and summaries: `AlarmRule`, `AlarmRules`, `alarm rule`. */
  readonly names: { readonly one: string; readonly many: string; readonly label: string };
  readonly schema: z.ZodType;
  readonly createSchema: z.ZodType;
  readonly patchSchema: z.ZodType;
  /** The list filters, paging and sort (query parameters). */
  readonly listQuerySchema: z.ZodObject;
  /** Whether records can have dependents, so delete takes `?cascade`. */
  readonly cascade: boolean;
  /** The store's resource. */
  readonly resource: (store: Store) => ResourceApi<AnyRecord, unknown, unknown, unknown>;
}

/** The route module of one plant resource. */
export function crudRoutes(spec: CrudSpec): RouteModule {
  return (api, { store, options }) => {
    const resource = spec.resource(store);
    const { one, many, label } = spec.names;
    const read = access("read", options.anonymousRead);
    const admin = access("admin", options.anonymousRead);
    const item = `${spec.path}/{id}`;
    const actor = (user: { name: string } | null) => ({ actor: user?.name ?? null });

    api.openapi(
      createRoute({
        method: "get",
        path: spec.path,
        tags: [spec.tag],
        operationId: `list${many}`,
        summary: `List ${label}s (filtered, sorted, a page at a time)`,
        ...read,
        request: { query: spec.listQuerySchema },
        responses: {
          200: jsonResponse(pageSchema(spec.schema).openapi(`${one}Page`), `a page of ${label}s`),
          ...errorResponses(400, 401, 403),
        },
      }),
      (c) => c.json(resource.list(c.req.valid("query")), 200),
    );

    api.openapi(
      createRoute({
        method: "get",
        path: item,
        tags: [spec.tag],
        operationId: `get${one}`,
        summary: `Get one ${label}`,
        ...read,
        request: { params: IdParamSchema },
        responses: {
          200: jsonResponse(spec.schema, `the ${label}`),
          ...errorResponses(400, 401, 403, 404),
        },
      }),
      (c) => c.json(resource.get(c.req.valid("param").id), 200),
    );

    api.openapi(
      createRoute({
        method: "post",
        path: spec.path,
        tags: [spec.tag],
        operationId: `create${one}`,
        summary: `Create a ${label}`,
        ...admin,
        request: { body: jsonBody(spec.createSchema) },
        responses: {
          201: { ...jsonResponse(spec.schema, `the new ${label}`), headers: LOCATION_HEADER },
          ...errorResponses(400, 401, 403, 409, 413, 415, 503),
        },
      }),
      (c) => {
        const created = resource.create(c.req.valid("json"), actor(c.get("user")));
        c.header("Location", `${API_BASE}${spec.path}/${created.id}`);
        return c.json(created, 201);
      },
    );

    api.openapi(
      createRoute({
        method: "patch",
        path: item,
        tags: [spec.tag],
        operationId: `update${one}`,
        summary: `Change some fields of a ${label}`,
        description: "The merged record is checked as a whole, as a create is.",
        ...admin,
        request: { params: IdParamSchema, body: jsonBody(spec.patchSchema) },
        responses: {
          200: jsonResponse(spec.schema, `the ${label} after the change`),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503),
        },
      }),
      (c) => {
        const { id } = c.req.valid("param");
        return c.json(resource.update(id, c.req.valid("json"), actor(c.get("user"))), 200);
      },
    );

    api.openapi(
      createRoute({
        method: "delete",
        path: item,
        tags: [spec.tag],
        operationId: `delete${one}`,
        summary: `Delete a ${label}`,
        ...admin,
        request: spec.cascade
          ? { params: IdParamSchema, query: DeleteQuerySchema }
          : { params: IdParamSchema },
        responses: {
          204: { description: "deleted" },
          ...errorResponses(400, 401, 403, 404, 409, 503),
        },
      }),
      (c) => {
        const { id } = c.req.valid("param");
        const query = spec.cascade ? DeleteQuerySchema.parse(c.req.query()) : {};
        resource.delete(id, { cascade: query.cascade === true, ...actor(c.get("user")) });
        return c.body(null, 204);
      },
    );
  };
}
