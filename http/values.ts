/**
 * Live values over REST: the newest value, quality and timestamp of every
 * tag from the live cache (filtered by tag codes, group or PLC), and one
 * tag's trend downsampled by the historian sink into at most `points` time
 * buckets, so a week of 1 s data draws fast. The operators' write routes
 * (writes.ts) are registered with them.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { TagConfig } from "../model/config.ts";
import { DATA_TYPES } from "../protocol/values.ts";
import { MAX_PAGE, queryInt } from "../store/validation.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import type { LivePlant } from "./live_port.ts";
import { QualitySchema, refParam, splitList, TagValueSchema, timeQuery } from "./live_schemas.ts";
import { jsonResponse } from "./schemas.ts";
import { writeRoutes } from "./writes.ts";

const TAG = "Live values";

/** Default trend span when `from` is left out, ms (one hour). */
export const DEFAULT_HISTORY_SPAN_MS = 3_600_000;
/** Most trend buckets one request may ask for. */
export const MAX_HISTORY_POINTS = 5000;

/** One tag's newest value with the tag's identity. */
export const TagValueItemSchema = z.object({
  tagId: z.number().int(),
  code: z.string().openapi({ example: "PRESS01_POS" }),
  name: z.string(),
  unit: z.string(),
  dataType: z.enum(DATA_TYPES as unknown as [string, ...string[]]),
  groupId: z.number().int(),
  plcId: z.number().int(),
  value: TagValueSchema,
  quality: QualitySchema,
  ts: z.number().int().nullable().openapi({
    description: "poll time of the value, ms since the epoch; null when never read",
  }),
}).openapi("TagValueItem");

/** GET /values query. */
export const ValuesQuerySchema = z.object({
  tags: z.string().optional().openapi({
    description: "comma-separated tag codes",
    example: "PRESS01_POS,PRESS01_VEL",
  }),
  group: z.string().optional().openapi({ description: "a polling group's code or id" }),
  plc: z.string().optional().openapi({ description: "a PLC's equipment code or id" }),
  limit: queryInt(1, MAX_PAGE).default(MAX_PAGE),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

/** A trend bucket. */
export const HistoryBucketSchema = z.object({
  ts: z.number().int().openapi({ description: "start of the bucket, ms since the epoch" }),
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
  count: z.number().int(),
  last: z.union([z.number(), z.string()]).nullable(),
}).openapi("HistoryBucket");

/** GET /values/{tag}/history query. */
export const HistoryQuerySchema = z.object({
  from: timeQuery("start, inclusive; default one hour before `to`").optional(),
  to: timeQuery("end, exclusive; default now").optional(),
  points: queryInt(1, MAX_HISTORY_POINTS).default(500).openapi({
    description: "most buckets to return (the range is cut into this many equal buckets)",
  }),
});

/** The tag part of a history answer. */
const HistoryTagSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  dataType: z.string(),
});

/** Whether the tag, its polling group or its PLC is disabled: nobody reads it now. */
export function inactive(plant: LivePlant, tag: TagConfig): boolean {
  return !tag.enabled || plant.index.group(tag.groupId)?.enabled === false ||
    plant.index.plc(tag.plcId)?.enabled === false;
}

/**
 * The newest value of `tag` as an item of GET /values. A tag that nobody
 * reads now (it, its group or its PLC disabled) is `stale` with its last
 * value, never a frozen `good`.
 */
export function valueItem(plant: LivePlant, tag: TagConfig): z.infer<typeof TagValueItemSchema> {
  const s = plant.live.get(tag.id);
  const quality = !s || inactive(plant, tag) ? "stale" : s.quality;
  return {
    tagId: tag.id,
    code: tag.code,
    name: tag.name,
    unit: tag.unit,
    dataType: tag.dataType,
    groupId: tag.groupId,
    plcId: tag.plcId,
    value: s ? s.value : null,
    quality,
    ts: s ? s.ts : null,
  };
}

