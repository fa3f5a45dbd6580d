import assert from "node:assert/strict";
import type { AppOptions } from "./context.ts";
import { type FakePlant, liveTestApp } from "./live_testing.ts";
import type { TestApp } from "./testing.ts";
import { WsHub } from "./ws_hub.ts";
import type { WsConnectionLimitOptions } from "./ws_limits.ts";
import { serveWithGuardedWebSocket } from "./ws_node_server.ts";
import { wsRoutes } from "./ws_routes.ts";
import { TestWsClient, upgradeStatus } from "./ws_testing.ts";

interface Served {
  readonly t: TestApp;
  readonly plant: FakePlant;
  readonly hub: WsHub;
  readonly port: number;
  close(): Promise<void>;
}

/** The app with /ws over a fake plant, served on node:http with the frame guard. */
async function served(options: AppOptions = {}, limits: WsConnectionLimitOptions = {}) {
  const ref: { hub?: WsHub } = {};
  const lazy = {
    attach: (...a: Parameters<WsHub["attach"]>) => ref.hub!.attach(...a),
    receive: (...a: Parameters<WsHub["receive"]>) => ref.hub!.receive(...a),
    detach: (...a: Parameters<WsHub["detach"]>) => ref.hub!.detach(...a),
  };
  const { t, plant } = await liveTestApp({ options, rootRoutes: [wsRoutes(lazy, limits)] });
  const hub = new WsHub(plant);
  ref.hub = hub;
  const server = await serveWithGuardedWebSocket({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, env) => t.app.fetch(request, env),
    hub: lazy,
  });
  return {
    t,
    plant,
    hub,
    port: server.port,
    async close() {
      hub.close();
      await server.shutdown();
      plant.close();
      t.close();
    },
  } satisfies Served;
}

/** A child process that opens `count` sockets and sends one `mib` MiB frame on each; prints bytes sent. */
const FLOOD = `
const [port, token, count, mib] = Deno.args;
async function one() {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await conn.write(new TextEncoder().encode("GET /ws?token=" + token + " HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n" +
    "Upgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n" +
    "Sec-WebSocket-Version: 13\\r\\n\\r\\n"));
  await conn.read(new Uint8Array(4096));
  const length = Number(mib) * 1024 * 1024;
  const header = new Uint8Array(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  new DataView(header.buffer).setBigUint64(2, BigInt(length));
  let sent = 0;
  try {
    await conn.write(header);
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    while (sent < length) sent += await conn.write(chunk);
  } catch { /* the server cut the connection */ }
  try { conn.close(); } catch { /* closed */ }
  return sent;
}
console.log(JSON.stringify(await Promise.all(Array.from({ length: Number(count) }, one))));
`;

Deno.test("node server: upgrades are admitted by the /ws route (401, 403, 426, 101) and REST works", async () => {
  const globals = [globalThis.Request, globalThis.Response];
  const s = await served({ corsOrigins: [] });
  try {
    assert.deepEqual([globalThis.Request, globalThis.Response], globals, "Deno's globals are kept");
    assert.equal(await upgradeStatus(s.port, "/ws"), 401);
    const token = `/ws?token=${s.t.users.viewer.token}`;
    assert.equal(await upgradeStatus(s.port, token, { Origin: "http://evil.example" }), 403);
    assert.equal(await upgradeStatus(s.port, token), 101);
    const plain = await fetch(`http://127.0.0.1:${s.port}/ws`);
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
    const lines = await fetch(`http://127.0.0.1:${s.port}/api/v1/lines`, {
      headers: { Authorization: `Bearer ${s.t.users.viewer.token}` },
    });
    assert.equal(lines.status, 200);
    assert.equal((await lines.json()).items[0].code, "LINE01");
  } finally {
    await s.close();
  }
});

Deno.test("node server: hello, subscribe, live values and ping over a real socket", async () => {
  const s = await served();
  try {
    const tag = s.t.plant.tag.id;
    s.plant.live.update([{ tagId: tag, ts: Date.now(), value: 1, quality: "good" }]);
    const client = await TestWsClient.open(
      `ws://127.0.0.1:${s.port}/ws?token=${s.t.users.operator.token}`,
    );
    assert.deepEqual((await client.first("hello")).user, { name: "operator1", role: "operator" });
    client.send({ type: "subscribe", tags: ["PRESS01_VEL"] });
    const snapshot = await client.next((f) => f.type === "values");
    assert.deepEqual(snapshot.items.map((i: { v: number }) => i.v), [1]);
    client.send({ type: "ping" });
    await client.next((f) => f.type === "pong");
    await client.close();
    for (let i = 0; i < 100 && s.hub.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.hub.size, 0);
  } finally {
    await s.close();
  }
});

