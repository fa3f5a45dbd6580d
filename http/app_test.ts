import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { createRoute, z } from "@hono/zod-openapi";
import { Metrics } from "../observability/metrics.ts";
import { access, requireRole } from "./auth_middleware.ts";
import type { RouteModule } from "./context.ts";
import { testApp } from "./testing.ts";

/** Collects the records of `jsscada.http` while `fn` runs. */
async function capturingLogs(fn: () => Promise<void>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => void records.push(r) },
    loggers: [
      { category: ["jsscada", "http"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  try {
    await fn();
  } finally {
    await reset();
  }
  return records;
}

const broken: RouteModule = (api) => {
  api.openapi(
    createRoute({
      method: "get",
      path: "/broken",
      responses: { 200: { description: "never" } },
    }),
    () => {
      throw new TypeError("cannot read properties of undefined (secret detail)");
    },
  );
};

Deno.test("a bug answers 500 with a generic message and one error log line; 4xx are not logged as errors", async () => {
  using t = await testApp({ routes: [broken] });
  let answer: Awaited<ReturnType<typeof t.call>> | undefined;
  const records = await capturingLogs(async () => {
    answer = await t.call("GET", "/api/v1/broken");
    await t.call("GET", "/api/v1/tags/999");
    await t.call("POST", "/api/v1/lines", { body: {} });
    await t.call("GET", "/api/v1/lines", { as: "anonymous" });
  });
  assert.equal(answer!.status, 500);
  assert.deepEqual(answer!.body, {
    error: "internal",
    message: "internal server error; the server log has the details",
  });
  const errors = records.filter((r) => r.level === "error" || r.level === "fatal");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].properties.path, "/api/v1/broken");
  assert.match(String(errors[0].properties.error), /secret detail/);
});

Deno.test("unknown paths answer a JSON 404", async () => {
  using t = await testApp();
  const answer = await t.call("DELETE", "/api/v1/lines");
  assert.equal(answer.status, 404);
  assert.deepEqual(answer.body, {
    error: "not_found",
    message: "no route for DELETE /api/v1/lines; see /api/docs",
  });
  assert.equal((await t.call("GET", "/nothing/here", { as: "anonymous" })).body.error, "not_found");
});

Deno.test("request durations are observed by route pattern and status, never by raw path", async () => {
  const metrics = new Metrics({ processMetrics: false });
  using t = await testApp({ metrics });
  await t.call("GET", "/api/v1/tags/1");
  await t.call("GET", "/api/v1/tags/2");
  await t.call("GET", "/api/v1/tags/999");
  await t.call("GET", "/api/v1/no/such/thing");
  const text = await metrics.render();
  const count = (route: string, status: number) =>
    Number(
      text.match(
        new RegExp(
          `jsscada_http_request_duration_seconds_count\\{method="GET",route="${route}",status="${status}"\\} (\\d+)`,
        ),
      )?.[1] ?? 0,
    );
  assert.equal(count("/api/v1/tags/:id", 200), 2);
  assert.equal(count("/api/v1/tags/:id", 404), 1);
  assert.equal(count("unmatched", 404), 1);
  assert.doesNotMatch(text, /route="\/api\/v1\/tags\/1"/);
});

Deno.test("bodies over the limit answer 413 before they are parsed", async () => {
  using t = await testApp({ options: { bodyLimitBytes: 1000, importBodyLimitBytes: 5000 } });
  const big = { code: "L2", name: "x".repeat(2000) };
  const answer = await t.call("POST", "/api/v1/lines", { body: big });
  assert.equal(answer.status, 413);
  assert.equal(answer.body.error, "payload_too_large");
  assert.equal(answer.body.message, "the request body is larger than the limit of 1,000 bytes");
  // Imports get their own, larger limit.
  const csv = `code,name\n${"LINE01,Body line\n".repeat(100)}`;
  const imported = await t.call("POST", "/api/v1/import/lines?dryRun=true", {
    body: csv,
    headers: { "Content-Type": "text/csv" },
  });
  assert.equal(imported.status, 200);
  const tooBig = await t.call("POST", "/api/v1/import/lines", {
    body: csv.repeat(5),
    headers: { "Content-Type": "text/csv", "Content-Length": String(csv.length * 5) },
  });
  assert.equal(tooBig.status, 413);
});

Deno.test("CORS answers only configured origins", async () => {
  using t = await testApp({ options: { corsOrigins: ["http://mes.plant.local"] } });
  const preflight = await t.app.request("/api/v1/lines", {
    method: "OPTIONS",
    headers: {
      Origin: "http://mes.plant.local",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type, x-requested-with",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), "http://mes.plant.local");
  assert.match(preflight.headers.get("Access-Control-Allow-Headers")!, /X-Requested-With/);
  const stranger = await t.app.request("/api/v1/lines", {
    method: "OPTIONS",
    headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
  });
  assert.equal(stranger.headers.get("Access-Control-Allow-Origin"), null);
  using closed = await testApp();
  const none = await closed.call("GET", "/api/v1/lines", {
    headers: { Origin: "http://mes.plant.local" },
  });
  assert.equal(none.headers.get("Access-Control-Allow-Origin"), null);
});

Deno.test("security headers are on by default and can be turned off", async () => {
  using t = await testApp();
  const on = await t.call("GET", "/api/v1/lines");
  assert.equal(on.headers.get("X-Content-Type-Options"), "nosniff");
  assert.match(on.headers.get("Content-Security-Policy")!, /frame-ancestors 'none'/);
  using off = await testApp({ options: { securityHeaders: false } });
  const plain = await off.call("GET", "/api/v1/lines");
  assert.equal(plain.headers.get("Content-Security-Policy"), null);
});

Deno.test("route modules get the runtime and can guard routes with requireRole", async () => {
  const runtime = { triggered: [] as string[] };
  const control: RouteModule<typeof runtime> = (api, ctx) => {
    api.openapi(
      createRoute({
        method: "post",
        path: "/groups/{code}/trigger",
        operationId: "triggerGroup",
        summary: "trigger",
        ...access("operator", ctx.options.anonymousRead),
        request: { params: z.object({ code: z.string() }) },
        responses: { 202: { description: "triggered" } },
      }),
      (c) => {
        ctx.runtime.triggered.push(c.req.valid("param").code);
        return c.body(null, 202);
      },
    );
    api.get("/plain-hono", requireRole("operator"), (c) => c.json({ ok: true }));
  };
  using t = await testApp({ runtime, routes: [control as RouteModule] });
  assert.equal(
    (await t.call("POST", "/api/v1/groups/PRESS_CYCLE/trigger", { as: "viewer" })).status,
    403,
  );
  assert.equal(
    (await t.call("POST", "/api/v1/groups/PRESS_CYCLE/trigger", { as: "operator" })).status,
    202,
  );
  assert.deepEqual(runtime.triggered, ["PRESS_CYCLE"]);
  assert.equal((await t.call("GET", "/api/v1/plain-hono", { as: "anonymous" })).status, 401);
  assert.equal((await t.call("GET", "/api/v1/plain-hono", { as: "operator" })).status, 200);
  const doc = (await t.call("GET", "/api/openapi.json")).body;
  assert.equal(doc.paths["/api/v1/groups/{code}/trigger"].post["x-jsscada-access"], "operator");
});
