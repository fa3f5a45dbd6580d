/**
 * Operators' writes over REST: one tag (`POST /tags/{tag}/write`) or a
 * recipe of several (`POST /writes`). The route checks the caller's role,
 * the tag's `writable` flag and the value's rules (store configuration), and
 * refuses at once while the PLC is failed; the runtime (actors/plc_write.ts)
 * does the inverse scaling, the block writes ahead of queued reads and the
 * read-back. Every write — accepted, refused or failed — is an audit entry.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  checkWriteValue,
  needsBitWrite,
  writeItem,
  type WriteItemResult,
  type WriteOutcome,
  type WriteResult,
} from "../actors/plc_write.ts";
import type { TagConfig } from "../model/config.ts";
import type { TagValue } from "../protocol/values.ts";
import type { Store } from "../store/mod.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorBody, errorResponses, HttpError } from "./errors.ts";
import type { LivePlant } from "./live_port.ts";
import { refParam, TagValueSchema } from "./live_schemas.ts";
import { jsonResponse } from "./schemas.ts";

const TAG = "Writes";

/** Longest wait for the runtime's answer to a write before a 504, ms (the runtime's own timeouts are shorter). */
export const WRITE_WAIT_MS = 10_000;
/** Most tags in one recipe. */
export const MAX_RECIPE_ITEMS = 200;

/** PLC states in which a write is refused at once (503). */
const DOWN_STATES: ReadonlySet<string> = new Set(["backoff", "failed", "disconnected"]);

const WriteValueSchema = z.union([z.number(), z.boolean(), z.string()]).openapi({
  description: "engineering units for numbers; true/false for BOOL; text for STRING",
  example: 42.5,
});

/** The body of a single write. */
export const WriteBodySchema = z.strictObject({
  value: WriteValueSchema,
  comment: z.string().max(500).optional().openapi({ description: "why, for the audit log" }),
}).openapi("WriteBody");

/** The body of a recipe. */
export const RecipeBodySchema = z.strictObject({
  items: z.array(z.strictObject({
    tag: z.string().min(1).max(64).openapi({ description: "tag code or id" }),
    value: WriteValueSchema,
  })).min(1).max(MAX_RECIPE_ITEMS),
  comment: z.string().max(500).optional(),
}).openapi("RecipeBody");

const OutcomeSchema = z.enum(["written", "refused", "unavailable", "timeout", "failed"]).openapi({
  description: "written: the PLC acknowledged it; refused: invalid, nothing sent; unavailable: " +
    "the PLC is failed or disabled, nothing sent; timeout: no reply in the PLC's timeout (the " +
    "write may or may not have happened); failed: the PLC answered with an error",
});

/** The answer of a single write. */
export const WriteAnswerSchema = z.object({
  tag: z.string(),
  outcome: OutcomeSchema,
  oldValue: TagValueSchema.openapi({ description: "the live value before the write" }),
  value: TagValueSchema.openapi({ description: "the value written, engineering units" }),
  raw: TagValueSchema.openapi({ description: "the raw value sent (inverse of the scaling)" }),
  readBack: TagValueSchema.openapi({
    description: "the value read back after the write; null when the read-back failed",
  }),
  readBackError: z.string().optional(),
  ms: z.number().openapi({ description: "from the request to the read-back, ms" }),
}).openapi("WriteAnswer");

/** One item of a recipe's answer. */
export const RecipeItemSchema = z.object({
  tag: z.string(),
  outcome: OutcomeSchema,
  error: z.string().optional(),
  value: TagValueSchema,
  readBack: TagValueSchema.optional(),
}).openapi("RecipeItem");

/** The answer of a recipe. */
export const RecipeAnswerSchema = z.object({
  outcome: OutcomeSchema.openapi({ description: "written when every item was written" }),
  items: z.array(RecipeItemSchema),
  plcs: z.array(z.object({
    plc: z.string(),
    outcome: OutcomeSchema,
    requests: z.number().int().openapi({ description: "MC write requests sent" }),
    ms: z.number(),
  })),
  ms: z.number(),
}).openapi("RecipeAnswer");

