import assert from "node:assert/strict";
import { createActor } from "xstate";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { PlcError } from "../protocol/errors.ts";
import type { ReadBlock } from "../protocol/planner.ts";
import { ManualClock, settle, systemClock } from "./clock.ts";
import type { RuntimeEvent } from "./events.ts";
import { plcMachine, plcStatus } from "./plc.ts";
import { createTcpPool, PlcLink } from "./plc_link.ts";
import { FakePool, plcConfig } from "./testing.ts";

const block: ReadBlock = { device: "D", unit: "word", start: 100, points: 4, entries: [] };

function start(
  options: { mode?: FakePool["mode"]; attempts?: number; commAlarmDelayMs?: number } = {},
) {
  const clock = new ManualClock();
  const plc = plcConfig({
    ...(options.attempts ? { attempts: options.attempts } : {}),
    ...(options.commAlarmDelayMs !== undefined
      ? { commAlarmDelayMs: options.commAlarmDelayMs }
      : {}),
  });
  const link = new PlcLink(plc, clock);
  const pools: FakePool[] = [];
  const reports: RuntimeEvent[] = [];
  const createPool = () => {
    const p = new FakePool(clock);
    p.mode = options.mode ?? "ok";
    pools.push(p);
    return p;
  };
  const actor = createActor(plcMachine, {
    clock,
    input: { plc, link, createPool, clock, random: () => 0, report: (e) => reports.push(e) },
  });
  return { clock, link, pools, reports, actor, pool: () => pools[pools.length - 1] };
}

const states = (reports: RuntimeEvent[]) =>
  reports.flatMap((r) => (r.type === "plc.state" ? [r.state] : []));

Deno.test("the plc actor connects with a probe and opens the gate", async () => {
  const { actor, link, reports, clock } = start();
  actor.start();
  assert.equal(link.gate, "wait", "reads wait for the first connect rather than fail");
  await clock.advance(0);
  const s = plcStatus(actor.getSnapshot());
  assert.equal(s.state, "connected");
  assert.equal(s.model, "FAKECPU");
  assert.equal(link.gate, "open");
  assert.deepEqual(states(reports), ["connecting", "connected"]);
  actor.stop();
  assert.equal(link.gate, "closed");
});

Deno.test("a read during the first connect waits for it instead of failing", async () => {
  const { actor, link, clock } = start();
  actor.start();
  const read = link.readBlocks([block]);
  await clock.advance(0);
  const r = await read;
  assert.equal(r.failed, 0);
  assert.deepEqual([...r.words[0]!], [100, 101, 102, 103]);
  actor.stop();
});

Deno.test("failure rule: attempts − 1 failed requests are silent retries, the attempts-th fails the PLC", async () => {
  const { actor, link, clock, pool, reports } = start({ attempts: 3 });
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  for (let k = 1; k <= 2; k++) {
    const r = await link.readBlocks([block, block]);
    assert.equal(r.error?.code, "refused");
    assert.equal(r.plcFailed, false, `failure ${k} is a retry, not a PLC failure`);
    await settle();
    const s = plcStatus(actor.getSnapshot());
    assert.equal(s.state, "degraded");
    assert.equal(s.consecutiveFailures, k);
    assert.equal(s.retries, k);
    assert.equal(s.failed, false);
    assert.equal(link.gate, "open", "reads go on while the PLC retries");
  }
  const third = await link.readBlocks([block]);
  assert.equal(third.plcFailed, true, "the third consecutive failure fails the PLC");
  const s = plcStatus(actor.getSnapshot());
  assert.equal(s.state, "failed");
  assert.equal(s.failed, true);
  assert.equal(s.failures, 1);
  assert.equal(s.retries, 2, "the failing request is not a retry");
  assert.equal(link.gate, "closed");
  const before = pool().requests;
  const fast = await link.readBlocks([block]);
  assert.equal(fast.error?.code, "closed");
  assert.equal(fast.plcFailed, true);
  assert.match(fast.error!.message, /failed after 3 attempt/);
  assert.equal(pool().requests, before, "nothing was sent while failed");
  assert.deepEqual(states(reports), ["connecting", "connected", "degraded", "failed"]);
  actor.stop();
});

Deno.test("failure rule: an answered request in between starts the count again", async () => {
  const { actor, link, clock, pool } = start({ attempts: 2 });
  actor.start();
  await clock.advance(0);
  for (let k = 0; k < 5; k++) {
    pool().mode = "down";
    await link.readBlocks([block]);
    pool().mode = "ok";
    const ok = await link.readBlocks([block]);
    assert.equal(ok.failed, 0);
  }
  const s = plcStatus(actor.getSnapshot());
  assert.equal(s.failures, 0, "never two failures in a row");
  assert.equal(s.retries, 5);
  assert.equal(s.consecutiveFailures, 0);
  assert.notEqual(s.state, "failed");
  actor.stop();
});

