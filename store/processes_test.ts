import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { testStore, thrown } from "./testing.ts";

Deno.test("processes: create under a line, move to another line, delete", () => {
  using store = testStore();
  const a = store.lines.create({ code: "LINE01", name: "Body line" });
  const b = store.lines.create({ code: "LINE02", name: "Finish line" });
  const p = store.processes.create({ code: "PRESS", name: "Press shop", lineId: a.id });
  assert.deepEqual(store.processes.getByCode("PRESS"), p);
  assert.equal(store.processes.update(p.id, { lineId: b.id }).lineId, b.id);
  store.processes.delete(p.id);
  assert.equal(store.processes.all().length, 0);
});

Deno.test("a process must belong to an existing line", () => {
  using store = testStore();
  const e = thrown(() => store.processes.create({ code: "PRESS", name: "Press", lineId: 42 }));
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.issues, [{ path: "lineId", message: "no line with id 42" }]);
  const bad = thrown(() => store.processes.create({ code: "PRESS", name: "Press", lineId: -1 }));
  assert.deepEqual((bad as ConfigError).issues, [{
    path: "lineId",
    message: "must be the id of a line",
  }]);
});

Deno.test("processes list filters by line", () => {
  using store = testStore();
  const a = store.lines.create({ code: "LINE01", name: "Body line" });
  const b = store.lines.create({ code: "LINE02", name: "Finish line" });
  store.processes.create({ code: "PRESS", name: "Press", lineId: a.id });
  store.processes.create({ code: "PAINT", name: "Paint", lineId: b.id });
  store.processes.create({ code: "ASSY", name: "Assembly", lineId: b.id });
  const page = store.processes.list({ lineId: String(b.id) as never });
  assert.deepEqual(page.items.map((p) => p.code), ["ASSY", "PAINT"]);
  assert.equal(page.total, 2);
});
