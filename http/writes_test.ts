import assert from "node:assert/strict";
import { liveTestApp } from "./live_testing.ts";
import { valueRoutes } from "./values.ts";

async function app() {
  const { t, plant } = await liveTestApp({ routes: [valueRoutes] });
  const s = t.store;
  // PRESS01_VEL: INT16 at D100, scale 0.1, mm/s.
  s.tags.update(t.plant.tag.id, { writable: true, writeMin: 0, writeMax: 500 });
  s.tags.update(t.plant.bitTag.id, { writable: true });
  const close = () => {
    plant.close();
    t.close();
  };
  const writes = () =>
    s.audit.list({ action: "write", order: "asc", limit: 100 }).items.map((e) => ({
      user: e.user,
      tag: e.resourceId,
      before: e.before,
      after: e.after as Record<string, unknown>,
    }));
  return { t, plant, close, writes };
}

Deno.test("an operator's write answers value, read-back and time, and leaves an audit entry with the old value", async () => {
  const { t, plant, close, writes } = await app();
  try {
    plant.live.update([{ tagId: t.plant.tag.id, ts: Date.now(), value: 12.5, quality: "good" }]);
    const answer = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "operator",
      body: { value: 42.5, comment: "new speed" },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.outcome, "written");
    assert.equal(answer.body.oldValue, 12.5);
    assert.equal(answer.body.value, 42.5);
    assert.equal(answer.body.readBack, 42.5);
    assert.equal(typeof answer.body.ms, "number");
    const req = plant.runtime.writes[0];
    assert.equal(req.plcId, t.plant.plc.id);
    assert.deepEqual(
      [req.items[0].code, req.items[0].scale, req.items[0].value],
      ["PRESS01_VEL", 0.1, 42.5],
    );
    assert.deepEqual(writes(), [{
      user: "operator1",
      tag: "PRESS01_VEL",
      before: { value: 12.5 },
      after: { value: 42.5, readBack: 42.5, outcome: "written", comment: "new speed" },
    }]);
  } finally {
    close();
  }
});

Deno.test("refusals: 409 not writable, 422 naming the rule, 403 for a viewer; each refusal audited, nothing sent", async () => {
  const { t, plant, close, writes } = await app();
  try {
    t.store.tags.update(t.plant.bitTag.id, { writable: false });
    const locked = await t.call("POST", "/api/v1/tags/PRESS01_ALM/write", {
      as: "operator",
      body: { value: true },
    });
    assert.equal(locked.status, 409);
    assert.match(locked.body.message, /PRESS01_ALM is not writable/);
    const high = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "operator",
      body: { value: 501 },
    });
    assert.equal(high.status, 422);
    assert.match(high.body.message, /writeMax: 501 mm\/s is above .* 500 mm\/s/);
    assert.deepEqual(high.body.issues.map((i: { path: string }) => i.path), ["value"]);
    const type = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "operator",
      body: { value: true },
    });
    assert.equal(type.status, 422);
    assert.match(type.body.message, /type: a INT16 value must be a finite number/);
    const viewer = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "viewer",
      body: { value: 1 },
    });
    assert.equal(viewer.status, 403);
    assert.equal(plant.runtime.writes.length, 0);
    assert.deepEqual(writes().map((w) => w.after.outcome), ["refused", "refused", "refused"]);
  } finally {
    close();
  }
});

Deno.test("a failed PLC refuses at once with 503; a PLC timeout is 504 and an end code 502, all audited", async () => {
  const { t, plant, close, writes } = await app();
  try {
    plant.runtime.stopAll(); // no effect on writes: groups, not PLCs
    plant.runtime.writeOutcome = "timeout";
    const slow = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "operator",
      body: { value: 1 },
    });
    assert.equal(slow.status, 504);
    plant.runtime.writeOutcome = "failed";
    const bad = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "admin",
      body: { value: 1 },
    });
    assert.equal(bad.status, 502);
    t.store.plcs.update(t.plant.plc.id, { enabled: false });
    const off = await t.call("POST", "/api/v1/tags/PRESS01_VEL/write", {
      as: "operator",
      body: { value: 1 },
    });
    assert.equal(off.status, 503);
    assert.match(off.body.message, /disabled or not part of the running plant/);
    assert.equal(plant.runtime.writes.length, 2);
    assert.deepEqual(writes().map((w) => w.after.outcome), ["timeout", "failed", "unavailable"]);
  } finally {
    close();
  }
});

Deno.test("a recipe is validated as a whole: one bad item writes nothing; a good one is written per PLC with an answer per item", async () => {
  const { t, plant, close, writes } = await app();
  try {
    const bad = await t.call("POST", "/api/v1/writes", {
      as: "operator",
      body: {
        items: [{ tag: "PRESS01_VEL", value: 10 }, { tag: "PRESS01_ALM", value: 3 }],
      },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.issues.map((i: { path: string }) => i.path), ["items.1.value"]);
    assert.match(bad.body.message, /^nothing was written: 1 of 2 items were refused/);
    assert.equal(plant.runtime.writes.length, 0);
    assert.deepEqual(writes().map((w) => w.after.outcome), ["refused", "refused"]);
    const unknown = await t.call("POST", "/api/v1/writes", {
      as: "operator",
      body: { items: [{ tag: "NOPE", value: 1 }] },
    });
    assert.equal(unknown.status, 404);
    const ok = await t.call("POST", "/api/v1/writes", {
      as: "operator",
      body: {
        items: [{ tag: "PRESS01_VEL", value: 10 }, { tag: "PRESS01_ALM", value: true }],
        comment: "recipe A",
      },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.outcome, "written");
    assert.deepEqual(
      ok.body.items.map((i: { tag: string; readBack: unknown }) => [i.tag, i.readBack]),
      [["PRESS01_VEL", 10], ["PRESS01_ALM", true]],
    );
    assert.equal(plant.runtime.writes.length, 1, "both tags sit on one PLC: one runtime write");
    assert.equal(plant.runtime.writes[0].items.length, 2);
    assert.deepEqual(ok.body.plcs.map((p: { plc: string }) => p.plc), ["PLCPRESS010001"]);
    assert.deepEqual(writes().slice(2).map((w) => [w.tag, w.after.outcome, w.after.recipe]), [
      ["PRESS01_VEL", "written", true],
      ["PRESS01_ALM", "written", true],
    ]);
  } finally {
    close();
  }
});
