import assert from "node:assert/strict";
import {
  ALARM_ACTIONS,
  ALARM_STATES,
  type AlarmAction,
  type AlarmState,
  isActive,
  isUnacknowledged,
  step,
} from "./state.ts";

const N = "normal";
const AU = "active-unacknowledged";
const AA = "active-acknowledged";
const CU = "cleared-unacknowledged";

/**
 * Expected outcome of every action in every state, unshelved and shelved:
 * a next state with its shelved flag ("+" shelved, "-" not), "=" for no
 * change, or the refusal reason.
 */
const TABLE: Record<AlarmAction, Record<AlarmState, [string, string]>> = {
  raise: {
    [N]: [`${AU}-`, `${AU}+`],
    [AU]: ["=", "="],
    [AA]: ["=", "="],
    [CU]: [`${AU}-`, `${AU}+`],
  },
  clear: {
    [N]: ["=", "="],
    [AU]: [`${CU}-`, `${N}+`],
    [AA]: [`${N}-`, `${N}+`],
    [CU]: ["=", "="],
  },
  acknowledge: {
    [N]: ["nothing-to-acknowledge", "nothing-to-acknowledge"],
    [AU]: [`${AA}-`, `${AA}+`],
    [AA]: ["nothing-to-acknowledge", "nothing-to-acknowledge"],
    [CU]: [`${N}-`, `${N}+`],
  },
  shelve: {
    [N]: [`${N}+`, `${N}+`],
    [AU]: [`${AU}+`, `${AU}+`],
    [AA]: [`${AA}+`, `${AA}+`],
    [CU]: [`${CU}+`, `${CU}+`],
  },
  unshelve: {
    [N]: ["not-shelved", `${N}-`],
    [AU]: ["not-shelved", `${AU}-`],
    [AA]: ["not-shelved", `${AA}-`],
    [CU]: ["not-shelved", `${CU}-`],
  },
  "shelve-expire": {
    [N]: ["=", `${N}-`],
    [AU]: ["=", `${AU}-`],
    [AA]: ["=", `${AA}-`],
    [CU]: ["=", `${CU}-`],
  },
  remove: {
    [N]: ["=", `${N}-`],
    [AU]: [`${N}-`, `${N}-`],
    [AA]: [`${N}-`, `${N}-`],
    [CU]: [`${N}-`, `${N}-`],
  },
};

for (const action of ALARM_ACTIONS) {
  for (const state of ALARM_STATES) {
    for (const shelved of [false, true]) {
      const expected = TABLE[action][state][shelved ? 1 : 0];
      Deno.test(`${action} in ${state}${shelved ? " (shelved)" : ""} → ${expected}`, () => {
        const result = step({ state, shelved }, action);
        if (expected === "=") {
          assert.deepEqual(result, { ok: true, changed: false, next: { state, shelved } });
        } else if (expected.endsWith("+") || expected.endsWith("-")) {
          const next = { state: expected.slice(0, -1), shelved: expected.endsWith("+") };
          assert.deepEqual(result, { ok: true, changed: true, next });
        } else {
          assert.deepEqual(result, { ok: false, reason: expected });
        }
      });
    }
  }
}

Deno.test("the table covers every action and state", () => {
  assert.deepEqual(Object.keys(TABLE).sort(), [...ALARM_ACTIONS].sort());
  for (const row of Object.values(TABLE)) {
    assert.deepEqual(Object.keys(row).sort(), [...ALARM_STATES].sort());
  }
});

Deno.test("active and unacknowledged predicates", () => {
  assert.deepEqual(ALARM_STATES.map(isActive), [false, true, true, true]);
  assert.deepEqual(ALARM_STATES.map(isUnacknowledged), [false, true, false, true]);
});
