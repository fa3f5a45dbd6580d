import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { testClock, testStore, thrown } from "./testing.ts";

Deno.test("every change writes an audit entry with who, when, before and after", () => {
  const clock = testClock();
  using store = testStore(clock);
  const line = store.lines.create({ code: "LINE01", name: "Body line" }, { actor: "alice" });
  clock.advance(1000);
  store.lines.update(line.id, { name: "Body shop" }, { actor: "bob" });
  clock.advance(1000);
  store.lines.delete(line.id, { actor: "alice" });
  const entries = store.audit.list({ order: "asc" }).items;
  assert.deepEqual(entries.map(({ id: _, ...e }) => e), [
    {
      at: "2024-05-01T08:00:00.000Z",
      user: "alice",
      action: "create",
      resource: "lines",
      resourceId: String(line.id),
      before: null,
      after: { id: line.id, code: "LINE01", name: "Body line" },
    },
    {
      at: "2024-05-01T08:00:01.000Z",
      user: "bob",
      action: "update",
      resource: "lines",
      resourceId: String(line.id),
      before: { id: line.id, code: "LINE01", name: "Body line" },
      after: { id: line.id, code: "LINE01", name: "Body shop" },
    },
    {
      at: "2024-05-01T08:00:02.000Z",
      user: "alice",
      action: "delete",
      resource: "lines",
      resourceId: String(line.id),
      before: { id: line.id, code: "LINE01", name: "Body shop" },
      after: null,
    },
  ]);
});

Deno.test("a refused change leaves no audit entry", () => {
  using store = testStore();
  assert.throws(() => store.lines.create({ code: "bad", name: "x" }, { actor: "alice" }));
  assert.equal(store.audit.list().total, 0);
});

Deno.test("audit list filters by user, resource, action, record and time range, newest first", () => {
  const clock = testClock();
  using store = testStore(clock);
  for (let i = 0; i < 5; i++) {
    store.lines.create({ code: `L${i}`, name: "x" }, { actor: i % 2 ? "bob" : "alice" });
    clock.advance(60_000);
  }
  store.audit.record({ user: "bob", action: "login", resource: "sessions" });
  const all = store.audit.list();
  assert.equal(all.total, 6);
  assert.equal(all.items[0].action, "login", "newest first by default");
  assert.equal(store.audit.list({ user: "bob" }).total, 3);
  assert.equal(store.audit.list({ resource: "lines", action: "create" }).total, 5);
  assert.equal(store.audit.list({ resourceId: "2" }).items[0].after?.toString(), "[object Object]");
  const window = store.audit.list({
    from: "2024-05-01T08:01:00Z",
    to: "2024-05-01T08:03:00Z",
    order: "asc",
  });
  assert.deepEqual(window.items.map((e) => (e.after as { code: string }).code), ["L1", "L2"]);
  const page = store.audit.list({ limit: 2, offset: 2 });
  assert.deepEqual([page.items.length, page.total], [2, 6]);
  const e = thrown(() => store.audit.list({ from: "yesterday" }));
  assert.ok(e instanceof ConfigError);
  assert.equal(e.issues[0].path, "from");
});
