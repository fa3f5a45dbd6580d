import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { seedPlant, testStore } from "./testing.ts";
import type { Store } from "./store.ts";
import { CSV_RESOURCES } from "./csv_format.ts";
import { exportCsv } from "./csv_export.ts";
import { importCsv } from "./csv_import.ts";

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

function iqfPlant(store: Store, over: Record<string, unknown> = {}) {
  const { process } = seedPlant(store);
  const plc = store.plcs.create({
    code: "PLCFX5U0100001",
    name: "FX5U cell",
    processId: process.id,
    host: "10.0.0.9",
    port: 5002,
    series: "iQ-F",
    ...over,
  });
  const group = store.groups.create({
    code: "FX5_IO",
    name: "FX5 I/O",
    plcId: plc.id,
    mode: "FIXED",
    intervalMs: 100,
  });
  const tag = (address: string, dataType = "BOOL") => ({
    code: `T_${address.toUpperCase()}`,
    name: address,
    plcId: plc.id,
    groupId: group.id,
    address,
    dataType: dataType as "BOOL",
  });
  return { process, plc, group, tag };
}

Deno.test("an iQ-F PLC is accepted, with the ASCII X/Y notation octal by default", () => {
  using store = testStore();
  const { plc } = iqfPlant(store, { frame: "ascii" });
  assert.equal(plc.series, "iQ-F");
  assert.equal(plc.xyNotation, "octal");
  const hex = store.plcs.update(plc.id, { xyNotation: "hex" });
  assert.equal(hex.xyNotation, "hex");
  assert.match(
    issues(() => store.plcs.update(plc.id, { xyNotation: "decimal" } as never)).join(),
    /xyNotation: must be one of octal, hex/,
  );
});

Deno.test("tags of an iQ-F PLC: X/Y octal, the digit 8 named, DX/DY and iQ-R devices refused", () => {
  using store = testStore();
  const { tag } = iqfPlant(store);
  assert.equal(store.tags.create(tag("X17")).address, "X17");
  assert.equal(store.tags.create(tag("y45")).address, "Y45");
  assert.equal(store.tags.create(tag("D100", "INT16")).address, "D100");
  assert.deepEqual(issues(() => store.tags.create(tag("X18"))), [
    'address: "X18": X device numbers are octal on iQ-F (digits 0 to 7; "8" is not one)',
  ]);
  assert.match(issues(() => store.tags.create(tag("X2000"))).join(), /past the end of device X/);
  assert.match(issues(() => store.tags.create(tag("DX10"))).join(), /iQ-F CPUs have no DX/);
  assert.match(issues(() => store.tags.create(tag("DY10"))).join(), /iQ-F CPUs have no DY/);
  assert.match(
    issues(() => store.tags.create(tag("LTN0", "UINT32"))).join(),
    /LTN .* iQ-R device; an iQ-F CPU refuses the iQ-R subcommands 0002\/0003/,
  );
  assert.match(
    issues(() => store.tags.create(tag("LZ0", "UINT32"))).join(),
    /LZ .* iQ-R device/,
  );
});

Deno.test("handshake bits of an iQ-F PLC are read in octal too", () => {
  using store = testStore();
  const { plc } = iqfPlant(store);
  const base = {
    code: "FX5_CYCLE",
    name: "cycle",
    plcId: plc.id,
    mode: "HANDSHAKE" as const,
    trigger: "plc-bit" as const,
    intervalMs: 50,
    stepTimeoutMs: 1000,
  };
  const ok = store.groups.create({ ...base, requestBit: "X7", ackBit: "Y10" });
  assert.equal(ok.ackBit, "Y10");
  assert.match(
    issues(() =>
      store.groups.create({ ...base, code: "FX5_CYCLE2", requestBit: "X9", ackBit: "Y10" })
    )
      .join(),
    /requestBit: "X9": X device numbers are octal on iQ-F/,
  );
});

Deno.test("a Q PLC with a hexadecimal X address cannot become iQ-F until the address changes", () => {
  using store = testStore();
  const { plc, group } = seedPlant(store);
  store.tags.create({
    code: "IN_1A",
    name: "input 1A",
    plcId: plc.id,
    groupId: group.id,
    address: "X1A",
    dataType: "BOOL",
  });
  assert.match(
    issues(() => store.plcs.update(plc.id, { series: "iQ-F" })).join(),
    /series: series iQ-F cannot address tag IN_1A \("X1A": X device numbers are octal/,
  );
  assert.equal(store.plcs.get(plc.id).series, "Q");
});

Deno.test("CSV: xy_notation is exported when set and imported back", () => {
  using store = testStore();
  const { plc } = iqfPlant(store, { frame: "ascii", xyNotation: "hex" });
  const csv = exportCsv(store, "plcs");
  const [header, ...rows] = csv.trim().split("\n");
  assert.ok(header.endsWith(",series,xy_notation,enabled"), header);
  const row = rows.find((r) => r.startsWith(`${plc.code},`));
  assert.ok(row?.endsWith(",iQ-F,hex,true"), row);
  using other = testStore();
  const files = Object.fromEntries(CSV_RESOURCES.map((r) => [r, exportCsv(store, r)]));
  const report = importCsv(other, files);
  assert.ok(report.ok, JSON.stringify(report));
  const back = other.plcs.getByCode(plc.code);
  assert.equal(back.series, "iQ-F");
  assert.equal(back.xyNotation, "hex");
});
