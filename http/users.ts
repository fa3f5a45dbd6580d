/**
 * REST routes of users (admin only): list, get, create with a password,
 * change name, role or password, delete. Responses never carry password
 * hashes; the store writes the audit entries and refuses to remove the last
 * admin (409).
 */
import { createRoute } from "@hono/zod-openapi";
import {
  pageSchema,
  UserCreateSchema,
  UserListQuerySchema,
  UserPatchSchema,
  UserSchema,
} from "../store/mod.ts";
import { access } from "./auth_middleware.ts";
import { API_BASE, type ApiApp, type RouteContext } from "./context.ts";
import { errorResponses } from "./errors.ts";
import { IdParamSchema, jsonBody, jsonResponse, LOCATION_HEADER } from "./schemas.ts";

const TAG = "Users";

/** The user management routes. */
export function userRoutes(api: ApiApp, { store, options }: RouteContext): void {
  const admin = access("admin", options.anonymousRead);

  api.openapi(
    createRoute({
      method: "get",
      path: "/users",
      tags: [TAG],
      operationId: "listUsers",
      summary: "List users",
      ...admin,
      request: { query: UserListQuerySchema },
      responses: {
        200: jsonResponse(pageSchema(UserSchema).openapi("UserPage"), "a page of users"),
        ...errorResponses(400, 401, 403),
      },
    }),
    (c) => c.json(store.users.list(c.req.valid("query")), 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/users/{id}",
      tags: [TAG],
      operationId: "getUser",
      summary: "Get one user",
      ...admin,
      request: { params: IdParamSchema },
      responses: {
        200: jsonResponse(UserSchema, "the user"),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (c) => c.json(store.users.get(c.req.valid("param").id), 200),
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/users",
      tags: [TAG],
      operationId: "createUser",
      summary: "Create a user with a role and a password",
      ...admin,
      request: { body: jsonBody(UserCreateSchema) },
      responses: {
        201: { ...jsonResponse(UserSchema, "the new user"), headers: LOCATION_HEADER },
        ...errorResponses(400, 401, 403, 409, 413, 415),
      },
    }),
    async (c) => {
      const user = await store.users.create(c.req.valid("json"), { actor: c.get("user")!.name });
      c.header("Location", `${API_BASE}/users/${user.id}`);
      return c.json(user, 201);
    },
  );

  api.openapi(
    createRoute({
      method: "patch",
      path: "/users/{id}",
      tags: [TAG],
      operationId: "updateUser",
      summary: "Rename a user, change their role or reset their password",
      description: "A new password ends the user's sessions. The last admin cannot be demoted.",
      ...admin,
      request: { params: IdParamSchema, body: jsonBody(UserPatchSchema) },
      responses: {
        200: jsonResponse(UserSchema, "the user after the change"),
        ...errorResponses(400, 401, 403, 404, 409, 413, 415),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const user = await store.users.update(id, c.req.valid("json"), {
        actor: c.get("user")!.name,
      });
      return c.json(user, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "delete",
      path: "/users/{id}",
      tags: [TAG],
      operationId: "deleteUser",
      summary: "Delete a user with their API tokens and sessions",
      ...admin,
      request: { params: IdParamSchema },
      responses: { 204: { description: "deleted" }, ...errorResponses(400, 401, 403, 404, 409) },
    }),
    (c) => {
      store.users.delete(c.req.valid("param").id, { actor: c.get("user")!.name });
      return c.body(null, 204);
    },
  );
}
