/**
 * Polling groups: the tags of one PLC read together, on a FIXED interval or
 * on a HANDSHAKE trigger (a REST call, or a request bit the PLC raises and an
 * ack bit JSScada sets).
 */
import { z } from "@hono/zod-openapi";
import type { GroupConfig } from "../model/config.ts";
import { checkBitAddress, normalizeAddress } from "./addresses.ts";
import { codeGetter, makeResource, type Resource } from "./config_resource.ts";
import type { Core, Lookup } from "./core.ts";
import type { Issue } from "./errors.ts";
import { equalsWhere, searchWhere, type Where } from "./table.ts";
import {
  booleanField,
  codeField,
  idField,
  intIn,
  optionalText,
  pagingShape,
  queryInt,
  requiredText,
  rule,
} from "./validation.ts";

/** The shortest polling (and request-bit watch) interval, ms. */
export const MIN_INTERVAL_MS = 50;
/** The longest polling interval: one day, ms. */
export const MAX_INTERVAL_MS = 86_400_000;

const bit = (example: string) =>
  z.string(rule("must be text")).max(32, "must be at most 32 characters")
    .transform(normalizeAddress).openapi({ example });

const fields = {
  code: codeField("PRESS_MOTION"),
  name: requiredText(200).openapi({ example: "Press motion" }),
  plcId: idField("a PLC"),
  mode: z.enum(["FIXED", "HANDSHAKE"], rule("must be FIXED or HANDSHAKE")),
  intervalMs: z.number(rule(`must be a whole number of ms, at least ${MIN_INTERVAL_MS}`)).int()
    .min(MIN_INTERVAL_MS, `must be at least ${MIN_INTERVAL_MS} ms`)
    .max(MAX_INTERVAL_MS, `must be at most ${MAX_INTERVAL_MS} ms (one day)`).nullable()
    .openapi({ example: 100 }),
  trigger: z.enum(["rest", "plc-bit"], rule("must be rest or plc-bit")).nullable(),
  requestBit: bit("M3000").nullable(),
  ackBit: bit("M3001").nullable(),
  stepTimeoutMs: intIn(1, 3_600_000, " ms").nullable(),
  enabled: booleanField(),
};

/** A polling group in API responses. */
export const GroupSchema = z.object({ id: z.number().int(), ...fields, enabled: z.boolean() })
  .openapi("Group");
/** The body that creates a polling group. */
export const GroupCreateSchema = z.strictObject({
  ...fields,
  intervalMs: fields.intervalMs.default(null),
  trigger: fields.trigger.default(null),
  requestBit: fields.requestBit.default(null),
  ackBit: fields.ackBit.default(null),
  stepTimeoutMs: fields.stepTimeoutMs.default(null),
  enabled: fields.enabled.default(true),
}).openapi("GroupCreate");
/** The body of a PATCH: any subset of the fields. */
export const GroupPatchSchema = z.strictObject(fields).partial().openapi("GroupPatch");
/** List filters: by PLC, mode, enabled; `q` searches code and name. */
export const GroupListQuerySchema = z.object({
  ...pagingShape(["id", "code", "name", "plcId", "mode", "intervalMs"] as const, "code"),
  plcId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  mode: z.enum(["FIXED", "HANDSHAKE"]).optional(),
  enabled: booleanField().optional(),
  q: optionalText(200).optional(),
}).openapi("GroupListQuery");

/** The fields a polling group is created with. */
export type GroupCreate = z.input<typeof GroupCreateSchema>;
/** A partial change to a polling group. */
export type GroupPatch = z.input<typeof GroupPatchSchema>;
/** What `groups.list` accepts. */
export type GroupListQuery = z.input<typeof GroupListQuerySchema>;

/** The polling groups resource. */
export type GroupsResource = Resource<GroupConfig, GroupCreate, GroupPatch, GroupListQuery> & {
  /** One group by code; NotFoundError if none. */
  getByCode(code: string): GroupConfig;
};

