import assert from "node:assert/strict";
import { testApp } from "./testing.ts";

Deno.test("a token's secret is in the create answer only", async () => {
  using t = await testApp();
  const created = await t.call("POST", "/api/v1/tokens", {
    body: { name: "MES sync", userId: t.users.viewer.user.id, expiresAt: "2030-01-01T00:00:00Z" },
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("Location"), `/api/v1/tokens/${created.body.id}`);
  assert.match(created.body.token, /^jss_[\w-]{43}$/);
  assert.equal(created.body.expiresAt, "2030-01-01T00:00:00.000Z");
  const got = await t.call("GET", `/api/v1/tokens/${created.body.id}`);
  assert.equal(got.body.token, undefined);
  const { token: _, ...record } = created.body;
  assert.deepEqual(got.body, record);
  const listed = await t.call("GET", "/api/v1/tokens");
  assert.doesNotMatch(JSON.stringify(listed.body), /jss_/);
  const audit = await t.call("GET", `/api/v1/audit?resource=tokens&resourceId=${created.body.id}`);
  assert.equal(audit.body.items[0].user, "admin1");
  assert.doesNotMatch(JSON.stringify(audit.body), new RegExp(created.body.token));
});

Deno.test("non-admins manage their own tokens only; admins manage everyone's", async () => {
  using t = await testApp();
  const { viewer, operator, admin } = t.users;
  const own = await t.call("GET", "/api/v1/tokens", { as: "viewer" });
  assert.deepEqual(own.body.items.map((x: { id: number }) => x.id), [viewer.tokenId]);
  assert.equal(
    (await t.call("GET", `/api/v1/tokens?userId=${operator.user.id}`, { as: "viewer" })).status,
    403,
  );
  assert.equal(
    (await t.call("GET", `/api/v1/tokens/${operator.tokenId}`, { as: "viewer" })).status,
    403,
  );
  const forOther = await t.call("POST", "/api/v1/tokens", {
    as: "viewer",
    body: { name: "sneaky", userId: admin.user.id },
  });
  assert.equal(forOther.status, 403);
  assert.equal(forOther.body.message, "only an admin may manage other users' API tokens");
  assert.equal(
    (await t.call("DELETE", `/api/v1/tokens/${operator.tokenId}`, { as: "viewer" })).status,
    403,
  );

  const all = await t.call("GET", "/api/v1/tokens");
  assert.equal(all.body.total, 3);
  const onlyOperator = await t.call("GET", `/api/v1/tokens?userId=${operator.user.id}`);
  assert.deepEqual(onlyOperator.body.items.map((x: { id: number }) => x.id), [operator.tokenId]);
  assert.equal((await t.call("DELETE", `/api/v1/tokens/${operator.tokenId}`)).status, 204);
  assert.equal((await t.call("GET", "/api/v1/lines", { as: "operator" })).status, 401);
});

Deno.test("token validation: unknown user and past expiry are 400, unknown token 404", async () => {
  using t = await testApp();
  const ghost = await t.call("POST", "/api/v1/tokens", { body: { name: "x", userId: 99 } });
  assert.equal(ghost.status, 400);
  assert.deepEqual(ghost.body.issues, [{ path: "userId", message: "no user with id 99" }]);
  const past = await t.call("POST", "/api/v1/tokens", {
    body: { name: "x", userId: 1, expiresAt: "2020-01-01T00:00:00Z" },
  });
  assert.deepEqual(past.body.issues, [{ path: "expiresAt", message: "must be in the future" }]);
  const badDate = await t.call("POST", "/api/v1/tokens", {
    body: { name: "x", userId: 1, expiresAt: "next tuesday" },
  });
  assert.deepEqual(badDate.body.issues, [{
    path: "expiresAt",
    message: "must be an ISO 8601 date and time such as 2024-05-01T08:00:00Z",
  }]);
  assert.equal((await t.call("DELETE", "/api/v1/tokens/99")).status, 404);
});

Deno.test("an expired token stops working", async () => {
  using t = await testApp();
  const created = await t.call("POST", "/api/v1/tokens", {
    body: { name: "short", userId: t.users.viewer.user.id, expiresAt: "2024-05-01T09:00:00Z" },
  });
  const bearer = { Authorization: `Bearer ${created.body.token}` };
  assert.equal((await t.app.request("/api/v1/lines", { headers: bearer })).status, 200);
  t.clock.advance(3600_000);
  const expired = await t.app.request("/api/v1/lines", { headers: bearer });
  assert.equal(expired.status, 401);
  await expired.body?.cancel();
});

Deno.test("POST /tokens without userId creates the caller's own token", async () => {
  using t = await testApp();
  const mine = await t.call("POST", "/api/v1/tokens", {
    as: "viewer",
    body: { name: "my script" },
  });
  assert.equal(mine.status, 201, JSON.stringify(mine.body));
  assert.equal(mine.body.userId, t.users.viewer.user.id);
  const admins = await t.call("POST", "/api/v1/tokens", { body: { name: "admin script" } });
  assert.equal(admins.status, 201);
  assert.equal(admins.body.userId, t.users.admin.user.id);
});
