import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { testClock, testStore } from "../store/testing.ts";
import { capStoreSize, clearWriteFaults, makeStoreReadOnly } from "../store/write_faults.ts";
import { AlarmEngine } from "./engine.ts";
import { ensureAlarmJournalSchema, SqliteAlarmJournal } from "./journal.ts";
import { ALARM_JOURNAL_FAILING_KEY, AlarmJournalWriter } from "./journal_writer.ts";

/** Collects the records of `jsscada.alarm` while `fn` runs. */
async function capturingLogs(fn: () => Promise<void> | void): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => void records.push(r) },
    loggers: [
      { category: ["jsscada", "alarm"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  try {
    await fn();
  } finally {
    await reset();
  }
  return records;
}

const PLC_DOWN = "plc:PLC1:disconnected";
const info = { message: "PLC1 does not answer", severity: 800, source: "plc" };

/** Lets the writer's microtasks (the system alarm) run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("an alarm transition while the journal cannot write leaves the engine working, counts and logs it once", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const engine = new AlarmEngine({ rules: [], tags: [], clock: clock.now });
  const writer = new AlarmJournalWriter(store.alarmJournal, { clock: clock.now });
  const detach = writer.attach(engine);
  try {
    const records = await capturingLogs(async () => {
      makeStoreReadOnly(store);
      assert.equal(engine.raiseSystem(PLC_DOWN, info).length, 1);
      assert.equal(engine.get(PLC_DOWN)?.state, "active-unacknowledged");
      await settle();
      // The engine raised the journal alarm itself; its own transition could not be stored either.
      const failing = engine.get(ALARM_JOURNAL_FAILING_KEY);
      assert.equal(failing?.state, "active-unacknowledged");
      assert.match(failing!.message, /alarm journal cannot write .*1 alarm transitions not stored/);
      assert.equal(engine.acknowledge(PLC_DOWN, "kim").ok, true);
      clock.advance(1_000);
      engine.clearSystem(PLC_DOWN);
      assert.equal(engine.get(PLC_DOWN), undefined);
      const s = writer.stats();
      assert.equal(s.failing, true);
      assert.equal(s.failedAppends, 4);
      assert.equal(s.lostTransitions, 4);
      assert.match(s.lastError ?? "", /read-only|readonly/);
    });
    const errors = records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1, "repeated failures within a minute are logged once");
    assert.match(String(errors[0].properties.reason), /read-only|readonly/);
  } finally {
    detach();
  }
});

Deno.test("once the journal writes again the writer says so and clears its system alarm", async () => {
  const clock = testClock();
  using store = testStore(clock);
  const engine = new AlarmEngine({ rules: [], tags: [], clock: clock.now });
  const writer = new AlarmJournalWriter(store.alarmJournal, { clock: clock.now });
  const detach = writer.attach(engine);
  try {
    const records = await capturingLogs(async () => {
      makeStoreReadOnly(store);
      engine.raiseSystem(PLC_DOWN, info);
      await settle();
      clearWriteFaults(store);
      clock.advance(5_000);
      engine.clearSystem(PLC_DOWN);
      await settle();
    });
    assert.equal(writer.stats().failing, false);
    assert.equal(writer.stats().lostTransitions, 2);
    assert.equal(engine.get(ALARM_JOURNAL_FAILING_KEY)?.state, "cleared-unacknowledged");
    const stored = store.alarmJournal.list({ limit: 10 }).map((t) => `${t.alarmId} ${t.action}`);
    assert.deepEqual(stored.sort(), [`${ALARM_JOURNAL_FAILING_KEY} clear`, `${PLC_DOWN} clear`]);
    assert.ok(records.some((r) => r.level === "info" && /writes again/.test(String(r.message))));
  } finally {
    detach();
  }
});

Deno.test("on a full configuration database the engine goes on and every lost transition is counted", () => {
  const clock = testClock();
  using store = testStore(clock);
  const engine = new AlarmEngine({ rules: [], tags: [], clock: clock.now });
  const writer = new AlarmJournalWriter(store.alarmJournal, {
    clock: clock.now,
    logger: { error: () => {}, info: () => {} },
  });
  const unsubscribe = engine.subscribe(writer.listener);
  try {
    capStoreSize(store);
    let transitions = 0;
    for (let i = 0; i < 2_000 && writer.stats().failedAppends < 3; i++) {
      clock.advance(10);
      transitions += engine.raiseSystem(PLC_DOWN, info).length;
      transitions += engine.clearSystem(PLC_DOWN).length;
    }
    const s = writer.stats();
    assert.equal(s.failedAppends, 3, "2,000 cycles fit under the cap");
    assert.equal(s.lastError, "database or disk is full");
    assert.equal(store.alarmJournal.count({}) + s.lostTransitions, transitions);
    // The configuration store is not left inside a transaction.
    clearWriteFaults(store);
    store.lines.create({ code: "AFTER", name: "after" });
  } finally {
    unsubscribe();
  }
});

Deno.test("a journal append on a full database rethrows SQLite's cause and leaves no savepoint open", () => {
  const db = new DatabaseSync(":memory:");
  try {
    ensureAlarmJournalSchema(db);
    const journal = new SqliteAlarmJournal(db);
    const pages = Number(db.prepare("PRAGMA page_count").get()!.page_count);
    db.exec(`PRAGMA max_page_count = ${pages}`);
    const engine = new AlarmEngine({ rules: [], tags: [], clock: () => 1 });
    let error: unknown;
    for (let i = 0; i < 2_000 && error === undefined; i++) {
      const out = [...engine.raiseSystem(PLC_DOWN, info), ...engine.clearSystem(PLC_DOWN)];
      try {
        journal.append(out);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof Error, "2,000 appends fit under the cap");
    assert.equal(error.message, "database or disk is full");
    assert.equal(db.isTransaction, false);
  } finally {
    db.close();
  }
});
