import assert from "node:assert/strict";
import { createActor } from "xstate";
import type { GroupConfig, PlcConfig, TagConfig } from "../model/config.ts";
import { ManualClock, settle } from "./clock.ts";
import { LiveCache } from "./live_cache.ts";
import { plcMachine, plcStatus } from "./plc.ts";
import { PlcLink } from "./plc_link.ts";
import { pollerMachine, type TriggerResult } from "./poller.ts";
import { pollerStatus } from "./poller_status.ts";
import { FakePool, groupConfig, MemorySink, plcConfig, tagConfig } from "./testing.ts";

/** Three tags in three blocks (D100, D2000, M0), read from a fake PLC whose D words hold their address. */
const TAGS: TagConfig[] = [
  tagConfig({ id: 1, address: "D100" }),
  tagConfig({ id: 2, address: "D2000" }),
  tagConfig({ id: 3, address: "M3", dataType: "BOOL" }),
];

interface Options {
  group?: Partial<GroupConfig>;
  plc?: Partial<PlcConfig>;
  tags?: TagConfig[];
  withPlcActor?: boolean;
  autostart?: boolean;
}

async function startPoller(options: Options = {}) {
  const clock = new ManualClock(1_000_050);
  const plc = plcConfig(options.plc);
  const link = new PlcLink(plc, clock);
  const pool = new FakePool(clock, (d, a) => (d === "M" ? 0xffff : a & 0xffff));
  const plcActor = options.withPlcActor
    ? createActor(plcMachine, {
      clock,
      input: { plc, link, createPool: () => pool, clock, random: () => 0 },
    }).start()
    : undefined;
  if (!plcActor) {
    link.attach(pool);
    link.setGate("open");
  }
  const sink = new MemorySink();
  const live = new LiveCache();
  const group = groupConfig(options.group);
  const actor = createActor(pollerMachine, {
    clock,
    input: {
      group,
      tags: options.tags ?? TAGS,
      plc,
      link,
      sink,
      live,
      clock,
      autostart: options.autostart,
    },
  });
  actor.subscribe({ error: () => {} }); // a crash is asserted on, not thrown at the test runner
  actor.start();
  await settle();
  const stop = async () => {
    actor.stop();
    plcActor?.stop();
    await link.settled();
  };
  return {
    clock,
    link,
    pool,
    plcActor,
    sink,
    live,
    actor,
    stop,
    status: () => pollerStatus(actor.getSnapshot()),
  };
}

Deno.test("a FIXED poller reads on the absolute, epoch-aligned schedule and stamps the tick time", async () => {
  const p = await startPoller();
  try {
    await p.clock.advanceTo(1_000_500);
    const ts = [...new Set(p.sink.samples.map((s) => s.ts))];
    assert.deepEqual(ts, [1_000_100, 1_000_200, 1_000_300, 1_000_400, 1_000_500]);
    assert.deepEqual(p.sink.batches[0], [
      { tagId: 1, ts: 1_000_100, value: 100, quality: "good" },
      { tagId: 2, ts: 1_000_100, value: 2000, quality: "good" },
      { tagId: 3, ts: 1_000_100, value: true, quality: "good" },
    ]);
    const s = p.status();
    assert.equal(s.cycles, 5);
    assert.equal(s.overruns, 0);
    assert.equal(s.blocks, 3);
    assert.equal(s.lastTickErrorMs, 0);
    assert.equal(s.lastSampleTs, 1_000_500);
    assert.equal(p.live.get(2)?.ts, 1_000_500);
  } finally {
    await p.stop();
  }
});

Deno.test("a poller skips missed ticks instead of bursting, and counts them as overruns", async () => {
  const p = await startPoller();
  try {
    p.pool.serial = true;
    p.pool.delayMs = 90; // three blocks one after another: 270 ms per read at a 100 ms interval
    const reads: number[] = [];
    const original = p.link.readBlocks.bind(p.link);
    p.link.readBlocks = (blocks, o) => {
      reads.push(p.clock.now());
      return original(blocks, o);
    };
    await p.clock.advanceTo(1_001_100);
    assert.deepEqual(
      reads,
      [1_000_100, 1_000_400, 1_000_700, 1_001_000],
      "one read per 300 ms, never two in a row",
    );
    const s = p.status();
    assert.equal(s.cycles, 3);
    assert.equal(s.overruns, 6, "ticks 200, 300, 500, 600, 800, 900 were skipped");
    assert.equal(s.lastCycleMs, 270);
    assert.deepEqual([...new Set(p.sink.samples.map((x) => x.ts))], [
      1_000_100,
      1_000_400,
      1_000_700,
    ]);
  } finally {
    await p.stop();
  }
});

