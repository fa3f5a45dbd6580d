/** Processes (shops, areas, cells): each belongs to a line and holds PLCs. */
import { z } from "@hono/zod-openapi";
import type { ProcessConfig } from "../model/config.ts";
import { codeGetter, makeResource, type Resource } from "./config_resource.ts";
import type { Core } from "./core.ts";
import { equalsWhere, searchWhere, type Where } from "./table.ts";
import {
  codeField,
  idField,
  optionalText,
  pagingShape,
  queryInt,
  requiredText,
} from "./validation.ts";

const fields = {
  code: codeField("PRESS"),
  name: requiredText(200).openapi({ example: "Press shop" }),
  lineId: idField("a line"),
};

/** A process in API responses. */
export const ProcessSchema = z.object({ id: z.number().int(), ...fields }).openapi("Process");
/** The body that creates a process. */
export const ProcessCreateSchema = z.strictObject(fields).openapi("ProcessCreate");
/** The body of a PATCH: any subset of the fields. */
export const ProcessPatchSchema = z.strictObject(fields).partial().openapi("ProcessPatch");
/** List filters: by line; `q` searches code and name. */
export const ProcessListQuerySchema = z.object({
  ...pagingShape(["id", "code", "name", "lineId"] as const, "code"),
  lineId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  q: optionalText(200).optional(),
}).openapi("ProcessListQuery");

/** The fields a process is created with. */
export type ProcessCreate = z.input<typeof ProcessCreateSchema>;
/** A partial change to a process. */
export type ProcessPatch = z.input<typeof ProcessPatchSchema>;
/** What `processes.list` accepts. */
export type ProcessListQuery = z.input<typeof ProcessListQuerySchema>;

/** The processes resource. */
export type ProcessesResource =
  & Resource<ProcessConfig, ProcessCreate, ProcessPatch, ProcessListQuery>
  & {
    /** One process by code; NotFoundError if none. */
    getByCode(code: string): ProcessConfig;
  };

/** Creates the processes resource of a store. */
export function createProcesses(core: Core): ProcessesResource {
  const table = core.tables.processes;
  const resource = makeResource(core, {
    resource: "processes",
    label: "process",
    table,
    createSchema: ProcessCreateSchema,
    patchSchema: ProcessPatchSchema,
    listQuerySchema: ProcessListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.lineId !== undefined) where.push(equalsWhere("lineId", q.lineId));
      if (q.q) where.push(searchWhere(["code", "name"], q.q));
      return where;
    },
    describe: (r) => `process ${r.code}`,
    duplicate: (data) => {
      const record = table.findBy("code", data.code);
      return record && { record, path: "code" };
    },
    check: (data, lookup) =>
      lookup.line(data.lineId)
        ? []
        : [{ path: "lineId", message: `no line with id ${data.lineId}` }],
    dependents: [{
      resource: "plcs",
      label: ["PLC", "PLCs"],
      sql: "SELECT id FROM plcs WHERE process_id = ?",
    }],
  });
  return {
    ...resource,
    getByCode: codeGetter(table, "process"),
  };
}