Deno.test("failure rule: with attempts 1 the first failed request fails the PLC", async () => {
  const { actor, link, clock, pool } = start({ attempts: 1 });
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  assert.equal((await link.readBlocks([block])).plcFailed, true);
  assert.equal(plcStatus(actor.getSnapshot()).state, "failed");
  actor.stop();
});

Deno.test("a failed PLC probes after 100, 200, 400 … ms and, answering again, is connected", async () => {
  const { actor, link, clock, pool, reports } = start({ attempts: 1 });
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  await link.readBlocks([block]);
  assert.equal(plcStatus(actor.getSnapshot()).state, "failed");
  const probeTimes: number[] = [];
  const t0 = clock.now();
  for (let i = 0; i < 4; i++) {
    await clock.advance(clock.nextDue! - clock.now());
    probeTimes.push(clock.now() - t0);
  }
  assert.deepEqual(probeTimes, [100, 300, 700, 1500], "each probe after a doubled delay");
  pool().mode = "ok";
  await clock.advance(1000);
  const s = plcStatus(actor.getSnapshot());
  assert.equal(s.state, "connected");
  assert.equal(s.attempt, 0);
  assert.equal(s.failed, false);
  assert.equal(s.consecutiveFailures, 0);
  assert.equal(link.gate, "open");
  assert.equal((await link.readBlocks([block])).plcFailed, false);
  assert.deepEqual(states(reports), ["connecting", "connected", "failed", "connected"]);
  actor.stop();
});

Deno.test("a PLC that never answers at start fails after its attempts, not at the first probe", async () => {
  const { actor, clock, reports } = start({ attempts: 3, mode: "down" });
  actor.start();
  await clock.advance(0);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connecting", "one failed probe: retrying");
  await clock.advance(100);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connecting");
  await clock.advance(200);
  assert.equal(plcStatus(actor.getSnapshot()).state, "failed", "the third probe failed");
  assert.deepEqual(states(reports), ["connecting", "failed"]);
  actor.stop();
});

Deno.test("the comm alarm is reported only after the PLC stayed failed for commAlarmDelayMs, and cleared when it answers", async () => {
  const { actor, link, clock, pool, reports } = start({ attempts: 1, commAlarmDelayMs: 2000 });
  const alarms = () => reports.flatMap((r) => r.type === "plc.commAlarm" ? [r] : []);
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  await link.readBlocks([block]);
  await clock.advance(1999);
  assert.deepEqual(alarms(), [], "failed for 1,999 ms: no alarm yet");
  assert.equal(plcStatus(actor.getSnapshot()).commAlarm, false);
  await clock.advance(1);
  assert.equal(alarms().length, 1);
  assert.equal(alarms()[0].active, true);
  assert.match(alarms()[0].message, /PLC PLCTEST0000001 is not answering \(failed for 2000 ms\)/);
  assert.equal(plcStatus(actor.getSnapshot()).commAlarm, true);
  pool().mode = "ok";
  await clock.advance(1000);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connected");
  assert.equal(alarms().length, 2);
  assert.equal(alarms()[1].active, false);
  assert.equal(plcStatus(actor.getSnapshot()).commAlarm, false);
  actor.stop();
});

Deno.test("a PLC failed for less than commAlarmDelayMs raises no comm alarm", async () => {
  const { actor, link, clock, pool, reports } = start({ attempts: 1, commAlarmDelayMs: 2000 });
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  await link.readBlocks([block]);
  await clock.advance(600);
  pool().mode = "ok";
  await clock.advance(1000);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connected");
  await clock.advance(5000);
  assert.deepEqual(reports.filter((r) => r.type === "plc.commAlarm"), []);
  actor.stop();
});

Deno.test("reconnect attempts of a failed PLC are reported once per backoff step, then once a minute, with a count", async () => {
  const { actor, link, clock, pool, reports } = start({ attempts: 1, commAlarmDelayMs: 0 });
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  await link.readBlocks([block]);
  await clock.advance(130_000);
  const retrying = reports.flatMap((r) => r.type === "plc.retrying" ? [r] : []);
  const s = plcStatus(actor.getSnapshot());
  assert.ok(s.attempt > 120, `${s.attempt} reconnect attempts in 130 s`);
  // Steps 200, 400, 800, 1,000 ms (the cap), then once a minute: 6 lines, not ~2 a second.
  assert.deepEqual(retrying.map((r) => r.delayMs), [200, 400, 800, 1000, 1000, 1000]);
  assert.deepEqual(retrying.slice(0, 4).map((r) => r.attempts), [1, 2, 3, 4]);
  assert.ok(retrying[4].newAttempts >= 55, `${retrying[4].newAttempts} attempts in a minute`);
  assert.equal(
    retrying.reduce((n, r) => n + r.newAttempts, 0),
    retrying.at(-1)!.attempts,
    "the counts add up",
  );
  assert.equal(reports.filter((r) => r.type === "plc.state").length, 3, "no state churn");
  actor.stop();
});