Deno.test("drift stays bounded: after 1,000 ticks the poller is still on t0 + k × interval", async () => {
  const p = await startPoller({ group: { intervalMs: 250 } });
  try {
    p.pool.delayMs = 3;
    await p.clock.advanceTo(1_000_250 + 999 * 250 + 10);
    const s = p.status();
    assert.equal(s.cycles, 1000);
    assert.equal(s.overruns, 0);
    assert.equal(s.maxTickErrorMs, 0);
    assert.equal(s.tickErrors.count, 1000);
    assert.equal(s.tickErrors.counts[0], 1000, "every tick on time");
    assert.equal(s.lastSampleTs, 1_000_250 + 999 * 250);
  } finally {
    await p.stop();
  }
});

Deno.test("failure rule: a stalled PLC's reads time out after the PLC's timeout (ticks meanwhile are overruns); tags keep their values until the attempts-th failure, then turn bad-comm", async () => {
  const p = await startPoller({ withPlcActor: true, plc: { timeoutMs: 1000, attempts: 3 } });
  try {
    await p.clock.advanceTo(1_000_200);
    p.pool.mode = "stall";
    const bad = () => p.sink.samples.filter((s) => s.quality === "bad-comm");
    const goodBefore = p.sink.samples.length;
    await p.clock.advanceTo(1_001_299);
    assert.equal(p.status().state, "reading", "tick 300's read waits for the PLC's 1,000 ms");
    await p.clock.advanceTo(1_001_300);
    let s = p.status();
    assert.equal(s.retries, 1, "the timed-out read is a retry");
    assert.ok(s.overruns >= 9, `${s.overruns} ticks skipped behind the read`);
    assert.equal(s.failedReadOverruns, s.overruns, "all behind a read that failed");
    assert.equal(p.sink.samples.length, goodBefore, "nothing stored for the failed tick");
    assert.equal(p.live.get(1)?.quality, "good", "the live value stays");
    assert.equal(p.live.get(1)?.ts, 1_000_200);
    assert.equal(plcStatus(p.plcActor!.getSnapshot()).state, "degraded");
    await p.clock.advanceTo(1_002_350);
    assert.equal(bad().length, 0, "two failed requests: still not failed");
    assert.equal(plcStatus(p.plcActor!.getSnapshot()).retries, 2);
    await p.clock.advanceTo(1_003_450);
    const plc = plcStatus(p.plcActor!.getSnapshot());
    assert.equal(plc.state, "failed", "the third consecutive timeout fails the PLC");
    assert.ok(bad().length >= 3 && bad().length % 3 === 0, "the failing read's tags are bad-comm");
    assert.ok(bad()[0].ts >= 1_002_300, `first bad-comm tick ${bad()[0].ts}: after three timeouts`);
    assert.equal(p.live.get(1)?.quality, "bad-comm");
    const requests = p.pool.requests;
    const n = bad().length;
    await p.clock.advance(300);
    assert.equal(bad().length, n + 9, "three more ticks failed at once, on time");
    assert.ok(p.pool.requests - requests <= 2, "only the plc actor's probes went out");
    p.pool.mode = "ok";
    await p.clock.advance(2_000);
    assert.equal(plcStatus(p.plcActor!.getSnapshot()).state, "connected");
    assert.equal(p.live.get(1)?.quality, "good");
    s = p.status();
    assert.ok(s.errors >= 3);
    assert.match(s.lastError ?? "", /not connected|no answer|failed after/);
  } finally {
    await p.stop();
  }
});

Deno.test("a slow reply (one timeout among answers) is a retry: no bad-comm, the tick is an overrun", async () => {
  const p = await startPoller({ withPlcActor: true, plc: { timeoutMs: 1000, attempts: 2 } });
  try {
    await p.clock.advanceTo(1_000_200);
    p.pool.mode = "stall";
    await p.clock.advanceTo(1_000_310);
    p.pool.mode = "ok";
    await p.clock.advanceTo(1_003_000);
    const s = p.status();
    assert.equal(p.sink.samples.filter((x) => x.quality !== "good").length, 0);
    assert.equal(s.retries, 1);
    assert.ok(s.overruns >= 9 && s.failedReadOverruns === s.overruns);
    const plc = plcStatus(p.plcActor!.getSnapshot());
    assert.equal(plc.failures, 0);
    assert.equal(plc.retries, 1);
    assert.notEqual(plc.state, "failed");
  } finally {
    await p.stop();
  }
});