/** The mode, trigger and handshake-bit rules of one group. */
export function checkGroup(g: Omit<GroupConfig, "id">, lookup: Lookup): Issue[] {
  const plc = lookup.plc(g.plcId);
  const issues: Issue[] = plc ? [] : [{ path: "plcId", message: `no PLC with id ${g.plcId}` }];
  const none = (path: keyof GroupConfig, value: unknown, message: string) => {
    if (value !== null) issues.push({ path, message });
  };
  if (g.mode === "FIXED") {
    if (g.intervalMs === null) {
      issues.push({ path: "intervalMs", message: "a FIXED group needs an interval (ms)" });
    }
    none("trigger", g.trigger, "only HANDSHAKE groups have a trigger");
    none("requestBit", g.requestBit, "only plc-bit HANDSHAKE groups have a request bit");
    none("ackBit", g.ackBit, "only plc-bit HANDSHAKE groups have an ack bit");
    none("stepTimeoutMs", g.stepTimeoutMs, "only HANDSHAKE groups have a step timeout");
  } else if (g.trigger === null) {
    issues.push({ path: "trigger", message: "a HANDSHAKE group needs a trigger: rest or plc-bit" });
  } else if (g.trigger === "rest") {
    none("intervalMs", g.intervalMs, "a rest-triggered group has no interval");
    none("requestBit", g.requestBit, "only plc-bit handshakes have a request bit");
    none("ackBit", g.ackBit, "only plc-bit handshakes have an ack bit");
  } else {
    if (g.intervalMs === null) {
      issues.push({
        path: "intervalMs",
        message: "a plc-bit handshake needs the interval (ms) at which the request bit is watched",
      });
    }
    if (g.stepTimeoutMs === null) {
      issues.push({ path: "stepTimeoutMs", message: "a plc-bit handshake needs a step timeout" });
    }
    for (
      const [path, value, example] of [
        ["requestBit", g.requestBit, "M3000"],
        ["ackBit", g.ackBit, "M3001"],
      ] as const
    ) {
      if (value === null || value.trim() === "") {
        issues.push({
          path,
          message: `a plc-bit handshake needs ${
            path === "ackBit" ? "an ack" : "a request"
          } bit, e.g. ${example}`,
        });
      } else {
        issues.push(...checkBitAddress(value, path, plc?.frame, plc?.series));
      }
    }
    if (
      g.requestBit !== null && g.ackBit !== null &&
      g.requestBit.trim().toUpperCase() === g.ackBit.trim().toUpperCase()
    ) {
      issues.push({ path: "ackBit", message: "must differ from the request bit" });
    }
  }
  return issues;
}

/** Creates the polling groups resource of a store. */
export function createGroups(core: Core): GroupsResource {
  const table = core.tables.groups;
  const resource = makeResource(core, {
    resource: "groups",
    label: "polling group",
    table,
    createSchema: GroupCreateSchema,
    patchSchema: GroupPatchSchema,
    listQuerySchema: GroupListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.plcId !== undefined) where.push(equalsWhere("plcId", q.plcId));
      if (q.mode !== undefined) where.push(equalsWhere("mode", q.mode));
      if (q.enabled !== undefined) where.push(equalsWhere("enabled", q.enabled));
      if (q.q) where.push(searchWhere(["code", "name"], q.q));
      return where;
    },
    describe: (r) => `polling group ${r.code}`,
    duplicate: (data) => {
      const record = table.findBy("code", data.code);
      return record && { record, path: "code" };
    },
    check: checkGroup,
    checkDependents: (before, after) => {
      if (before.plcId === after.plcId) return [];
      const n = core.db.get<{ n: number }>(
        "SELECT count(*) AS n FROM tags WHERE group_id = ? AND plc_id <> ?",
        after.id,
        after.plcId,
      )!.n;
      return n === 0 ? [] : [{
        path: "plcId",
        message: `polling group ${after.code} still has ${n} tags of its old PLC; ` +
          `move them to the new PLC or to another group first`,
      }];
    },
    dependents: [{
      resource: "tags",
      label: ["tag", "tags"],
      sql: "SELECT id FROM tags WHERE group_id = ?",
    }],
  });
  return { ...resource, getByCode: codeGetter(table, "polling group") };
}
