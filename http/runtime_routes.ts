/**
 * Runtime status and control over REST: every PLC and group, one group's
 * status, start/stop of a group, start-all/stop-all, a HANDSHAKE rest
 * group's trigger (the runtime's poller reads; the route only waits for it)
 * and the writer, buffer and journal. Groups are addressed by id or code.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { GroupRuntimeStatus } from "../actors/runtime.ts";
import type { GroupConfig } from "../model/config.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import type { LivePlant } from "./live_port.ts";
import { QualitySchema, refParam, TagValueSchema } from "./live_schemas.ts";
import {
  BufferViewSchema,
  groupView,
  GroupViewSchema,
  JournalViewSchema,
  runtimeView,
  RuntimeViewSchema,
  writerView,
  WriterViewSchema,
} from "./runtime_view.ts";
import { jsonResponse } from "./schemas.ts";

const TAG = "Runtime";

/** How long a trigger waits for the group's read before answering 504, ms. */
export const TRIGGER_WAIT_MS = 10_000;

/** The answer of a trigger. */
export const TriggerResultSchema = z.object({
  group: z.string().openapi({ example: "ASSY_TRACE" }),
  ts: z.number().int().openapi({ description: "poll time of the read, ms since the epoch" }),
  values: z.array(z.object({
    tagId: z.number().int(),
    code: z.string(),
    value: TagValueSchema,
    quality: QualitySchema,
    ts: z.number().int(),
  })),
}).openapi("TriggerResult");

const GroupParam = refParam("group", "PRESS_MOTION");

/** A group by id or code with its runtime status; 404 when unknown or not running. */
function findGroup(
  plant: LivePlant,
  ref: string,
): { config: GroupConfig; status: GroupRuntimeStatus } {
  const config = plant.index.groupByRef(ref);
  if (!config) throw new HttpError(404, `no polling group with code or id "${ref}"`);
  const status = plant.runtime.status().groups.find((g) => g.groupId === config.id);
  if (!status) {
    throw new HttpError(
      404,
      `polling group ${config.code} is not part of the running plant (it or its PLC is disabled)`,
    );
  }
  return { config, status };
}

/** The current view of group `id` (after a command). */
function viewOf(plant: LivePlant, id: number) {
  const status = plant.runtime.status().groups.find((g) => g.groupId === id);
  if (!status) throw new HttpError(404, `polling group ${id} left the running plant`);
  return groupView(plant, status);
}

