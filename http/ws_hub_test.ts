import assert from "node:assert/strict";
import { ManualClock } from "../actors/clock.ts";
import type { Sample } from "../model/sample.ts";
import { seedPlant, testStore } from "../store/testing.ts";
import type { Store } from "../store/mod.ts";
import { type FakePlant, fakePlant } from "./live_testing.ts";
import type { WsSocket } from "./ws_client.ts";
import { WsHub, type WsHubOptions } from "./ws_hub.ts";

/** A socket that records what it is sent; the test sets how much is queued. */
class FakeSocket implements WsSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | undefined;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.readyState = 3;
    this.closed = { code, reason };
  }
  // deno-lint-ignore no-explicit-any
  frames(type?: string): any[] {
    const all = this.sent.map((s) => JSON.parse(s));
    return type ? all.filter((f) => f.type === type) : all;
  }
  clear(): void {
    this.sent.length = 0;
  }
}

interface Rig {
  readonly store: Store;
  readonly plant: FakePlant;
  readonly clock: ManualClock;
  readonly hub: WsHub;
  readonly vel: number;
  readonly alm: number;
  connect(): FakeSocket;
  update(tagId: number, value: number, ts?: number): void;
  [Symbol.dispose](): void;
}

function rig(options: WsHubOptions = {}): Rig {
  const store = testStore();
  const seed = seedPlant(store);
  const plant = fakePlant(store);
  const clock = new ManualClock(1_700_000_000_000);
  const hub = new WsHub(plant, { clock, ...options });
  return {
    store,
    plant,
    clock,
    hub,
    vel: seed.tag.id,
    alm: seed.bitTag.id,
    connect() {
      const socket = new FakeSocket();
      const client = hub.attach(socket, { name: "viewer1", role: "viewer" });
      Object.assign(socket, { client });
      return socket;
    },
    update(tagId, value, ts = clock.now()) {
      const s: Sample = { tagId, ts, value, quality: "good" };
      plant.live.update([s]);
    },
    [Symbol.dispose]() {
      hub.close();
      plant.close();
      store.close();
    },
  };
}

// deno-lint-ignore no-explicit-any
const clientOf = (s: FakeSocket) => (s as any).client;
const send = (r: Rig, s: FakeSocket, message: unknown) =>
  r.hub.receive(clientOf(s), typeof message === "string" ? message : JSON.stringify(message));

Deno.test("a new client gets hello with its user, a status frame and the active alarms", () => {
  using r = rig();
  const s = r.connect();
  const [hello, status, alarms] = s.frames();
  assert.deepEqual(hello, {
    type: "hello",
    user: { name: "viewer1", role: "viewer" },
    serverTime: r.clock.now(),
  });
  assert.equal(status.type, "status");
  assert.deepEqual(status.plcs[0], { code: "PLCPRESS010001", state: "connected", rttMs: 2 });
  assert.deepEqual(Object.keys(status.groups[0]).sort(), [
    "code",
    "errors",
    "lastCycleMs",
    "overruns",
    "running",
    "state",
  ]);
  assert.deepEqual(status.buffer, { size: 0, capacity: 100_000, dropped: 0 });
  assert.deepEqual(status.writer, { condition: "healthy", valuesPerSecond: 20, journalBytes: 0 });
  assert.deepEqual(alarms, { type: "alarms", transitions: [], active: [] });
  assert.equal(r.hub.size, 1);
});

Deno.test("subscribe sends the current values of the subscribed tags at once", () => {
  using r = rig();
  r.update(r.vel, 10, 123);
  r.update(r.alm, 1, 124);
  const s = r.connect();
  s.clear();
  send(r, s, { type: "subscribe", tags: ["PRESS01_VEL"] });
  assert.deepEqual(s.frames(), [{
    type: "values",
    items: [{ id: r.vel, c: "PRESS01_VEL", v: 10, q: "good", t: 123 }],
  }]);
});