/** The tags a GET /values query selects, in code order; 404 for unknown codes. */
function selectTags(plant: LivePlant, q: z.infer<typeof ValuesQuerySchema>): readonly TagConfig[] {
  const { index } = plant;
  let tags: readonly TagConfig[] = index.tags();
  if (q.group !== undefined) {
    const group = index.groupByRef(q.group);
    if (!group) throw new HttpError(404, `no polling group with code or id "${q.group}"`);
    tags = index.tagsOfGroup(group.id);
  }
  if (q.plc !== undefined) {
    const plc = /^\d+$/.test(q.plc) ? index.plc(Number(q.plc)) : index.plcByCode(q.plc);
    if (!plc) throw new HttpError(404, `no PLC with code or id "${q.plc}"`);
    tags = tags.filter((t) => t.plcId === plc.id);
  }
  const codes = splitList(q.tags);
  if (q.tags !== undefined) {
    const unknown = codes.filter((c) => !index.tagByCode(c));
    if (unknown.length) throw new HttpError(404, `no tag with code ${unknown.join(", ")}`);
    const wanted = new Set(codes);
    tags = tags.filter((t) => wanted.has(t.code));
  }
  return tags;
}

/** The live value routes. */
export function valueRoutes(api: ApiApp, ctx: RouteContext<LivePlant>): void {
  const { runtime: plant, options } = ctx;
  const read = access("read", options.anonymousRead);
  writeRoutes(api, ctx);

  api.openapi(
    createRoute({
      method: "get",
      path: "/values",
      tags: [TAG],
      operationId: "listValues",
      summary: "Newest value, quality and timestamp of each tag",
      description: "From the live cache, in tag code order. Filters combine with AND. A tag " +
        'never read yet has `value: null`, `quality: "stale"` and `ts: null`. Unknown codes are a 404.',
      ...read,
      request: { query: ValuesQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(TagValueItemSchema), total: z.number().int() })
            .openapi("TagValuePage"),
          "the values",
        ),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      const tags = selectTags(plant, q);
      const page = tags.slice(q.offset, q.offset + q.limit);
      return c.json({ items: page.map((t) => valueItem(plant, t)), total: tags.length }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/values/{tag}/history",
      tags: [TAG],
      operationId: "getValueHistory",
      summary: "One tag's trend, downsampled into time buckets",
      description: "The range [from, to) is cut into `points` equal buckets; each has the min, " +
        "max, average, count and last value of its samples (empty buckets are left out). " +
        "501 when the historian cannot answer trend queries (Oracle).",
      ...read,
      request: { params: refParam("tag", "PRESS01_POS"), query: HistoryQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({
            tag: HistoryTagSchema,
            from: z.number().int(),
            to: z.number().int(),
            points: z.number().int(),
            buckets: z.array(HistoryBucketSchema),
          }).openapi("ValueHistory"),
          "the buckets, oldest first",
        ),
        ...errorResponses(400, 401, 403, 404, 501),
      },
    }),
    async (c) => {
      const ref = c.req.valid("param").tag;
      const q = c.req.valid("query");
      const tag = plant.index.tagByRef(ref);
      if (!tag) throw new HttpError(404, `no tag with code or id "${ref}"`);
      const to = q.to ?? Date.now();
      const from = q.from ?? to - DEFAULT_HISTORY_SPAN_MS;
      if (!(from < to)) {
        throw new HttpError(400, `from (${from}) must be before to (${to})`, {
          code: "validation",
        });
      }
      const history = plant.sink.history;
      if (!history) {
        throw new HttpError(
          501,
          `the ${plant.sink.kind} historian does not answer trend queries`,
          { code: "not_implemented" },
        );
      }
      const buckets = await history.call(plant.sink, tag.id, from, to, q.points);
      const { id, code, name, unit, dataType } = tag;
      return c.json(
        { tag: { id, code, name, unit, dataType }, from, to, points: q.points, buckets },
        200,
      );
    },
  );
}
