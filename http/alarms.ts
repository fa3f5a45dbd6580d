/**
 * Alarms over REST: the active list (shelved and cleared-unacknowledged
 * included), the journal of every transition with filters, and the
 * operator's acknowledge, shelve and unshelve — each one call into the alarm
 * engine, which owns the state model (alarms/state.ts) and the journal entry.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AlarmView } from "../alarms/alarm_record.ts";
import type { AlarmCommandResult } from "../alarms/engine.ts";
import { ALARM_ACTIONS, ALARM_STATES, type AlarmTransition } from "../alarms/state.ts";
import { MAX_PAGE, queryInt } from "../store/validation.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import type { LivePlant } from "./live_port.ts";
import { TagValueSchema, timeBody, timeQuery } from "./live_schemas.ts";
import { jsonBody, jsonResponse } from "./schemas.ts";

const TAG = "Alarms";
const STATES = ALARM_STATES as unknown as [AlarmTransition["to"], ...AlarmTransition["to"][]];
const ACTIONS = ALARM_ACTIONS as unknown as [
  AlarmTransition["action"],
  ...AlarmTransition["action"][],
];
const KIND = z.enum(["HIHI", "HI", "LO", "LOLO", "ON", "OFF", "SYSTEM"]);
const comment = () => z.string().max(500, "must be at most 500 characters");

/** An alarm as the engine sees it now (alarms/alarm_record.ts AlarmView). */
export const AlarmViewSchema = z.object({
  id: z.string().openapi({ example: "rule:12", description: "`rule:<id>` or a system key" }),
  ruleId: z.number().int().nullable(),
  systemKey: z.string().nullable().openapi({ example: null }),
  tagId: z.number().int().nullable(),
  tagCode: z.string().nullable(),
  kind: KIND,
  state: z.enum(STATES),
  severity: z.number().int().openapi({ description: "1 (lowest) to 1000 (highest)" }),
  message: z.string(),
  source: z.string(),
  value: TagValueSchema,
  activeSince: z.number().nullable(),
  lastChange: z.number().nullable(),
  acknowledged: z.object({
    user: z.string().nullable(),
    comment: z.string().nullable(),
    ts: z.number(),
  }).nullable(),
  shelf: z.object({
    user: z.string().nullable(),
    comment: z.string().nullable(),
    since: z.number(),
    until: z.number(),
  }).nullable(),
}).openapi("Alarm");

/** One recorded transition (alarms/state.ts AlarmTransition), with its journal sequence. */
export const AlarmTransitionSchema = z.object({
  seq: z.number().int().optional(),
  alarmId: z.string(),
  ruleId: z.number().int().nullable(),
  systemKey: z.string().nullable(),
  tagId: z.number().int().nullable(),
  tagCode: z.string().nullable(),
  kind: KIND,
  action: z.enum(ACTIONS),
  from: z.enum(STATES),
  to: z.enum(STATES),
  ts: z.number(),
  user: z.string().nullable(),
  comment: z.string().nullable(),
  value: TagValueSchema,
  message: z.string(),
  severity: z.number().int(),
  suppressed: z.boolean(),
  shelvedUntil: z.number().nullable(),
  source: z.string(),
}).openapi("AlarmTransition");

