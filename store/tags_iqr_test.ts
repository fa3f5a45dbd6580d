/**
 * Tags of iQ-R PLCs in the store: RD as any word device, LCS/LCC as BOOL, the
 * long devices INT32 or UINT32 only; the long timer contacts and coils refused;
 * every iQ-R device refused on other series, naming the series.
 */
import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { seedPlant, testStore } from "./testing.ts";
import type { Store } from "./store.ts";

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

function plant(store: Store, series?: "iQ-R") {
  const { plc, group } = seedPlant(store);
  if (series) store.plcs.update(plc.id, { series });
  let n = 0;
  const tag = (address: string, dataType: string) => ({
    code: `T_${++n}`,
    name: address,
    plcId: plc.id,
    groupId: group.id,
    address,
    dataType: dataType as "INT32",
  });
  return { plc, group, tag };
}

Deno.test("an iQ-R PLC takes RD, LCS/LCC and the long devices as tags", () => {
  using store = testStore();
  const { tag } = plant(store, "iQ-R");
  for (
    const [address, type] of [
      ["RD100", "INT16"],
      ["RD200", "FLOAT32"],
      ["RD10.3", "BOOL"],
      ["LCS1", "BOOL"],
      ["LCC1", "BOOL"],
      ["LCN1", "UINT32"],
      ["LZ0", "INT32"],
      ["LTN5", "INT32"],
      ["LSTN5", "UINT32"],
    ]
  ) {
    assert.equal(store.tags.create(tag(address, type)).address, address);
  }
});

Deno.test("long devices take INT32 or UINT32 only, whole points; bit devices BOOL only", () => {
  using store = testStore();
  const { tag } = plant(store, "iQ-R");
  assert.match(
    issues(() => store.tags.create(tag("LCN1", "INT16"))).join(),
    /dataType: must be INT32 or UINT32 on long device LCN \(long counter current value\)/,
  );
  assert.match(
    issues(() => store.tags.create(tag("LZ1", "FLOAT32"))).join(),
    /dataType: must be INT32 or UINT32 on long device LZ/,
  );
  assert.match(
    issues(() => store.tags.create(tag("LTN1.2", "BOOL"))).join(),
    /address: LTN \(long timer current value\) holds double words; a bit of it \(\.n\)/,
  );
  assert.match(
    issues(() => store.tags.create(tag("LCS1", "INT16"))).join(),
    /dataType: must be BOOL on bit device LCS/,
  );
  assert.match(
    issues(() => store.tags.create(tag("RD524288", "INT16"))).join(),
    /past the end of device RD/,
  );
});

Deno.test("the long timer contacts and coils are refused on iQ-R, naming the current value to poll", () => {
  using store = testStore();
  const { tag } = plant(store, "iQ-R");
  assert.deepEqual(issues(() => store.tags.create(tag("LTS1", "BOOL"))), [
    "address: LTS (long timer contact) is not read by polling: an iQ-R CPU refuses its batch " +
    "read (end code 4030 measured on an R08CPU); poll the timer's current value LTN instead",
  ]);
  assert.match(issues(() => store.tags.create(tag("LSTC1", "BOOL"))).join(), /value LSTN instead/);
});

Deno.test("a Q PLC refuses every iQ-R device, naming its series", () => {
  using store = testStore();
  const { tag } = plant(store);
  for (const [address, type] of [["RD100", "INT16"], ["LCN1", "INT32"], ["LCS1", "BOOL"]]) {
    assert.match(
      issues(() => store.tags.create(tag(address, type))).join(),
      /address: \w+ \(.*\) is an iQ-R device, which a PLC of series Q does not have; set the PLC's series to iQ-R/,
    );
  }
});

Deno.test("an iQ-R PLC with long-device tags cannot become a Q PLC until they go", () => {
  using store = testStore();
  const { plc, tag } = plant(store, "iQ-R");
  store.tags.create({ ...tag("LCN3", "UINT32"), code: "COUNT_LONG" });
  assert.match(
    issues(() => store.plcs.update(plc.id, { series: "Q" })).join(),
    /series: series Q cannot address tag COUNT_LONG \(LCN .* is an iQ-R device, which a PLC of series Q/,
  );
  assert.equal(store.plcs.get(plc.id).series, "iQ-R");
});

Deno.test("handshake bits: iQ-R bit devices and bits of RD on iQ-R, never a long device", () => {
  using store = testStore();
  const { plc } = plant(store, "iQ-R");
  const base = {
    name: "cycle",
    plcId: plc.id,
    mode: "HANDSHAKE" as const,
    trigger: "plc-bit" as const,
    intervalMs: 50,
    stepTimeoutMs: 1000,
  };
  const ok = store.groups.create({ ...base, code: "CYCLE", requestBit: "LCS4", ackBit: "RD10.0" });
  assert.equal(ok.ackBit, "RD10.0");
  assert.match(
    issues(() =>
      store.groups.create({ ...base, code: "CYCLE2", requestBit: "LCN1", ackBit: "RD10.1" })
    ).join(),
    /requestBit: LCN holds double words/,
  );
});
