import assert from "node:assert/strict";
import { alarmRoutes } from "./alarms.ts";
import { type FakePlant, liveTestApp } from "./live_testing.ts";
import type { TestApp } from "./testing.ts";

/** An app with a HI rule (limit 100) on PRESS01_VEL, journalled into the store. */
async function app(): Promise<{ t: TestApp; plant: FakePlant; done(): void }> {
  const { t, plant } = await liveTestApp({ routes: [alarmRoutes] });
  t.store.alarmRules.create({
    tagId: t.plant.tag.id,
    kind: "HI",
    limit: 100,
    severity: 600,
    message: "press too fast",
  });
  const p = t.store.loadPlant();
  plant.alarms.replaceRules(p.alarmRules, p.tags);
  plant.alarms.subscribe((transitions) => t.store.alarmJournal.append(transitions));
  return {
    t,
    plant,
    done() {
      plant.close();
      t.close();
    },
  };
}

const ruleId = (t: TestApp) => `rule:${t.store.alarmRules.list({}).items[0].id}`;
const sample = (t: TestApp, value: number, ts: number) => ({
  tagId: t.plant.tag.id,
  ts,
  value,
  quality: "good" as const,
});

Deno.test("active alarms; acknowledge with user and comment; 409 when nothing is left to acknowledge; 404 unknown", async () => {
  const { t, plant, done } = await app();
  try {
    assert.deepEqual((await t.call("GET", "/api/v1/alarms", { as: "viewer" })).body, { items: [] });
    plant.alarms.onSamples([sample(t, 150, 1_000)]);
    const active = await t.call("GET", "/api/v1/alarms", { as: "viewer" });
    assert.equal(active.body.items.length, 1);
    assert.equal(active.body.items[0].id, ruleId(t));
    assert.equal(active.body.items[0].state, "active-unacknowledged");
    assert.equal(active.body.items[0].value, 150);

    const path = `/api/v1/alarms/${encodeURIComponent(ruleId(t))}/acknowledge`;
    const ack = await t.call("POST", path, { as: "operator", body: { comment: "seen it" } });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.equal(ack.body.alarm.state, "active-acknowledged");
    assert.deepEqual({ ...ack.body.alarm.acknowledged, ts: 0 }, {
      user: "operator1",
      comment: "seen it",
      ts: 0,
    });
    assert.equal(ack.body.transition.action, "acknowledge");

    const again = await t.call("POST", path, { as: "operator" });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /nothing to acknowledge/);
    const unknown = await t.call("POST", "/api/v1/alarms/rule%3A999/acknowledge", { body: {} });
    assert.equal(unknown.status, 404);
    const extra = await t.call("POST", path, { body: { comment: "x", color: "red" } });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.issues[0].path, "color");
  } finally {
    done();
  }
});

Deno.test("system alarm ids with colons work encoded and plain; an acknowledged cleared alarm answers its last state", async () => {
  const { t, plant, done } = await app();
  try {
    const key = "plc:PLCPRESS010001:disconnected";
    plant.alarms.raiseSystem(key, { message: "PLC down", severity: 800, source: "plc" });
    plant.alarms.clearSystem(key);
    const plain = await t.call("POST", `/api/v1/alarms/${key}/acknowledge`, { as: "operator" });
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(plain.body.alarm.id, key);
    assert.equal(plain.body.alarm.state, "normal");
    plant.alarms.raiseSystem(key, { message: "PLC down", severity: 800, source: "plc" });
    const encoded = await t.call("POST", `/api/v1/alarms/${encodeURIComponent(key)}/acknowledge`);
    assert.equal(encoded.status, 200);
    assert.equal(encoded.body.alarm.state, "active-acknowledged");
  } finally {
    done();
  }
});

