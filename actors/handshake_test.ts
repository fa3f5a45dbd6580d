import assert from "node:assert/strict";
import { createActor } from "xstate";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import type { GroupConfig, TagConfig } from "../model/config.ts";
import { type Clock, ManualClock, systemClock } from "./clock.ts";
import type { RuntimeEvent } from "./events.ts";
import { sameWords } from "./handshake.ts";
import { plcMachine } from "./plc.ts";
import { createTcpPool, PlcLink, type PoolPort } from "./plc_link.ts";
import { pollerMachine } from "./poller.ts";
import { pollerStatus } from "./poller_status.ts";
import { FakePool, groupConfig, MemorySink, plcConfig, tagConfig } from "./testing.ts";

const HANDSHAKE: Partial<GroupConfig> = {
  mode: "HANDSHAKE",
  trigger: "plc-bit",
  intervalMs: 10,
  requestBit: "M3000",
  ackBit: "M3001",
  stepTimeoutMs: 300,
};
const CYCLE_TAGS: TagConfig[] = [
  tagConfig({ id: 1, address: "D600", dataType: "INT32" }),
  tagConfig({ id: 2, address: "D602", dataType: "STRING", length: 3 }),
];

function run(
  port: { plc: ReturnType<typeof plcConfig>; clock: Clock; createPool: () => PoolPort },
) {
  const { plc, clock, createPool } = port;
  const link = new PlcLink(plc, clock);
  const sink = new MemorySink();
  const reports: RuntimeEvent[] = [];
  const report = (e: RuntimeEvent) => reports.push(e);
  const plcActor = createActor(plcMachine, {
    clock,
    input: { plc, link, createPool, clock, report, random: () => 0 },
  })
    .start();
  const poller = createActor(pollerMachine, {
    clock,
    input: { group: groupConfig(HANDSHAKE), tags: CYCLE_TAGS, plc, link, sink, clock, report },
  }).start();
  return {
    link,
    sink,
    reports,
    poller,
    status: () => pollerStatus(poller.getSnapshot()),
    stop: async () => {
      poller.stop();
      plcActor.stop();
      await link.settled();
    },
  };
}

