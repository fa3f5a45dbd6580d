/** REST routes of processes (shops, areas, cells of a line): /api/v1/processes. */
import {
  ProcessCreateSchema,
  ProcessListQuerySchema,
  ProcessPatchSchema,
  ProcessSchema,
} from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The processes routes; deleting a process with PLCs needs `?cascade=true`. */
export const processRoutes: RouteModule = crudRoutes({
  path: "/processes",
  tag: "Processes",
  names: { one: "Process", many: "Processes", label: "process" },
  schema: ProcessSchema,
  createSchema: ProcessCreateSchema,
  patchSchema: ProcessPatchSchema,
  listQuerySchema: ProcessListQuerySchema,
  cascade: true,
  resource: (store) => store.processes,
});
