import assert from "node:assert/strict";
import { openStore } from "../store/store.ts";
import { housekeep } from "./housekeeping.ts";

Deno.test("housekeeping removes expired sessions and journal entries past retention only", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  using store = openStore(":memory:", { now: () => now, scrypt: { N: 1024, r: 8, p: 1 } });
  const user = await store.users.create({
    name: "ops",
    role: "operator",
    password: "long enough pw",
  });
  store.sessions.create(user.id, 1000);
  store.alarmJournal.append([{
    alarmId: "plc:X:disconnected",
    ruleId: null,
    systemKey: "plc:X:disconnected",
    tagId: null,
    tagCode: null,
    kind: "SYSTEM",
    action: "raise",
    from: "normal",
    to: "active-unacknowledged",
    ts: now,
    user: null,
    comment: null,
    value: null,
    message: "PLC X is not answering",
    severity: 800,
    suppressed: false,
    shelvedUntil: null,
    source: "plc:X",
  }]);
  assert.deepEqual(housekeep(store, now), { sessions: 0, audit: 0, alarms: 0 });
  now += 2 * 365 * 86_400_000;
  const removed = housekeep(store, now);
  assert.equal(removed.sessions, 1);
  assert.equal(removed.alarms, 1);
  assert.ok(removed.audit >= 1, "the user's creation entry is past retention");
});
