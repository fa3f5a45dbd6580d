import assert from "node:assert/strict";
import fc from "fast-check";
import type { AlarmRuleConfig, TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import { AlarmEngine } from "./engine.ts";
import type { AlarmTransition } from "./state.ts";
import { SYSTEM_SEVERITY, systemKeys } from "./system_keys.ts";

function tag(id: number, code: string, dataType: TagConfig["dataType"] = "FLOAT32"): TagConfig {
  return {
    id,
    code,
    name: code,
    description: "",
    plcId: 1,
    groupId: 1,
    address: `D${id}`,
    dataType,
    length: null,
    scale: 1,
    offset: 0,
    unit: "",
    deadband: null,
    enabled: true,
  };
}

function rule(id: number, tagId: number, over: Partial<AlarmRuleConfig> = {}): AlarmRuleConfig {
  return {
    id,
    tagId,
    kind: "HI",
    limit: 190,
    hysteresis: 2,
    onDelayMs: 0,
    severity: 700,
    message: `rule ${id}`,
    enabled: true,
    ...over,
  };
}

const TAGS = [tag(1, "OVEN01_TEMP"), tag(2, "PRESS01_ALM_001", "BOOL"), tag(3, "OTHER")];
const RULES = [
  rule(10, 1, { kind: "HIHI", limit: 200, severity: 900 }),
  rule(11, 1),
  rule(12, 1, { kind: "LO", limit: 160, onDelayMs: 5000, severity: 400 }),
  rule(20, 2, { kind: "ON", limit: null, hysteresis: 0, severity: 800 }),
];

const s = (
  tagId: number,
  ts: number,
  value: TagValue | null,
  quality: Sample["quality"] = "good",
) => ({
  tagId,
  ts,
  value,
  quality,
});

function setup(rules = RULES, tags = TAGS) {
  let now = 1_000_000;
  const clock = { now: () => now, set: (t: number) => (now = t) };
  const engine = new AlarmEngine({ rules, tags, clock: clock.now, maxShelveMs: 3_600_000 });
  const seen: AlarmTransition[] = [];
  engine.subscribe((t) => seen.push(...t));
  return { engine, clock, seen };
}

const brief = (t: AlarmTransition) => `${t.alarmId} ${t.action} ${t.from}→${t.to}`;

Deno.test("samples raise and clear rule alarms and every transition reaches listeners", () => {
  const { engine, seen } = setup();
  const out = engine.onSamples([s(1, 100, 185), s(1, 200, 195), s(3, 200, 9999), s(2, 200, true)]);
  assert.deepEqual(out.map(brief), [
    "rule:11 raise normal→active-unacknowledged",
    "rule:20 raise normal→active-unacknowledged",
  ]);
  const raised = out[0];
  assert.equal(raised.ts, 200);
  assert.equal(raised.value, 195);
  assert.equal(raised.tagCode, "OVEN01_TEMP");
  assert.equal(raised.severity, 700);
  assert.equal(raised.message, "rule 11");
  assert.equal(raised.suppressed, false);
  assert.equal(raised.source, "rule");
  engine.onSamples([s(1, 300, 188.5)]);
  assert.equal(engine.get("rule:11")?.state, "active-unacknowledged");
  engine.onSamples([s(1, 400, 187)]);
  assert.equal(engine.get("rule:11")?.state, "cleared-unacknowledged");
  assert.deepEqual(seen.map(brief).slice(2), [
    "rule:11 clear active-unacknowledged→cleared-unacknowledged",
  ]);
});

Deno.test("samples of tags without rules raise nothing and emit no transitions", () => {
  const { engine, seen } = setup();
  const cycle = Array.from({ length: 3500 }, (_, i) => s(1000 + i, 0, i));
  for (let c = 0; c < 3; c++) engine.onSamples(cycle);
  assert.deepEqual(engine.active(), []);
  assert.deepEqual(seen, []);
});

Deno.test("on-delay raises by sample time, or by tick when samples stop", () => {
  const { engine, clock } = setup();
  engine.onSamples([s(1, 0, 150), s(1, 4000, 155)]);
  assert.equal(engine.get("rule:12")?.state, "normal");
  assert.equal(engine.nextDueAt(), 5000);
  assert.deepEqual(engine.tick(4999), []);
  clock.set(6000);
  const out = engine.tick();
  assert.deepEqual(out.map(brief), ["rule:12 raise normal→active-unacknowledged"]);
  assert.equal(out[0].ts, 6000);
  assert.equal(out[0].value, 155);
  assert.equal(engine.nextDueAt(), null);
});

Deno.test("acknowledge records user and comment; refusals name the reason", () => {
  const { engine, clock, seen } = setup();
  engine.onSamples([s(1, 100, 195)]);
  clock.set(2_000_000);
  const ack = engine.acknowledge("rule:11", "kim", "checking the burner");
  assert.ok(ack.ok);
  assert.equal(ack.transition.user, "kim");
  assert.equal(ack.transition.comment, "checking the burner");
  assert.equal(ack.transition.ts, 2_000_000);
  assert.equal(ack.transition.to, "active-acknowledged");
  assert.deepEqual(engine.get("rule:11")?.acknowledged, {
    user: "kim",
    comment: "checking the burner",
    ts: 2_000_000,
  });
  assert.deepEqual(engine.acknowledge("rule:11", "kim"), {
    ok: false,
    reason: "nothing-to-acknowledge",
  });
  assert.deepEqual(engine.acknowledge("rule:99", "kim"), { ok: false, reason: "not-found" });
  assert.deepEqual(engine.acknowledge("plc:X:disconnected", "kim"), {
    ok: false,
    reason: "not-found",
  });
  engine.onSamples([s(1, 200, 180)]);
  assert.equal(engine.get("rule:11")?.state, "normal");
  assert.equal(seen.at(-1)?.action, "clear");
});

Deno.test("cleared-unacknowledged alarms need an acknowledgement to return to normal", () => {
  const { engine } = setup();
  engine.onSamples([s(2, 1, true), s(2, 2, false)]);
  assert.equal(engine.get("rule:20")?.state, "cleared-unacknowledged");
  assert.equal(engine.active().length, 1);
  const r = engine.acknowledge("rule:20", "lee", "");
  assert.ok(r.ok);
  assert.equal(r.transition.to, "normal");
  assert.equal(r.transition.comment, null);
  assert.deepEqual(engine.active(), []);
});

Deno.test("a shelved alarm still follows its condition, suppressed, until the shelve expires", () => {
  const { engine, clock, seen } = setup();
  clock.set(1000);
  assert.deepEqual(engine.shelve("rule:20", "park", "sensor replaced", 1000), {
    ok: false,
    reason: "invalid-shelve-until",
  });
  assert.deepEqual(engine.shelve("rule:20", "park", "too long", 1000 + 3_600_001), {
    ok: false,
    reason: "invalid-shelve-until",
  });
  const shelve = engine.shelve("rule:20", "park", "sensor replaced", 61_000);
  assert.ok(shelve.ok);
  assert.equal(shelve.transition.shelvedUntil, 61_000);
  assert.equal(engine.shelved().length, 1);
  const raised = engine.onSamples([s(2, 2000, true)]);
  assert.equal(raised[0].suppressed, true);
  assert.equal(engine.get("rule:20")?.state, "active-unacknowledged");
  // a shelved alarm that clears needs no acknowledgement
  const cleared = engine.onSamples([s(2, 3000, false)]);
  assert.equal(cleared[0].suppressed, true);
  assert.equal(engine.get("rule:20")?.state, "normal");
  engine.onSamples([s(2, 4000, true)]);
  assert.equal(engine.nextDueAt(), 61_000);
  const expired = engine.tick(70_000);
  assert.deepEqual(expired.map(brief), [
    "rule:20 shelve-expire active-unacknowledged→active-unacknowledged",
  ]);
  assert.equal(expired[0].ts, 61_000);
  assert.equal(expired[0].shelvedUntil, null);
  assert.equal(engine.get("rule:20")?.shelf, null);
  engine.onSamples([s(2, 71_000, false)]);
  assert.equal(seen.at(-1)?.suppressed, false);
  assert.equal(engine.get("rule:20")?.state, "cleared-unacknowledged");
});

Deno.test("a sample after the shelve's end expires it before it is evaluated", () => {
  const { engine } = setup();
  assert.ok(engine.shelve("rule:20", "park", undefined, 1_010_000).ok);
  const out = engine.onSamples([s(2, 1_020_000, true)]);
  assert.deepEqual(out.map((t) => t.action), ["shelve-expire", "raise"]);
  assert.equal(out[1].suppressed, false);
});

Deno.test("unshelve ends a shelve early and is refused when not shelved", () => {
  const { engine } = setup();
  assert.deepEqual(engine.unshelve("rule:11", "park"), { ok: false, reason: "not-shelved" });
  engine.shelve("rule:11", "park", "noisy", 1_500_000);
  const r = engine.unshelve("rule:11", "park", "fixed");
  assert.ok(r.ok);
  assert.equal(r.transition.action, "unshelve");
  assert.equal(r.transition.comment, "fixed");
  assert.deepEqual(engine.shelved(), []);
  assert.equal(engine.nextDueAt(), null);
});

Deno.test("system alarms: raise once, refresh, clear idempotently, forget once normal", () => {
  const { engine, clock } = setup();
  const key = systemKeys.plcDisconnected("PLCLINE1PRESS1");
  assert.equal(key, "plc:PLCLINE1PRESS1:disconnected");
  const info = { message: "PLC refused", severity: SYSTEM_SEVERITY.plcDisconnected, source: "plc" };
  const first = engine.raiseSystem(key, info);
  assert.deepEqual(first.map(brief), [`${key} raise normal→active-unacknowledged`]);
  assert.equal(first[0].kind, "SYSTEM");
  assert.equal(first[0].systemKey, key);
  assert.equal(first[0].ruleId, null);
  assert.equal(first[0].ts, 1_000_000);
  assert.deepEqual(engine.raiseSystem(key, { ...info, message: "PLC timeout" }), []);
  assert.equal(engine.get(key)?.message, "PLC timeout");
  clock.set(1_000_500);
  assert.equal(engine.clearSystem(key)[0].to, "cleared-unacknowledged");
  assert.deepEqual(engine.clearSystem(key), []);
  assert.deepEqual(engine.clearSystem("sink:oracle:down"), []);
  assert.ok(engine.acknowledge(key, "ops").ok);
  assert.equal(engine.get(key), undefined);
  assert.throws(() => engine.raiseSystem("rule:5", info), RangeError);
  assert.throws(() => engine.raiseSystem("", info), RangeError);
});

Deno.test("system keys follow <resource>:<code>:<condition>", () => {
  assert.equal(systemKeys.groupOverrun("G01"), "group:G01:overrun");
  assert.equal(systemKeys.handshakeFault("G02"), "group:G02:handshake");
  assert.equal(systemKeys.sinkDown("oracle"), "sink:oracle:down");
  assert.equal(systemKeys.journalNearlyFull(), "writer:journal:nearly-full");
});

Deno.test("a shelved system alarm is kept while normal so its shelve survives flapping", () => {
  const { engine } = setup();
  const key = systemKeys.groupOverrun("G01");
  engine.raiseSystem(key, { message: "overrun", severity: 400, source: "poller" });
  engine.shelve(key, "ops", "known slow PLC", 1_100_000);
  engine.clearSystem(key);
  assert.equal(engine.get(key)?.state, "normal");
  const again = engine.raiseSystem(key, { message: "overrun", severity: 400, source: "poller" });
  assert.equal(again[0].suppressed, true);
  engine.clearSystem(key);
  engine.tick(1_100_000);
  assert.equal(engine.get(key), undefined);
});

Deno.test("active() lists by severity, then newest raise; counts() agrees", () => {
  const { engine } = setup();
  engine.onSamples([s(1, 100, 195), s(2, 150, true), s(1, 200, 205)]);
  engine.raiseSystem("sink:sqlite:down", { message: "disk", severity: 900, source: "writer" });
  assert.deepEqual(engine.active().map((a) => a.id), [
    "sink:sqlite:down",
    "rule:10",
    "rule:20",
    "rule:11",
  ]);
  engine.acknowledge("rule:20", "kim");
  engine.shelve("rule:11", "kim", "", 1_500_000);
  assert.deepEqual(engine.counts(), { active: 4, unacknowledged: 3, shelved: 1 });
});

Deno.test("replaceRules keeps state of kept rules and removes the rest with a transition", () => {
  const { engine } = setup();
  engine.onSamples([s(1, 100, 195), s(2, 100, true)]);
  engine.acknowledge("rule:11", "kim");
  const changed = [
    rule(11, 1, { limit: 196, message: "hotter now", severity: 750 }), // same tag and kind: kept
    rule(20, 2, { kind: "OFF", limit: null, hysteresis: 0 }), // kind changed: a new alarm
    rule(30, 3, { limit: 10 }),
  ];
  const out = engine.replaceRules(changed);
  // rules 10 and 12 were normal: removing them changes nothing worth recording
  assert.deepEqual(out.map(brief), ["rule:20 remove active-unacknowledged→normal"]);
  const kept = engine.get("rule:11");
  assert.equal(kept?.state, "active-acknowledged");
  assert.equal(kept?.message, "hotter now");
  assert.equal(kept?.severity, 750);
  assert.equal(engine.get("rule:10"), undefined);
  assert.equal(engine.get("rule:20")?.state, "normal");
  // the new limit applies from the next sample: 195 < 196 − 2 is false, so still active
  engine.onSamples([s(1, 200, 194.5), s(3, 200, 11)]);
  assert.equal(engine.get("rule:11")?.state, "active-acknowledged");
  assert.equal(engine.get("rule:30")?.state, "active-unacknowledged");
  engine.onSamples([s(1, 300, 193)]);
  assert.equal(engine.get("rule:11")?.state, "normal");
});

Deno.test("disabled rules are not evaluated, and new tags refresh codes", () => {
  const { engine } = setup([rule(11, 1, { enabled: false })]);
  assert.deepEqual(engine.onSamples([s(1, 1, 500)]), []);
  engine.replaceRules([rule(11, 1, { message: "" })], [tag(1, "OVEN09_TEMP")]);
  const out = engine.onSamples([s(1, 2, 500)]);
  assert.equal(out[0].tagCode, "OVEN09_TEMP");
  assert.equal(out[0].message, "OVEN09_TEMP HI 190");
});

Deno.test("a throwing listener does not stop the others", () => {
  const errors: unknown[] = [];
  const engine = new AlarmEngine({
    rules: RULES,
    tags: TAGS,
    clock: () => 0,
    onListenerError: (e) => errors.push(e),
  });
  const got: number[] = [];
  engine.subscribe(() => {
    throw new Error("boom");
  });
  const off = engine.subscribe((t) => got.push(t.length));
  engine.onSamples([s(2, 1, true)]);
  off();
  engine.onSamples([s(2, 2, false)]);
  assert.deepEqual(got, [1]);
  assert.equal(errors.length, 2);
});

Deno.test("restore brings back states from each alarm's latest transition", () => {
  const first = setup();
  const log: AlarmTransition[] = [];
  first.engine.subscribe((t) => log.push(...t));
  first.engine.onSamples([s(1, 100, 205), s(2, 100, true), s(2, 200, false)]);
  first.engine.acknowledge("rule:10", "kim", "on it");
  first.engine.shelve("rule:11", "kim", "noisy", 1_500_000);
  first.engine.raiseSystem("sink:oracle:down", {
    message: "down",
    severity: 900,
    source: "writer",
  });
  const latest = new Map(log.map((t) => [t.alarmId, t]));

  const second = setup();
  second.clock.set(1_200_000);
  second.engine.restore(latest.values());
  const view = (id: string) => second.engine.get(id);
  assert.equal(view("rule:10")?.state, "active-acknowledged");
  assert.equal(view("rule:10")?.acknowledged?.user, "kim");
  assert.equal(view("rule:11")?.state, "active-unacknowledged");
  assert.equal(view("rule:11")?.shelf?.until, 1_500_000);
  assert.equal(view("rule:20")?.state, "cleared-unacknowledged");
  assert.equal(view("sink:oracle:down")?.state, "active-unacknowledged");
  assert.deepEqual(second.seen, []);
  // a restored active alarm clears on its next sample back within limits
  second.engine.onSamples([s(1, 300, 150)]);
  assert.equal(view("rule:10")?.state, "normal");
});

Deno.test("property: each alarm's transitions chain from→to and end in its current state", () => {
  const samples = fc.array(
    fc.record({
      tagId: fc.constantFrom(1, 2, 3),
      dt: fc.constantFrom(0, 500, 2000, 6000),
      value: fc.oneof(fc.integer({ min: 130, max: 210 }), fc.boolean()),
      bad: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { maxLength: 80 },
  );
  const command = fc.constantFrom("ack", "shelve", "unshelve", "tick", "none");
  fc.assert(
    fc.property(samples, fc.array(command, { minLength: 80, maxLength: 80 }), (steps, cmds) => {
      const { engine, clock, seen } = setup();
      let ts = 1_000_000;
      steps.forEach((x, i) => {
        ts += x.dt;
        clock.set(ts);
        engine.onSamples([s(x.tagId, ts, x.bad ? null : x.value, x.bad ? "bad-comm" : "good")]);
        const id = ["rule:10", "rule:11", "rule:12", "rule:20"][i % 4];
        if (cmds[i] === "ack") engine.acknowledge(id, "u");
        if (cmds[i] === "shelve") engine.shelve(id, "u", "", ts + 3000);
        if (cmds[i] === "unshelve") engine.unshelve(id, "u");
        if (cmds[i] === "tick") engine.tick(ts + 1000);
      });
      const last = new Map<string, string>();
      for (const t of seen) {
        assert.equal(t.from, last.get(t.alarmId) ?? "normal");
        last.set(t.alarmId, t.to);
      }
      for (const id of ["rule:10", "rule:11", "rule:12", "rule:20"]) {
        assert.equal(engine.get(id)?.state, last.get(id) ?? "normal");
      }
    }),
    { numRuns: 200 },
  );
});
