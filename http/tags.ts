/** REST routes of tags: /api/v1/tags. */
import { TagCreateSchema, TagListQuerySchema, TagPatchSchema, TagSchema } from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The tag routes; deleting a tag with alarm rules needs `?cascade=true`. */
export const tagRoutes: RouteModule = crudRoutes({
  path: "/tags",
  tag: "Tags",
  names: { one: "Tag", many: "Tags", label: "tag" },
  schema: TagSchema,
  createSchema: TagCreateSchema,
  patchSchema: TagPatchSchema,
  listQuerySchema: TagListQuerySchema,
  cascade: true,
  resource: (store) => store.tags,
});
