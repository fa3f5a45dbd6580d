import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { TestWsClient, upgradeStatus } from "../http/ws_testing.ts";
import { startGateway } from "./gateway.ts";
import { startHttpServer } from "./http_server.ts";

const PASSWORD = "correct horse battery";

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("the served gateway: live REST API, runtime control, alarms, ops endpoints and the WebSocket over the sample plant", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-http-" });
  const gw = await startGateway({
    dataDir,
    samplePlant: true,
    fixture: "any",
    env: { JSSCADA_ADMIN_PASSWORD: PASSWORD },
    print: () => {},
  });
  const server = await startHttpServer(gw, {
    hostname: "127.0.0.1",
    port: 0,
    tls: undefined,
    anonymousRead: false,
  });
  const base = `http://127.0.0.1:${server.port}`;
  const admin = gw.store.users.list({ limit: 10 }).items.find((u) => u.name === "admin")!;
  const token = gw.store.tokens.create({ name: "test", userId: admin.id }).token;
  const viewer = await gw.store.users.create({
    name: "viewer1",
    role: "viewer",
    password: PASSWORD,
  });
  const viewerToken = gw.store.tokens.create({ name: "v", userId: viewer.id }).token;
  const call = async (method: string, path: string, as = token) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${as}` },
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
  };
  try {
    await until(() => gw.live.size > 3000, 5000, "the first reads of every FIXED group");

    await t.step(
      "GET /api/v1/values has every tag of the sample plant, most of them read",
      async () => {
        const { status, body } = await call("GET", "/api/v1/values", viewerToken);
        assert.equal(status, 200);
        assert.equal(body.total, 3491);
        assert.equal(body.items.length, 3491);
        const good = body.items.filter((i: { quality: string }) => i.quality === "good").length;
        assert.ok(good > 3000, `${good} good values`);
        const group = await call("GET", "/api/v1/values?group=ASSY_TRACE");
        assert.equal(group.body.total, 140);
      },
    );

    await t.step("GET /api/v1/values/{tag}/history answers buckets from SQLite", async () => {
      await new Promise((r) => setTimeout(r, 1200));
      const to = Date.now() + 1000;
      const { status, body } = await call(
        "GET",
        `/api/v1/values/PRESS01_POS/history?from=${to - 60_000}&to=${to}&points=60`,
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.tag.code, "PRESS01_POS");
      assert.ok(body.buckets.length >= 1, JSON.stringify(body));
      assert.ok(body.buckets.every((b: { count: number }) => b.count > 0));
    });

    await t.step(
      "GET /api/v1/runtime: four connected PLCs, ten groups, the writer and the buffer",
      async () => {
        const { status, body } = await call("GET", "/api/v1/runtime", viewerToken);
        assert.equal(status, 200);
        assert.equal(body.plcs.length, 4);
        assert.ok(
          body.plcs.every((p: { state: string }) => p.state === "connected"),
          JSON.stringify(body.plcs),
        );
        assert.equal(body.groups.length, 10);
        assert.equal(body.writer.condition, "healthy");
        assert.equal(body.buffer.capacity, 100_000);
        const writer = await call("GET", "/api/v1/runtime/writer");
        assert.ok(writer.body.writer.totals.valuesWritten > 0);
      },
    );

    await t.step(
      "trigger reads ASSY_TRACE through its poller; FIXED groups are refused with 409",
      async () => {
        const ok = await call("POST", "/api/v1/runtime/groups/ASSY_TRACE/trigger");
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.group, "ASSY_TRACE");
        assert.equal(ok.body.values.length, 140);
        assert.ok(ok.body.values.every((v: { quality: string }) => v.quality === "good"));
        const fixed = await call("POST", "/api/v1/runtime/groups/PRESS_MOTION/trigger");
        assert.equal(fixed.status, 409);
        const viewerTry = await call(
          "POST",
          "/api/v1/runtime/groups/ASSY_TRACE/trigger",
          viewerToken,
        );
        assert.equal(viewerTry.status, 403);
      },
    );

    await t.step("stop and start a group through the runtime", async () => {
      const stopped = await call("POST", "/api/v1/runtime/groups/PAINT_RECIPE/stop");
      assert.equal(stopped.status, 200);
      assert.equal(stopped.body.running, false);
      const started = await call("POST", "/api/v1/runtime/groups/PAINT_RECIPE/start");
      assert.equal(started.body.running, true);
    });

    await t.step("alarms: a raised system alarm is listed and acknowledged", async () => {
      gw.alarms.raiseSystem("test:http:check", { message: "check", severity: 100, source: "test" });
      const active = await call("GET", "/api/v1/alarms");
      assert.ok(active.body.items.some((a: { id: string }) => a.id === "test:http:check"));
      const ack = await call(
        "POST",
        `/api/v1/alarms/${encodeURIComponent("test:http:check")}/acknowledge`,
      );
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.equal(ack.body.alarm.acknowledged.user, "admin");
      const history = await call("GET", "/api/v1/alarms/history?action=acknowledge");
      assert.ok(history.body.total >= 1);
    });

    await t.step("/health, /ready and /metrics without credentials", async () => {
      assert.equal((await call("GET", "/health", "")).body.status, "ok");
      const ready = await call("GET", "/ready", "");
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body.plcs, { connected: 4, total: 4 });
      assert.equal(ready.body.sink.ok, true);
      const metrics = await fetch(`${base}/metrics`);
      const families = parsePrometheusTextFormat(await metrics.text()) as { name: string }[];
      const names = new Set(families.map((f) => f.name));
      for (
        const name of [
          "jsscada_ws_clients",
          "jsscada_http_request_duration_seconds",
          "jsscada_plc_connected",
          "jsscada_buffer_samples",
        ]
      ) {
        assert.ok(
          names.has(name),
          `${name} in ${[...names].filter((n) => n.startsWith("jsscada"))}`,
        );
      }
    });

    await t.step(
      "the WebSocket refuses anonymous callers (401) and other sites (403)",
      async () => {
        assert.equal(await upgradeStatus(server.port, "/ws"), 401);
        assert.equal(
          await upgradeStatus(server.port, `/ws?token=${viewerToken}`, {
            Origin: "http://evil.example",
          }),
          403,
        );
      },
    );

    await t.step(
      "a whole-plant subscriber gets every read tag at once and then live values within a second",
      async () => {
        const client = await TestWsClient.open(
          `ws://127.0.0.1:${server.port}/ws?token=${viewerToken}`,
        );
        try {
          assert.deepEqual((await client.first("hello")).user, { name: "viewer1", role: "viewer" });
          const before = gw.live.size;
          client.send({ type: "subscribe", all: true });
          const snapshot = await client.next((f) => f.type === "values");
          const n = snapshot.items.length;
          assert.ok(n >= before && n <= gw.live.size, `${n} tags in the snapshot of ${before}`);
          assert.ok(n > 3000, `${n} tags in the snapshot`);
          assert.equal(
            new Set(snapshot.items.map((i: { c: string }) => i.c)).size,
            snapshot.items.length,
          );
          const t0 = Date.now();
          const live = await client.next((f) => f.type === "values", 1000);
          assert.ok(live.items.length > 0);
          assert.ok(Date.now() - t0 < 1000);
          const status = await client.next((f) => f.type === "status", 1500);
          assert.equal(status.plcs.length, 4);
          assert.equal(server.hub.size, 1);
          client.send({ type: "subscribe", tags: 7 });
          assert.match((await client.next((f) => f.type === "error")).message, /tags/);
          gw.alarms.raiseSystem("test:ws:pushed", {
            message: "pushed",
            severity: 100,
            source: "test",
          });
          const alarms = await client.next((f) => f.type === "alarms");
          assert.equal(alarms.transitions[0].alarmId, "test:ws:pushed");
          await client.next((f) => f.type === "values", 1000);
        } finally {
          await client.close();
        }
      },
    );
  } finally {
    await server.shutdown();
    const report = await gw.stop();
    assert.ok(report.clean, "clean stop");
    await Deno.remove(dataDir, { recursive: true });
  }
});