Deno.test("end codes make the PLC degraded, and it is connected again after a quiet period", async () => {
  const { actor, link, clock, pool } = start();
  actor.start();
  await clock.advance(0);
  pool().endCodeFor = { device: "D", endCode: 0xc056 };
  const r = await link.readBlocks([block]);
  assert.equal(r.error?.code, "endCode");
  await settle();
  assert.equal(plcStatus(actor.getSnapshot()).state, "degraded");
  assert.equal(link.gate, "open", "a degraded PLC still answers, so reads go on");
  pool().endCodeFor = undefined;
  await clock.advance(4_999);
  assert.equal(plcStatus(actor.getSnapshot()).state, "degraded");
  await clock.advance(1);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connected");
  actor.stop();
});

Deno.test("DISCONNECT closes the pool and CONNECT opens a new one", async () => {
  const { actor, link, clock, pools } = start();
  actor.start();
  await clock.advance(0);
  actor.send({ type: "DISCONNECT" });
  assert.equal(plcStatus(actor.getSnapshot()).state, "disconnected");
  assert.equal(pools[0].closed, true);
  assert.equal((await link.readBlocks([block])).error?.code, "closed");
  actor.send({ type: "CONNECT" });
  await clock.advance(0);
  assert.equal(plcStatus(actor.getSnapshot()).state, "connected");
  assert.equal(pools.length, 2);
  actor.stop();
  await link.settled();
});

Deno.test("a stalled PLC costs one timeout per read, not per block; the failing one cuts the other reads", async () => {
  const { actor, link, clock, pool } = start({ attempts: 2 });
  actor.start();
  await clock.advance(0);
  pool().mode = "stall";
  const blocks = Array.from({ length: 40 }, () => block);
  const read = link.readBlocks(blocks, { timeoutMs: 100 });
  const other = link.readBlocks([block], { timeoutMs: 100 });
  const slow = link.readBlocks([block], { timeoutMs: 1000 }); // another group's, longer timeout
  await clock.advance(100);
  const r = await read;
  assert.equal(r.failed, 40);
  assert.ok(r.errors.every((e) => e instanceof PlcError && e.code === "timeout"));
  assert.equal(r.finishedAt - r.startedAt, 100, "one timeout for the whole read");
  await other;
  await settle();
  assert.equal(plcStatus(actor.getSnapshot()).state, "failed", "two timeouts: attempts reached");
  const s = await slow;
  assert.equal(s.finishedAt - s.startedAt, 100, "the other read in flight was cut short too");
  assert.equal(s.error?.code, "closed");
  actor.stop();
});

Deno.test("against the fixture PLC: killed, it fails after its attempts; restarted, it is talking again within 2 s", async () => {
  await using plc = startFixturePlc({ port: 0 });
  const config = plcConfig({ port: plc.port, timeoutMs: 300 });
  const link = new PlcLink(config, systemClock);
  const reports: RuntimeEvent[] = [];
  const actor = createActor(plcMachine, {
    input: {
      plc: config,
      link,
      createPool: createTcpPool,
      clock: systemClock,
      report: (e) => reports.push(e),
    },
  }).start();
  try {
    const until = async (state: string, ms: number) => {
      const t0 = Date.now();
      while (plcStatus(actor.getSnapshot()).state !== state) {
        if (Date.now() - t0 > ms) {
          assert.fail(
            `not ${state} within ${ms} ms: ${JSON.stringify(plcStatus(actor.getSnapshot()))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return Date.now() - t0;
    };
    await until("connected", 1000);
    assert.equal((await link.readBlocks([block])).failed, 0);
    await plc.kill();
    for (let k = 0; k < config.attempts; k++) await link.readBlocks([block]);
    await until("failed", 1000);
    await new Promise((r) => setTimeout(r, 1500)); // let the backoff grow to its cap
    plc.restart();
    const took = await until("connected", 2000);
    assert.ok(took < 2000, `talking again after ${took} ms`);
    assert.equal((await link.readBlocks([block])).failed, 0);
  } finally {
    actor.stop();
    await link.settled();
  }
});

Deno.test("a failed request below attempts does not cut the other reads in flight (a cycle read the PLC already answered is not lost)", async () => {
  const { actor, link, clock, pool } = start({ attempts: 3 });
  actor.start();
  await clock.advance(0);
  pool().delayMs = 50;
  const inFlight = link.readBlocks([block]); // e.g. a handshake group's cycle read
  await settle();
  pool().mode = "down";
  const other = await link.readBlocks([block]); // another group's request loses its connection
  assert.equal(other.error?.code, "refused");
  pool().mode = "ok";
  await clock.advance(50);
  const r = await inFlight;
  assert.equal(r.failed, 0, "the read in flight was answered and kept");
  assert.equal(link.gate, "open");
  actor.stop();
});
