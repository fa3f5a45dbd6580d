import assert from "node:assert/strict";
import type { AlarmRuleCreate } from "./alarm_rules.ts";
import { ConfigError, ConflictError, NotFoundError } from "./errors.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

function issues(fn: () => unknown): { path: string; message: string }[] {
  const e = thrown(fn);
  assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return [...e.issues];
}

function setup() {
  const store = testStore();
  const seed = seedPlant(store);
  const hi = (over: Partial<AlarmRuleCreate> = {}): AlarmRuleCreate => ({
    tagId: seed.tag.id,
    kind: "HI",
    limit: 90,
    hysteresis: 2,
    severity: 700,
    message: "Press 1 too fast",
    ...over,
  });
  return { store, seed, hi };
}

Deno.test("alarm rules: create, find by tag and kind, update, delete", () => {
  const { store, seed, hi } = setup();
  using _ = store;
  const rule = store.alarmRules.create(hi({ onDelayMs: 5000 }));
  assert.deepEqual(rule, {
    id: rule.id,
    tagId: seed.tag.id,
    kind: "HI",
    limit: 90,
    hysteresis: 2,
    onDelayMs: 5000,
    severity: 700,
    message: "Press 1 too fast",
    enabled: true,
  });
  assert.deepEqual(store.alarmRules.getByTagKind(seed.tag.id, "HI"), rule);
  assert.equal(store.alarmRules.update(rule.id, { enabled: false }).enabled, false);
  store.alarmRules.delete(rule.id);
  assert.ok(
    thrown(() => store.alarmRules.getByTagKind(seed.tag.id, "HI")) instanceof NotFoundError,
  );
});

Deno.test("severity is 1 to 1000", () => {
  const { store, hi } = setup();
  using _ = store;
  for (const severity of [0, 1001, 2.5]) {
    assert.deepEqual(issues(() => store.alarmRules.create(hi({ severity }))), [{
      path: "severity",
      message: "must be a whole number from 1 to 1000",
    }]);
  }
});

Deno.test("HI/LO kinds need a limit; ON/OFF kinds have no limit and no hysteresis", () => {
  const { store, seed, hi } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.alarmRules.create(hi({ limit: null }))), [{
    path: "limit",
    message: "an HI rule needs a limit",
  }]);
  assert.deepEqual(issues(() => store.alarmRules.create(hi({ kind: "LOLO", limit: undefined }))), [{
    path: "limit",
    message: "a LOLO rule needs a limit",
  }]);
  assert.deepEqual(
    issues(() => store.alarmRules.create(hi({ tagId: seed.bitTag.id, kind: "ON" }))),
    [
      { path: "limit", message: "an ON rule has no limit" },
      { path: "hysteresis", message: "an ON rule has no hysteresis" },
    ],
  );
  const on = store.alarmRules.create({
    tagId: seed.bitTag.id,
    kind: "ON",
    severity: 800,
    message: "overload",
  });
  assert.deepEqual([on.limit, on.hysteresis], [null, 0]);
});

Deno.test("ON/OFF rules need a BOOL tag; limit rules need a numeric tag", () => {
  const { store, seed, hi } = setup();
  using _ = store;
  assert.deepEqual(
    issues(() => store.alarmRules.create(hi({ kind: "OFF", limit: null, hysteresis: 0 }))),
    [{ path: "kind", message: "OFF rules need a BOOL tag; PRESS01_VEL is INT16" }],
  );
  assert.deepEqual(issues(() => store.alarmRules.create(hi({ tagId: seed.bitTag.id }))), [{
    path: "kind",
    message: "HI rules need a numeric tag; PRESS01_ALM is BOOL",
  }]);
  assert.deepEqual(issues(() => store.alarmRules.create(hi({ tagId: 77 }))), [{
    path: "tagId",
    message: "no tag with id 77",
  }]);
});

Deno.test("a tag has at most one rule of each kind", () => {
  const { store, hi } = setup();
  using _ = store;
  store.alarmRules.create(hi());
  const e = thrown(() => store.alarmRules.create(hi({ limit: 95 })));
  assert.ok(e instanceof ConflictError);
  assert.deepEqual(e.issues, [{
    path: "kind",
    message: "the HI rule of tag PRESS01_VEL already exists (id 1)",
  }]);
  store.alarmRules.create(hi({ kind: "HIHI", limit: 99 }));
});

Deno.test("alarm rules list filters by tag, kind, lowest severity and message text", () => {
  const { store, seed, hi } = setup();
  using _ = store;
  store.alarmRules.create(hi());
  store.alarmRules.create(hi({ kind: "HIHI", limit: 99, severity: 900, message: "trip" }));
  store.alarmRules.create({
    tagId: seed.bitTag.id,
    kind: "ON",
    severity: 300,
    message: "overload",
  });
  assert.equal(store.alarmRules.list({ tagId: seed.tag.id }).total, 2);
  assert.deepEqual(store.alarmRules.list({ minSeverity: 700 }).items.map((r) => r.kind), [
    "HI",
    "HIHI",
  ]);
  assert.deepEqual(store.alarmRules.list({ kind: "ON" }).items.map((r) => r.message), ["overload"]);
  assert.deepEqual(
    store.alarmRules.list({ sort: "severity", order: "desc" }).items.map((r) => r.severity),
    [900, 700, 300],
  );
  assert.deepEqual(store.alarmRules.list({ q: "TRIP" }).items.map((r) => r.kind), ["HIHI"]);
});

Deno.test("the rule list sorts by tag code with sort=tag (what the admin list shows), not by id", () => {
  const { store, seed, hi } = setup();
  using _ = store;
  // Tag codes in the opposite order of their ids: ZZ_LAST is created first.
  const z = store.tags.create({
    code: "ZZ_LAST",
    name: "Z",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D700",
    dataType: "INT16",
  });
  const a = store.tags.create({
    code: "AA_FIRST",
    name: "A",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D701",
    dataType: "INT16",
  });
  store.alarmRules.create(hi({ tagId: z.id }));
  store.alarmRules.create(hi({ tagId: a.id }));
  store.alarmRules.create(hi());
  const codes = (order: "asc" | "desc") =>
    store.alarmRules.list({ sort: "tag", order }).items.map((r) => store.tags.get(r.tagId).code);
  assert.deepEqual(codes("asc"), ["AA_FIRST", "PRESS01_VEL", "ZZ_LAST"]);
  assert.deepEqual(codes("desc"), ["ZZ_LAST", "PRESS01_VEL", "AA_FIRST"]);
});
