import assert from "node:assert/strict";
import { TEST_PASSWORD, testApp } from "./testing.ts";

Deno.test("an admin creates, reads, changes and deletes users; no answer carries a hash", async () => {
  using t = await testApp();
  const bodies: unknown[] = [];
  const created = await t.call("POST", "/api/v1/users", {
    body: { name: "shift.lead", role: "operator", password: "a long enough password" },
  });
  bodies.push(created.body);
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("Location"), `/api/v1/users/${created.body.id}`);
  assert.deepEqual(Object.keys(created.body).sort(), [
    "createdAt",
    "id",
    "name",
    "role",
    "updatedAt",
  ]);
  const list = await t.call("GET", "/api/v1/users?role=operator");
  bodies.push(list.body);
  assert.deepEqual(list.body.items.map((u: { name: string }) => u.name), [
    "operator1",
    "shift.lead",
  ]);
  const got = await t.call("GET", `/api/v1/users/${created.body.id}`);
  bodies.push(got.body);
  assert.deepEqual(got.body, created.body);
  const promoted = await t.call("PATCH", `/api/v1/users/${created.body.id}`, {
    body: { role: "admin" },
  });
  bodies.push(promoted.body);
  assert.equal(promoted.body.role, "admin");
  const reset = await t.call("PATCH", `/api/v1/users/${created.body.id}`, {
    body: { password: "another long password" },
  });
  bodies.push(reset.body);
  assert.equal(reset.status, 200);
  assert.ok(await t.store.users.verifyPassword("shift.lead", "another long password"));
  assert.equal((await t.call("DELETE", `/api/v1/users/${created.body.id}`)).status, 204);
  assert.equal((await t.call("GET", `/api/v1/users/${created.body.id}`)).status, 404);

  const audit = await t.call("GET", "/api/v1/audit?resource=users&order=asc");
  bodies.push(audit.body);
  const entries = audit.body.items.filter((e: { user: string }) => e.user === "admin1");
  assert.deepEqual(entries.map((e: { action: string }) => e.action), [
    "create",
    "update",
    "update",
    "delete",
  ]);
  assert.equal(entries[2].after.password, "(changed)");
  for (const body of bodies) {
    assert.doesNotMatch(JSON.stringify(body), /scrypt|passwordHash|long enough/);
  }
});

Deno.test("user validation: field rules 400, taken names 409, the last admin 409", async () => {
  using t = await testApp();
  const bad = await t.call("POST", "/api/v1/users", {
    body: { name: "no spaces please", role: "superuser", password: "short" },
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issues, [
    { path: "name", message: "must be 1 to 64 characters of letters, digits, _, ., @ and -" },
    { path: "role", message: "must be viewer, operator or admin" },
    { path: "password", message: "must be at least 8 characters" },
  ]);
  const taken = await t.call("POST", "/api/v1/users", {
    body: { name: "VIEWER1", role: "viewer", password: TEST_PASSWORD },
  });
  assert.equal(taken.status, 409);
  assert.deepEqual(taken.body.issues, [{
    path: "name",
    message: "a user named viewer1 already exists",
  }]);
  const adminId = t.users.admin.user.id;
  const demote = await t.call("PATCH", `/api/v1/users/${adminId}`, { body: { role: "viewer" } });
  assert.equal(demote.status, 409);
  assert.equal(
    demote.body.message,
    "role: admin1 is the last admin; make another user admin first",
  );
  assert.equal((await t.call("DELETE", `/api/v1/users/${adminId}`)).status, 409);
});

Deno.test("users are for admins only, even with anonymous read", async () => {
  using t = await testApp({ options: { anonymousRead: true } });
  assert.equal((await t.call("GET", "/api/v1/users", { as: "anonymous" })).status, 401);
  assert.equal((await t.call("GET", "/api/v1/users", { as: "operator" })).status, 403);
  const self = await t.call("PATCH", `/api/v1/users/${t.users.viewer.user.id}`, {
    as: "viewer",
    body: { role: "admin" },
  });
  assert.equal(self.status, 403);
  assert.equal(t.store.users.get(t.users.viewer.user.id).role, "viewer");
});

Deno.test("a role change applies to the user's next request", async () => {
  using t = await testApp();
  assert.equal(
    (await t.call("POST", "/api/v1/lines", { as: "operator", body: { code: "L2", name: "x" } }))
      .status,
    403,
  );
  await t.call("PATCH", `/api/v1/users/${t.users.operator.user.id}`, { body: { role: "admin" } });
  assert.equal(
    (await t.call("POST", "/api/v1/lines", { as: "operator", body: { code: "L2", name: "x" } }))
      .status,
    201,
  );
});
