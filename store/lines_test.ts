import assert from "node:assert/strict";
import { ConfigError, ConflictError, NotFoundError } from "./errors.ts";
import { testStore, thrown } from "./testing.ts";

Deno.test("lines: create, get, get by code, update, delete", () => {
  using store = testStore();
  const line = store.lines.create({ code: "LINE01", name: "Body line" });
  assert.deepEqual(store.lines.get(line.id), { id: line.id, code: "LINE01", name: "Body line" });
  assert.deepEqual(store.lines.getByCode("LINE01"), line);
  assert.deepEqual(store.lines.update(line.id, { name: "Body shop" }).name, "Body shop");
  store.lines.delete(line.id);
  assert.ok(thrown(() => store.lines.get(line.id)) instanceof NotFoundError);
  assert.match(thrown(() => store.lines.getByCode("LINE01")).message, /no line with code LINE01/);
});

Deno.test("a line code is 1 to 64 characters of A–Z, 0–9, _, - and .", () => {
  using store = testStore();
  for (const code of ["", "line01", "LINE 01", "L".repeat(65)]) {
    const e = thrown(() => store.lines.create({ code, name: "x" }));
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues, [{
      path: "code",
      message: "must be 1 to 64 characters of A–Z, 0–9, _, - and .",
    }]);
  }
  assert.equal(store.lines.create({ code: "L-1.A_B", name: "x" }).code, "L-1.A_B");
});

Deno.test("a line needs a name that is not only spaces, and takes no unknown fields", () => {
  using store = testStore();
  const e = thrown(() =>
    store.lines.create({ code: "LINE01", name: "  ", colour: "red" } as never)
  );
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.issues, [
    { path: "name", message: "must not be empty" },
    { path: "colour", message: "is not a known field" },
  ]);
  const missing = thrown(() => store.lines.create({} as never)) as ConfigError;
  assert.deepEqual(missing.issues, [
    { path: "code", message: "is required" },
    { path: "name", message: "is required" },
  ]);
});

Deno.test("a duplicate line code is a conflict on code", () => {
  using store = testStore();
  store.lines.create({ code: "LINE01", name: "Body line" });
  const e = thrown(() => store.lines.create({ code: "LINE01", name: "Again" }));
  assert.ok(e instanceof ConflictError);
  assert.deepEqual(e.issues, [{ path: "code", message: "line LINE01 already exists (id 1)" }]);
});

Deno.test("deleting a line that has processes is refused unless cascade", () => {
  using store = testStore();
  const line = store.lines.create({ code: "LINE01", name: "Body line" });
  store.processes.create({ code: "PRESS", name: "Press", lineId: line.id });
  const e = thrown(() => store.lines.delete(line.id));
  assert.ok(e instanceof ConflictError);
  assert.equal(
    e.message,
    "line LINE01 still has 1 process; delete them first, or delete with cascade",
  );
  store.lines.delete(line.id, { cascade: true });
  assert.equal(store.processes.all().length, 0);
});

Deno.test("lines list searches code and name", () => {
  using store = testStore();
  store.lines.create({ code: "LINE01", name: "Body line" });
  store.lines.create({ code: "LINE02", name: "Finish line" });
  assert.deepEqual(store.lines.list({ q: "finish" }).items.map((l) => l.code), ["LINE02"]);
  assert.equal(store.lines.list({ q: "%" }).total, 0, "LIKE wildcards are literal");
});