const STATUS_OF: Readonly<Record<Exclude<WriteOutcome, "written">, 422 | 502 | 503 | 504>> = {
  refused: 422,
  unavailable: 503,
  timeout: 504,
  failed: 502,
};

/** One audit entry per tag written, refused or failed. */
function audit(
  store: Store,
  user: string,
  tag: TagConfig,
  oldValue: TagValue | null,
  entry: {
    value: unknown;
    outcome: WriteOutcome;
    readBack?: TagValue | null;
    error?: string;
    comment?: string;
    recipe?: boolean;
  },
): void {
  store.audit.record({
    user,
    action: "write",
    resource: "tags",
    resourceId: tag.code,
    before: { value: oldValue },
    after: {
      value: entry.value,
      readBack: entry.readBack ?? null,
      outcome: entry.outcome,
      ...(entry.error ? { error: entry.error } : {}),
      ...(entry.comment ? { comment: entry.comment } : {}),
      ...(entry.recipe ? { recipe: true } : {}),
    },
  });
}

/** The tag by code or id, fresh from the store (its write fields may have just changed). */
function findTag(store: Store, plant: LivePlant, ref: string): TagConfig {
  const known = plant.index.tagByRef(ref);
  const byCode = known ? undefined : store.tags.list({ codePrefix: ref, limit: 10 }).items
    .find((t) => t.code === ref);
  const id = known?.id ?? byCode?.id;
  if (id === undefined) throw new HttpError(404, `no tag with code or id "${ref}"`);
  return store.tags.get(id);
}

/** Why the tag's PLC cannot take a write now, or undefined. */
function plcDown(plant: LivePlant, tag: TagConfig): string | undefined {
  const plc = plant.runtime.status().plcs.find((p) => p.plcId === tag.plcId);
  const code = plant.index.plc(tag.plcId)?.code ?? `id ${tag.plcId}`;
  if (!plc) return `PLC ${code} is disabled or not part of the running plant`;
  const state = plc.status?.state;
  if (state === undefined) return `PLC ${code}'s connection is restarting`;
  if (DOWN_STATES.has(state)) {
    return `PLC ${code} is ${state}` +
      (plc.status?.lastError ? ` (${plc.status.lastError})` : "") + "; nothing was written";
  }
  return undefined;
}

/** Why the tag may not be written at all (409), or undefined. */
function notWritable(tag: TagConfig): string | undefined {
  if (!tag.writable) return `tag ${tag.code} is not writable (its writable field is off)`;
  if (needsBitWrite(tag)) {
    return `tag ${tag.code} is a bit of a word (${tag.address}); writing it rewrites the whole ` +
      "word and may undo a change the PLC program made in between, so it needs bitWrite";
  }
  return undefined;
}

/** Waits for the runtime's answer, at most {@link WRITE_WAIT_MS}. */
async function runWrite(
  plant: LivePlant,
  plcId: number,
  items: Parameters<LivePlant["runtime"]["write"]>[0]["items"],
): Promise<WriteResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<WriteResult>((resolve) => {
    timer = setTimeout(() => {
      const error = `no answer from the runtime in ${WRITE_WAIT_MS} ms`;
      resolve({
        plcId,
        outcome: "timeout",
        error,
        items: items.map((i) => ({
          tagId: i.tagId,
          code: i.code,
          value: i.value,
          outcome: "timeout",
          error,
        })),
        requests: 0,
        ms: WRITE_WAIT_MS,
      });
    }, WRITE_WAIT_MS);
  });
  try {
    return await Promise.race([plant.runtime.write({ plcId, items }), late]);
  } finally {
    clearTimeout(timer);
  }
}

const userName = (c: Context<AppEnv>) => c.get("user")?.name ?? "anonymous";
const oldValueOf = (plant: LivePlant, tag: TagConfig) => plant.live.get(tag.id)?.value ?? null;

