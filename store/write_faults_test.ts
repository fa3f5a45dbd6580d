import assert from "node:assert/strict";
import { StoreUnavailableError, storeWriteFailure } from "./errors.ts";
import { importCsv } from "./csv_import.ts";
import { openStore } from "./store.ts";
import { testClock, testStore } from "./testing.ts";
import { capStoreSize, clearWriteFaults, makeStoreReadOnly } from "./write_faults.ts";

/** Creates lines until the store refuses one; returns the error (fails after 2,000). */
function fillWithLines(store: ReturnType<typeof testStore>): unknown {
  for (let i = 0; i < 2_000; i++) {
    try {
      store.lines.create({ code: `L${i}`, name: `Line ${i} ${"x".repeat(150)}` });
    } catch (e) {
      return e;
    }
  }
  throw new Error("2,000 lines fit under the cap");
}

Deno.test("a full configuration database throws StoreUnavailableError, not SQLite's raw error", () => {
  using store = testStore();
  capStoreSize(store);
  const error = fillWithLines(store);
  assert.ok(error instanceof StoreUnavailableError, String(error));
  assert.equal(error.reason, "full");
  assert.equal(error.detail, "database or disk is full");
  assert.match(error.message, /cannot write: the disk is full .*free disk space/);
});

Deno.test("a write refused by a full disk rolls back cleanly and the store keeps working", () => {
  const dir = Deno.makeTempDirSync();
  try {
    using store = openStore(`${dir}/config.db`, { scrypt: { N: 1024, r: 8, p: 1 } });
    capStoreSize(store);
    assert.ok(fillWithLines(store) instanceof StoreUnavailableError);
    const before = store.lines.list({ limit: 1 }).total;
    assert.ok(before > 0);
    // The same write again fails the same way (no half-open transaction left behind).
    assert.ok(thrownBy(() => store.lines.create({ code: "AGAIN", name: "x".repeat(150) })));
    assert.equal(store.lines.list({ limit: 1 }).total, before);
    assert.equal(store.audit.list({ limit: 1, resource: "lines" }).total, before);
    clearWriteFaults(store);
    store.lines.create({ code: "AFTER", name: "after space was freed" });
    assert.equal(store.lines.list({ limit: 1 }).total, before + 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

function thrownBy(fn: () => unknown): StoreUnavailableError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof StoreUnavailableError) return e;
    throw e;
  }
  return undefined;
}

Deno.test("a read-only configuration database throws StoreUnavailableError naming it", () => {
  using store = testStore();
  makeStoreReadOnly(store);
  const error = thrownBy(() => store.lines.create({ code: "L1", name: "Line" }));
  assert.ok(error);
  assert.equal(error.reason, "readonly");
  assert.match(error.message, /read-only/);
});

Deno.test("reads and token or session checks still work while the database cannot write", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const user = await store.users.create({
    name: "op",
    role: "operator",
    password: "long enough pw 1",
  });
  store.lines.create({ code: "L1", name: "Line" });
  const session = store.sessions.create(user.id, 1000);
  const live = store.sessions.create(user.id, 60_000);
  const { token } = store.tokens.create({ name: "script", userId: user.id });
  makeStoreReadOnly(store);
  assert.equal(store.lines.list({ limit: 10 }).total, 1);
  clock.advance(2000);
  // An expired session is refused even though it cannot be deleted now.
  assert.equal(store.sessions.verify(session.id), null);
  assert.equal(store.sessions.verify(live.id)?.user.name, "op");
  // "Last used" cannot be written: the token still authenticates.
  assert.equal(store.tokens.verify(token)?.user.name, "op");
  assert.ok(thrownBy(() => store.sessions.create(user.id)));
});

Deno.test("storeWriteFailure knows SQLite's codes and messages and nothing else", () => {
  const coded = Object.assign(new Error("disk I/O error"), {
    errcode: 10,
    errstr: "disk I/O error",
  });
  assert.equal(storeWriteFailure(coded)?.reason, "io");
  const extended = Object.assign(new Error("x"), { errcode: 13 | (1 << 8), errstr: "full" });
  assert.equal(storeWriteFailure(extended)?.reason, "full");
  assert.equal(storeWriteFailure(new Error("database or disk is full"))?.reason, "full");
  assert.equal(
    storeWriteFailure(new Error("attempt to write a readonly database"))?.reason,
    "readonly",
  );
  assert.equal(storeWriteFailure(new Error("UNIQUE constraint failed: lines.code")), undefined);
  assert.equal(storeWriteFailure(Object.assign(new Error("busy"), { errcode: 5 })), undefined);
  assert.equal(storeWriteFailure("database or disk is full"), undefined);
});

Deno.test("during() says what could not be saved and keeps the reason", () => {
  const e = new StoreUnavailableError("full", "database or disk is full");
  const d = e.during("the login session could not be saved");
  assert.equal(d.reason, "full");
  assert.match(d.message, /^the login session could not be saved: the configuration database/);
});

Deno.test("steps after a disk-full loss inside a transaction fail too, so nothing commits on its own", () => {
  using store = testStore();
  const before = store.lines.list({ limit: 1 }).total;
  capStoreSize(store);
  let failures = 0;
  let afterLoss = 0;
  const error = thrownBy(() =>
    store.transaction(() => {
      for (let i = 0; i < 300; i++) {
        try {
          store.lines.create({ code: `T${i}`, name: `Line ${i} ${"x".repeat(150)}` });
          if (failures > 0) afterLoss++;
        } catch (e) {
          if (!(e instanceof StoreUnavailableError)) throw e;
          failures++;
        }
      }
    })
  );
  assert.ok(error, "the transaction reports the loss");
  assert.ok(failures > 1, "300 lines fit under the cap");
  assert.equal(afterLoss, 0);
  clearWriteFaults(store);
  assert.equal(store.lines.list({ limit: 1 }).total, before);
});

Deno.test("a CSV import on a full disk fails whole with StoreUnavailableError and writes nothing", () => {
  using store = testStore();
  const rows = Array.from({ length: 300 }, (_, i) => `IMP${i},Line ${i} ${"y".repeat(150)}`);
  capStoreSize(store);
  const error = thrownBy(() => importCsv(store, { lines: ["code,name", ...rows].join("\n") }));
  assert.ok(error, "300 lines fit under the cap");
  assert.equal(error.reason, "full");
  clearWriteFaults(store);
  assert.equal(store.lines.list({ limit: 1 }).total, 0);
});
