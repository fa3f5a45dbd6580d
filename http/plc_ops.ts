/**
 * Remote operations on a PLC over REST, for admins: RUN, STOP, PAUSE, latch
 * clear, RESET, remote password unlock/lock and the loopback test, each on a
 * short-lived connection of its own (not the runtime's polling sockets), each
 * with an audit entry. Every operation but echo needs `confirm` set to the
 * PLC's code in the body, so that a script sends it on purpose.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { PlcConfig } from "../model/config.ts";
import { PlcClient } from "../protocol/client.ts";
import { PlcError } from "../protocol/errors.ts";
import { speaks1E } from "../protocol/series.ts";
import { udpConnect } from "../protocol/udp_transport.ts";
import { REMOTE_VERBS, remoteRequest, type RemoteVerb } from "../cli/plc_ops.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import { refParam } from "./live_schemas.ts";
import { jsonResponse } from "./schemas.ts";

const TAG = "PLC operations";

/** The body of an operation. */
export const PlcOperationBodySchema = z.object({
  confirm: z.string().max(64).optional().openapi({
    description: "the PLC's code, sent on purpose (required for every operation but echo)",
    example: "PLCPRESS010001",
  }),
  force: z.boolean().optional().openapi({
    description: "RUN/PAUSE even if another device holds the CPU",
  }),
  clear: z.enum(["none", "latch", "all"]).optional().openapi({ description: "RUN's device clear" }),
  password: z.string().max(32).optional().openapi({
    description: "unlock/lock: the remote password (not audited)",
  }),
  data: z.string().max(960).optional().openapi({ description: "echo: 0-9 and A-F to loop back" }),
}).openapi("PlcOperationBody");

/** The answer of an operation. */
export const PlcOperationResultSchema = z.object({
  plc: z.string(),
  operation: z.enum(REMOTE_VERBS),
  ok: z.literal(true),
  echoed: z.string().optional(),
}).openapi("PlcOperationResult");

/** The PLC by id or code; 404 if none. */
function findPlc(ctx: RouteContext, ref: string): PlcConfig {
  try {
    return /^\d+$/.test(ref) ? ctx.store.plcs.get(Number(ref)) : ctx.store.plcs.getByCode(ref);
  } catch {
    throw new HttpError(404, `no PLC with code or id "${ref}"`);
  }
}

/** A one-off client of the PLC with its settings (frame, route, series, transport). */
export function operationClient(plc: PlcConfig): PlcClient {
  return new PlcClient({
    host: plc.host,
    port: plc.port,
    frame: plc.frame,
    route: { network: plc.network, pc: plc.pc, moduleIo: plc.moduleIo, station: plc.station },
    timeoutMs: plc.timeoutMs,
    connectTimeoutMs: plc.timeoutMs,
    type: plc.frameType ?? "3E",
    extended: plc.series === "iQ-R",
    ...(plc.transport === "udp" ? { connect: udpConnect, retries: 2 } : {}),
  });
}

const userName = (c: Context<AppEnv>) => c.get("user")?.name ?? "anonymous";

/** The PLC operation routes (admin only). */
export function plcOpsRoutes(api: ApiApp, ctx: RouteContext): void {
  const admin = access("admin", ctx.options.anonymousRead);
  api.openapi(
    createRoute({
      method: "post",
      path: "/plcs/{plc}/operations/{operation}",
      tags: [TAG],
      operationId: "operatePlc",
      summary: "Remote RUN/STOP/PAUSE/latch clear/RESET, password unlock/lock, or loopback test",
      description: "Sent on a connection of its own. Needs `confirm` = the PLC's code for every " +
        "operation but echo. 400 for an FX3 (1E frames carry no remote operations). 502 when " +
        "the PLC refuses (its end code in the message), 503 when it cannot be reached, 504 " +
        "when it does not answer in its timeout.",
      ...admin,
      request: {
        params: refParam("plc", "PLCPRESS010001").extend({
          operation: z.enum(REMOTE_VERBS).openapi({ param: { name: "operation", in: "path" } }),
        }),
        body: { content: { "application/json": { schema: PlcOperationBodySchema } } },
      },
      responses: {
        200: jsonResponse(PlcOperationResultSchema, "done"),
        ...errorResponses(400, 401, 403, 404, 502, 503, 504),
      },
    }),
    async (c) => {
      const { plc: ref, operation } = c.req.valid("param");
      const body = c.req.valid("json");
      const plc = findPlc(ctx, ref);
      const verb = operation as RemoteVerb;
      if (speaks1E(plc.series)) {
        throw new HttpError(
          400,
          `PLC ${plc.code} is an FX3, which JSScada reaches over 1E frames: they carry batch ` +
            `reads and writes only, no "${verb}"`,
        );
      }
      if (verb !== "echo" && body.confirm !== plc.code) {
        throw new HttpError(
          400,
          `"${verb}" on PLC ${plc.code} needs "confirm": "${plc.code}" in the body, sent on purpose`,
        );
      }
      let req;
      try {
        req = remoteRequest(verb, { ...body, yes: true }, () => undefined);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      const audit = (outcome: string, error?: string) =>
        ctx.store.audit.record({
          user: userName(c),
          action: "plc-operation",
          resource: "plcs",
          resourceId: plc.code,
          before: null,
          after: { operation: verb, outcome, ...(error ? { error } : {}) },
        });
      const client = operationClient(plc);
      try {
        const res = await client.request(req);
        audit("done");
        return c.json({
          plc: plc.code,
          operation: verb,
          ok: true as const,
          ...(res.command === "loopback" ? { echoed: res.data } : {}),
        }, 200);
      } catch (e) {
        if (!(e instanceof PlcError)) throw e;
        audit("failed", e.message);
        const status = e.code === "endCode" ? 502 : e.code === "timeout" ? 504 : 503;
        throw new HttpError(status, `PLC ${plc.code}: ${e.message}`);
      } finally {
        await client.close();
      }
    },
  );
}
