import assert from "node:assert/strict";
import type { AppOptions } from "./context.ts";
import { type FakePlant, liveTestApp } from "./live_testing.ts";
import type { TestApp } from "./testing.ts";
import { WsHub } from "./ws_hub.ts";
import { originAllowed, wsRoutes } from "./ws_routes.ts";
import { TestWsClient, upgradeStatus } from "./ws_testing.ts";

interface Served {
  readonly t: TestApp;
  readonly plant: FakePlant;
  readonly hub: WsHub;
  readonly port: number;
  close(): Promise<void>;
}

/** The app with /ws over a fake plant, on a real socket. */
async function served(options: AppOptions = {}): Promise<Served> {
  const ref: { hub?: WsHub } = {};
  const lazy = {
    attach: (...a: Parameters<WsHub["attach"]>) => ref.hub!.attach(...a),
    receive: (...a: Parameters<WsHub["receive"]>) => ref.hub!.receive(...a),
    detach: (...a: Parameters<WsHub["detach"]>) => ref.hub!.detach(...a),
  };
  const { t, plant } = await liveTestApp({ options, rootRoutes: [wsRoutes(lazy)] });
  const hub = new WsHub(plant);
  ref.hub = hub;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, t.app.fetch);
  return {
    t,
    plant,
    hub,
    port: server.addr.port,
    async close() {
      hub.close();
      await server.shutdown();
      plant.close();
      t.close();
    },
  };
}

Deno.test("the upgrade is refused with 401 without credentials, 401 for a bad token, 426 without Upgrade", async () => {
  const s = await served();
  try {
    assert.equal(await upgradeStatus(s.port, "/ws"), 401);
    assert.equal(await upgradeStatus(s.port, "/ws?token=jss_nope"), 401);
    assert.equal(await upgradeStatus(s.port, "/ws", { Authorization: "Basic x" }), 401);
    assert.equal(await upgradeStatus(s.port, `/ws?token=${s.t.users.viewer.token}`), 101);
    const plain = await fetch(`http://127.0.0.1:${s.port}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("a browser's Origin must match the Host or a configured CORS origin (403 otherwise)", async () => {
  const s = await served({ corsOrigins: ["http://mes.plant.local"] });
  try {
    const token = `/ws?token=${s.t.users.viewer.token}`;
    assert.equal(await upgradeStatus(s.port, token, { Origin: "http://evil.example" }), 403);
    assert.equal(await upgradeStatus(s.port, token, { Origin: "null" }), 403);
    assert.equal(await upgradeStatus(s.port, token, { Origin: `http://127.0.0.1:${s.port}` }), 101);
    assert.equal(await upgradeStatus(s.port, token, { Origin: "http://mes.plant.local" }), 101);
  } finally {
    await s.close();
  }
});

Deno.test("the session cookie authenticates the upgrade; anonymous read lets anonymous clients in", async () => {
  const s = await served();
  try {
    const login = await s.t.call("POST", "/api/v1/auth/login", {
      as: "anonymous",
      body: { name: "viewer1", password: "correct horse battery" },
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    assert.equal(await upgradeStatus(s.port, "/ws", { Cookie: cookie }), 101);
    assert.equal(await upgradeStatus(s.port, "/ws", { Cookie: "jsscada_session=stale" }), 401);
  } finally {
    await s.close();
  }
  const anon = await served({ anonymousRead: true });
  try {
    const client = await TestWsClient.open(`ws://127.0.0.1:${anon.port}/ws`);
    assert.deepEqual((await client.first("hello")).user, null);
    await client.close();
  } finally {
    await anon.close();
  }
});

Deno.test("over a real socket: hello, subscribe, snapshot, live values, bad messages answered, client count", async () => {
  const s = await served();
  try {
    const tag = s.t.plant.tag.id;
    s.plant.live.update([{ tagId: tag, ts: Date.now(), value: 1, quality: "good" }]);
    const client = await TestWsClient.open(
      `ws://127.0.0.1:${s.port}/ws?token=${s.t.users.operator.token}`,
    );
    assert.deepEqual((await client.first("hello")).user, { name: "operator1", role: "operator" });
    assert.equal(s.hub.size, 1);
    client.send({ type: "subscribe", tags: ["PRESS01_VEL"] });
    const snapshot = await client.next((f) => f.type === "values");
    assert.deepEqual(snapshot.items.map((i: { v: number }) => i.v), [1]);
    const t0 = Date.now();
    s.plant.live.update([{ tagId: tag, ts: t0, value: 2, quality: "good" }]);
    const update = await client.next((f) => f.type === "values", 1000);
    assert.deepEqual(update.items[0], { id: tag, c: "PRESS01_VEL", v: 2, q: "good", t: t0 });
    client.send("{oops");
    assert.match((await client.next((f) => f.type === "error")).message, /not valid JSON/);
    client.send({ type: "ping" });
    await client.next((f) => f.type === "pong");
    await client.close();
    for (let i = 0; i < 50 && s.hub.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.hub.size, 0);
  } finally {
    await s.close();
  }
});

Deno.test("originAllowed: no Origin (not a browser) passes; hosts compare case-insensitively with ports", () => {
  assert.equal(originAllowed(undefined, "plant:8080", []), true);
  assert.equal(originAllowed("http://plant:8080", "PLANT:8080", []), true);
  assert.equal(originAllowed("http://plant:8081", "plant:8080", []), false);
  assert.equal(originAllowed("https://plant:8080", "plant:8080", []), true);
  assert.equal(originAllowed("http://other", undefined, []), false);
});