Deno.test("node server: open connections are bounded per address (429 beyond)", async () => {
  const s = await served({}, { maxPerAddress: 2 });
  try {
    const url = `ws://127.0.0.1:${s.port}/ws?token=${s.t.users.viewer.token}`;
    // Handshakes that npm:ws refuses after the route admitted them give their place back.
    for (let i = 0; i < 3; i++) {
      const status = await upgradeStatus(s.port, `/ws?token=${s.t.users.viewer.token}`, {
        "Sec-WebSocket-Version": "99",
      });
      assert.equal(status, 400);
    }
    await new Promise((r) => setTimeout(r, 50));
    const a = await TestWsClient.open(url);
    const b = await TestWsClient.open(url);
    assert.equal(await upgradeStatus(s.port, `/ws?token=${s.t.users.viewer.token}`), 429);
    await a.close();
    for (let i = 0; i < 100 && s.hub.size > 1; i++) await new Promise((r) => setTimeout(r, 10));
    const c = await TestWsClient.open(url);
    await b.close();
    await c.close();
  } finally {
    await s.close();
  }
});

Deno.test("node server: 8 parallel 60 MiB frames are cut at their header; RSS stays flat, others unharmed", async () => {
  const s = await served();
  try {
    const good = await TestWsClient.open(
      `ws://127.0.0.1:${s.port}/ws?token=${s.t.users.operator.token}`,
    );
    await good.first("hello");
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 10);
    const flood = await new Deno.Command(Deno.execPath(), {
      args: ["eval", FLOOD, String(s.port), s.t.users.viewer.token, "8", "60"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    clearInterval(sampler);
    peak = Math.max(peak, Deno.memoryUsage().rss);
    assert.equal(flood.code, 0, new TextDecoder().decode(flood.stderr));
    const sent: number[] = JSON.parse(new TextDecoder().decode(flood.stdout));
    const growth = (peak - before) / 2 ** 20;
    console.log(
      `8 × 60 MiB frames: the server's RSS rose ${growth.toFixed(1)} MiB at most; ` +
        `each client got ${
          sent.map((n) => (n / 2 ** 20).toFixed(1)).join(", ")
        } MiB out before the cut`,
    );
    assert.equal(sent.length, 8);
    assert.ok(sent.every((n) => n < 60 * 2 ** 20), "every oversized frame was cut before its end");
    assert.ok(growth < 50, `RSS grew ${growth.toFixed(1)} MiB`);
    // The well-behaved client is still served.
    good.send({ type: "ping" });
    await good.next((f) => f.type === "pong");
    assert.equal(s.hub.size, 1);
    await good.close();
  } finally {
    await s.close();
  }
});

Deno.test("node server: a request answered before its body was read does not break the next one on that connection", async () => {
  const s = await served({ corsOrigins: [] });
  try {
    const url = `http://127.0.0.1:${s.port}`;
    const body = new Uint8Array(2 * 1024 * 1024).fill(0x41);
    for (let i = 0; i < 3; i++) {
      // Refused at once (no credentials), with most of the body still unread.
      const form = new FormData();
      form.append("tags", new Blob([body], { type: "text/csv" }), "tags.csv");
      const refused = await fetch(`${url}/api/v1/import`, { method: "POST", body: form });
      assert.ok(refused.status >= 400 && refused.status < 500, `status ${refused.status}`);
      assert.equal(
        refused.headers.get("connection"),
        "close",
        "the unread body's connection closes",
      );
      await refused.body?.cancel();
      // A POST is not retried by the client when the server drops a kept-alive connection.
      const next = await fetch(`${url}/api/v1/import/tags?dryRun=true`, {
        method: "POST",
        headers: { Authorization: `Bearer ${s.t.users.admin.token}`, "content-type": "text/csv" },
        body: "code,name\n",
      });
      assert.ok(next.status < 500, `status ${next.status}`);
      assert.notEqual(
        next.headers.get("connection"),
        "close",
        "a request read whole keeps its connection",
      );
      await next.body?.cancel();
    }
    const get = await fetch(`${url}/api/v1/lines`, {
      headers: { Authorization: `Bearer ${s.t.users.viewer.token}` },
    });
    assert.equal(get.status, 200);
    assert.notEqual(get.headers.get("connection"), "close", "a GET keeps its connection");
    await get.body?.cancel();
  } finally {
    await s.close();
  }
});
