import assert from "node:assert/strict";
import type { ConfigChange } from "../model/change.ts";
import { ConfigError, ConflictError } from "./errors.ts";
import type { PlcCreate } from "./plcs.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

function plcInput(processId: number, over: Partial<PlcCreate> = {}): PlcCreate {
  return {
    code: "PLCWELD0100001",
    name: "Weld PLC",
    processId,
    host: "10.0.0.5",
    port: 5002,
    ...over,
  };
}

function issues(fn: () => unknown): { path: string; message: string }[] {
  const e = thrown(fn);
  assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return [...e.issues];
}

Deno.test("a PLC gets the default route, timeout, pool size, failure rule and binary frames", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  const plc = store.plcs.create(plcInput(process.id));
  assert.deepEqual(plc, {
    id: plc.id,
    code: "PLCWELD0100001",
    name: "Weld PLC",
    processId: process.id,
    host: "10.0.0.5",
    port: 5002,
    frame: "binary",
    network: 0,
    pc: 255,
    moduleIo: 1023,
    station: 0,
    timeoutMs: 1000,
    poolSize: 5,
    attempts: 3,
    commAlarmDelayMs: 2000,
    series: "Q",
    frameType: "3E",
    transport: "tcp",
    pipelineDepth: 1,
    xyNotation: "octal",
    enabled: true,
  });
  assert.deepEqual(store.plcs.getByCode("PLCWELD0100001"), plc);
  const updated = store.plcs.update(plc.id, { enabled: false, timeoutMs: 2500 });
  assert.deepEqual({ ...updated }, { ...plc, enabled: false, timeoutMs: 2500 });
});

Deno.test("an equipment code is exactly 14 characters of A–Z and 0–9", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  for (const code of ["PLC1", "plcweld0100001", "PLCWELD01000012", "PLC-WELD-01000"]) {
    assert.deepEqual(issues(() => store.plcs.create(plcInput(process.id, { code }))), [{
      path: "code",
      message: "must be exactly 14 characters of A–Z and 0–9",
    }]);
  }
});

Deno.test("equipment codes are unique", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  const e = thrown(() => store.plcs.create(plcInput(process.id, { code: "PLCPRESS010001" })));
  assert.ok(e instanceof ConflictError);
  assert.deepEqual(e.issues, [{
    path: "code",
    message: "PLC PLCPRESS010001 already exists (id 1)",
  }]);
  const other = store.plcs.create(plcInput(process.id));
  assert.ok(
    thrown(() => store.plcs.update(other.id, { code: "PLCPRESS010001" })) instanceof ConflictError,
  );
});

Deno.test("a PLC port is 1 to 65535; host, frame and route fields are checked", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  for (const port of [0, 65536, 1.5]) {
    assert.deepEqual(issues(() => store.plcs.create(plcInput(process.id, { port }))), [{
      path: "port",
      message: "must be a whole number from 1 to 65535",
    }]);
  }
  assert.deepEqual(
    issues(() =>
      store.plcs.create(plcInput(process.id, {
        host: "plc one",
        frame: "hex" as never,
        network: 256,
        poolSize: 0,
        processId: 99,
      }))
    ),
    [
      { path: "host", message: "must be a host name or IP address" },
      { path: "frame", message: "must be ascii or binary" },
      { path: "network", message: "must be a whole number from 0 to 255" },
      { path: "poolSize", message: "must be a whole number from 1 to 32" },
    ],
  );
  assert.deepEqual(issues(() => store.plcs.create(plcInput(99))), [{
    path: "processId",
    message: "no process with id 99",
  }]);
});

Deno.test("attempts is 1 to 10 and the comm alarm delay 0 to 600,000 ms", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  assert.deepEqual(
    issues(() =>
      store.plcs.create(plcInput(process.id, { attempts: 0, commAlarmDelayMs: 600_001 }))
    ),
    [
      { path: "attempts", message: "must be a whole number from 1 to 10" },
      { path: "commAlarmDelayMs", message: "must be a whole number from 0 to 600000 ms" },
    ],
  );
  assert.deepEqual(issues(() => store.plcs.create(plcInput(process.id, { attempts: 11 }))), [
    { path: "attempts", message: "must be a whole number from 1 to 10" },
  ]);
  const plc = store.plcs.create(plcInput(process.id, { attempts: 10, commAlarmDelayMs: 0 }));
  assert.equal(plc.attempts, 10);
  assert.equal(plc.commAlarmDelayMs, 0);
  assert.equal(store.plcs.update(plc.id, { attempts: 1 }).attempts, 1);
});

