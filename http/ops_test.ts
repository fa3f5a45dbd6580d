import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { METRICS_CONTENT_TYPE } from "../observability/metrics.ts";
import { liveTestApp } from "./live_testing.ts";
import { opsRoutes } from "./ops.ts";
import { valueRoutes } from "./values.ts";

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

Deno.test("GET /health answers ok and the uptime without credentials", async () => {
  const { t, plant } = await liveTestApp({ rootRoutes: [opsRoutes] });
  try {
    const answer = await t.call("GET", "/health", { as: "anonymous" });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, "ok");
    assert.equal(typeof answer.body.uptimeS, "number");
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /ready is 200 with a writable sink and 503 naming the problem when the sink is down", async () => {
  const { t, plant } = await liveTestApp({ rootRoutes: [opsRoutes] });
  try {
    const ready = await t.call("GET", "/ready", { as: "anonymous" });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, {
      ready: true,
      config: true,
      sink: { kind: "sqlite", ok: true, detail: null },
      plcs: { connected: 2, total: 2 },
    });
    plant.sinkHealth = { ok: false, detail: "database is locked" };
    const down = await t.call("GET", "/ready", { as: "anonymous" });
    assert.equal(down.status, 503);
    assert.equal(down.body.ready, false);
    assert.deepEqual(down.body.sink, { kind: "sqlite", ok: false, detail: "database is locked" });
    assert.equal(down.body.config, true);
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /ready: a sink whose health check throws counts as down", async () => {
  const { t, plant } = await liveTestApp({ rootRoutes: [opsRoutes] });
  try {
    Object.defineProperty(plant, "sinkHealth", {
      get: () => {
        throw new Error("connection reset");
      },
    });
    const down = await t.call("GET", "/ready", { as: "anonymous" });
    assert.equal(down.status, 503);
    assert.equal(down.body.sink.detail, "connection reset");
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /metrics parses as Prometheus text with WebSocket clients and HTTP request durations", async () => {
  const { t, plant } = await liveTestApp({ routes: [valueRoutes], rootRoutes: [opsRoutes] });
  try {
    plant.metrics.ws.setClients(3);
    plant.metrics.ws.replaced.inc(5);
    assert.equal((await t.call("GET", "/api/v1/values")).status, 200);
    const res = await t.app.request("/metrics");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Content-Type"), METRICS_CONTENT_TYPE);
    const text = await res.text();
    const families = parsePrometheusTextFormat(text) as Family[];
    const byName = new Map(families.map((f) => [f.name, f]));
    assert.equal(byName.get("jsscada_ws_clients")?.metrics[0].value, "3");
    assert.equal(byName.get("jsscada_ws_replaced_updates_total")?.metrics[0].value, "5");
    const http = byName.get("jsscada_http_request_duration_seconds");
    assert.equal(http?.type, "HISTOGRAM");
    assert.ok(http!.metrics.length > 0);
    // The parser drops histogram labels, so read the raw count line.
    assert.ok(
      text.includes(
        'jsscada_http_request_duration_seconds_count{method="GET",route="/api/v1/values",status="200"} 1',
      ),
    );
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("with metricsToken, GET /metrics needs the bearer token", async () => {
  const { t, plant } = await liveTestApp({
    rootRoutes: [opsRoutes],
    options: { metricsToken: "scrape-secret" },
  });
  try {
    const none = await t.app.request("/metrics");
    assert.equal(none.status, 401);
    assert.match(none.headers.get("WWW-Authenticate") ?? "", /Bearer/);
    await none.body?.cancel();
    const wrong = await t.app.request("/metrics", { headers: { Authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const ok = await t.app.request("/metrics", {
      headers: { Authorization: "Bearer scrape-secret" },
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /jsscada_ws_clients/);
    assert.equal((await t.call("GET", "/health", { as: "anonymous" })).status, 200);
  } finally {
    plant.close();
    t.close();
  }
});
