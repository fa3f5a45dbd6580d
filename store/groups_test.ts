import assert from "node:assert/strict";
import { ConfigError, ConflictError } from "./errors.ts";
import type { GroupCreate } from "./groups.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

function issues(fn: () => unknown): { path: string; message: string }[] {
  const e = thrown(fn);
  assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return [...e.issues];
}

const handshake = (plcId: number, over: Partial<GroupCreate> = {}): GroupCreate => ({
  code: "PRESS_CYCLE",
  name: "Press cycle data",
  plcId,
  mode: "HANDSHAKE",
  trigger: "plc-bit",
  intervalMs: 50,
  requestBit: "M3000",
  ackBit: "M3001",
  stepTimeoutMs: 2000,
  ...over,
});

Deno.test("groups: FIXED, plc-bit HANDSHAKE and rest HANDSHAKE groups are created as given", () => {
  using store = testStore();
  const { plc } = seedPlant(store);
  const cycle = store.groups.create(handshake(plc.id));
  assert.equal(cycle.requestBit, "M3000");
  const trace = store.groups.create({
    code: "ASSY_TRACE",
    name: "Traceability",
    plcId: plc.id,
    mode: "HANDSHAKE",
    trigger: "rest",
  });
  assert.deepEqual({ ...trace, id: 0 }, {
    id: 0,
    code: "ASSY_TRACE",
    name: "Traceability",
    plcId: plc.id,
    mode: "HANDSHAKE",
    intervalMs: null,
    trigger: "rest",
    requestBit: null,
    ackBit: null,
    stepTimeoutMs: null,
    enabled: true,
  });
  assert.deepEqual(store.groups.getByCode("ASSY_TRACE"), trace);
});

Deno.test("a FIXED interval is at least 50 ms", () => {
  using store = testStore();
  const { plc, group } = seedPlant(store);
  assert.deepEqual(issues(() => store.groups.update(group.id, { intervalMs: 49 })), [{
    path: "intervalMs",
    message: "must be at least 50 ms",
  }]);
  assert.deepEqual(
    issues(() =>
      store.groups.create({ code: "G", name: "g", plcId: plc.id, mode: "FIXED", trigger: "rest" })
    ),
    [
      { path: "intervalMs", message: "a FIXED group needs an interval (ms)" },
      { path: "trigger", message: "only HANDSHAKE groups have a trigger" },
    ],
  );
  assert.equal(store.groups.update(group.id, { intervalMs: 50 }).intervalMs, 50);
});

Deno.test("a plc-bit HANDSHAKE group needs both a request bit and an ack bit", () => {
  using store = testStore();
  const { plc } = seedPlant(store);
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { requestBit: null, ackBit: undefined }))),
    [
      { path: "requestBit", message: "a plc-bit handshake needs a request bit, e.g. M3000" },
      { path: "ackBit", message: "a plc-bit handshake needs an ack bit, e.g. M3001" },
    ],
  );
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { trigger: null }))),
    [{ path: "trigger", message: "a HANDSHAKE group needs a trigger: rest or plc-bit" }],
  );
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { intervalMs: null, stepTimeoutMs: null }))),
    [
      {
        path: "intervalMs",
        message: "a plc-bit handshake needs the interval (ms) at which the request bit is watched",
      },
      { path: "stepTimeoutMs", message: "a plc-bit handshake needs a step timeout" },
    ],
  );
});

Deno.test("handshake bits must be valid bit addresses, different, reachable by the frame", () => {
  using store = testStore();
  const { plc, asciiPlc } = seedPlant(store);
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { requestBit: "D100", ackBit: "Q1" }))),
    [
      {
        path: "requestBit",
        message: "must be a bit address such as M3000 or D100.0, not a whole word",
      },
      { path: "ackBit", message: '"Q1" does not start with a known device name' },
    ],
  );
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { ackBit: "M3000" }))),
    [{ path: "ackBit", message: "must differ from the request bit" }],
  );
  assert.deepEqual(
    issues(() =>
      store.groups.create(handshake(asciiPlc.id, { requestBit: "ZR1000000.0", ackBit: "D10.1" }))
    ),
    [{
      path: "requestBit",
      message:
        "ZR1000000.0 cannot be sent in ASCII frames, which reach ZR999999 at most; give this PLC binary frames",
    }],
  );
  assert.equal(
    store.groups.create(handshake(plc.id, { requestBit: "D200.0", ackBit: "D200.1" })).ackBit,
    "D200.1",
  );
});

Deno.test("a rest-triggered group has no interval and no bits", () => {
  using store = testStore();
  const { plc } = seedPlant(store);
  assert.deepEqual(
    issues(() => store.groups.create(handshake(plc.id, { trigger: "rest", stepTimeoutMs: null }))),
    [
      { path: "intervalMs", message: "a rest-triggered group has no interval" },
      { path: "requestBit", message: "only plc-bit handshakes have a request bit" },
      { path: "ackBit", message: "only plc-bit handshakes have an ack bit" },
    ],
  );
});

Deno.test("a group cannot move to another PLC while it holds tags of the old one", () => {
  using store = testStore();
  const { group, asciiPlc } = seedPlant(store);
  assert.deepEqual(issues(() => store.groups.update(group.id, { plcId: asciiPlc.id })), [{
    path: "plcId",
    message: "polling group PRESS_MOTION still has 2 tags of its old PLC; " +
      "move them to the new PLC or to another group first",
  }]);
});

Deno.test("deleting a group with tags is refused unless cascade", () => {
  using store = testStore();
  const { group } = seedPlant(store);
  assert.ok(thrown(() => store.groups.delete(group.id)) instanceof ConflictError);
  store.groups.delete(group.id, { cascade: true });
  assert.equal(store.tags.all().length, 0);
});

Deno.test("groups list filters by PLC, mode and enabled", () => {
  using store = testStore();
  const { plc } = seedPlant(store);
  store.groups.create(handshake(plc.id, { enabled: false }));
  assert.deepEqual(store.groups.list({ plcId: plc.id }).items.map((g) => g.code), [
    "PRESS_CYCLE",
    "PRESS_MOTION",
  ]);
  assert.deepEqual(store.groups.list({ mode: "HANDSHAKE" }).items.map((g) => g.code), [
    "PRESS_CYCLE",
  ]);
  assert.equal(store.groups.list({ enabled: true }).total, 2);
});
