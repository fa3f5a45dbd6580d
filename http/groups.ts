/** REST routes of polling groups: /api/v1/groups. */
import {
  GroupCreateSchema,
  GroupListQuerySchema,
  GroupPatchSchema,
  GroupSchema,
} from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The polling group routes; deleting a group with tags needs `?cascade=true`. */
export const groupRoutes: RouteModule = crudRoutes({
  path: "/groups",
  tag: "Polling groups",
  names: { one: "Group", many: "Groups", label: "polling group" },
  schema: GroupSchema,
  createSchema: GroupCreateSchema,
  patchSchema: GroupPatchSchema,
  listQuerySchema: GroupListQuerySchema,
  cascade: true,
  resource: (store) => store.groups,
});
