import assert from "node:assert/strict";
import type { ConfigChange } from "../model/change.ts";
import { ConfigError } from "./errors.ts";
import { openStore } from "./store.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

Deno.test("each committed change reaches subscribers as one batch, after the commit", () => {
  using store = testStore();
  const batches: (readonly ConfigChange[])[] = [];
  store.subscribe((c) => batches.push(c));
  const line = store.lines.create({ code: "LINE01", name: "Body line" });
  assert.deepEqual(batches, [[{ resource: "lines", id: line.id, kind: "created" }]]);
  store.transaction(() => {
    store.lines.update(line.id, { name: "Body shop" });
    store.lines.create({ code: "LINE02", name: "Finish line" });
    assert.equal(batches.length, 1, "nothing is delivered before the commit");
  });
  assert.deepEqual(batches[1], [
    { resource: "lines", id: line.id, kind: "updated" },
    { resource: "lines", id: line.id + 1, kind: "created" },
  ]);
});

Deno.test("a rolled-back transaction writes nothing and emits nothing", () => {
  using store = testStore();
  let calls = 0;
  store.subscribe(() => calls++);
  assert.throws(() =>
    store.transaction(() => {
      store.lines.create({ code: "LINE01", name: "Body line" });
      throw new Error("changed my mind");
    }), /changed my mind/);
  assert.equal(calls, 0);
  assert.equal(store.lines.all().length, 0);
});

Deno.test("a failed nested step is undone alone when the outer transaction catches it", () => {
  using store = testStore();
  const changes: ConfigChange[] = [];
  store.subscribe((c) => changes.push(...c));
  store.transaction(() => {
    store.lines.create({ code: "LINE01", name: "Body line" });
    assert.throws(() =>
      store.transaction(() => {
        store.lines.create({ code: "LINE02", name: "Finish line" });
        store.lines.create({ code: "bad code", name: "x" });
      }), ConfigError);
  });
  assert.deepEqual(store.lines.all().map((l) => l.code), ["LINE01"]);
  assert.deepEqual(changes.map((c) => c.kind), ["created"]);
});

Deno.test("unsubscribing stops delivery; a throwing listener does not stop the others", () => {
  const errors: unknown[] = [];
  using store = openStore(":memory:", { onListenerError: (e) => errors.push(e) });
  const seen: string[] = [];
  store.subscribe(() => {
    throw new Error("listener bug");
  });
  const stop = store.subscribe(() => seen.push("a"));
  store.subscribe(() => seen.push("b"));
  store.lines.create({ code: "LINE01", name: "Body line" });
  stop();
  store.lines.create({ code: "LINE02", name: "Finish line" });
  assert.deepEqual(seen, ["a", "b", "b"]);
  assert.equal(errors.length, 2);
});

Deno.test("a transaction callback must be synchronous", () => {
  using store = testStore();
  const e = thrown(() => store.transaction(() => Promise.resolve(1)));
  assert.match(e.message, /must be synchronous/);
});

Deno.test("loadPlant returns every record in model/config.ts shapes", () => {
  using store = testStore();
  assert.ok(store.isEmpty());
  const seed = seedPlant(store);
  const rule = store.alarmRules.create({
    tagId: seed.tag.id,
    kind: "HI",
    limit: 90,
    severity: 500,
    message: "too fast",
  });
  const plant = store.loadPlant();
  assert.ok(!store.isEmpty());
  assert.deepEqual(plant.plcs.map((p) => p.code), ["PLCPRESS010001", "PLCPAINT010001"]);
  assert.deepEqual(plant.plcs[0], seed.plc);
  assert.deepEqual(plant.groups[0], {
    id: seed.group.id,
    code: "PRESS_MOTION",
    name: "Press motion",
    plcId: seed.plc.id,
    mode: "FIXED",
    intervalMs: 100,
    trigger: null,
    requestBit: null,
    ackBit: null,
    stepTimeoutMs: null,
    enabled: true,
  });
  assert.deepEqual(plant.tags[0], {
    id: seed.tag.id,
    code: "PRESS01_VEL",
    name: "Press 1 speed",
    description: "",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D100",
    dataType: "INT16",
    length: null,
    scale: 0.1,
    offset: 0,
    unit: "mm/s",
    deadband: null,
    enabled: true,
    writable: false,
    writeMin: null,
    writeMax: null,
    bitWrite: false,
  });
  assert.deepEqual(plant.alarmRules, [{
    id: rule.id,
    tagId: seed.tag.id,
    kind: "HI",
    limit: 90,
    hysteresis: 0,
    onDelayMs: 0,
    severity: 500,
    message: "too fast",
    enabled: true,
  }]);
  assert.equal(plant.lines.length, 1);
  assert.equal(plant.processes.length, 1);
});

Deno.test("a closed store refuses further use", () => {
  const store = testStore();
  store.close();
  assert.throws(() => store.lines.all());
});
