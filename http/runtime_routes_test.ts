import assert from "node:assert/strict";
import { liveTestApp } from "./live_testing.ts";
import { runtimeRoutes } from "./runtime_routes.ts";

const app = () => liveTestApp({ routes: [runtimeRoutes] });

Deno.test("GET /runtime answers PLCs, groups, writer and buffer in the contract's shape", async () => {
  const { t, plant } = await app();
  try {
    const answer = await t.call("GET", "/api/v1/runtime", { as: "viewer" });
    assert.equal(answer.status, 200);
    const body = answer.body;
    assert.equal(body.state, "running");
    assert.deepEqual(Object.keys(body).sort(), ["buffer", "groups", "plcs", "state", "writer"]);
    assert.deepEqual(body.plcs[0], {
      plcId: t.plant.plc.id,
      code: "PLCPRESS010001",
      name: "Press PLC",
      state: "connected",
      rttMs: 2,
      lastError: null,
      lastErrorAt: null,
      connects: 1,
      failedReads: 0,
      retries: 0,
      consecutiveFailures: 0,
      failures: 0,
      model: "Q03UDV",
      supervision: {
        state: "running",
        restarts: 0,
        crashes: 0,
        lastError: null,
        lastCrashAt: null,
      },
    });
    const group = body.groups.find((g: { code: string }) => g.code === "PRESS_MOTION");
    assert.deepEqual(
      Object.keys(group).sort(),
      [
        "blocks",
        "code",
        "cycles",
        "errors",
        "groupId",
        "handshake",
        "intervalMs",
        "lastCycleMs",
        "lastError",
        "lastErrorAt",
        "lastSampleTs",
        "mode",
        "name",
        "overruns",
        "plcCode",
        "plcId",
        "running",
        "state",
        "supervision",
        "tags",
        "tickErrors",
        "trigger",
      ],
    );
    assert.equal(group.plcCode, "PLCPRESS010001");
    assert.equal(group.name, "Press motion");
    assert.equal(group.tags, 2);
    assert.equal(body.writer.condition, "healthy");
    assert.deepEqual(body.buffer, {
      size: 0,
      capacity: 100_000,
      dropped: 0,
      pushed: 10,
      taken: 10,
    });
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("groups by id or code; start and stop answer the group after the command", async () => {
  const { t, plant } = await app();
  try {
    const list = await t.call("GET", "/api/v1/runtime/groups");
    assert.deepEqual(list.body.items.map((g: { code: string }) => g.code), [
      "PRESS_MOTION",
      "PAINT_BOOTH",
    ]);
    const byId = await t.call("GET", `/api/v1/runtime/groups/${t.plant.group.id}`);
    assert.equal(byId.body.code, "PRESS_MOTION");
    assert.equal((await t.call("GET", "/api/v1/runtime/groups/NOPE")).status, 404);

    const stopped = await t.call("POST", "/api/v1/runtime/groups/PRESS_MOTION/stop", {
      as: "operator",
    });
    assert.equal(stopped.status, 200);
    assert.deepEqual([stopped.body.running, stopped.body.state], [false, "stopped"]);
    assert.ok(plant.runtime.stopped.has(t.plant.group.id));
    const started = await t.call("POST", "/api/v1/runtime/groups/PRESS_MOTION/start", {
      as: "operator",
    });
    assert.deepEqual([started.body.running, started.body.state], [true, "waiting"]);

    const all = await t.call("POST", "/api/v1/runtime/stop-all", { as: "operator" });
    assert.deepEqual(all.body, { groups: 2 });
    assert.equal(plant.runtime.stopped.size, 2);
    assert.deepEqual((await t.call("POST", "/api/v1/runtime/start-all")).body, { groups: 2 });
    assert.equal(plant.runtime.stopped.size, 0);
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("a disabled group is not part of the running plant: 404 naming why", async () => {
  const { t, plant } = await app();
  try {
    t.store.groups.update(t.plant.asciiGroup.id, { enabled: false }, { actor: "test" });
    const answer = await t.call("POST", "/api/v1/runtime/groups/PAINT_BOOTH/start");
    assert.equal(answer.status, 404);
    assert.match(answer.body.message, /disabled/);
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("trigger reads a HANDSHAKE rest group; 409 for other modes and stopped groups; 504 on timeout", async () => {
  const { t, plant } = await app();
  try {
    const rest = t.store.groups.create({
      code: "TRACE",
      name: "Trace",
      plcId: t.plant.plc.id,
      mode: "HANDSHAKE",
      trigger: "rest",
    });
    t.store.tags.create({
      code: "TRACE_ID",
      name: "Trace id",
      plcId: t.plant.plc.id,
      groupId: rest.id,
      address: "D500",
      dataType: "INT16",
    });
    const ok = await t.call("POST", "/api/v1/runtime/groups/TRACE/trigger", { as: "operator" });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.group, "TRACE");
    assert.equal(ok.body.values.length, 1);
    assert.deepEqual(
      { ...ok.body.values[0], ts: 0 },
      {
        tagId: plant.index.tagByCode("TRACE_ID")!.id,
        code: "TRACE_ID",
        value: 7,
        quality: "good",
        ts: 0,
      },
    );
    assert.equal(ok.body.ts, ok.body.values[0].ts);

    const fixed = await t.call("POST", "/api/v1/runtime/groups/PRESS_MOTION/trigger");
    assert.equal(fixed.status, 409);
    assert.match(
      fixed.body.message,
      /PRESS_MOTION is a FIXED group; only HANDSHAKE groups with trigger rest/,
    );

    await t.call("POST", "/api/v1/runtime/groups/TRACE/stop");
    const stopped = await t.call("POST", "/api/v1/runtime/groups/TRACE/trigger");
    assert.equal(stopped.status, 409);
    assert.match(stopped.body.message, /stopped; start it first/);

    await t.call("POST", "/api/v1/runtime/groups/TRACE/start");
    plant.runtime.hang = true;
    const slow = await t.call("POST", "/api/v1/runtime/groups/TRACE/trigger");
    assert.equal(slow.status, 504);
    assert.match(slow.body.message, /did not finish its read/);
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /runtime/writer answers the writer, the buffer and the journal", async () => {
  const { t, plant } = await app();
  try {
    const answer = await t.call("GET", "/api/v1/runtime/writer", { as: "viewer" });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.writer.sink, "sqlite");
    assert.equal(answer.body.buffer.capacity, 100_000);
    assert.equal(answer.body.journal.maxBytes, 1 << 30);
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("runtime control with the session cookie needs the CSRF header", async () => {
  const { t, plant } = await app();
  try {
    const login = await t.call("POST", "/api/v1/auth/login", {
      as: "anonymous",
      body: { name: "operator1", password: "correct horse battery" },
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const bare = await t.app.request("/api/v1/runtime/stop-all", {
      method: "POST",
      headers: { Cookie: cookie },
    });
    assert.equal(bare.status, 403);
    assert.equal(plant.runtime.stopped.size, 0);
    const ok = await t.app.request("/api/v1/runtime/stop-all", {
      method: "POST",
      headers: { Cookie: cookie, "X-Requested-With": "jsscada" },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /runtime tells the historian's retention and disk guard when the server knows them", async () => {
  const historian = { kind: "sqlite" as const, retentionDays: 90, minFreeMb: 1024 };
  const { t, plant } = await liveTestApp({ routes: [runtimeRoutes], options: { historian } });
  try {
    const answer = await t.call("GET", "/api/v1/runtime", { as: "viewer" });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.historian, historian);
  } finally {
    plant.close();
    t.close();
  }
});