/** The runtime routes. */
export function runtimeRoutes(
  api: ApiApp,
  { runtime: plant, options }: RouteContext<LivePlant>,
): void {
  const read = access("read", options.anonymousRead);
  const operator = access("operator", options.anonymousRead);

  api.openapi(
    createRoute({
      method: "get",
      path: "/runtime",
      tags: [TAG],
      operationId: "getRuntime",
      summary: "Status of every PLC connection and polling group, the writer and the buffer",
      ...read,
      responses: {
        200: jsonResponse(RuntimeViewSchema, "the runtime"),
        ...errorResponses(401, 403),
      },
    }),
    (c) =>
      c.json(
        {
          ...runtimeView(plant),
          ...(options.historian ? { historian: options.historian } : {}),
        },
        200,
      ),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/runtime/groups",
      tags: [TAG],
      operationId: "listRuntimeGroups",
      summary: "Status of every polling group",
      ...read,
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(GroupViewSchema) }).openapi("GroupRuntimeList"),
          "the groups",
        ),
        ...errorResponses(401, 403),
      },
    }),
    (c) => c.json({ items: plant.runtime.status().groups.map((g) => groupView(plant, g)) }, 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/runtime/groups/{group}",
      tags: [TAG],
      operationId: "getRuntimeGroup",
      summary: "Status of one polling group (by id or code)",
      ...read,
      request: { params: GroupParam },
      responses: {
        200: jsonResponse(GroupViewSchema, "the group"),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (c) => c.json(groupView(plant, findGroup(plant, c.req.valid("param").group).status), 200),
  );

  for (const action of ["start", "stop"] as const) {
    api.openapi(
      createRoute({
        method: "post",
        path: `/runtime/groups/{group}/${action}`,
        tags: [TAG],
        operationId: `${action}RuntimeGroup`,
        summary: action === "start"
          ? "Start a stopped polling group"
          : "Stop a polling group (it stays stopped across restarts until started)",
        ...operator,
        request: { params: GroupParam },
        responses: {
          200: jsonResponse(GroupViewSchema, "the group after the command"),
          ...errorResponses(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const { config } = findGroup(plant, c.req.valid("param").group);
        if (action === "start") await plant.runtime.startGroup(config.id);
        else await plant.runtime.stopGroup(config.id);
        return c.json(viewOf(plant, config.id), 200);
      },
    );
  }

  api.openapi(
    createRoute({
      method: "post",
      path: "/runtime/groups/{group}/trigger",
      tags: [TAG],
      operationId: "triggerRuntimeGroup",
      summary: "Read a HANDSHAKE rest group once and answer its values",
      description: "The group's poller does the read (and hands the samples to the historian " +
        "and the live cache as usual). 409 for a group of another mode or a stopped group; " +
        `504 when the read takes longer than ${TRIGGER_WAIT_MS / 1000} s.`,
      ...operator,
      request: { params: GroupParam },
      responses: {
        200: jsonResponse(TriggerResultSchema, "the values read"),
        ...errorResponses(400, 401, 403, 404, 409, 504),
      },
    }),
    async (c) => {
      const { config, status } = findGroup(plant, c.req.valid("param").group);
      if (config.mode !== "HANDSHAKE" || config.trigger !== "rest") {
        const what = config.mode === "FIXED"
          ? "a FIXED group"
          : `a HANDSHAKE group with trigger ${config.trigger}`;
        throw new HttpError(
          409,
          `polling group ${config.code} is ${what}; only HANDSHAKE groups with trigger rest ` +
            "can be triggered",
        );
      }
      if (status.status && !status.status.running) {
        throw new HttpError(409, `polling group ${config.code} is stopped; start it first`);
      }
      let samples;
      try {
        samples = await plant.runtime.trigger(config.id, TRIGGER_WAIT_MS);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (message.startsWith("no reply in")) {
          throw new HttpError(
            504,
            `polling group ${config.code} did not finish its read in ${TRIGGER_WAIT_MS} ms`,
          );
        }
        throw new HttpError(409, `polling group ${config.code} cannot be triggered: ${message}`);
      }
      const values = samples.map((s) => ({
        tagId: s.tagId,
        code: plant.index.tag(s.tagId)?.code ?? String(s.tagId),
        value: s.value,
        quality: s.quality,
        ts: s.ts,
      }));
      return c.json({ group: config.code, ts: samples[0]?.ts ?? Date.now(), values }, 200);
    },
  );

  for (const action of ["start-all", "stop-all"] as const) {
    api.openapi(
      createRoute({
        method: "post",
        path: `/runtime/${action}`,
        tags: [TAG],
        operationId: action === "start-all" ? "startAllGroups" : "stopAllGroups",
        summary: action === "start-all" ? "Start every polling group" : "Stop every polling group",
        ...operator,
        responses: {
          200: jsonResponse(
            z.object({ groups: z.number().int().openapi({ description: "groups commanded" }) }),
            "how many groups were commanded",
          ),
          ...errorResponses(401, 403),
        },
      }),
      async (c) => {
        if (action === "start-all") await plant.runtime.startAll();
        else await plant.runtime.stopAll();
        return c.json({ groups: plant.runtime.status().groups.length }, 200);
      },
    );
  }

  api.openapi(
    createRoute({
      method: "get",
      path: "/runtime/writer",
      tags: [TAG],
      operationId: "getRuntimeWriter",
      summary: "The historian writer, the ring buffer and the disk journal",
      ...read,
      responses: {
        200: jsonResponse(
          z.object({
            writer: WriterViewSchema.nullable(),
            buffer: BufferViewSchema,
            journal: JournalViewSchema,
          }).openapi("WriterReport"),
          "writer, buffer and journal",
        ),
        ...errorResponses(401, 403),
      },
    }),
    (c) =>
      c.json(
        { writer: writerView(plant), buffer: plant.buffer.stats(), journal: plant.journal.stats() },
        200,
      ),
  );
}