Deno.test("a deadband keeps unchanged values out of the sink but the live cache sees every sample", async () => {
  let level = 0;
  const p = await startPoller({
    tags: [tagConfig({ id: 7, address: "D10", deadband: 5 })],
  });
  try {
    p.pool.delayMs = 0;
    // the fake PLC's D10 word follows `level`
    (p.pool as unknown as { value: (d: string, a: number) => number }).value = () => level;
    for (const v of [0, 1, 2, 9, 9, 9]) {
      level = v;
      await p.clock.advance(100);
    }
    assert.deepEqual(p.sink.of(7).map((s) => s.value), [0, 9]);
    assert.equal(p.live.get(7)?.value, 9);
    assert.equal(p.status().cycles, 6);
  } finally {
    await p.stop();
  }
});

Deno.test("STOP stops the ticks and START resumes them on the grid", async () => {
  const p = await startPoller();
  try {
    await p.clock.advanceTo(1_000_200);
    p.actor.send({ type: "STOP" });
    await p.clock.advanceTo(1_000_650);
    assert.equal(p.status().state, "stopped");
    assert.equal(p.status().cycles, 2);
    p.actor.send({ type: "START" });
    await p.clock.advanceTo(1_000_800);
    assert.deepEqual([...new Set(p.sink.samples.map((s) => s.ts))], [
      1_000_100,
      1_000_200,
      1_000_700,
      1_000_800,
    ]);
  } finally {
    await p.stop();
  }
});

Deno.test("a rest group reads once per trigger and replies with the values; triggers share a read", async () => {
  const p = await startPoller({ group: { mode: "HANDSHAKE", trigger: "rest", intervalMs: null } });
  try {
    p.pool.delayMs = 5;
    await p.clock.advance(1000);
    assert.equal(p.sink.samples.length, 0, "nothing without a trigger");
    assert.equal(p.status().state, "idle");
    const replies: TriggerResult[] = [];
    p.actor.send({ type: "TRIGGER", reply: (r) => replies.push(r) });
    p.actor.send({ type: "TRIGGER", reply: (r) => replies.push(r) });
    await p.clock.advance(5);
    assert.equal(replies.length, 2);
    assert.ok(replies[0].ok && replies[1].ok);
    assert.deepEqual(replies[0].samples.map((s) => s.value), [100, 2000, true]);
    assert.equal(replies[0].samples[0].ts, 1_001_050, "stamped when the read started");
    assert.equal(p.sink.samples.length, 3, "one read, stored once");
    assert.equal(p.status().cycles, 1);
  } finally {
    await p.stop();
  }
});

Deno.test("a trigger to a FIXED or stopped group is answered with the reason", async () => {
  const p = await startPoller({ autostart: false });
  try {
    const replies: TriggerResult[] = [];
    p.actor.send({ type: "TRIGGER", reply: (r) => replies.push(r) });
    p.actor.send({ type: "START" });
    p.actor.send({ type: "TRIGGER", reply: (r) => replies.push(r) });
    assert.deepEqual(replies, [
      { ok: false, error: "group GROUP1 is stopped" },
      { ok: false, error: "group GROUP1 is not a REST-triggered group" },
    ]);
  } finally {
    await p.stop();
  }
});

Deno.test("a plc-bit group without its bits is misconfigured, not crashed", async () => {
  const p = await startPoller({ group: { mode: "HANDSHAKE", trigger: "plc-bit", intervalMs: 50 } });
  try {
    const s = p.status();
    assert.equal(s.state, "misconfigured");
    assert.match(s.lastError ?? "", /request bit/);
  } finally {
    await p.stop();
  }
});

Deno.test("a read that throws (a bug) crashes the poller, to be restarted by its supervisor", async () => {
  const p = await startPoller();
  try {
    p.pool.mode = "bug";
    await p.clock.advance(100);
    assert.equal(p.actor.getSnapshot().status, "error");
    assert.match(String(p.actor.getSnapshot().error), /bug in the pool/);
  } finally {
    await p.stop();
  }
});
