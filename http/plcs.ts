/** REST routes of PLCs: /api/v1/plcs. */
import { PlcCreateSchema, PlcListQuerySchema, PlcPatchSchema, PlcSchema } from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The PLC routes; deleting a PLC with tags or groups needs `?cascade=true`. */
export const plcRoutes: RouteModule = crudRoutes({
  path: "/plcs",
  tag: "PLCs",
  names: { one: "Plc", many: "Plcs", label: "PLC" },
  schema: PlcSchema,
  createSchema: PlcCreateSchema,
  patchSchema: PlcPatchSchema,
  listQuerySchema: PlcListQuerySchema,
  cascade: true,
  resource: (store) => store.plcs,
});
