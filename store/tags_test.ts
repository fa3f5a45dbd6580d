import assert from "node:assert/strict";
import type { ConfigChange } from "../model/change.ts";
import { ConfigError, ConflictError } from "./errors.ts";
import type { TagCreate } from "./tags.ts";
import { seedPlant, testStore, thrown } from "./testing.ts";

function issues(fn: () => unknown): { path: string; message: string }[] {
  const e = thrown(fn);
  assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return [...e.issues];
}

function setup() {
  const store = testStore();
  const seed = seedPlant(store);
  const tag = (over: Partial<TagCreate>): TagCreate => ({
    code: "NEW_TAG",
    name: "New tag",
    plcId: seed.plc.id,
    groupId: seed.group.id,
    address: "D200",
    dataType: "INT16",
    ...over,
  });
  return { store, seed, tag };
}

Deno.test("an address must be valid for its device and inside the device's range", () => {
  const { store, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "Q100" }))), [{
    path: "address",
    message: '"Q100" does not start with a known device name',
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "D1A" }))), [{
    path: "address",
    message: '"D1A": D device numbers are decimal',
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "D32768" }))), [{
    path: "address",
    message: '"D32768" is past the end of device D (32767)',
  }]);
  assert.deepEqual(
    issues(() => store.tags.create(tag({ address: "D32767", dataType: "FLOAT32" }))),
    [{
      path: "address",
      message: "FLOAT32 at D32767 takes 2 words and runs past the end of device D (D32767)",
    }],
  );
  assert.equal(store.tags.create(tag({ address: " x1a0", dataType: "BOOL" })).address, "X1A0");
  assert.equal(
    store.tags.create(tag({ code: "B10", address: "D5.10", dataType: "BOOL" })).address,
    "D5.A",
  );
});

Deno.test("a STRING tag needs a length; other types have none", () => {
  const { store, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ dataType: "STRING" }))), [{
    path: "length",
    message: "a STRING tag needs a length in words",
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ length: 4 }))), [{
    path: "length",
    message: "only STRING tags have a length",
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ dataType: "STRING", length: 0 }))), [{
    path: "length",
    message: "must be a whole number from 1 to 960 words",
  }]);
  assert.equal(store.tags.create(tag({ dataType: "STRING", length: 10 })).length, 10);
});

Deno.test("BOOL bits (.n) only on word devices; a BOOL on a word device needs a bit", () => {
  const { store, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "M10.1", dataType: "BOOL" }))), [{
    path: "address",
    message: '"M10.1": a bit number (.n) is only allowed on word devices',
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "D300", dataType: "BOOL" }))), [{
    path: "address",
    message: "a BOOL on word device D needs a bit number, e.g. D300.0",
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "D300.3" }))), [{
    path: "dataType",
    message: "must be BOOL for a bit of a word (D300.3), not INT16",
  }]);
  assert.equal(store.tags.create(tag({ address: "D300.F", dataType: "BOOL" })).address, "D300.F");
});

Deno.test("non-BOOL types are refused on bit devices", () => {
  const { store, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ address: "X10", dataType: "FLOAT32" }))), [{
    path: "dataType",
    message: "must be BOOL on bit device X (input); FLOAT32 needs a word device such as D",
  }]);
});

Deno.test("a tag's group must belong to the tag's PLC", () => {
  const { store, seed, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ groupId: seed.asciiGroup.id }))), [{
    path: "groupId",
    message: "polling group PAINT_BOOTH belongs to PLC PLCPAINT010001, not to PLCPRESS010001",
  }]);
  assert.deepEqual(issues(() => store.tags.update(seed.tag.id, { plcId: seed.asciiPlc.id })), [{
    path: "groupId",
    message: "polling group PRESS_MOTION belongs to PLC PLCPRESS010001, not to PLCPAINT010001",
  }]);
  assert.deepEqual(issues(() => store.tags.create(tag({ plcId: 99, groupId: 98 }))), [
    { path: "plcId", message: "no PLC with id 99" },
    { path: "groupId", message: "no polling group with id 98" },
  ]);
});

