import assert from "node:assert/strict";
import { testApp } from "./testing.ts";

Deno.test("create, update and delete over HTTP leave audit entries with before and after", async () => {
  using t = await testApp();
  const created = await t.call("POST", "/api/v1/lines", {
    body: { code: "LINE02", name: "Paint" },
  });
  const id = created.body.id;
  await t.call("PATCH", `/api/v1/lines/${id}`, { body: { name: "Paint line" } });
  await t.call("DELETE", `/api/v1/lines/${id}`);
  const audit = await t.call("GET", `/api/v1/audit?resource=lines&resourceId=${id}&order=asc`);
  assert.equal(audit.status, 200);
  const entries = audit.body.items.map((e: Record<string, unknown>) => ({
    user: e.user,
    action: e.action,
    before: e.before,
    after: e.after,
  }));
  assert.deepEqual(entries, [
    {
      user: "admin1",
      action: "create",
      before: null,
      after: { id, code: "LINE02", name: "Paint" },
    },
    {
      user: "admin1",
      action: "update",
      before: { id, code: "LINE02", name: "Paint" },
      after: { id, code: "LINE02", name: "Paint line" },
    },
    {
      user: "admin1",
      action: "delete",
      before: { id, code: "LINE02", name: "Paint line" },
      after: null,
    },
  ]);
  const one = await t.call("GET", `/api/v1/audit/${audit.body.items[1].id}`);
  assert.deepEqual(one.body, audit.body.items[1]);
  assert.equal((await t.call("GET", "/api/v1/audit/99999")).status, 404);
});

Deno.test("refused changes write no audit entry", async () => {
  using t = await testApp();
  const before = (await t.call("GET", "/api/v1/audit")).body.total;
  await t.call("POST", "/api/v1/lines", { body: { code: "bad code" } });
  await t.call("POST", "/api/v1/lines", { body: { code: "LINE01", name: "dup" } });
  await t.call("DELETE", "/api/v1/plcs/1");
  await t.call("POST", "/api/v1/lines", { as: "viewer", body: { code: "L9", name: "x" } });
  assert.equal((await t.call("GET", "/api/v1/audit")).body.total, before);
});

Deno.test("the audit list filters by user, resource, action and time, newest first, in pages", async () => {
  using t = await testApp();
  await t.call("POST", "/api/v1/lines", { body: { code: "L2", name: "Two" } });
  t.clock.advance(60_000);
  await t.call("POST", "/api/v1/lines", { body: { code: "L3", name: "Three" } });
  await t.call("POST", "/api/v1/tokens", {
    as: "viewer",
    body: { name: "x", userId: t.users.viewer.user.id },
  });
  const byUser = await t.call("GET", "/api/v1/audit?user=viewer1");
  assert.deepEqual(byUser.body.items.map((e: { resource: string }) => e.resource), ["tokens"]);
  const lines = await t.call("GET", "/api/v1/audit?resource=lines&action=create&user=admin1");
  assert.deepEqual(lines.body.items.map((e: { after: { code: string } }) => e.after.code), [
    "L3",
    "L2",
  ]);
  const later = await t.call("GET", "/api/v1/audit?resource=lines&from=2024-05-01T08:00:30Z");
  assert.deepEqual(later.body.items.map((e: { after: { code: string } }) => e.after.code), ["L3"]);
  const earlier = await t.call(
    "GET",
    "/api/v1/audit?resource=lines&user=admin1&to=2024-05-01T08:00:30Z",
  );
  assert.deepEqual(earlier.body.items.map((e: { after: { code: string } }) => e.after.code), [
    "L2",
  ]);
  const page = await t.call("GET", "/api/v1/audit?limit=2&offset=1&order=asc");
  assert.equal(page.body.items.length, 2);
  assert.equal(page.body.offset, 1);
  assert.ok(page.body.items[0].id < page.body.items[1].id);
  const bad = await t.call("GET", "/api/v1/audit?from=yesterday");
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issues, [{
    path: "from",
    message: "must be an ISO 8601 date and time such as 2024-05-01T08:00:00Z",
  }]);
});

Deno.test("the audit log is for admins only, even with anonymous read", async () => {
  using t = await testApp({ options: { anonymousRead: true } });
  assert.equal((await t.call("GET", "/api/v1/audit", { as: "anonymous" })).status, 401);
  for (const as of ["viewer", "operator"] as const) {
    assert.equal((await t.call("GET", "/api/v1/audit", { as })).status, 403);
  }
});