Deno.test("shelve for minutes or until a time, with a reason; unshelve; every bad body is a 400 naming the field", async () => {
  const { t, plant, done } = await app();
  try {
    plant.alarms.onSamples([sample(t, 150, Date.now())]);
    const path = (action: string) => `/api/v1/alarms/${encodeURIComponent(ruleId(t))}/${action}`;
    const before = Date.now();
    const shelved = await t.call("POST", path("shelve"), {
      as: "operator",
      body: { minutes: 30, comment: "sensor swap" },
    });
    assert.equal(shelved.status, 200, JSON.stringify(shelved.body));
    const shelf = shelved.body.alarm.shelf;
    assert.equal(shelf.user, "operator1");
    assert.equal(shelf.comment, "sensor swap");
    assert.ok(shelf.until >= before + 30 * 60_000 && shelf.until <= Date.now() + 30 * 60_000);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const reshelved = await t.call("POST", path("shelve"), { body: { until, comment: "longer" } });
    assert.equal(reshelved.status, 200);
    assert.equal(reshelved.body.alarm.shelf.until, Date.parse(until));

    const bad = async (body: unknown, field: string) => {
      const a = await t.call("POST", path("shelve"), { body });
      assert.equal(a.status, 400, `${JSON.stringify(body)} → ${a.status}`);
      assert.ok(
        a.body.issues?.some((i: { path: string }) => i.path === field) || field === "",
        `${JSON.stringify(body)}: ${JSON.stringify(a.body)}`,
      );
    };
    await bad({ comment: "why" }, "minutes");
    await bad({ minutes: 5, until: Date.now() + 60_000, comment: "both" }, "minutes");
    await bad({ minutes: 0, comment: "x" }, "minutes");
    await bad({ minutes: 1441, comment: "x" }, "minutes");
    await bad({ minutes: 5 }, "comment");
    await bad({ minutes: 5, comment: "" }, "comment");
    await bad({ until: "next tuesday", comment: "x" }, "until");
    await bad({ until: Date.now() - 1000, comment: "past" }, "");
    await bad({ until: Date.now() + 25 * 3_600_000, comment: "too long" }, "");

    const unshelved = await t.call("POST", path("unshelve"), { as: "operator" });
    assert.equal(unshelved.status, 200);
    assert.equal(unshelved.body.alarm.shelf, null);
    const twice = await t.call("POST", path("unshelve"), { body: { comment: "again" } });
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /not shelved/);
  } finally {
    done();
  }
});

Deno.test("alarm history: the journal newest first, filtered by time, tag, severity, state and action, with a total", async () => {
  const { t, plant, done } = await app();
  try {
    plant.alarms.onSamples([sample(t, 150, 1_000)]);
    plant.alarms.onSamples([sample(t, 50, 2_000)]);
    plant.alarms.acknowledge(ruleId(t), "operator1", "late");
    plant.alarms.raiseSystem("sink:sqlite:down", {
      message: "sink",
      severity: 900,
      source: "sink",
    });
    const h = async (q: string) =>
      (await t.call("GET", `/api/v1/alarms/history${q}`, { as: "viewer" })).body;
    const all = await h("");
    assert.equal(all.total, 4);
    const times = all.items.map((i: { ts: number }) => i.ts);
    assert.deepEqual(times, [...times].sort((x: number, y: number) => y - x), "newest first");
    assert.deepEqual([all.items[3].action, all.items[3].ts], ["raise", 1_000]);
    assert.equal((await h("?tag=PRESS01_VEL")).total, 3);
    assert.equal((await h("?minSeverity=800")).total, 1);
    assert.equal((await h("?action=acknowledge")).items[0].comment, "late");
    assert.equal((await h("?state=cleared-unacknowledged")).total, 1);
    assert.equal((await h("?from=1500&to=2500")).total, 1);
    assert.equal((await h("?from=1970-01-01T00:00:01.500Z&to=2500")).total, 1);
    const page = await h("?limit=1&offset=1");
    assert.deepEqual([page.items.length, page.total], [1, 4]);
    const bad = await t.call("GET", "/api/v1/alarms/history?state=sleeping");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, "state");
  } finally {
    done();
  }
});
