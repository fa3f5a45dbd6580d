import assert from "node:assert/strict";
import { sha256 } from "./secrets.ts";
import { testClock, testStore } from "./testing.ts";

Deno.test("a session verifies until it expires, then is gone", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const user = await store.users.create({ name: "op", role: "operator", password: "password1" });
  const session = store.sessions.create(user.id, 60_000);
  assert.equal(session.expiresAt, new Date(clock.now() + 60_000).toISOString());
  assert.equal(store.sessions.verify(session.id)?.user.name, "op");
  clock.advance(59_999);
  assert.ok(store.sessions.verify(session.id));
  clock.advance(1);
  assert.equal(store.sessions.verify(session.id), null);
  assert.equal(store.sessions.purgeExpired(), 0, "verify already deleted the expired session");
});

Deno.test("logout ends one session; purge removes expired ones; ids are stored hashed", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const user = await store.users.create({ name: "op", role: "operator", password: "password1" });
  const a = store.sessions.create(user.id);
  const b = store.sessions.create(user.id, 1000);
  const c = store.sessions.create(user.id);
  assert.notEqual(a.id, c.id);
  assert.equal(store.sessions.delete(a.id), true);
  assert.equal(store.sessions.verify(a.id), null);
  clock.advance(1000);
  assert.equal(store.sessions.purgeExpired(), 1);
  assert.equal(store.sessions.verify(b.id), null);
  assert.ok(store.sessions.verify(c.id));
  assert.ok(c.id.length >= 43 && sha256(c.id) !== c.id);
  assert.equal(store.sessions.deleteForUser(user.id), 1);
  assert.equal(store.sessions.verify(""), null);
});
