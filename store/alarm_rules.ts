/**
 * Alarm rules: analog limits (HIHI, HI, LO, LOLO, with hysteresis) on numeric
 * tags and bit states (ON, OFF) on BOOL tags, each with an on-delay, a
 * severity and a message. A tag has at most one rule of each kind, so
 * (tag, kind) identifies a rule (the CSV importer merges by it).
 */
import { z } from "@hono/zod-openapi";
import type { AlarmKind, AlarmRuleConfig } from "../model/config.ts";
import { makeResource, type Resource } from "./config_resource.ts";
import type { Core, Lookup } from "./core.ts";
import { type Issue, NotFoundError } from "./errors.ts";
import { equalsWhere, searchWhere, type Where } from "./table.ts";
import {
  booleanField,
  idField,
  intIn,
  optionalText,
  pagingShape,
  queryInt,
  requiredText,
  rule,
} from "./validation.ts";
import { kindFitsType } from "./tags.ts";

/** Every alarm kind. */
export const ALARM_KINDS: readonly AlarmKind[] = ["HIHI", "HI", "LO", "LOLO", "ON", "OFF"];
const KINDS = ALARM_KINDS as unknown as [AlarmKind, ...AlarmKind[]];

/** True for the analog kinds, which compare a value with a limit. */
export function isLimitKind(kind: AlarmKind): boolean {
  return kind !== "ON" && kind !== "OFF";
}

const fields = {
  tagId: idField("a tag"),
  kind: z.enum(KINDS, rule(`must be one of ${ALARM_KINDS.join(", ")}`)),
  limit: z.number(rule("must be a number")).nullable().openapi({ example: 190 }),
  hysteresis: z.number(rule("must be a number, 0 or more")).min(0, "must be 0 or more"),
  onDelayMs: intIn(0, 86_400_000, " ms"),
  severity: intIn(1, 1000).openapi({ example: 700 }),
  message: requiredText(500).openapi({ example: "Oven zone 1 temperature high" }),
  enabled: booleanField(),
};

/** An alarm rule in API responses. */
export const AlarmRuleSchema = z.object({
  id: z.number().int(),
  ...fields,
  enabled: z.boolean(),
}).openapi("AlarmRule");
/** The body that creates an alarm rule. */
export const AlarmRuleCreateSchema = z.strictObject({
  ...fields,
  limit: fields.limit.default(null),
  hysteresis: fields.hysteresis.default(0),
  onDelayMs: fields.onDelayMs.default(0),
  enabled: fields.enabled.default(true),
}).openapi("AlarmRuleCreate");
/** The body of a PATCH: any subset of the fields. */
export const AlarmRulePatchSchema = z.strictObject(fields).partial().openapi("AlarmRulePatch");
/** List filters: by tag, kind, enabled, lowest severity; `q` searches the message. */
export const AlarmRuleListQuerySchema = z.object({
  // `tag`: by the tag's code (what the admin list shows); `tagId`: by its id.
  ...pagingShape(["id", "tagId", "tag", "kind", "severity"] as const, "id"),
  tagId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  kind: z.enum(KINDS).optional(),
  enabled: booleanField().optional(),
  minSeverity: queryInt(1, 1000).optional(),
  q: optionalText(200).optional(),
}).openapi("AlarmRuleListQuery");

/** The fields an alarm rule is created with. */
export type AlarmRuleCreate = z.input<typeof AlarmRuleCreateSchema>;
/** A partial change to an alarm rule. */
export type AlarmRulePatch = z.input<typeof AlarmRulePatchSchema>;
/** What `alarmRules.list` accepts. */
export type AlarmRuleListQuery = z.input<typeof AlarmRuleListQuerySchema>;

/** The alarm rules resource. */
export type AlarmRulesResource =
  & Resource<AlarmRuleConfig, AlarmRuleCreate, AlarmRulePatch, AlarmRuleListQuery>
  & {
    /** The rule of `kind` on a tag; NotFoundError if none. */
    getByTagKind(tagId: number, kind: AlarmKind): AlarmRuleConfig;
  };

const article = (kind: AlarmKind) => (/^[HO]/.test(kind) ? "an" : "a");

/** The rules of one alarm rule: its tag exists and fits the kind; limits as the kind needs. */
export function checkAlarmRule(r: Omit<AlarmRuleConfig, "id">, lookup: Lookup): Issue[] {
  const issues: Issue[] = [];
  const tag = lookup.tag(r.tagId);
  if (!tag) issues.push({ path: "tagId", message: `no tag with id ${r.tagId}` });
  if (isLimitKind(r.kind)) {
    if (r.limit === null) {
      issues.push({ path: "limit", message: `${article(r.kind)} ${r.kind} rule needs a limit` });
    }
  } else {
    if (r.limit !== null) {
      issues.push({ path: "limit", message: `${article(r.kind)} ${r.kind} rule has no limit` });
    }
    if (r.hysteresis !== 0) {
      issues.push({
        path: "hysteresis",
        message: `${article(r.kind)} ${r.kind} rule has no hysteresis`,
      });
    }
  }
  if (tag && !kindFitsType(r.kind, tag.dataType)) {
    issues.push({
      path: "kind",
      message: `${r.kind} rules need ${isLimitKind(r.kind) ? "a numeric" : "a BOOL"} tag; ` +
        `${tag.code} is ${tag.dataType}`,
    });
  }
  return issues;
}

/** Creates the alarm rules resource of a store. */
export function createAlarmRules(core: Core): AlarmRulesResource {
  const table = core.tables.alarmRules;
  const findByTagKind = (tagId: number, kind: AlarmKind) =>
    table.where({ sql: `"tag_id" = ? AND "kind" = ?`, params: [tagId, kind] })[0];
  const resource = makeResource(core, {
    resource: "alarmRules",
    label: "alarm rule",
    table,
    createSchema: AlarmRuleCreateSchema,
    patchSchema: AlarmRulePatchSchema,
    listQuerySchema: AlarmRuleListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.tagId !== undefined) where.push(equalsWhere("tagId", q.tagId));
      if (q.kind !== undefined) where.push(equalsWhere("kind", q.kind));
      if (q.enabled !== undefined) where.push(equalsWhere("enabled", q.enabled));
      if (q.minSeverity !== undefined) {
        where.push({ sql: `"severity" >= ?`, params: [q.minSeverity] });
      }
      if (q.q) where.push(searchWhere(["message"], q.q));
      return where;
    },
    describe: (r, lookup) =>
      `the ${r.kind} rule of tag ${lookup.tag(r.tagId)?.code ?? `id ${r.tagId}`}`,
    duplicate: (data) => {
      const record = findByTagKind(data.tagId, data.kind);
      return record && { record, path: "kind" };
    },
    check: checkAlarmRule,
    dependents: [],
  });
  return {
    ...resource,
    getByTagKind(tagId, kind) {
      const r = findByTagKind(tagId, kind);
      if (!r) throw new NotFoundError(`tag ${tagId} has no ${kind} alarm rule`, "kind");
      return r;
    },
  };
}
