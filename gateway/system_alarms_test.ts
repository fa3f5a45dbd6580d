import assert from "node:assert/strict";
import { createActor } from "xstate";
import { AlarmEngine } from "../alarms/engine.ts";
import { systemKeys } from "../alarms/system_keys.ts";
import { ManualClock } from "../actors/clock.ts";
import { plcMachine } from "../actors/plc.ts";
import { PlcLink } from "../actors/plc_link.ts";
import type { RuntimeStatus } from "../actors/runtime.ts";
import { FakePool, plcConfig } from "../actors/testing.ts";
import type { ReadBlock } from "../protocol/planner.ts";
import { SystemAlarms } from "./system_alarms.ts";

const block: ReadBlock = { device: "D", unit: "word", start: 100, points: 4, entries: [] };
const KEY = systemKeys.plcDisconnected("PLCTEST0000001");

/** A plc actor on a fake PLC whose reports feed SystemAlarms, as the gateway wires them. */
function harness() {
  const clock = new ManualClock(1_000_000);
  const plc = plcConfig({ attempts: 3, commAlarmDelayMs: 2000 });
  const link = new PlcLink(plc, clock);
  const pool = new FakePool(clock);
  const alarms = new AlarmEngine({ rules: [], tags: [], clock: () => clock.now() });
  const system = new SystemAlarms(alarms);
  const actor = createActor(plcMachine, {
    clock,
    input: {
      plc,
      link,
      createPool: () => pool,
      clock,
      random: () => 0,
      report: (e) => system.onEvent(e),
    },
  });
  const active = () =>
    alarms.active().filter((a) => a.systemKey === KEY && a.state.startsWith("active"));
  return { clock, link, pool, actor, active };
}

Deno.test("PLC not answering: attempts − 1 failed requests raise nothing; failed, it waits commAlarmDelayMs; answering clears it", async () => {
  const h = harness();
  h.actor.start();
  try {
    await h.clock.advance(0);
    h.pool.mode = "down";
    await h.link.readBlocks([block]);
    await h.link.readBlocks([block]);
    await h.clock.advance(10_000);
    assert.deepEqual(h.active(), [], "two failed requests: a retry, no alarm");
    await h.link.readBlocks([block]);
    await h.clock.advance(1_999);
    assert.deepEqual(h.active(), [], "failed, but not yet for commAlarmDelayMs");
    await h.clock.advance(1);
    assert.equal(h.active().length, 1);
    assert.match(h.active()[0].message, /PLCTEST0000001 is not answering/);
    assert.equal(h.active()[0].severity, 800);
    h.pool.mode = "ok";
    await h.clock.advance(1_000);
    assert.deepEqual(h.active(), [], "cleared when it answers again");
  } finally {
    h.actor.stop();
  }
});

Deno.test("PLC not answering: a failure shorter than commAlarmDelayMs raises nothing", async () => {
  const h = harness();
  h.actor.start();
  try {
    await h.clock.advance(0);
    h.pool.mode = "down";
    for (let k = 0; k < 3; k++) await h.link.readBlocks([block]);
    await h.clock.advance(500);
    h.pool.mode = "ok";
    await h.clock.advance(10_000);
    assert.deepEqual(h.active(), []);
  } finally {
    h.actor.stop();
  }
});

Deno.test("a PLC no longer polled clears its alarm", () => {
  const alarms = new AlarmEngine({ rules: [], tags: [] });
  const system = new SystemAlarms(alarms);
  const at = Date.now();
  const base = { plcId: 1, code: "PLCTEST0000001", at };
  system.onEvent({ type: "plc.commAlarm", ...base, active: true, message: "not answering" });
  assert.equal(alarms.active().filter((a) => a.state.startsWith("active")).length, 1);
  system.onEvent({ type: "plc.state", ...base, state: "failed" });
  assert.equal(alarms.active().filter((a) => a.state.startsWith("active")).length, 1);
  system.onEvent({ type: "plc.state", ...base, state: "disconnected" });
  assert.equal(alarms.active().filter((a) => a.state.startsWith("active")).length, 0);
});

Deno.test("overruns behind failed reads (timeouts) raise no overrun alarm; slow successful reads do", () => {
  const alarms = new AlarmEngine({ rules: [], tags: [] });
  const system = new SystemAlarms(alarms);
  const status = (overruns: number, failedReadOverruns: number) =>
    ({
      state: "running",
      plcs: [],
      writer: undefined,
      groups: [{
        groupId: 1,
        code: "G1",
        plcId: 1,
        supervision: { state: "running" },
        status: { overruns, failedReadOverruns, intervalMs: 100 },
      }],
    }) as unknown as RuntimeStatus;
  const key = systemKeys.groupOverrun("G1");
  const raised = () => alarms.active().some((a) => a.systemKey === key);
  system.onStatus(status(0, 0), undefined, 0);
  system.onStatus(status(9, 9), undefined, 1000);
  assert.equal(raised(), false, "nine ticks skipped behind a timed-out read");
  system.onStatus(status(12, 9), undefined, 2000);
  assert.equal(raised(), true, "three ticks skipped behind slow reads that succeeded");
});