/** GET /alarms/history query. */
export const AlarmHistoryQuerySchema = z.object({
  from: timeQuery("transitions at or after").optional(),
  to: timeQuery("transitions before").optional(),
  tag: z.string().max(64).optional().openapi({ description: "a tag code" }),
  alarm: z.string().max(200).optional().openapi({ description: "one alarm's id" }),
  minSeverity: queryInt(1, 1000).optional(),
  state: z.enum(STATES).optional().openapi({ description: "transitions into this state" }),
  action: z.enum(ACTIONS).optional(),
  limit: queryInt(1, MAX_PAGE).default(100),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

const AlarmIdParam = z.object({
  id: z.string().min(1).max(200).openapi({
    param: { name: "id", in: "path" },
    description: "the alarm id, URL-encoded: `rule:12`, `plc:PLCPRESS010001:disconnected`",
    example: "rule:12",
  }),
});

const CommentBody = z.object({ comment: comment().optional() }).strict();

/** POST /alarms/{id}/shelve body: `minutes` or `until`, and why. */
export const ShelveBodySchema = z.object({
  minutes: z.number().int().min(1, "must be at least 1").max(1440, "must be at most 1440")
    .optional().openapi({ description: "shelve for this many minutes (1 to 1440)" }),
  until: timeBody("shelve until").optional(),
  comment: comment().min(1, "must not be empty").openapi({ description: "why" }),
}).strict().refine((b) => (b.minutes === undefined) !== (b.until === undefined), {
  message: "give either minutes or until",
  path: ["minutes"],
});

const AlarmAnswerSchema = z.object({
  alarm: AlarmViewSchema,
  transition: AlarmTransitionSchema,
}).openapi("AlarmCommandResult");

/** The alarm after a command; a system alarm the engine forgot (back to normal) from its transition. */
function afterCommand(plant: LivePlant, t: AlarmTransition): AlarmView {
  return plant.alarms.get(t.alarmId) ?? {
    id: t.alarmId,
    ruleId: t.ruleId,
    systemKey: t.systemKey,
    tagId: t.tagId,
    tagCode: t.tagCode,
    kind: t.kind,
    state: t.to,
    severity: t.severity,
    message: t.message,
    source: t.source,
    value: t.value,
    activeSince: null,
    lastChange: t.ts,
    acknowledged: t.action === "acknowledge"
      ? { user: t.user, comment: t.comment, ts: t.ts }
      : null,
    shelf: null,
  };
}

/** Maps a refused command to its HTTP error. */
function answer(plant: LivePlant, id: string, result: AlarmCommandResult) {
  if (result.ok) {
    return { alarm: afterCommand(plant, result.transition), transition: result.transition };
  }
  switch (result.reason) {
    case "not-found":
      throw new HttpError(404, `no alarm with id "${id}"`);
    case "nothing-to-acknowledge":
      throw new HttpError(409, `alarm ${id} has nothing to acknowledge`);
    case "not-shelved":
      throw new HttpError(409, `alarm ${id} is not shelved`);
    case "invalid-shelve-until":
      throw new HttpError(400, "a shelve must end in the future and within 24 hours", {
        code: "validation",
      });
  }
}

const userName = (c: Context<AppEnv>) => c.get("user")?.name ?? "anonymous";

/** The alarm routes. */
export function alarmRoutes(
  api: ApiApp,
  { runtime: plant, store, options }: RouteContext<LivePlant>,
): void {
  const read = access("read", options.anonymousRead);
  const operator = access("operator", options.anonymousRead);

  api.openapi(
    createRoute({
      method: "get",
      path: "/alarms",
      tags: [TAG],
      operationId: "listActiveAlarms",
      summary: "Alarms not in normal (shelved and cleared-unacknowledged included)",
      description: "Highest severity first, then the most recently raised.",
      ...read,
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(AlarmViewSchema) }).openapi("AlarmList"),
          "the active alarms",
        ),
        ...errorResponses(401, 403),
      },
    }),
    (c) => c.json({ items: plant.alarms.active() }, 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/alarms/history",
      tags: [TAG],
      operationId: "listAlarmHistory",
      summary: "Alarm transitions from the journal, newest first",
      ...read,
      request: { query: AlarmHistoryQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(AlarmTransitionSchema), total: z.number().int() })
            .openapi("AlarmHistoryPage"),
          "a page of transitions",
        ),
        ...errorResponses(400, 401, 403),
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      const filter = {
        from: q.from,
        to: q.to,
        tagCode: q.tag,
        alarmId: q.alarm,
        minSeverity: q.minSeverity,
        state: q.state,
        action: q.action,
      };
      const items = store.alarmJournal.list({ ...filter, limit: q.limit, offset: q.offset });
      return c.json({ items, total: store.alarmJournal.count(filter) }, 200);
    },
  );

  const command = (
    action: "acknowledge" | "shelve" | "unshelve",
    summary: string,
    body: z.ZodType,
  ) =>
    createRoute({
      method: "post",
      path: `/alarms/{id}/${action}`,
      tags: [TAG],
      operationId: `${action}Alarm`,
      summary,
      ...operator,
      request: {
        params: AlarmIdParam,
        body: { ...jsonBody(body), required: action === "shelve" },
      },
      responses: {
        200: jsonResponse(AlarmAnswerSchema, "the alarm after the command, and its transition"),
        ...errorResponses(400, 401, 403, 404, 409, 415),
      },
    });

  api.openapi(
    command("acknowledge", "Acknowledge an alarm (with an optional comment)", CommentBody),
    (c) => {
      const { id } = c.req.valid("param");
      const body = CommentBody.parse(c.req.valid("json") ?? {});
      return c.json(
        answer(plant, id, plant.alarms.acknowledge(id, userName(c), body.comment)),
        200,
      );
    },
  );

  api.openapi(
    command(
      "shelve",
      "Shelve an alarm for a while (its annunciation is suppressed)",
      ShelveBodySchema,
    ),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") as z.infer<typeof ShelveBodySchema>;
      const until = body.minutes !== undefined ? Date.now() + body.minutes * 60_000 : body.until!;
      return c.json(
        answer(plant, id, plant.alarms.shelve(id, userName(c), body.comment, until)),
        200,
      );
    },
  );

  api.openapi(
    command("unshelve", "End an alarm's shelve early", CommentBody),
    (c) => {
      const { id } = c.req.valid("param");
      const body = CommentBody.parse(c.req.valid("json") ?? {});
      return c.json(answer(plant, id, plant.alarms.unshelve(id, userName(c), body.comment)), 200);
    },
  );
}