Deno.test("changes are coalesced: at most one values frame per 100 ms, latest value wins, only changed tags", async () => {
  using r = rig();
  const s = r.connect();
  send(r, s, { type: "subscribe", groups: ["PRESS_MOTION"] });
  s.clear();
  const sentAt: number[] = [];
  const origSend = s.send.bind(s);
  s.send = (d) => {
    if (d.startsWith('{"type":"values"')) sentAt.push(r.clock.now());
    origSend(d);
  };
  // A change every 10 ms for one second.
  for (let i = 0; i < 100; i++) {
    r.update(r.vel, i);
    await r.clock.advance(10);
  }
  await r.clock.advance(200);
  const frames = s.frames("values");
  assert.ok(frames.length >= 9 && frames.length <= 11, `${frames.length} frames`);
  for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i] - sentAt[i - 1] >= 100, `${sentAt}`);
  for (const f of frames) {
    assert.equal(f.items.length, 1, "one entry per tag");
    assert.equal(f.items[0].c, "PRESS01_VEL", "PRESS01_ALM never changed");
  }
  assert.equal(frames.at(-1).items[0].v, 99, "the newest value is delivered");
});

Deno.test("the first change after a quiet spell is sent within gatherMs", async () => {
  using r = rig({ gatherMs: 20 });
  const s = r.connect();
  send(r, s, { type: "subscribe", all: true });
  s.clear();
  await r.clock.advance(5_000);
  s.clear();
  const t0 = r.clock.now();
  r.update(r.vel, 1);
  await r.clock.advance(19);
  assert.equal(s.frames("values").length, 0);
  await r.clock.advance(1);
  assert.equal(s.frames("values").length, 1);
  assert.equal(r.clock.now() - t0, 20);
});

Deno.test("whole-plant subscribers share one encoded frame; tag and group subscribers get only theirs", async () => {
  using r = rig();
  const all = r.connect();
  const one = r.connect();
  const none = r.connect();
  send(r, all, { type: "subscribe", all: true });
  send(r, one, { type: "subscribe", tags: ["PRESS01_ALM"] });
  for (const s of [all, one, none]) s.clear();
  r.update(r.vel, 5);
  r.update(r.alm, 1);
  await r.clock.advance(100);
  assert.deepEqual(all.frames("values")[0].items.map((i: { c: string }) => i.c), [
    "PRESS01_VEL",
    "PRESS01_ALM",
  ]);
  assert.deepEqual(one.frames("values")[0].items.map((i: { c: string }) => i.c), ["PRESS01_ALM"]);
  assert.equal(none.frames("values").length, 0);
  send(r, one, { type: "unsubscribe", tags: ["PRESS01_ALM"] });
  r.update(r.alm, 0);
  await r.clock.advance(200);
  assert.equal(one.frames("values").length, 1, "nothing after unsubscribing");
  assert.equal(all.frames("values").length, 2);
});

Deno.test("malformed messages get an error frame naming the problem; the connection keeps working", () => {
  using r = rig();
  const s = r.connect();
  s.clear();
  const errorFor = (message: unknown) => {
    s.clear();
    if (message instanceof Uint8Array) r.hub.receive(clientOf(s), message);
    else send(r, s, message);
    const frames = s.frames();
    assert.equal(frames.length, 1, JSON.stringify(frames));
    assert.equal(frames[0].type, "error");
    return frames[0].message as string;
  };
  assert.match(errorFor("{not json"), /not valid JSON/);
  assert.match(errorFor("[1,2]"), /JSON object with a "type"/);
  assert.match(errorFor({ type: "dance" }), /type must be "subscribe", "unsubscribe" or "ping"/);
  assert.match(
    errorFor({ type: "subscribe", tags: "PRESS01_VEL" }),
    /tags: must be a list of tag codes/,
  );
  assert.match(errorFor({ type: "subscribe", all: "yes" }), /all: must be true or false/);
  assert.match(
    errorFor({ type: "subscribe", tags: ["NOPE", "PRESS01_VEL"] }),
    /unknown tag code\(s\): NOPE/,
  );
  assert.match(
    errorFor({ type: "subscribe", groups: ["NOGROUP"] }),
    /unknown polling group code\(s\): NOGROUP/,
  );
  assert.match(errorFor({ type: "subscribe" }), /nothing to subscribe to/);
  assert.match(errorFor({ type: "ping", extra: 1 }), /extra: is not a known field/);
  assert.match(errorFor(new Uint8Array([1, 2])), /text frames/);
  assert.match(errorFor("x".repeat(300_000)), /too large/);
  s.clear();
  send(r, s, { type: "ping" });
  assert.equal(s.frames()[0].type, "pong");
  assert.equal(
    clientOf(s).tags.has(r.vel),
    true,
    "the known tag of the partly bad subscribe applies",
  );
});

