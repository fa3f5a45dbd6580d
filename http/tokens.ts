/**
 * REST routes of API tokens (for scripts and other systems). An admin manages
 * every user's tokens; any other logged-in user lists, creates and revokes
 * their own (a token acts with its user's role, so this grants nothing new).
 * A new token's secret is in the create response only; the store keeps its
 * hash and writes the audit entries.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  ApiTokenCreateSchema,
  ApiTokenListQuerySchema,
  ApiTokenSchema,
  pageSchema,
  type User,
} from "../store/mod.ts";
import { access } from "./auth_middleware.ts";
import { API_BASE, type ApiApp, type AppEnv, type RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import { IdParamSchema, jsonBody, jsonResponse, LOCATION_HEADER } from "./schemas.ts";

/** A new token: its record plus the secret, which is shown this once. */
export const ApiTokenCreatedSchema = ApiTokenSchema.extend({
  token: z.string().openapi({
    description: "the secret for `Authorization: Bearer …`; shown only in this response",
    example: "jss_6Qx…",
  }),
}).openapi("ApiTokenCreated");

/** The body of POST /tokens: `userId` may be left out for one's own token. */
export const TokenCreateBodySchema = ApiTokenCreateSchema.partial({ userId: true }).openapi(
  "ApiTokenCreateBody",
  { description: "Without `userId` the token is the caller's own." },
);

const TAG = "API tokens";

/** 403 unless the caller is an admin or the token's own user. */
function checkOwner(caller: User, userId: number): void {
  if (caller.role !== "admin" && caller.id !== userId) {
    throw new HttpError(403, "only an admin may manage other users' API tokens");
  }
}

/** The API token routes. */
export function tokenRoutes(api: ApiApp, { store, options }: RouteContext): void {
  const signedIn = access("viewer", options.anonymousRead);
  const caller = (c: Context<AppEnv>) => c.get("user")!;
  const own = "Admins: any user's; other users: their own.";

  api.openapi(
    createRoute({
      method: "get",
      path: "/tokens",
      tags: [TAG],
      operationId: "listTokens",
      summary: "List API tokens (never their secrets)",
      description: `${own} Without \`userId\`, a non-admin gets their own.`,
      ...signedIn,
      request: { query: ApiTokenListQuerySchema },
      responses: {
        200: jsonResponse(pageSchema(ApiTokenSchema).openapi("ApiTokenPage"), "a page of tokens"),
        ...errorResponses(400, 401, 403),
      },
    }),
    (c) => {
      const user = caller(c);
      const query = c.req.valid("query");
      if (user.role !== "admin") checkOwner(user, query.userId ?? user.id);
      const userId = user.role === "admin" ? query.userId : user.id;
      return c.json(store.tokens.list({ ...query, userId }), 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/tokens/{id}",
      tags: [TAG],
      operationId: "getToken",
      summary: "Get one API token (never its secret)",
      description: own,
      ...signedIn,
      request: { params: IdParamSchema },
      responses: {
        200: jsonResponse(ApiTokenSchema, "the token"),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (c) => {
      const token = store.tokens.get(c.req.valid("param").id);
      checkOwner(caller(c), token.userId);
      return c.json(token, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/tokens",
      tags: [TAG],
      operationId: "createToken",
      summary: "Create an API token; the response is the only time its secret is shown",
      description: own,
      ...signedIn,
      request: { body: jsonBody(TokenCreateBodySchema) },
      responses: {
        201: {
          ...jsonResponse(ApiTokenCreatedSchema, "the new token with its secret"),
          headers: LOCATION_HEADER,
        },
        ...errorResponses(400, 401, 403, 413, 415),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const user = caller(c);
      const input = { ...body, userId: body.userId ?? user.id };
      checkOwner(user, input.userId);
      const { token, record } = store.tokens.create(input, { actor: user.name });
      c.header("Location", `${API_BASE}/tokens/${record.id}`);
      return c.json({ ...record, token }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: "delete",
      path: "/tokens/{id}",
      tags: [TAG],
      operationId: "deleteToken",
      summary: "Revoke an API token",
      description: own,
      ...signedIn,
      request: { params: IdParamSchema },
      responses: { 204: { description: "revoked" }, ...errorResponses(400, 401, 403, 404) },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const user = caller(c);
      checkOwner(user, store.tokens.get(id).userId);
      store.tokens.delete(id, { actor: user.name });
      return c.body(null, 204);
    },
  );
}
