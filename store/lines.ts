/** Production lines: the top of the plant tree (line → process → PLC). */
import { z } from "@hono/zod-openapi";
import type { LineConfig } from "../model/config.ts";
import { codeGetter, makeResource, type Resource } from "./config_resource.ts";
import type { Core } from "./core.ts";
import { searchWhere, type Where } from "./table.ts";
import { codeField, optionalText, pagingShape, requiredText } from "./validation.ts";

const fields = {
  code: codeField("LINE01"),
  name: requiredText(200).openapi({ example: "Body line" }),
};

/** A line in API responses. */
export const LineSchema = z.object({ id: z.number().int(), ...fields }).openapi("Line");
/** The body that creates a line. */
export const LineCreateSchema = z.strictObject(fields).openapi("LineCreate");
/** The body of a PATCH: any subset of the fields. */
export const LinePatchSchema = z.strictObject(fields).partial().openapi("LinePatch");
/** List filters: `q` searches code and name. */
export const LineListQuerySchema = z.object({
  ...pagingShape(["id", "code", "name"] as const, "code"),
  q: optionalText(200).optional(),
}).openapi("LineListQuery");

/** The fields a line is created with. */
export type LineCreate = z.input<typeof LineCreateSchema>;
/** A partial change to a line. */
export type LinePatch = z.input<typeof LinePatchSchema>;
/** What `lines.list` accepts. */
export type LineListQuery = z.input<typeof LineListQuerySchema>;

/** The lines resource. */
export type LinesResource = Resource<LineConfig, LineCreate, LinePatch, LineListQuery> & {
  /** One line by code; NotFoundError if none. */
  getByCode(code: string): LineConfig;
};

/** Creates the lines resource of a store. */
export function createLines(core: Core): LinesResource {
  const table = core.tables.lines;
  const resource = makeResource(core, {
    resource: "lines",
    label: "line",
    table,
    createSchema: LineCreateSchema,
    patchSchema: LinePatchSchema,
    listQuerySchema: LineListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.q) where.push(searchWhere(["code", "name"], q.q));
      return where;
    },
    describe: (r) => `line ${r.code}`,
    duplicate: (data) => {
      const record = table.findBy("code", data.code);
      return record && { record, path: "code" };
    },
    check: () => [],
    dependents: [{
      resource: "processes",
      label: ["process", "processes"],
      sql: "SELECT id FROM processes WHERE line_id = ?",
    }],
  });
  return {
    ...resource,
    getByCode: codeGetter(table, "line"),
  };
}
