import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { ensureAdmin, ensureSamplePlant } from "./startup.ts";
import { openDataDirStore } from "./store.ts";
import { rejected, seedPlant, testStore } from "./testing.ts";

Deno.test("an empty store gets the sample plant: 4 PLCs, 10 groups, 3,491 tags", () => {
  using store = testStore();
  const first = ensureSamplePlant(store);
  assert.equal(first.loaded, true);
  assert.equal(first.report?.ok, true);
  const plant = store.loadPlant();
  assert.deepEqual([plant.plcs.length, plant.groups.length, plant.tags.length], [4, 10, 3491]);
  assert.deepEqual(ensureSamplePlant(store), { loaded: false });
});

Deno.test("a store that already holds configuration is left alone", () => {
  using store = testStore();
  seedPlant(store);
  assert.deepEqual(ensureSamplePlant(store), { loaded: false });
  assert.equal(store.plcs.all().length, 2);
});

Deno.test("the first admin takes JSSCADA_ADMIN_PASSWORD; later starts change nothing", async () => {
  using store = testStore();
  const result = await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "plant-admin-1" });
  assert.deepEqual(result, { created: true, name: "admin" });
  assert.equal((await store.users.verifyPassword("admin", "plant-admin-1"))?.role, "admin");
  assert.deepEqual(await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "other-pass" }), {
    created: false,
  });
});

Deno.test("without JSSCADA_ADMIN_PASSWORD a random password is generated and returned once", async () => {
  using store = testStore();
  const result = await ensureAdmin(store, {});
  assert.equal(result.created, true);
  assert.match(result.generatedPassword!, /^[\w-]{24}$/);
  assert.ok(await store.users.verifyPassword("admin", result.generatedPassword!));
  using second = testStore();
  const other = await ensureAdmin(second, {});
  assert.notEqual(other.generatedPassword, result.generatedPassword);
});

Deno.test("a too-short JSSCADA_ADMIN_PASSWORD is refused by name", async () => {
  using store = testStore();
  const e = await rejected(() => ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "short" }));
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.issues, [{
    path: "JSSCADA_ADMIN_PASSWORD",
    message: "must be at least 8 characters",
  }]);
});

Deno.test("a viewer named admin is made admin when no admin exists", async () => {
  using store = testStore();
  await store.users.create({ name: "Admin", role: "viewer", password: "viewer-pass" });
  await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "plant-admin-1" });
  assert.equal(store.users.getByName("admin").role, "admin");
  assert.equal(store.users.list().total, 1);
});

Deno.test("the data directory holds config.db and is created when missing", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const store = openDataDirStore(`${dir}/nested/data`);
    store.close();
    assert.ok(Deno.statSync(`${dir}/nested/data/config.db`).isFile);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