Deno.test("a slow client costs one owed value per tag: stale updates are replaced and counted, then it catches up", async () => {
  using r = rig();
  const s = r.connect();
  send(r, s, { type: "subscribe", all: true });
  s.clear();
  s.bufferedAmount = 2 * 1024 * 1024;
  for (let i = 0; i < 200; i++) {
    r.update(r.vel, i);
    r.update(r.alm, i % 2);
    await r.clock.advance(50);
  }
  assert.equal(s.frames().length, 0, "nothing is sent while the socket is congested");
  assert.equal(clientOf(s).pending.size, 2, "bounded by the subscribed tags");
  const text = await r.plant.metrics.render();
  const replaced = Number(/jsscada_ws_replaced_updates_total (\d+)/.exec(text)?.[1]);
  assert.ok(replaced > 150, `replaced ${replaced}`);
  s.bufferedAmount = 0;
  await r.clock.advance(150);
  const frames = s.frames("values");
  assert.equal(frames.length, 1);
  assert.deepEqual(
    frames[0].items.map((i: { c: string; v: number }) => [i.c, i.v]).sort(),
    [["PRESS01_ALM", 1], ["PRESS01_VEL", 199]],
  );
});

Deno.test("a client that stops reading altogether is closed with 1008 once past the hard limit", async () => {
  using r = rig({ closeBufferedBytes: 4 * 1024 * 1024 });
  const s = r.connect();
  send(r, s, { type: "subscribe", all: true });
  s.bufferedAmount = 5 * 1024 * 1024;
  r.update(r.vel, 1);
  await r.clock.advance(100);
  assert.equal(s.closed?.code, 1008);
  assert.equal(r.hub.size, 0);
});

Deno.test("alarm transitions are pushed with the active list; a congested client gets the list once it drains", async () => {
  using r = rig();
  const fast = r.connect();
  const slow = r.connect();
  fast.clear();
  slow.clear();
  slow.bufferedAmount = 2 * 1024 * 1024;
  r.plant.alarms.raiseSystem("plc:PLCPRESS010001:disconnected", {
    message: "PLC down",
    severity: 800,
    source: "plc",
  });
  await r.clock.advance(0);
  const [frame] = fast.frames("alarms");
  assert.equal(frame.transitions[0].action, "raise");
  assert.equal(frame.active[0].id, "plc:PLCPRESS010001:disconnected");
  assert.equal(slow.frames().length, 0);
  slow.bufferedAmount = 0;
  await r.clock.advance(100);
  const [late] = slow.frames("alarms");
  assert.deepEqual(late.transitions, []);
  assert.equal(late.active[0].id, "plc:PLCPRESS010001:disconnected");
});

Deno.test("a status frame goes out every second while clients are connected; close ends every socket and timer", async () => {
  using r = rig();
  const s = r.connect();
  s.clear();
  await r.clock.advance(3_000);
  assert.equal(s.frames("status").length, 3);
  r.hub.detach(clientOf(s));
  assert.equal(r.clock.pending, 0, "no timer runs without clients");
  const t = r.connect();
  send(r, t, { type: "subscribe", all: true });
  r.update(r.vel, 1);
  r.hub.close();
  assert.equal(t.closed?.code, 1001);
  assert.equal(r.clock.pending, 0);
  assert.equal(r.hub.size, 0);
});

Deno.test("with arrivalStamps each value carries `a`, when the gateway got it", async () => {
  using r = rig({ arrivalStamps: true });
  const s = r.connect();
  send(r, s, { type: "subscribe", all: true });
  s.clear();
  const got = r.clock.now();
  r.update(r.vel, 3, got - 40);
  await r.clock.advance(100);
  const [frame] = s.frames("values");
  assert.deepEqual(frame.items[0], {
    id: r.vel,
    c: "PRESS01_VEL",
    v: 3,
    q: "good",
    t: got - 40,
    a: got,
  });
});
