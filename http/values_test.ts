import assert from "node:assert/strict";
import { validate } from "@readme/openapi-parser";
import { alarmRoutes } from "./alarms.ts";
import { liveTestApp } from "./live_testing.ts";
import { opsRoutes } from "./ops.ts";
import { OPENAPI_PATH } from "./openapi.ts";
import { runtimeRoutes } from "./runtime_routes.ts";
import { valueRoutes } from "./values.ts";

const app = () => liveTestApp({ routes: [valueRoutes] });

Deno.test("GET /values lists every tag in code order; never-read tags are stale with null value and ts", async () => {
  const { t, plant } = await app();
  try {
    plant.live.update([{
      tagId: t.plant.tag.id,
      ts: 1_700_000_000_100,
      value: 12.5,
      quality: "good",
    }]);
    const answer = await t.call("GET", "/api/v1/values", { as: "viewer" });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.total, 2);
    assert.deepEqual(answer.body.items.map((i: { code: string }) => i.code), [
      "PRESS01_ALM",
      "PRESS01_VEL",
    ]);
    assert.deepEqual(answer.body.items[1], {
      tagId: t.plant.tag.id,
      code: "PRESS01_VEL",
      name: "Press 1 speed",
      unit: "mm/s",
      dataType: "INT16",
      groupId: t.plant.group.id,
      plcId: t.plant.plc.id,
      value: 12.5,
      quality: "good",
      ts: 1_700_000_000_100,
    });
    assert.deepEqual(
      {
        value: answer.body.items[0].value,
        quality: answer.body.items[0].quality,
        ts: answer.body.items[0].ts,
      },
      { value: null, quality: "stale", ts: null },
    );
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("a disabled PLC's or group's tags are stale with their last value, never a frozen good", async () => {
  const { t, plant } = await app();
  try {
    const sample = { tagId: t.plant.tag.id, ts: 1_700_000_000_100, value: 12.5 };
    plant.live.update([{ ...sample, quality: "good" }]);
    const quality = async () =>
      (await t.call("GET", "/api/v1/values?tags=PRESS01_VEL", { as: "viewer" })).body.items[0];
    assert.equal((await quality()).quality, "good");
    t.store.plcs.update(t.plant.plc.id, { enabled: false });
    await waitFor(async () => (await quality()).quality === "stale");
    assert.equal((await quality()).value, 12.5, "the last value stays, marked stale");
    t.store.plcs.update(t.plant.plc.id, { enabled: true });
    t.store.groups.update(t.plant.group.id, { enabled: false });
    await waitFor(async () => (await quality()).quality === "stale");
    t.store.groups.update(t.plant.group.id, { enabled: true });
    await waitFor(async () => (await quality()).quality === "good");
  } finally {
    plant.close();
    t.close();
  }
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail("the condition did not hold within 1 s");
}

Deno.test("GET /values filters by tag codes, group and PLC, pages, and names unknown codes in a 404", async () => {
  const { t, plant } = await app();
  try {
    const codes = async (query: string) => {
      const a = await t.call("GET", `/api/v1/values${query}`);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      return { codes: a.body.items.map((i: { code: string }) => i.code), total: a.body.total };
    };
    assert.deepEqual(await codes("?tags=PRESS01_VEL"), { codes: ["PRESS01_VEL"], total: 1 });
    assert.deepEqual((await codes("?group=PRESS_MOTION")).total, 2);
    assert.deepEqual((await codes(`?group=${t.plant.group.id}`)).total, 2);
    assert.deepEqual((await codes("?group=PAINT_BOOTH")).total, 0);
    assert.deepEqual((await codes("?plc=PLCPRESS010001&tags=PRESS01_ALM")).total, 1);
    assert.deepEqual((await codes("?plc=PLCPAINT010001")).total, 0);
    assert.deepEqual(await codes("?limit=1&offset=1"), { codes: ["PRESS01_VEL"], total: 2 });

    const unknown = await t.call("GET", "/api/v1/values?tags=PRESS01_VEL,NOPE1,NOPE2");
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /NOPE1, NOPE2/);
    assert.equal((await t.call("GET", "/api/v1/values?group=NOPE")).status, 404);
    assert.equal((await t.call("GET", "/api/v1/values?plc=NOPE")).status, 404);
    const bad = await t.call("GET", "/api/v1/values?limit=0");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, "limit");
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("GET /values/{tag}/history downsamples from the sink, by code or id, ms or ISO times", async () => {
  const { t, plant } = await app();
  try {
    const calls: unknown[] = [];
    plant.history = (tagId, from, to, points) => {
      calls.push({ tagId, from, to, points });
      return [{ ts: from, min: 1, max: 3, avg: 2, count: 3, last: 3 }];
    };
    const byCode = await t.call(
      "GET",
      "/api/v1/values/PRESS01_VEL/history?from=2024-05-01T00:00:00Z&to=1714608000000&points=24",
    );
    assert.equal(byCode.status, 200, JSON.stringify(byCode.body));
    assert.deepEqual(byCode.body, {
      tag: {
        id: t.plant.tag.id,
        code: "PRESS01_VEL",
        name: "Press 1 speed",
        unit: "mm/s",
        dataType: "INT16",
      },
      from: 1714521600000,
      to: 1714608000000,
      points: 24,
      buckets: [{ ts: 1714521600000, min: 1, max: 3, avg: 2, count: 3, last: 3 }],
    });
    const byId = await t.call("GET", `/api/v1/values/${t.plant.tag.id}/history`);
    assert.equal(byId.status, 200);
    assert.equal(byId.body.points, 500);
    assert.equal(byId.body.to - byId.body.from, 3_600_000, "default: the last hour");
    assert.deepEqual(calls[0], {
      tagId: t.plant.tag.id,
      from: 1714521600000,
      to: 1714608000000,
      points: 24,
    });
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("history: 400 on a bad range or points, 404 for an unknown tag, 501 without a trend-capable sink", async () => {
  const { t, plant } = await app();
  try {
    const h = (q: string) => t.call("GET", `/api/v1/values/PRESS01_VEL/history${q}`);
    const reversed = await h("?from=2000&to=1000");
    assert.equal(reversed.status, 400);
    assert.match(reversed.body.message, /before/);
    const garbage = await h("?from=yesterday");
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.issues[0].path, "from");
    assert.match(garbage.body.issues[0].message, /ISO 8601/);
    assert.equal((await h("?points=0")).status, 400);
    assert.equal((await h("?points=5001")).status, 400);
    assert.equal((await h("?points=5000")).status, 200);
    assert.equal((await t.call("GET", "/api/v1/values/NOPE/history")).status, 404);
    plant.history = undefined;
    const oracle = await h("");
    assert.equal(oracle.status, 501);
    assert.equal(oracle.body.error, "not_implemented");
  } finally {
    plant.close();
    t.close();
  }
});

Deno.test("the live API's operations are valid OpenAPI 3.1 with ids, summaries, tags and error responses", async () => {
  const { t, plant } = await liveTestApp({
    routes: [valueRoutes, runtimeRoutes, alarmRoutes],
    rootRoutes: [opsRoutes],
  });
  try {
    const doc = (await t.call("GET", OPENAPI_PATH)).body;
    const result = await validate(structuredClone(doc));
    assert.deepEqual(result, { valid: true, warnings: [], specification: "OpenAPI" });
    const ids = new Set<string>();
    let live = 0;
    // deno-lint-ignore no-explicit-any
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        assert.ok(op.operationId && !ids.has(op.operationId), `${where}: operationId`);
        ids.add(op.operationId);
        assert.ok(op.summary, where);
        assert.equal(op.tags?.length, 1, where);
        if (op["x-jsscada-access"] !== "public") assert.ok(op.responses["401"], where);
        if (op.requestBody?.content?.["application/json"]) assert.ok(op.responses["400"], where);
        if (["Live values", "Runtime", "Alarms", "Operations"].includes(op.tags[0])) live++;
      }
    }
    assert.equal(live, 19);
  } finally {
    plant.close();
    t.close();
  }
});
