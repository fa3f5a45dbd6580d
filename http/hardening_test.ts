import assert from "node:assert/strict";
import { createRoute } from "@hono/zod-openapi";
import type { RouteModule } from "./context.ts";
import { BoundedRateStore } from "./hardening.ts";
import { testApp } from "./testing.ts";

Deno.test("the API rate limit answers 429 with Retry-After per user, and a new window lets them in again", async () => {
  using t = await testApp({ options: { rateLimit: { limit: 3, windowMs: 60_000 } } });
  for (let i = 0; i < 3; i++) {
    const ok = await t.call("GET", "/api/v1/lines", { as: "viewer" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("RateLimit-Remaining"), String(2 - i));
  }
  const limited = await t.call("GET", "/api/v1/lines", { as: "viewer" });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, "too_many_requests");
  assert.match(limited.body.message, /at most 3 per minute per client/);
  assert.equal(limited.headers.get("Retry-After"), "60");
  assert.equal(
    (await t.call("GET", "/api/v1/lines", { as: "operator" })).status,
    200,
    "own budget",
  );
  t.clock.advance(60_000);
  assert.equal((await t.call("GET", "/api/v1/lines", { as: "viewer" })).status, 200);
});

Deno.test("anonymous callers are limited by client address", async () => {
  using t = await testApp({
    options: { rateLimit: { limit: 1, windowMs: 1000 }, anonymousRead: true, trustProxy: true },
  });
  const from = (addr: string) =>
    t.call("GET", "/api/v1/lines", { as: "anonymous", headers: { "X-Forwarded-For": addr } });
  assert.equal((await from("10.0.0.1")).status, 200);
  assert.equal((await from("10.0.0.1")).status, 429);
  assert.equal((await from("10.0.0.2")).status, 200);
});

Deno.test("the rate store forgets the least recent client past maxKeys and expires windows on use", () => {
  let now = 0;
  const store = new BoundedRateStore(1000, 2, () => now);
  store.increment("a");
  store.increment("b");
  store.increment("a");
  store.increment("c");
  assert.equal(store.size, 2);
  assert.equal(store.get("b"), undefined, "b was the least recent");
  assert.equal(store.get("a")?.totalHits, 2);
  now = 1000;
  assert.equal(store.get("a"), undefined);
  assert.equal(store.increment("a").totalHits, 1);
  store.decrement("a");
  assert.equal(store.get("a")?.totalHits, 0);
  store.resetKey("a");
  store.resetAll();
  assert.equal(store.size, 0);
});

Deno.test("a request slower than requestTimeoutMs gets a 504; CSV imports have their own, longer limit", async () => {
  const gate = Promise.withResolvers<void>();
  const slow: RouteModule = (api) => {
    for (const path of ["/slow", "/import/slow"]) {
      api.openapi(
        createRoute({ method: "get", path, responses: { 200: { description: "late" } } }),
        async (c) => {
          await gate.promise;
          return c.body(null, 200);
        },
      );
    }
  };
  using t = await testApp({
    routes: [slow],
    options: { requestTimeoutMs: 30, importTimeoutMs: 10_000 },
  });
  const late = await t.call("GET", "/api/v1/slow");
  assert.equal(late.status, 504);
  assert.equal(late.body.error, "timeout");
  assert.match(late.body.message, /longer than 0.03 s/);
  const importing = t.call("GET", "/api/v1/import/slow");
  await new Promise((r) => setTimeout(r, 60));
  gate.resolve();
  assert.equal((await importing).status, 200);
});

Deno.test("the Content-Security-Policy allows this origin's scripts, styles and connections (WebSocket included) and nothing inline", async () => {
  using t = await testApp();
  const answer = await t.call("GET", "/api/v1/lines");
  const csp = answer.headers.get("Content-Security-Policy") ?? "";
  for (
    const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ]
  ) {
    assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  }
  assert.ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
  assert.equal(answer.headers.get("X-Content-Type-Options"), "nosniff");
});
