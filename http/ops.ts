/**
 * The operations endpoints at the top level (outside /api/v1, no session
 * needed): GET /health (liveness: the process answers), GET /ready
 * (readiness: configuration loaded and historian writable; PLC connections
 * reported but not gating) and GET /metrics (Prometheus text; behind a bearer
 * token when `metricsToken` is set).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { METRICS_CONTENT_TYPE } from "../observability/metrics.ts";
import type { SinkHealth } from "../sinks/sink.ts";
import type { ApiApp, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import type { LivePlant } from "./live_port.ts";
import { jsonResponse } from "./schemas.ts";

const TAG = "Operations";

/** How long /ready waits for the sink's health check, ms. */
export const SINK_HEALTH_TIMEOUT_MS = 2_000;

/** The /ready answer. */
export const ReadinessSchema = z.object({
  ready: z.boolean(),
  config: z.boolean().openapi({ description: "the configuration store answers" }),
  sink: z.object({
    kind: z.string(),
    ok: z.boolean(),
    detail: z.string().nullable(),
  }),
  plcs: z.object({
    connected: z.number().int(),
    total: z.number().int(),
  }).openapi({ description: "reported, not required for readiness" }),
}).openapi("Readiness");

const PUBLIC = { security: [], "x-jsscada-access": "public" as const };

/** The sink's health within `ms`; a hung or throwing check counts as not ok. */
async function sinkHealth(plant: LivePlant, ms: number): Promise<SinkHealth> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      plant.sink.health(),
      new Promise<SinkHealth>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, detail: `no health answer in ${ms} ms` }),
          ms,
        );
      }),
    ]);
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** Constant-time string comparison, for the metrics token. */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The /health, /ready and /metrics routes (register with `rootRoutes`). */
export function opsRoutes(
  app: ApiApp,
  { runtime: plant, store, options }: RouteContext<LivePlant>,
): void {
  const startedAt = performance.now();

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: [TAG],
      operationId: "health",
      summary: "Liveness: the server answers",
      ...PUBLIC,
      responses: {
        200: jsonResponse(
          z.object({ status: z.literal("ok"), uptimeS: z.number() }).openapi("Health"),
          "alive",
        ),
      },
    }),
    (c) =>
      c.json({
        status: "ok" as const,
        uptimeS: Math.round((performance.now() - startedAt) / 100) / 10,
      }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags: [TAG],
      operationId: "ready",
      summary: "Readiness: configuration loaded and historian writable",
      description: "503 while the configuration store or the historian sink is unavailable. " +
        "PLC connections are reported but do not make the server unready.",
      ...PUBLIC,
      responses: {
        200: jsonResponse(ReadinessSchema, "ready"),
        503: jsonResponse(ReadinessSchema, "not ready; the body says what is missing"),
      },
    }),
    async (c) => {
      let config = true;
      try {
        store.isEmpty();
      } catch {
        config = false;
      }
      const health = await sinkHealth(plant, SINK_HEALTH_TIMEOUT_MS);
      let connected = 0;
      let total = 0;
      try {
        for (const p of plant.runtime.status().plcs) {
          total++;
          if (p.status?.state === "connected" || p.status?.state === "degraded") connected++;
        }
      } catch { /* a stopped runtime reports no PLCs */ }
      const ready = config && health.ok;
      const body = {
        ready,
        config,
        sink: { kind: plant.sink.kind, ok: health.ok, detail: health.detail ?? null },
        plcs: { connected, total },
      };
      return ready ? c.json(body, 200) : c.json(body, 503);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      tags: [TAG],
      operationId: "metrics",
      summary: "Prometheus metrics (text exposition format 0.0.4)",
      description: "Open by default (the server binds to loopback unless told otherwise); with " +
        "the `metricsToken` option it needs `Authorization: Bearer <token>`.",
      ...PUBLIC,
      responses: {
        200: {
          description: "the metrics",
          content: { "text/plain": { schema: z.string() } },
        },
        ...errorResponses(401),
      },
    }),
    async (c) => {
      const token = options.metricsToken;
      if (token !== undefined) {
        const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header("Authorization") ?? "");
        if (!presented || !sameSecret(presented[1], token)) {
          throw new HttpError(401, "the metrics need Authorization: Bearer <metrics token>", {
            headers: { "WWW-Authenticate": 'Bearer realm="jsscada-metrics"' },
          });
        }
      }
      const text = await plant.metrics.render();
      return c.text(text, 200, { "Content-Type": METRICS_CONTENT_TYPE });
    },
  );
}
