import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { sha256 } from "./secrets.ts";
import { testClock, testStore, thrown } from "./testing.ts";

Deno.test("a token is shown once and stored only as its SHA-256", async () => {
  using store = testStore();
  const user = await store.users.create({ name: "script", role: "viewer", password: "password1" });
  const { token, record } = store.tokens.create({ name: "export job", userId: user.id });
  assert.match(token, /^jss_[\w-]{43}$/);
  assert.equal(record.lastUsedAt, null);
  assert.ok(!JSON.stringify(record).includes(token));
  const tables = store.audit.list().items.map((e) => JSON.stringify(e)).join();
  assert.ok(!tables.includes(token.slice(4)));
  const hit = store.tokens.verify(token)!;
  assert.equal(hit.user.name, "script");
  assert.equal(hit.token.id, record.id);
  assert.equal(store.tokens.verify(`jss_${"A".repeat(43)}`), null);
  assert.equal(store.tokens.verify("Bearer nonsense"), null);
  assert.notEqual(sha256(token), token);
});

Deno.test("a token records when it was last used, at most once a minute", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const user = await store.users.create({ name: "script", role: "viewer", password: "password1" });
  const { token, record } = store.tokens.create({ name: "job", userId: user.id });
  store.tokens.verify(token);
  const first = store.tokens.get(record.id).lastUsedAt;
  assert.equal(first, new Date(clock.now()).toISOString());
  clock.advance(30_000);
  store.tokens.verify(token);
  assert.equal(store.tokens.get(record.id).lastUsedAt, first);
  clock.advance(30_000);
  store.tokens.verify(token);
  assert.notEqual(store.tokens.get(record.id).lastUsedAt, first);
});

Deno.test("an expired, revoked or orphaned token no longer verifies", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const admin = await store.users.create({ name: "admin", role: "admin", password: "password1" });
  const user = await store.users.create({ name: "script", role: "viewer", password: "password1" });
  const expiresAt = new Date(clock.now() + 3600_000).toISOString();
  const short = store.tokens.create({ name: "short", userId: user.id, expiresAt });
  const revoked = store.tokens.create({ name: "revoked", userId: user.id });
  const orphan = store.tokens.create({ name: "orphan", userId: user.id });
  store.tokens.create({ name: "admin's", userId: admin.id });
  assert.ok(store.tokens.verify(short.token));
  clock.advance(3600_000);
  assert.equal(store.tokens.verify(short.token), null);
  store.tokens.delete(revoked.record.id);
  assert.equal(store.tokens.verify(revoked.token), null);
  store.users.delete(user.id);
  assert.equal(store.tokens.verify(orphan.token), null);
  assert.equal(store.tokens.list().total, 1, "deleting a user deletes their tokens");
});

Deno.test("token rules: a user that exists, an expiry in the future", async () => {
  using store = testStore();
  const user = await store.users.create({ name: "script", role: "viewer", password: "password1" });
  const e = thrown(() => store.tokens.create({ name: "", userId: 99 }));
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.issues, [{ path: "name", message: "must not be empty" }]);
  assert.deepEqual(
    (thrown(() => store.tokens.create({ name: "x", userId: 99 })) as ConfigError).issues,
    [
      { path: "userId", message: "no user with id 99" },
    ],
  );
  const past = thrown(() =>
    store.tokens.create({ name: "x", userId: user.id, expiresAt: "2000-01-01T00:00:00Z" })
  ) as ConfigError;
  assert.deepEqual(past.issues, [{ path: "expiresAt", message: "must be in the future" }]);
  const badDate = thrown(() =>
    store.tokens.create({ name: "x", userId: user.id, expiresAt: "tomorrow" })
  ) as ConfigError;
  assert.deepEqual(badDate.issues, [{
    path: "expiresAt",
    message: "must be an ISO 8601 date and time such as 2024-05-01T08:00:00Z",
  }]);
});