Deno.test("plc-bit handshake against the fixture: every cycle handed on exactly once, ack set and cleared", async () => {
  await using fixture = startFixturePlc({
    port: 0,
    handshakes: [{
      request: "M3000",
      ack: "M3001",
      everyMs: 25,
      timeoutMs: 2000,
      data: [
        {
          address: "D600",
          type: "INT32",
          generator: { kind: "counter", step: 1, periodMs: 25, min: 0, max: 1e6 },
        },
        {
          address: "D602",
          type: "STRING",
          length: 3,
          generator: { kind: "constant", value: "P-1" },
        },
      ],
    }],
  });
  const plc = plcConfig({ port: fixture.port, timeoutMs: 500 });
  const h = run({ plc, clock: systemClock, createPool: () => createTcpPool(plc) });
  const sim = fixture.handshakes[0];
  try {
    // 12 cycles take 0.3 s on a quiet machine; the bound is for a busy one.
    const t0 = Date.now();
    while (
      (sim.counts.completed < 12 || (h.status().handshake?.cycles ?? 0) < 12) &&
      Date.now() - t0 < 15_000
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    while (sim.state !== "waiting") await new Promise((r) => setTimeout(r, 1)); // between two cycles
    const hs = h.status().handshake!;
    h.poller.send({ type: "STOP" });
    await new Promise((r) => setTimeout(r, 50));
    const counts = sim.counts;
    const cycles = h.sink.of(1).map((s) => s.value);
    assert.ok(counts.completed >= 12, `only ${counts.completed} cycles completed`);
    assert.deepEqual(
      cycles,
      Array.from({ length: cycles.length }, (_, i) => i),
      "each cycle's data once, in order",
    );
    assert.equal(cycles.length, counts.acked, "one stored cycle per acked request");
    assert.deepEqual(h.sink.of(2).map((s) => s.value), cycles.map(() => "P-1"));
    assert.equal(counts.timedOut, 0);
    assert.equal(counts.ackStuck, 0);
    assert.equal(hs.faults, 0);
    assert.ok(hs.cycles >= 12, `the poller counted ${hs.cycles} cycles`);
    assert.equal(counts.completed, counts.acked);
    assert.equal(fixture.getValue("M3001", "BOOL"), false, "the ack is down between cycles");
  } finally {
    await h.stop();
  }
});

Deno.test("a request the PLC never drops is a group fault (release step); dropping it recovers", async () => {
  await using fixture = startFixturePlc({ port: 0 });
  const plc = plcConfig({ port: fixture.port, timeoutMs: 500 });
  const h = run({ plc, clock: systemClock, createPool: () => createTcpPool(plc) });
  try {
    fixture.setValue("D600", "INT32", 42);
    fixture.setValue("M3000", "BOOL", true);
    const wait = async (f: () => boolean, ms: number, what: string) => {
      const t0 = Date.now();
      while (!f()) {
        if (Date.now() - t0 > ms) assert.fail(`${what} not within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await wait(() => fixture.getValue("M3001", "BOOL") === true, 500, "ack");
    await wait(() => h.reports.some((r) => r.type === "group.fault"), 1000, "fault");
    const fault = h.reports.find((r) => r.type === "group.fault")!;
    assert.equal(fault.type === "group.fault" && fault.step, "release");
    const s = h.status();
    assert.equal(s.handshake!.faulted, true);
    assert.equal(s.handshake!.faults >= 1, true);
    assert.match(s.lastError ?? "", /release/);
    fixture.setValue("M3000", "BOOL", false);
    await wait(() => h.reports.some((r) => r.type === "group.recovered"), 1000, "recovery");
    assert.equal(fixture.getValue("M3001", "BOOL"), false, "ack cleared");
    assert.deepEqual(h.sink.of(1).map((x) => x.value), [42], "stored once despite the fault");
  } finally {
    await h.stop();
  }
});

Deno.test("an ack lost to a dropped connection: the still-high request is acked without storing the cycle twice", async () => {
  const clock = new ManualClock();
  const plc = plcConfig();
  const pool = new FakePool(clock, () => 0);
  const h = run({ plc, clock, createPool: () => pool });
  try {
    await clock.advance(50);
    pool.written.set("D600", 7);
    pool.setBit("M", 3000, true);
    pool.failWrites = true;
    await clock.advance(30);
    assert.deepEqual(h.sink.of(1).map((s) => s.value), [7], "read and handed on once");
    assert.equal(pool.getBit("M", 3001), false, "the ack did not get through");
    pool.failWrites = false; // the connection is back; the PLC still waits for the ack
    await clock.advance(1000);
    assert.equal(pool.getBit("M", 3001), true, "acked after the reconnect");
    assert.deepEqual(h.sink.of(1).map((s) => s.value), [7], "not stored again");
    pool.setBit("M", 3000, false);
    await clock.advance(50);
    assert.equal(pool.getBit("M", 3001), false);
    const hs = h.status().handshake!;
    assert.equal(hs.cycles, 1);
    // a new cycle whose data differs is a new cycle, even after a failed ack
    pool.written.set("D600", 8);
    pool.setBit("M", 3000, true);
    await clock.advance(50);
    assert.deepEqual(h.sink.of(1).map((s) => s.value), [7, 8]);
  } finally {
    await h.stop();
  }
});

Deno.test("sameWords compares every block's words", () => {
  const r = (w: number[][]) => ({
    words: w.map((x) => Uint16Array.from(x)),
    errors: [],
    error: undefined,
    failed: 0,
    startedAt: 0,
    finishedAt: 0,
    plcFailed: false,
  });
  assert.ok(sameWords(r([[1, 2], [3]]), r([[1, 2], [3]])));
  assert.ok(!sameWords(r([[1, 2], [3]]), r([[1, 2], [4]])));
  assert.ok(!sameWords(r([[1]]), r([[1], [2]])));
});
