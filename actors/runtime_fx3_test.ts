/**
 * The runtime against an in-process FX3 fixture PLC (1E frames only): polls
 * X/Y in octal, M, D, a bit of a word and 32-bit values over TCP and UDP in
 * both codes, writes through the operator write path with read-back, and
 * applies the failure rule to a stalled FX3 as to a Q.
 */
import assert from "node:assert/strict";
import { type FixturePlc, startFixturePlc } from "../fixtures/plc_server.ts";
import type { PlantConfig, PlcConfig, TagConfig } from "../model/config.ts";
import { encodeValue } from "../protocol/values.ts";
import { systemClock } from "./clock.ts";
import { LiveCache } from "./live_cache.ts";
import { writeItem } from "./plc_write.ts";
import { Runtime } from "./runtime.ts";
import { groupConfig, MemorySink, plcConfig, tagConfig, untilValue } from "./testing.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The FX3 tags polled, with what the fixture serves for each (set in `load`). */
const TAGS: readonly (Partial<TagConfig> & { id: number; expect: unknown })[] = [
  { id: 1, address: "X17", dataType: "BOOL", expect: true }, // octal: point 15
  { id: 2, address: "X20", dataType: "BOOL", expect: false }, // point 16, beside it
  { id: 3, address: "Y10", dataType: "BOOL", expect: true }, // point 8
  { id: 4, address: "M100", dataType: "BOOL", expect: true },
  { id: 5, address: "M8000", dataType: "BOOL", expect: true },
  { id: 6, address: "D100", dataType: "INT16", expect: -1234 },
  { id: 7, address: "D200", dataType: "INT32", expect: 123_456_789 },
  { id: 8, address: "D202", dataType: "FLOAT32", expect: 2.5 },
  { id: 9, address: "D300.3", dataType: "BOOL", expect: true },
  { id: 10, address: "D0", dataType: "UINT16", scale: 0.5, expect: 21 },
  { id: 11, address: "R1000", dataType: "UINT32", expect: 4_000_000_000 },
  { id: 12, address: "TN5", dataType: "UINT16", expect: 77 },
  // With D100 and D200–D203, D150 makes a run of 104 words that a Q reads in one block and 1E
  // in two (64 words a read); M700 with M100 spans 38 words of M, over 1E's 32 for a bit device.
  { id: 13, address: "D150", dataType: "INT16", expect: 150 },
  { id: 14, address: "M700", dataType: "BOOL", expect: true },
];

/** Puts the served values into the fixture's memory (raw, in FX3 point numbers). */
function load(fx: FixturePlc): void {
  const m = fx.memory;
  m.setBits("X", 15, [true]);
  m.setBits("X", 16, [false]);
  m.setBits("Y", 8, [true]);
  m.setBits("M", 100, [true]);
  m.setBits("M", 8000, [true]);
  m.setWords("D", 100, encodeValue(-1234, "INT16", 0));
  m.setWords("D", 200, encodeValue(123_456_789, "INT32", 0));
  m.setWords("D", 202, encodeValue(2.5, "FLOAT32", 0));
  m.setWords("D", 300, [0b1000]);
  m.setWords("D", 0, [42]);
  m.setWords("R", 1000, encodeValue(4_000_000_000, "UINT32", 0));
  m.setWords("TN", 5, [77]);
  m.setWords("D", 150, [150]);
  m.setBits("M", 700, [true]);
}

function plant(plc: PlcConfig): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [plc],
    groups: [groupConfig({ id: 10, code: "FX_FAST", intervalMs: 100 })],
    tags: TAGS.map(({ expect: _, ...t }) =>
      tagConfig({ groupId: 10, code: `FX${t.id}`, writable: true, ...t })
    ),
    alarmRules: [],
  };
}

for (
  const [transport, frame] of [["tcp", "binary"], ["tcp", "ascii"], ["udp", "binary"]] as const
) {
  Deno.test(`the runtime polls an FX3 over 1E (${transport}, ${frame}): octal X/Y, M, D, bits of words and 32-bit values as the fixture serves them`, async () => {
    await using fx = startFixturePlc({ series: "FX3", udp: transport === "udp" });
    await fx.settled();
    load(fx);
    const live = new LiveCache();
    const config = plant(plcConfig({ port: fx.port, series: "FX3", transport, frame }));
    const runtime = await Runtime.start({
      loadPlant: () => config,
      sink: new MemorySink(),
      live,
      clock: systemClock,
    });
    try {
      await untilValue(
        () => TAGS.every((t) => live.get(t.id)?.quality === "good") || undefined,
        5000,
        "every FX3 tag good",
      );
      for (const t of TAGS) {
        assert.deepEqual(live.get(t.id)!.value, t.expect, `${t.address}`);
      }
      const status = runtime.status().plcs[0].status!;
      assert.equal(status.state, "connected");
      assert.equal(status.model, "FX3U/FX3UC", "the probe is the 1E model name read (15H)");
      assert.equal(fx.stats.garbled, 0, "only 1E frames went to the FX3");
      assert.equal(fx.stats.errorResponses, 0, "no request past the 1E limits (5B 11)");
    } finally {
      await runtime.shutdown();
    }
  });
}

