/**
 * Tags: one value in a PLC — address, data type, scaling, unit, deadband —
 * read by one polling group of the same PLC.
 */
import { z } from "@hono/zod-openapi";
import type { AlarmKind, TagConfig } from "../model/config.ts";
import { DATA_TYPES, type DataType } from "../protocol/values.ts";
import { checkTagAddress, normalizeAddress } from "./addresses.ts";
import { codeGetter, makeResource, type Resource } from "./config_resource.ts";
import type { Core, Lookup } from "./core.ts";
import type { Issue } from "./errors.ts";
import { equalsWhere, prefixWhere, searchWhere, type Where } from "./table.ts";
import {
  booleanField,
  codeField,
  finite,
  idField,
  intIn,
  optionalText,
  pagingShape,
  queryInt,
  requiredText,
  rule,
} from "./validation.ts";

/** The most words a STRING tag may have (one word-unit batch read). */
export const MAX_STRING_WORDS = 960;

const TYPES = DATA_TYPES as unknown as [DataType, ...DataType[]];

const fields = {
  code: codeField("PRESS01_POS"),
  name: requiredText(200).openapi({ example: "Press 1 ram position" }),
  description: optionalText(2000),
  plcId: idField("a PLC"),
  groupId: idField("a polling group"),
  address: z.string(rule("must be a device address such as D100, X1A0 or D100.5"))
    .max(32, "must be at most 32 characters").transform(normalizeAddress)
    .openapi({ example: "D1000" }),
  dataType: z.enum(TYPES, rule(`must be one of ${DATA_TYPES.join(", ")}`)),
  length: intIn(1, MAX_STRING_WORDS, " words").nullable(),
  scale: finite().refine((v) => v !== 0, "must not be 0").openapi({ example: 0.1 }),
  offset: finite(),
  unit: optionalText(32).openapi({ example: "mm" }),
  deadband: z.number(rule("must be a number, 0 or more")).min(0, "must be 0 or more").nullable(),
  enabled: booleanField(),
  writable: booleanField().openapi({
    description: "operators may write it (POST /tags/{code}/write); default false",
  }),
  writeMin: finite().nullable().openapi({
    description: "lowest value an operator may write, engineering units; null: the type's range",
  }),
  writeMax: finite().nullable().openapi({
    description: "highest value an operator may write, engineering units; null: the type's range",
  }),
  bitWrite: booleanField().openapi({
    description: "a BOOL that is a bit of a word (D100.5) may be written by read-modify-write " +
      "of the word (the PLC program may change another bit in between); default false",
  }),
};

/** A tag in API responses. */
export const TagSchema = z.object({
  id: z.number().int(),
  ...fields,
  enabled: z.boolean(),
  writable: z.boolean(),
  bitWrite: z.boolean(),
}).openapi("Tag");
/** The body that creates a tag. */
export const TagCreateSchema = z.strictObject({
  ...fields,
  description: fields.description.default(""),
  length: fields.length.default(null),
  scale: fields.scale.default(1),
  offset: fields.offset.default(0),
  unit: fields.unit.default(""),
  deadband: fields.deadband.default(null),
  enabled: fields.enabled.default(true),
  writable: fields.writable.default(false),
  writeMin: fields.writeMin.default(null),
  writeMax: fields.writeMax.default(null),
  bitWrite: fields.bitWrite.default(false),
}).openapi("TagCreate");
/** The body of a PATCH: any subset of the fields. */
export const TagPatchSchema = z.strictObject(fields).partial().openapi("TagPatch");
/** List filters: by PLC, group, data type, enabled, code prefix; `q` searches code, name, description. */
export const TagListQuerySchema = z.object({
  ...pagingShape(
    ["id", "code", "name", "plcId", "groupId", "address", "dataType"] as const,
    "code",
  ),
  plcId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  groupId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  dataType: z.enum(TYPES).optional(),
  enabled: booleanField().optional(),
  codePrefix: optionalText(64).optional(),
  q: optionalText(200).optional(),
}).openapi("TagListQuery");

/** The fields a tag is created with. */
export type TagCreate = z.input<typeof TagCreateSchema>;
/** A partial change to a tag. */
export type TagPatch = z.input<typeof TagPatchSchema>;
/** What `tags.list` accepts. */
export type TagListQuery = z.input<typeof TagListQuerySchema>;

/** The tags resource. */
export type TagsResource = Resource<TagConfig, TagCreate, TagPatch, TagListQuery> & {
  /** One tag by code; NotFoundError if none. */
  getByCode(code: string): TagConfig;
};

/** True for the types that hold numbers (scaled, with deadbands and analog alarms). */
export function isNumeric(type: DataType): boolean {
  return type !== "BOOL" && type !== "STRING";
}

