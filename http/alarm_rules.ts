/** REST routes of alarm rules: /api/v1/alarm-rules. */
import {
  AlarmRuleCreateSchema,
  AlarmRuleListQuerySchema,
  AlarmRulePatchSchema,
  AlarmRuleSchema,
} from "../store/mod.ts";
import type { RouteModule } from "./context.ts";
import { crudRoutes } from "./crud_routes.ts";

/** The alarm rule routes (nothing references a rule, so delete has no cascade). */
export const alarmRuleRoutes: RouteModule = crudRoutes({
  path: "/alarm-rules",
  tag: "Alarm rules",
  names: { one: "AlarmRule", many: "AlarmRules", label: "alarm rule" },
  schema: AlarmRuleSchema,
  createSchema: AlarmRuleCreateSchema,
  patchSchema: AlarmRulePatchSchema,
  listQuerySchema: AlarmRuleListQuerySchema,
  cascade: false,
  resource: (store) => store.alarmRules,
});
