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

function start(options: { mode?: FakePool["mode"] } = {}) {
  const clock = new ManualClock();
  const plc = plcConfig();
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

Deno.test("an unreachable PLC backs off 100, 200, 400 … ms and reads fail at once meanwhile", async () => {
  const { actor, link, clock, pool, reports } = start();
  actor.start();
  await clock.advance(0);
  pool().mode = "down";
  const failed = await link.readBlocks([block, block]);
  assert.equal(failed.failed, 2);
  assert.equal(failed.error?.code, "refused");
  await settle();
  assert.equal(plcStatus(actor.getSnapshot()).state, "backoff");
  assert.equal(link.gate, "closed");
  const before = pool().requests;
  const fast = await link.readBlocks([block]);
  assert.equal(fast.error?.code, "closed");
  assert.match(fast.error!.message, /reconnecting in 100 ms/);
  assert.equal(pool().requests, before, "nothing was sent while backing off");
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
  assert.equal(s.fastFailures, 1);
  assert.ok(s.failedReads >= 1);
  assert.deepEqual(states(reports).slice(0, 4), [
    "connecting",
    "connected",
    "backoff",
    "connecting",
  ]);
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

Deno.test("a stalled PLC costs one timeout per read, not per block, then reads fail at once", async () => {
  const { actor, link, clock, pool } = start();
  actor.start();
  await clock.advance(0);
  pool().mode = "stall";
  const blocks = Array.from({ length: 40 }, () => block);
  const read = link.readBlocks(blocks, { timeoutMs: 100 });
  const slow = link.readBlocks([block], { timeoutMs: 1000 }); // another group's, longer timeout
  await clock.advance(100);
  const r = await read;
  assert.equal(r.failed, 40);
  assert.ok(r.errors.every((e) => e instanceof PlcError && e.code === "timeout"));
  assert.equal(r.finishedAt - r.startedAt, 100, "one timeout for the whole read");
  await settle();
  assert.equal(plcStatus(actor.getSnapshot()).state, "backoff");
  const s = await slow;
  assert.equal(s.finishedAt - s.startedAt, 100, "the other read in flight was cut short too");
  assert.equal(s.error?.code, "closed");
  actor.stop();
});

Deno.test("against the fixture PLC: killed, it is backed off; restarted, it is talking again within 2 s", async () => {
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
    await link.readBlocks([block]);
    await until("backoff", 1000);
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
