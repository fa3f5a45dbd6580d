import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { AlarmRuleConfig, TagConfig } from "../model/config.ts";
import { AlarmEngine } from "./engine.ts";
import {
  ALARM_JOURNAL_MIGRATION,
  ensureAlarmJournalSchema,
  retentionCutoff,
  SqliteAlarmJournal,
} from "./journal.ts";
import type { AlarmTransition } from "./state.ts";

function open(options?: { pruneChunk?: number }) {
  const db = new DatabaseSync(":memory:");
  ensureAlarmJournalSchema(db);
  return { db, journal: new SqliteAlarmJournal(db, options) };
}

function transition(over: Partial<AlarmTransition> = {}): AlarmTransition {
  return {
    alarmId: "rule:1",
    ruleId: 1,
    systemKey: null,
    tagId: 7,
    tagCode: "OVEN01_TEMP",
    kind: "HI",
    action: "raise",
    from: "normal",
    to: "active-unacknowledged",
    ts: 1000,
    user: null,
    comment: null,
    value: 195.5,
    message: "Oven zone 1 temperature high",
    severity: 700,
    suppressed: false,
    shelvedUntil: null,
    source: "rule",
    ...over,
  };
}

Deno.test("append then list returns transitions newest first, every field intact", () => {
  const { db, journal } = open();
  const a = transition();
  const b = transition({
    alarmId: "plc:PLC1:disconnected",
    ruleId: null,
    systemKey: "plc:PLC1:disconnected",
    tagId: null,
    tagCode: null,
    kind: "SYSTEM",
    action: "acknowledge",
    from: "active-unacknowledged",
    to: "active-acknowledged",
    ts: 2000,
    user: "kim",
    comment: "called maintenance",
    value: "refused",
    severity: 800,
    suppressed: true,
    shelvedUntil: 9000,
    source: "plc",
  });
  journal.append([a, b]);
  journal.append([]);
  const rows = journal.list({ limit: 10 });
  assert.deepEqual(rows.map(({ seq: _seq, ...t }) => t), [b, a]);
  assert.ok(rows[0].seq > rows[1].seq);
  db.close();
});

Deno.test("list filters by time, tag, alarm, severity, state and action, with paging", () => {
  const { db, journal } = open();
  const rows: AlarmTransition[] = [];
  for (let i = 0; i < 20; i++) {
    rows.push(transition({
      ts: i * 100,
      tagId: i % 2 === 0 ? 7 : 8,
      tagCode: i % 2 === 0 ? "A" : "B",
      alarmId: `rule:${i % 4}`,
      severity: i * 50,
      to: i % 3 === 0 ? "normal" : "active-unacknowledged",
      action: i % 5 === 0 ? "acknowledge" : "raise",
    }));
  }
  journal.append(rows);
  const ts = (f: Parameters<typeof journal.list>[0]) => journal.list(f).map((r) => r.ts);
  assert.deepEqual(ts({ from: 500, to: 800, limit: 10 }), [700, 600, 500]);
  assert.deepEqual(ts({ tagId: 8, to: 800, limit: 10 }), [700, 500, 300, 100]);
  assert.deepEqual(ts({ tagCode: "A", from: 1400, limit: 10 }), [1800, 1600, 1400]);
  assert.deepEqual(ts({ alarmId: "rule:3", limit: 10 }), [1900, 1500, 1100, 700, 300]);
  assert.deepEqual(ts({ minSeverity: 850, limit: 10 }), [1900, 1800, 1700]);
  assert.deepEqual(ts({ state: "normal", from: 1000, limit: 10 }), [1800, 1500, 1200]);
  assert.deepEqual(ts({ action: "acknowledge", limit: 10 }), [1500, 1000, 500, 0]);
  assert.deepEqual(ts({ limit: 3, offset: 2 }), [1700, 1600, 1500]);
  assert.equal(journal.count({}), 20);
  assert.equal(journal.count({ tagId: 7, minSeverity: 500 }), 5);
  db.close();
});

Deno.test("prune deletes older transitions in chunks and returns how many", () => {
  const { db, journal } = open({ pruneChunk: 7 });
  journal.append(Array.from({ length: 50 }, (_, i) => transition({ ts: i })));
  assert.equal(journal.prune(30), 30);
  assert.equal(journal.prune(30), 0);
  assert.equal(journal.count({}), 20);
  assert.equal(journal.list({ limit: 100 }).at(-1)?.ts, 30);
  assert.equal(retentionCutoff(10 * 86_400_000, 7), 3 * 86_400_000);
  db.close();
});

Deno.test("latest gives each alarm's last transition", () => {
  const { db, journal } = open();
  journal.append([
    transition({ alarmId: "rule:1", ts: 1, to: "active-unacknowledged" }),
    transition({ alarmId: "rule:2", ts: 2 }),
    transition({ alarmId: "rule:1", ts: 3, action: "acknowledge", to: "active-acknowledged" }),
  ]);
  assert.deepEqual(journal.latest().map((r) => [r.alarmId, r.to]), [
    ["rule:2", "active-unacknowledged"],
    ["rule:1", "active-acknowledged"],
  ]);
  db.close();
});

Deno.test("append inside the caller's transaction is rolled back with it; the migration is idempotent", () => {
  const { db, journal } = open();
  db.exec(ALARM_JOURNAL_MIGRATION);
  db.exec("BEGIN");
  journal.append([transition()]);
  db.exec("ROLLBACK");
  assert.equal(journal.count({}), 0);
  assert.throws(() => journal.append([transition(), transition({ message: null as never })]));
  assert.equal(journal.count({}), 0, "a failed batch leaves nothing behind");
  db.close();
});

Deno.test("the journal subscribed to the engine records its transitions and restores them", () => {
  const { db, journal } = open();
  const tags = [{ id: 1, code: "T1" } as TagConfig];
  const rules: AlarmRuleConfig[] = [{
    id: 5,
    tagId: 1,
    kind: "HI",
    limit: 10,
    hysteresis: 1,
    onDelayMs: 0,
    severity: 500,
    message: "T1 high",
    enabled: true,
  }];
  const engine = new AlarmEngine({ rules, tags, clock: () => 50 });
  engine.subscribe((t) => journal.append(t));
  engine.onSamples([{ tagId: 1, ts: 10, value: 12, quality: "good" }]);
  engine.acknowledge("rule:5", "kim", "ok");
  assert.deepEqual(journal.list({ limit: 10 }).map((r) => [r.action, r.user, r.value]), [
    ["acknowledge", "kim", 12],
    ["raise", null, 12],
  ]);
  const restarted = new AlarmEngine({ rules, tags, clock: () => 60 });
  restarted.restore(journal.latest());
  assert.equal(restarted.get("rule:5")?.state, "active-acknowledged");
  db.close();
});
