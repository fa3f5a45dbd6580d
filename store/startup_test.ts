import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { ConfigError, NotFoundError } from "./errors.ts";
import {
  ensureAdmin,
  ensureSamplePlant,
  IGNORED_ADMIN_PASSWORD_WARNING,
  resetPassword,
} from "./startup.ts";
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
  assert.deepEqual(await ensureAdmin(store, {}), { created: false });
  assert.ok(await store.users.verifyPassword("admin", "plant-admin-1"));
});

Deno.test("JSSCADA_ADMIN_PASSWORD set while an admin exists is not used, with a clear warning", async () => {
  using store = testStore();
  await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "plant-admin-1" });
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => void records.push(r) },
    loggers: [
      { category: ["jsscada", "system"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  let result;
  try {
    result = await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "other-pass" });
  } finally {
    await reset();
  }
  assert.deepEqual(result, { created: false, ignoredAdminPassword: true });
  assert.equal(records.length, 1);
  assert.equal(records[0].level, "warning");
  assert.equal(records[0].message.join(""), IGNORED_ADMIN_PASSWORD_WARNING);
  assert.match(IGNORED_ADMIN_PASSWORD_WARNING, /jsscada users reset-password NAME/);
  assert.equal(await store.users.verifyPassword("admin", "other-pass"), null);
});

Deno.test("resetPassword sets a generated or a given password, ends sessions and is audited", async () => {
  using store = testStore();
  const admin = await store.users.create({
    name: "Chief",
    role: "admin",
    password: "old-password",
  });
  const session = store.sessions.create(admin.id, 60_000);
  const generated = await resetPassword(store, "chief");
  assert.equal(generated.name, "Chief");
  assert.match(generated.generatedPassword!, /^[\w-]{24}$/);
  assert.ok(await store.users.verifyPassword("Chief", generated.generatedPassword!));
  assert.equal(await store.users.verifyPassword("Chief", "old-password"), null);
  assert.equal(store.sessions.verify(session.id), null, "the session ended");
  assert.deepEqual(await resetPassword(store, "Chief", "chosen-password"), { name: "Chief" });
  assert.ok(await store.users.verifyPassword("Chief", "chosen-password"));
  const audit = store.audit.list({ resource: "users" }).items;
  assert.equal(audit[0].user, "cli");
  assert.ok(!JSON.stringify(audit).includes("chosen-password"));
  assert.ok(await rejected(() => resetPassword(store, "nobody")) instanceof NotFoundError);
  const short = await rejected(() => resetPassword(store, "Chief", "short"));
  assert.ok(short instanceof ConfigError);
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