Deno.test("operator writes to an FX3 go out as 1E batch writes (words, bits, a bit of a word) and are read back", async () => {
  await using fx = startFixturePlc({ series: "FX3" });
  load(fx);
  const config = plant(plcConfig({ port: fx.port, series: "FX3" }));
  const runtime = await Runtime.start({
    loadPlant: () => config,
    sink: new MemorySink(),
    clock: systemClock,
  });
  try {
    const tag = (id: number) => config.tags.find((t) => t.id === id)!;
    const items = [
      writeItem(tag(3), false), // Y10
      writeItem(tag(1), false), // X17
      writeItem(tag(6), 4321), // D100
      writeItem(tag(7), -7), // D200 INT32
      writeItem({ ...tag(9), bitWrite: true }, false), // D300.3
      writeItem(tag(10), 50), // D0, scale 0.5: raw 100
      writeItem(tag(11), 3_000_000_000), // R1000 UINT32
    ];
    let result = await runtime.write({ plcId: 1, items });
    for (let i = 0; result.outcome === "unavailable" && i < 100; i++) {
      await sleep(20); // the first connect is under way
      result = await runtime.write({ plcId: 1, items });
    }
    assert.equal(result.outcome, "written", result.error);
    assert.deepEqual(
      result.items.map((r) => r.readBack),
      [false, false, 4321, -7, false, 50, 3_000_000_000],
    );
    assert.deepEqual(fx.memory.getBits("Y", 8, 1), [false]);
    assert.deepEqual(fx.memory.getBits("X", 15, 1), [false]);
    assert.deepEqual([...fx.memory.getWords("D", 100, 1)], encodeValue(4321, "INT16", 0));
    assert.deepEqual([...fx.memory.getWords("D", 200, 2)], encodeValue(-7, "INT32", 0));
    assert.deepEqual([...fx.memory.getWords("D", 300, 1)], [0]);
    assert.deepEqual([...fx.memory.getWords("D", 0, 1)], [100]);
    assert.deepEqual(
      [...fx.memory.getWords("R", 1000, 2)],
      encodeValue(3_000_000_000, "UINT32", 0),
    );
    assert.equal(fx.stats.garbled, 0);
    const bad = await runtime.write({
      plcId: 1,
      items: [writeItem({ ...tag(6), address: "D8511", dataType: "INT32" }, 1)],
    });
    assert.equal(bad.outcome, "refused");
    assert.equal(bad.error, "tag FX6 (D8511) runs past the end of D", "FX3 sizes, not Q's");
  } finally {
    await runtime.shutdown();
  }
});

Deno.test("a stalled FX3 times out, fails after its attempts with bad-comm tags, and talks again when it answers", async () => {
  await using fx = startFixturePlc({ series: "FX3" });
  load(fx);
  const live = new LiveCache();
  const config = plant(
    plcConfig({ port: fx.port, series: "FX3", timeoutMs: 150, attempts: 2, commAlarmDelayMs: 0 }),
  );
  const runtime = await Runtime.start({
    loadPlant: () => config,
    sink: new MemorySink(),
    live,
    clock: systemClock,
  });
  const state = () => runtime.status().plcs[0].status!.state;
  try {
    await untilValue(() => live.get(6)?.quality === "good" || undefined, 5000, "first good sample");
    const connects = fx.stats.connectionsTotal;
    await fx.setFault({ kind: "stall" });
    await untilValue(() => state() === "failed" || undefined, 5000, "PLC failed");
    await untilValue(() => live.get(6)?.quality === "bad-comm" || undefined, 2000, "bad-comm tag");
    await fx.setFault(undefined);
    await untilValue(() => state() === "connected" || undefined, 5000, "PLC connected again");
    await untilValue(() => live.get(6)?.quality === "good" || undefined, 2000, "good again");
    assert.equal(live.get(6)!.value, -1234);
    assert.ok(
      fx.stats.connectionsTotal > connects,
      "each 1E timeout dropped its socket; new ones were opened",
    );
  } finally {
    await runtime.shutdown();
  }
});

Deno.test("a plc-bit handshake group on an FX3: each cycle's data stored once, in order, the ack set and cleared over 1E", async () => {
  await using fx = startFixturePlc({
    series: "FX3",
    handshakes: [{
      request: "M3000",
      ack: "M3001",
      everyMs: 25,
      timeoutMs: 2000,
      data: [{
        address: "D600",
        type: "INT32",
        generator: { kind: "counter", step: 1, periodMs: 25, min: 0, max: 1e6 },
      }],
    }],
  });
  const sink = new MemorySink();
  const config: PlantConfig = {
    lines: [],
    processes: [],
    plcs: [plcConfig({ port: fx.port, series: "FX3", timeoutMs: 500 })],
    groups: [groupConfig({
      id: 20,
      code: "FX_CYCLE",
      mode: "HANDSHAKE",
      trigger: "plc-bit",
      intervalMs: 10,
      requestBit: "M3000",
      ackBit: "M3001",
      stepTimeoutMs: 1000,
    })],
    tags: [
      tagConfig({ id: 1, groupId: 20, code: "FX_CYCLE_NO", address: "D600", dataType: "INT32" }),
    ],
    alarmRules: [],
  };
  const runtime = await Runtime.start({ loadPlant: () => config, sink, clock: systemClock });
  const sim = fx.handshakes[0];
  try {
    await untilValue(() => sim.counts.completed >= 8 || undefined, 5000, "8 handshake cycles");
    await runtime.shutdown();
    const cycles = sink.of(1).map((s) => s.value);
    assert.ok(cycles.length >= 8, `${cycles.length} cycles stored`);
    assert.deepEqual(cycles, Array.from({ length: cycles.length }, (_, i) => i));
    assert.equal(sim.counts.timedOut, 0);
    assert.equal(sim.counts.ackStuck, 0);
    assert.equal(fx.stats.garbled, 0);
  } finally {
    await runtime.shutdown();
  }
});
