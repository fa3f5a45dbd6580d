import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { SchemaVersionError } from "./errors.ts";
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "./migrations.ts";
import { openStore } from "./store.ts";

// An applied migration is never edited: append a new one instead. These are the
// SHA-256 of each migration's SQL as released.
const RELEASED: Record<number, string> = {
  1: "5ce33efd40edeb630d74e25a6c5942ce9d89a0f7a71d484f6654ce5b77a942ae",
  2: "5c2b7b2a2794c2911c23ef34f704620ae47dcd85b2e74f8ddbc37fb0962de9f9",
  3: "52318aecda5ecfd0f14240bb3a79118d0301aba16adaddac3f6362005dceea7f",
  4: "76cc6551c4edb2366b01dfb04c85772a8958c17272d8f77bf553146bc67ac2de",
  5: "1606c91a99084f47af48079e40b17cfe3149ae78fb6169dd0f8715d96a39bbaf",
  6: "3c99150721b563f7794fd49d1d6baf3c88592844ba821ba090dfe4fe692d95ac",
};

Deno.test("applied migrations are never edited (their checksums are pinned)", () => {
  for (const m of MIGRATIONS) {
    const sum = createHash("sha256").update(m.sql).digest("hex");
    assert.equal(sum, RELEASED[m.version], `migration ${m.version} (${m.name}) changed`);
  }
});

Deno.test("migrations are numbered 1, 2, 3 … without gaps", () => {
  MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
});

Deno.test("a fresh database gets every migration and the newest schema version", () => {
  const db = new DatabaseSync(":memory:");
  try {
    assert.deepEqual(migrate(db), { from: 0, to: SCHEMA_VERSION });
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all().map((r) => r.name);
    assert.deepEqual(tables, [
      "alarm_journal",
      "alarm_rules",
      "api_tokens",
      "audit_log",
      "lines",
      "plcs",
      "polling_groups",
      "processes",
      "sessions",
      "tags",
      "users",
    ]);
  } finally {
    db.close();
  }
});

Deno.test("re-opening a store file keeps its data and applies nothing twice", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/config.db`;
  try {
    const first = openStore(path);
    first.lines.create({ code: "LINE01", name: "Body line" });
    first.close();
    const again = openStore(path);
    assert.deepEqual(again.lines.all().map((l) => l.code), ["LINE01"]);
    again.close();
    const db = new DatabaseSync(path);
    assert.deepEqual(migrate(db), { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    assert.equal(db.prepare("PRAGMA journal_mode").get()!.journal_mode, "wal");
    db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a database newer than the program is refused, naming both versions", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/config.db`;
  try {
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    assert.throws(() => openStore(path), (e: Error) => {
      assert.ok(e instanceof SchemaVersionError);
      assert.match(e.message, new RegExp(`schema version ${SCHEMA_VERSION + 7}`));
      assert.match(e.message, new RegExp(`knows versions up to ${SCHEMA_VERSION}`));
      assert.match(e.message, /config\.db/);
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a failing migration rolls back and leaves the version where it was", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const steps = [
      { version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER);" },
      { version: 2, name: "broken", sql: "CREATE TABLE b (y INTEGER); SELECT * FROM nowhere;" },
    ];
    assert.throws(() => migrate(db, steps), /migration 2 \(broken\) failed/);
    assert.equal(schemaVersion(db), 1);
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    assert.deepEqual(names.map((r) => r.name), ["a"]);
  } finally {
    db.close();
  }
});