/** The write routes (registered by the live value routes). */
export function writeRoutes(
  api: ApiApp,
  { store, runtime: plant, options }: RouteContext<LivePlant>,
): void {
  const operator = access("operator", options.anonymousRead);

  api.openapi(
    createRoute({
      method: "post",
      path: "/tags/{tag}/write",
      tags: [TAG],
      operationId: "writeTag",
      summary: "Write one tag's value to its PLC, then read it back",
      description: "Operators and admins. The value is in engineering units; the PLC gets the " +
        "exact inverse of the tag's scaling. The write goes ahead of the reads queued on that " +
        "PLC and is read back. 409 for a tag that is not writable (or a bit of a word without " +
        "bitWrite); 422 naming the rule the value breaks (type, writeMin, writeMax, the type's " +
        "range after scaling); 503 at once while the PLC is failed or disabled; 504 when the PLC " +
        "does not answer within its timeout; 502 when it answers with an error. Every attempt " +
        "is an audit entry (action `write`).",
      ...operator,
      request: {
        params: refParam("tag", "PRESS01_SP"),
        body: { content: { "application/json": { schema: WriteBodySchema } }, required: true },
      },
      responses: {
        200: jsonResponse(WriteAnswerSchema, "written and read back"),
        ...errorResponses(400, 401, 403, 404, 409, 422, 502, 503, 504),
      },
    }),
    async (c) => {
      const { value, comment } = c.req.valid("json");
      const tag = findTag(store, plant, c.req.valid("param").tag);
      const user = userName(c);
      const oldValue = oldValueOf(plant, tag);
      const refuse = (status: 409 | 422 | 503, error: string, outcome: WriteOutcome) => {
        audit(store, user, tag, oldValue, { value, outcome, error, comment });
        return c.json(
          errorBody(
            status === 422 ? "validation" : status === 409 ? "not_writable" : "unavailable",
            error,
            status === 422 ? [{ path: "value", message: error }] : undefined,
          ),
          status,
        );
      };
      const locked = notWritable(tag);
      if (locked) return refuse(409, locked, "refused");
      const rule = checkWriteValue(tag, value);
      if (rule) return refuse(422, `tag ${tag.code}: ${rule}`, "refused");
      const down = plcDown(plant, tag);
      if (down) return refuse(503, down, "unavailable");
      const result = await runWrite(plant, tag.plcId, [writeItem(tag, value)]);
      const item: WriteItemResult = result.items[0];
      audit(store, user, tag, oldValue, {
        value,
        outcome: item.outcome,
        readBack: item.readBack,
        error: item.error,
        comment,
      });
      if (item.outcome !== "written") {
        const status = STATUS_OF[item.outcome];
        return c.json(
          errorBody(
            status === 422
              ? "validation"
              : status === 502
              ? "plc_error"
              : status === 503
              ? "unavailable"
              : "timeout",
            `tag ${tag.code}: ${item.error ?? item.outcome}`,
          ),
          status,
        );
      }
      return c.json({
        tag: tag.code,
        outcome: item.outcome,
        oldValue,
        value: item.value,
        raw: item.raw ?? null,
        readBack: item.readBack ?? null,
        ...(item.readBackError ? { readBackError: item.readBackError } : {}),
        ms: result.ms,
      }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/writes",
      tags: [TAG],
      operationId: "writeRecipe",
      summary: "Write several tags (a recipe): all validated first, fewest block writes per PLC",
      description: "Operators and admins. Every item is checked (tag known and writable, value " +
        "rules, PLC not failed) before anything is written: one bad item refuses the whole " +
        "recipe (404/409/422/503 with `issues` naming the items). Then each PLC gets the fewest " +
        "block writes (adjacent addresses in one request), ahead of its queued reads, and the " +
        "items are read back. The answer says per item what happened; one audit entry per tag.",
      ...operator,
      request: {
        body: { content: { "application/json": { schema: RecipeBodySchema } }, required: true },
      },
      responses: {
        200: jsonResponse(RecipeAnswerSchema, "what happened to each item"),
        ...errorResponses(400, 401, 403, 404, 409, 422, 503),
      },
    }),
    async (c) => {
      const t0 = performance.now();
      const body = c.req.valid("json");
      const user = userName(c);
      const issues: { path: string; message: string; status: 404 | 409 | 422 | 503 }[] = [];
      const tags: (TagConfig | undefined)[] = body.items.map((item, i) => {
        try {
          return findTag(store, plant, item.tag);
        } catch {
          issues.push({ path: `items.${i}.tag`, message: `no tag "${item.tag}"`, status: 404 });
          return undefined;
        }
      });
      const seen = new Set<number>();
      body.items.forEach((item, i) => {
        const tag = tags[i];
        if (!tag) return;
        const problem = seen.has(tag.id)
          ? { message: `tag ${tag.code} appears twice`, status: 422 as const }
          : notWritable(tag)
          ? { message: notWritable(tag)!, status: 409 as const }
          : checkWriteValue(tag, item.value)
          ? {
            message: `tag ${tag.code}: ${checkWriteValue(tag, item.value)}`,
            status: 422 as const,
          }
          : plcDown(plant, tag)
          ? { message: plcDown(plant, tag)!, status: 503 as const }
          : undefined;
        seen.add(tag.id);
        if (problem) issues.push({ path: `items.${i}.value`, ...problem });
      });
      if (issues.length > 0) {
        body.items.forEach((item, i) => {
          const tag = tags[i];
          if (!tag) return;
          const own = issues.find((x) => x.path.startsWith(`items.${i}.`));
          audit(store, user, tag, oldValueOf(plant, tag), {
            value: item.value,
            outcome: own?.status === 503 ? "unavailable" : "refused",
            error: own?.message ?? "another item of the recipe was refused; nothing was written",
            comment: body.comment,
            recipe: true,
          });
        });
        const status = [404, 409, 503, 422].find((s) => issues.some((x) => x.status === s)) as
          | 404
          | 409
          | 422
          | 503;
        const message = `nothing was written: ${issues.length} of ${body.items.length} items ` +
          `were refused (${issues.map((x) => x.message).join("; ")})`;
        return c.json(
          errorBody(
            status === 404
              ? "not_found"
              : status === 409
              ? "not_writable"
              : status === 503
              ? "unavailable"
              : "validation",
            message,
            issues,
          ),
          status,
        );
      }
      const byPlc = new Map<number, number[]>();
      tags.forEach((tag, i) => {
        const list = byPlc.get(tag!.plcId);
        if (list) list.push(i);
        else byPlc.set(tag!.plcId, [i]);
      });
      const olds = tags.map((t) => oldValueOf(plant, t!));
      const results = new Map<number, WriteItemResult>();
      const plcs = await Promise.all([...byPlc].map(async ([plcId, indexes]) => {
        const r = await runWrite(
          plant,
          plcId,
          indexes.map((i) => writeItem(tags[i]!, body.items[i].value)),
        );
        indexes.forEach((i, k) => results.set(i, r.items[k]));
        return {
          plc: plant.index.plc(plcId)?.code ?? String(plcId),
          outcome: r.outcome,
          requests: r.requests,
          ms: r.ms,
        };
      }));
      const items = body.items.map((item, i) => {
        const r = results.get(i)!;
        audit(store, user, tags[i]!, olds[i], {
          value: item.value,
          outcome: r.outcome,
          readBack: r.readBack,
          error: r.error,
          comment: body.comment,
          recipe: true,
        });
        return {
          tag: tags[i]!.code,
          outcome: r.outcome,
          ...(r.error ? { error: r.error } : {}),
          value: item.value,
          ...(r.readBack !== undefined ? { readBack: r.readBack } : {}),
        };
      });
      const bad = items.find((i) => i.outcome !== "written");
      return c.json({
        outcome: bad ? bad.outcome : "written",
        items,
        plcs,
        ms: Math.round(performance.now() - t0),
      }, 200);
    },
  );
}