Deno.test("deleting a PLC that still has tags is refused unless cascade, which deletes them all", () => {
  using store = testStore();
  const { plc, group, tag, bitTag } = seedPlant(store);
  const rule = store.alarmRules.create({
    tagId: bitTag.id,
    kind: "ON",
    severity: 800,
    message: "overload",
  });
  const e = thrown(() => store.plcs.delete(plc.id));
  assert.ok(e instanceof ConflictError);
  assert.equal(
    e.message,
    "PLC PLCPRESS010001 still has 2 tags and 1 polling group; delete them first, or delete with cascade",
  );
  const changes: ConfigChange[] = [];
  store.subscribe((c) => changes.push(...c));
  store.plcs.delete(plc.id, { cascade: true, actor: "engineer1" });
  assert.deepEqual(changes, [
    { resource: "tags", id: tag.id, kind: "deleted" },
    { resource: "alarmRules", id: rule.id, kind: "deleted" },
    { resource: "tags", id: bitTag.id, kind: "deleted" },
    { resource: "groups", id: group.id, kind: "deleted" },
    { resource: "plcs", id: plc.id, kind: "deleted" },
  ]);
  assert.equal(store.tags.list({ plcId: plc.id }).total, 0);
  const audit = store.audit.list({ action: "delete", user: "engineer1" });
  assert.equal(audit.total, 5);
  assert.deepEqual(audit.items.map((a) => a.resource).sort(), [
    "alarmRules",
    "groups",
    "plcs",
    "tags",
    "tags",
  ]);
});

Deno.test("a PLC cannot switch to ASCII frames while a tag sits at ZR1000000 or above", () => {
  using store = testStore();
  const { plc, group } = seedPlant(store);
  store.tags.create({
    code: "TRACE_VIN",
    name: "VIN",
    plcId: plc.id,
    groupId: group.id,
    address: "ZR1000000",
    dataType: "STRING",
    length: 9,
  });
  assert.deepEqual(issues(() => store.plcs.update(plc.id, { frame: "ascii" })), [{
    path: "frame",
    message: "ASCII frames cannot reach device numbers above 999999, used by tag TRACE_VIN" +
      " (ZR1000000); keep binary frames or move those addresses",
  }]);
  assert.equal(store.plcs.get(plc.id).frame, "binary", "the refused update was rolled back");
});

Deno.test("PLCs list filters by process, frame, enabled and text, with paging", () => {
  using store = testStore();
  const { process, asciiPlc } = seedPlant(store);
  store.plcs.create(plcInput(process.id, { enabled: false }));
  assert.deepEqual(store.plcs.list({ frame: "ascii" }).items, [asciiPlc]);
  assert.deepEqual(store.plcs.list({ enabled: "false" }).items.map((p) => p.code), [
    "PLCWELD0100001",
  ]);
  assert.deepEqual(store.plcs.list({ q: "paint" }).items.map((p) => p.code), ["PLCPAINT010001"]);
  const page = store.plcs.list({ processId: process.id, sort: "port", order: "desc", limit: 2 });
  assert.deepEqual(page.items.map((p) => p.port), [5003, 5002]);
  assert.equal(page.total, 3);
});

Deno.test("series and pipelining: 3E pipelining and what 1E lacks are refused by name", () => {
  using store = testStore();
  const { process } = seedPlant(store);
  const issues = (input: Record<string, unknown>) => {
    try {
      store.plcs.create({ ...plcInput(process.id), ...input } as never);
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
      throw e;
    }
    return [];
  };
  assert.deepEqual(issues({ series: "FX3", frameType: "4E" }), [
    "frameType: FX3 CPUs (FX3U-ENET) speak 1E frames, which have no 4E form; leave frameType 3E",
  ]);
  assert.deepEqual(issues({ series: "FX3", pipelineDepth: 2 }), [
    "pipelineDepth: 1E frames (FX3) carry no serial number: one request at a time, pipelineDepth 1",
  ]);
  assert.match(issues({ pipelineDepth: 4 }).join(), /pipelineDepth: pipelining needs 4E/);
  assert.match(issues({ frameType: "2E" }).join(), /frameType: must be one of 3E, 4E/);
  const plc = store.plcs.create({
    ...plcInput(process.id),
    series: "iQ-R",
    frameType: "4E",
    pipelineDepth: 4,
  });
  assert.equal(plc.series, "iQ-R");
  assert.equal(plc.pipelineDepth, 4);
});