Deno.test("ZR1000000 and above are refused on an ASCII-frame PLC, allowed on binary", () => {
  const { store, seed, tag } = setup();
  using _ = store;
  const ascii = { plcId: seed.asciiPlc.id, groupId: seed.asciiGroup.id };
  assert.deepEqual(issues(() => store.tags.create(tag({ ...ascii, address: "ZR1000000" }))), [{
    path: "address",
    message:
      "ZR1000000 cannot be sent in ASCII frames, which reach ZR999999 at most; give this PLC binary frames",
  }]);
  assert.equal(store.tags.create(tag({ ...ascii, address: "ZR999999" })).address, "ZR999999");
  assert.equal(store.tags.create(tag({ code: "BIN", address: "ZR1000000" })).address, "ZR1000000");
});

Deno.test("scaling, offset and deadband rules", () => {
  const { store, tag } = setup();
  using _ = store;
  assert.deepEqual(issues(() => store.tags.create(tag({ scale: 0, deadband: -1 }))), [
    { path: "scale", message: "must not be 0" },
    { path: "deadband", message: "must be 0 or more" },
  ]);
  assert.deepEqual(
    issues(() =>
      store.tags.create(tag({ address: "M20", dataType: "BOOL", scale: 2, deadband: 1 }))
    ),
    [
      { path: "scale", message: "BOOL tags are not scaled (use 1)" },
      { path: "deadband", message: "BOOL tags have no deadband" },
    ],
  );
  assert.deepEqual(issues(() => store.tags.create(tag({ scale: "x" as never }))), [{
    path: "scale",
    message: "must be a number",
  }]);
});

Deno.test("tag codes are unique", () => {
  const { store, tag } = setup();
  using _ = store;
  const e = thrown(() => store.tags.create(tag({ code: "PRESS01_VEL" })));
  assert.ok(e instanceof ConflictError);
  assert.equal(e.message, "code: tag PRESS01_VEL already exists (id 1)");
});

Deno.test("PATCH changes only the given fields; an update that changes nothing emits nothing", () => {
  const { store, seed } = setup();
  using _ = store;
  const changes: ConfigChange[] = [];
  store.subscribe((c) => changes.push(...c));
  const after = store.tags.update(seed.tag.id, { unit: "m/min", deadband: 0.5 });
  assert.deepEqual(after, { ...seed.tag, unit: "m/min", deadband: 0.5 });
  store.tags.update(seed.tag.id, { unit: "m/min" });
  assert.deepEqual(changes, [{ resource: "tags", id: seed.tag.id, kind: "updated" }]);
  assert.equal(store.audit.list({ resource: "tags", action: "update" }).total, 1);
  assert.deepEqual(issues(() => store.tags.update(seed.tag.id, { id: 5 } as never)), [{
    path: "id",
    message: "is not a known field",
  }]);
  assert.equal(store.tags.update(seed.tag.id, { deadband: null }).deadband, null);
});

Deno.test("a tag's data type cannot change while it has alarm rules of a kind the new type cannot have", () => {
  const { store, seed } = setup();
  using _ = store;
  store.alarmRules.create({
    tagId: seed.tag.id,
    kind: "HI",
    limit: 5,
    severity: 500,
    message: "hi",
  });
  assert.deepEqual(
    issues(() => store.tags.update(seed.tag.id, { address: "D100.0", dataType: "BOOL", scale: 1 })),
    [{
      path: "dataType",
      message: "tag PRESS01_VEL has HI alarm rules, which a BOOL tag cannot have; " +
        "change or delete them first",
    }],
  );
  assert.equal(store.tags.update(seed.tag.id, { dataType: "FLOAT32" }).dataType, "FLOAT32");
});