/** The rules of one tag: references, group of the same PLC, address, length, scaling. */
export function checkTag(t: Omit<TagConfig, "id">, lookup: Lookup): Issue[] {
  const issues: Issue[] = [];
  const plc = lookup.plc(t.plcId);
  const group = lookup.group(t.groupId);
  if (!plc) issues.push({ path: "plcId", message: `no PLC with id ${t.plcId}` });
  if (!group) issues.push({ path: "groupId", message: `no polling group with id ${t.groupId}` });
  if (plc && group && group.plcId !== plc.id) {
    const owner = lookup.plc(group.plcId)?.code ?? `id ${group.plcId}`;
    issues.push({
      path: "groupId",
      message: `polling group ${group.code} belongs to PLC ${owner}, not to ${plc.code}`,
    });
  }
  if (t.dataType === "STRING" && t.length === null) {
    issues.push({ path: "length", message: "a STRING tag needs a length in words" });
  }
  if (t.dataType !== "STRING" && t.length !== null) {
    issues.push({ path: "length", message: "only STRING tags have a length" });
  }
  if (!isNumeric(t.dataType)) {
    const what = `${t.dataType} tags`;
    if (t.scale !== 1) issues.push({ path: "scale", message: `${what} are not scaled (use 1)` });
    if (t.offset !== 0) issues.push({ path: "offset", message: `${what} have no offset (use 0)` });
    if (t.deadband !== null) {
      issues.push({ path: "deadband", message: `${what} have no deadband` });
    }
  }
  issues.push(...checkTagAddress(t.address, t.dataType, t.length, plc?.frame, plc?.series));
  issues.push(...checkWriteFields(t));
  return issues;
}

/** The write fields' rules: limits only on numbers, min ≤ max, bitWrite only on a bit of a word. */
export function checkWriteFields(t: Omit<TagConfig, "id">): Issue[] {
  const issues: Issue[] = [];
  const min = t.writeMin ?? null, max = t.writeMax ?? null;
  if (!isNumeric(t.dataType)) {
    for (const [path, v] of [["writeMin", min], ["writeMax", max]] as const) {
      if (v !== null) issues.push({ path, message: `${t.dataType} tags have no write limits` });
    }
  } else if (min !== null && max !== null && min > max) {
    issues.push({ path: "writeMax", message: `must be at least writeMin (${min})` });
  }
  if (t.bitWrite && !(t.dataType === "BOOL" && t.address.includes("."))) {
    issues.push({
      path: "bitWrite",
      message: "only a BOOL that is a bit of a word device (such as D100.5) needs bitWrite",
    });
  }
  return issues;
}

/** Which data types an alarm kind needs. */
export function kindFitsType(kind: AlarmKind, type: DataType): boolean {
  return kind === "ON" || kind === "OFF" ? type === "BOOL" : isNumeric(type);
}

/** Creates the tags resource of a store. */
export function createTags(core: Core): TagsResource {
  const table = core.tables.tags;
  const resource = makeResource(core, {
    resource: "tags",
    label: "tag",
    table,
    createSchema: TagCreateSchema,
    patchSchema: TagPatchSchema,
    listQuerySchema: TagListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.plcId !== undefined) where.push(equalsWhere("plcId", q.plcId));
      if (q.groupId !== undefined) where.push(equalsWhere("groupId", q.groupId));
      if (q.dataType !== undefined) where.push(equalsWhere("dataType", q.dataType));
      if (q.enabled !== undefined) where.push(equalsWhere("enabled", q.enabled));
      if (q.codePrefix) where.push(prefixWhere("code", q.codePrefix));
      if (q.q) where.push(searchWhere(["code", "name", "description"], q.q));
      return where;
    },
    describe: (r) => `tag ${r.code}`,
    duplicate: (data) => {
      const record = table.findBy("code", data.code);
      return record && { record, path: "code" };
    },
    check: checkTag,
    checkDependents: (before, after) => {
      if (before.dataType === after.dataType) return [];
      const kinds = core.db.all<{ kind: AlarmKind }>(
        "SELECT kind FROM alarm_rules WHERE tag_id = ? ORDER BY id",
        after.id,
      ).map((r) => r.kind).filter((k) => !kindFitsType(k, after.dataType));
      return kinds.length === 0 ? [] : [{
        path: "dataType",
        message:
          `tag ${after.code} has ${kinds.join(", ")} alarm rules, which a ${after.dataType} ` +
          `tag cannot have; change or delete them first`,
      }];
    },
    dependents: [{
      resource: "alarmRules",
      label: ["alarm rule", "alarm rules"],
      sql: "SELECT id FROM alarm_rules WHERE tag_id = ?",
    }],
  });
  return { ...resource, getByCode: codeGetter(table, "tag") };
}
