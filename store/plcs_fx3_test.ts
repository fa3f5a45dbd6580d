/**
 * The store and FX3 PLCs: the series is accepted over TCP and UDP, what 1E
 * frames lack is refused by field, and tag addresses and handshake bits of an
 * FX3 are checked against the FX3 device set, octal X/Y and its ranges.
 */
import assert from "node:assert/strict";
import { importCsv } from "./csv_import.ts";
import { ConfigError } from "./errors.ts";
import type { TagCreate } from "./tags.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

function issues(fn: () => unknown): string[] {
  const e = thrown(fn);
  assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return e.issues.map((i) => `${i.path}: ${i.message}`);
}

function setup() {
  const store = testStore();
  const seed = seedPlant(store);
  const fx = store.plcs.create({
    code: "PLCFX300000001",
    name: "FX3 press",
    processId: seed.process.id,
    host: "127.0.0.1",
    port: 5551,
    series: "FX3",
  });
  const group = store.groups.create({
    code: "FX_FAST",
    name: "FX3 fast",
    plcId: fx.id,
    mode: "FIXED",
    intervalMs: 100,
  });
  const tag = (over: Partial<TagCreate>): TagCreate => ({
    code: "FX_TAG",
    name: "FX tag",
    plcId: fx.id,
    groupId: group.id,
    address: "D100",
    dataType: "INT16",
    ...over,
  });
  return { store, seed, fx, group, tag };
}

Deno.test("FX3 PLCs are accepted over TCP and UDP, with 1E's defaults", () => {
  const { store, seed, fx } = setup();
  using _ = store;
  assert.equal(fx.series, "FX3");
  assert.equal(fx.pipelineDepth, 1);
  const udp = store.plcs.create({
    code: "PLCFX300000002",
    name: "FX3 over UDP",
    processId: seed.process.id,
    host: "127.0.0.1",
    port: 5552,
    series: "FX3",
    transport: "udp",
    frame: "ascii",
  });
  assert.equal(udp.transport, "udp");
  assert.deepEqual(issues(() => store.plcs.update(fx.id, { frameType: "4E" })), [
    "frameType: FX3 CPUs (FX3U-ENET) speak 1E frames, which have no 4E form; leave frameType 3E",
  ]);
});

Deno.test("FX3 tag addresses: the FX3 devices, X/Y in octal, FX3 ranges; refusals name the field", () => {
  const { store, tag } = setup();
  using _ = store;
  const ok = (address: string, dataType: TagCreate["dataType"] = "BOOL", code = address) =>
    store.tags.create(tag({ code: `FX_${code.replace(".", "_")}`, address, dataType })).address;
  assert.equal(ok("X17"), "X17");
  assert.equal(ok("Y377"), "Y377");
  assert.equal(ok("M8511"), "M8511");
  assert.equal(ok("S4095"), "S4095");
  assert.equal(ok("TS511"), "TS511");
  assert.equal(ok("CS255"), "CS255");
  assert.equal(ok("D8510", "INT32"), "D8510");
  assert.equal(ok("R32767", "INT16"), "R32767");
  assert.equal(ok("TN5", "UINT16"), "TN5");
  assert.equal(ok("CN199", "UINT16"), "CN199");
  assert.equal(ok("D100.10", "BOOL"), "D100.A");
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "X18", dataType: "BOOL" }))), [
    'address: "X18": X is numbered in octal on FX CPUs; 8 is no octal digit (0–7)',
  ]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "Y1A", dataType: "BOOL" }))), [
    'address: "Y1A": Y is numbered in octal on FX CPUs; A is no octal digit (0–7)',
  ]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "X400", dataType: "BOOL" }))), [
    'address: "X400" is past the end of X on an FX3U',
  ]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "D8512" }))), [
    'address: "D8512" is past the end of D on an FX3U',
  ]);
  assert.deepEqual(
    issues(() => store.tags.create(tag({ address: "D8511", dataType: "FLOAT32" }))),
    [
      "address: FLOAT32 at D8511 takes 2 words and runs past the end of device D (D8511)",
    ],
  );
  const zr = issues(() => store.tags.create(tag({ address: "ZR100" })));
  assert.equal(zr.length, 1);
  assert.match(zr[0], /^address: "ZR100" is no FX3 device; FX3 devices over 1E are X, Y, M/);
  assert.match(
    issues(() => store.tags.create(tag({ address: "CN200", dataType: "UINT16" }))).join(),
    /^address: "CN200": CN200–CN255 are 32-bit counters/,
  );
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "M10", dataType: "INT16" }))), [
    "dataType: must be BOOL on bit device M (internal relay); INT16 needs a word device such as D",
  ]);
});

Deno.test("an FX3's CSV import names the row and column of an address it cannot take", () => {
  const { store, fx, group } = setup();
  using _ = store;
  const tags = "code,name,description,plc,group,address,data_type,length,scale,offset,unit," +
    "deadband,enabled\n" +
    `FX_OK,ok,,${fx.code},${group.code},X17,BOOL,,1,0,,,true\n` +
    `FX_BAD,bad,,${fx.code},${group.code},X1F,BOOL,,1,0,,,true\n`;
  const report = importCsv(store, { tags }, { dryRun: true });
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.issues.map((i) => [i.row, i.column, i.message]),
    [[2, "address", '"X1F": X is numbered in octal on FX CPUs; F is no octal digit (0–7)']],
  );
});

Deno.test("FX3 handshake bits are FX3 addresses; a change of series re-checks the PLC's tags", () => {
  const { store, seed, fx } = setup();
  using _ = store;
  const hs = {
    code: "FX_CYCLE",
    name: "FX3 cycle",
    plcId: fx.id,
    mode: "HANDSHAKE",
    trigger: "plc-bit",
    intervalMs: 50,
    stepTimeoutMs: 2000,
  } as const;
  assert.deepEqual(
    issues(() => store.groups.create({ ...hs, requestBit: "M3000", ackBit: "Y18" })),
    ['ackBit: "Y18": Y is numbered in octal on FX CPUs; 8 is no octal digit (0–7)'],
  );
  assert.equal(store.groups.create({ ...hs, requestBit: "X7", ackBit: "Y10" }).ackBit, "Y10");
  // The seeded Q PLC has D100 and M10, which an FX3 has too; a ZR tag it has not.
  assert.equal(store.plcs.update(seed.plc.id, { series: "FX3" }).series, "FX3");
  store.plcs.update(seed.plc.id, { series: "Q" });
  store.tags.create({
    code: "PRESS_ZR",
    name: "ZR",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "ZR100",
    dataType: "INT16",
  });
  assert.deepEqual(issues(() => store.plcs.update(seed.plc.id, { series: "FX3" })), [
    'series: series FX3 cannot address tag PRESS_ZR ("ZR100" is no FX3 device; FX3 devices ' +
    "over 1E are X, Y, M, S, TS, CS, TN, CN, D, R (e.g. D100, X17)); change or delete those first",
  ]);
});
