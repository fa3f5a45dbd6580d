/** REST routes of production lines: /api/v1/lines. */
import {
  LineCreateSchema,
  LineListQuerySchema,
  LinePatchSchema,
  LineSchema,
} from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The lines routes; deleting a line with processes needs `?cascade=true`. */
export const lineRoutes: RouteModule = crudRoutes({
  path: "/lines",
  tag: "Lines",
  names: { one: "Line", many: "Lines", label: "line" },
  schema: LineSchema,
  createSchema: LineCreateSchema,
  patchSchema: LinePatchSchema,
  listQuerySchema: LineListQuerySchema,
  cascade: true,
  resource: (store) => store.lines,
});
