/**
 * Small pieces the route modules share: the `{id}` path parameter, the
 * `?cascade` query of deletes, and builders for JSON request and response
 * entries of route definitions.
 */
import { z } from "@hono/zod-openapi";
import { booleanField, rule } from "../store/validation.ts";

/** The `{id}` path parameter: a positive whole number. */
export const IdParamSchema = z.object({
  id: z.coerce.number(rule("must be a positive whole number")).int().positive()
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

/** The query of a delete: `?cascade=true` also deletes what references the record. */
export const DeleteQuerySchema = z.object({
  cascade: booleanField().optional().openapi({
    description: "also delete the records that reference this one (default false: 409 if any)",
  }),
});

/** A required JSON request body of `schema`. */
export function jsonBody<S extends z.ZodType>(
  schema: S,
  description?: string,
): { required: true; description?: string; content: { "application/json": { schema: S } } } {
  return { required: true, description, content: { "application/json": { schema } } };
}

/** A JSON response of `schema`. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
): { description: string; content: { "application/json": { schema: S } } } {
  return { description, content: { "application/json": { schema } } };
}

/** The Location header of a created record. */
export const LOCATION_HEADER = {
  Location: { description: "the new record's URL", schema: { type: "string" as const } },
};