Deno.test("deleting a tag with alarm rules is refused unless cascade", () => {
  const { store, seed } = setup();
  using _ = store;
  store.alarmRules.create({ tagId: seed.bitTag.id, kind: "ON", severity: 800, message: "on" });
  assert.match(thrown(() => store.tags.delete(seed.bitTag.id)).message, /still has 1 alarm rule;/);
  store.tags.delete(seed.bitTag.id, { cascade: true });
  assert.equal(store.alarmRules.all().length, 0);
});

Deno.test("tags list: paging with a total, filters, sort, and refused bad queries", () => {
  const { store, seed, tag } = setup();
  using _ = store;
  for (let i = 0; i < 25; i++) {
    const n = String(i).padStart(2, "0");
    store.tags.create(tag({ code: `BULK_${n}`, address: `D${1000 + i}`, enabled: i % 5 !== 0 }));
  }
  const page = store.tags.list({ codePrefix: "BULK_", limit: 10, offset: 20 });
  assert.deepEqual(page.items.map((t) => t.code), [
    "BULK_20",
    "BULK_21",
    "BULK_22",
    "BULK_23",
    "BULK_24",
  ]);
  assert.deepEqual([page.total, page.limit, page.offset], [25, 10, 20]);
  assert.equal(store.tags.list({ enabled: "false", codePrefix: "BULK" }).total, 5);
  assert.equal(store.tags.list({ dataType: "BOOL" }).total, 1);
  assert.equal(store.tags.list({ groupId: seed.group.id, plcId: seed.plc.id }).total, 27);
  assert.deepEqual(store.tags.list({ q: "speed" }).items.map((t) => t.code), ["PRESS01_VEL"]);
  const desc = store.tags.list({ sort: "address", order: "desc", limit: "3" as never });
  assert.deepEqual(desc.items.map((t) => t.address), ["M10", "D1024", "D1023"]);
  assert.deepEqual(issues(() => store.tags.list({ sort: "name; DROP TABLE tags" as never })), [{
    path: "sort",
    message: "must be one of id, code, name, plcId, groupId, address, dataType",
  }]);
  assert.deepEqual(issues(() => store.tags.list({ limit: 0, offset: -1 })), [
    { path: "limit", message: "must be a whole number from 1 to 5000" },
    { path: "offset", message: `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}` },
  ]);
});

Deno.test("write fields: default off, limits only on numbers and in order, bitWrite only on a bit of a word", () => {
  const { store, tag } = setup();
  using _ = store;
  const plain = store.tags.create(tag({}));
  assert.equal(plain.writable, false);
  assert.equal(plain.writeMin, null);
  assert.equal(plain.writeMax, null);
  assert.equal(plain.bitWrite, false);
  const sp = store.tags.create(
    tag({ code: "SP", address: "D210", writable: true, writeMin: 0, writeMax: 100 }),
  );
  assert.deepEqual([sp.writable, sp.writeMin, sp.writeMax], [true, 0, 100]);
  assert.deepEqual(
    issues(() => store.tags.create(tag({ code: "X1", writeMin: 10, writeMax: 5 }))),
    [{ path: "writeMax", message: "must be at least writeMin (10)" }],
  );
  assert.deepEqual(
    issues(() =>
      store.tags.create(tag({ code: "X2", address: "M10", dataType: "BOOL", writeMin: 0 }))
    ),
    [{ path: "writeMin", message: "BOOL tags have no write limits" }],
  );
  assert.deepEqual(
    issues(() =>
      store.tags.create(tag({ code: "X3", address: "M11", dataType: "BOOL", bitWrite: true }))
    ),
    [{
      path: "bitWrite",
      message: "only a BOOL that is a bit of a word device (such as D100.5) needs bitWrite",
    }],
  );
  const bit = store.tags.create(
    tag({ code: "X4", address: "D300.5", dataType: "BOOL", writable: true, bitWrite: true }),
  );
  assert.equal(bit.bitWrite, true);
  assert.equal(store.tags.update(sp.id, { writeMax: 50 }).writeMax, 50);
});
