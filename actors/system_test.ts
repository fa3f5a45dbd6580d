import assert from "node:assert/strict";
import type { AnyActorRef } from "xstate";
import type { ConfigChange } from "../model/change.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { ManualClock } from "./clock.ts";
import type { RuntimeEvent, SampleSink } from "./events.ts";
import { LiveCache } from "./live_cache.ts";
import { Runtime, type RuntimeOptions } from "./runtime.ts";
import { FakePool, groupConfig, MemorySink, plcConfig, tagConfig } from "./testing.ts";

/** Two PLCs; groups 10 and 11 on PLC 1, group 20 on PLC 2 and a REST group 21; one tag each. */
function plant(): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [plcConfig({ id: 1 }), plcConfig({ id: 2, code: "PLCTEST0000002", port: 5001 })],
    groups: [
      groupConfig({ id: 10, code: "G10", plcId: 1 }),
      groupConfig({ id: 11, code: "G11", plcId: 1 }),
      groupConfig({ id: 20, code: "G20", plcId: 2 }),
      groupConfig({
        id: 21,
        code: "G21",
        plcId: 2,
        mode: "HANDSHAKE",
        trigger: "rest",
        intervalMs: null,
      }),
    ],
    tags: [
      tagConfig({ id: 100, groupId: 10, address: "D100" }),
      tagConfig({ id: 110, groupId: 11, address: "D110" }),
      tagConfig({ id: 200, groupId: 20, plcId: 2, address: "D200" }),
      tagConfig({ id: 210, groupId: 21, plcId: 2, address: "D210" }),
    ],
    alarmRules: [],
  };
}

interface Harness {
  runtime: Runtime;
  clock: ManualClock;
  sink: MemorySink;
  pools: Map<number, FakePool[]>;
  events: RuntimeEvent[];
  change(next: PlantConfig, changes?: ConfigChange[]): void;
  ticks(tagId: number): number[];
  children(): Record<string, AnyActorRef | undefined>;
}

async function start(
  options: Partial<RuntimeOptions> & { sink?: SampleSink } = {},
): Promise<Harness> {
  const clock = new ManualClock(1_000_050);
  const sink = new MemorySink();
  const pools = new Map<number, FakePool[]>();
  let current = plant();
  let listener: ((c: readonly ConfigChange[]) => void) | undefined;
  const runtime = await Runtime.start({
    loadPlant: () => current,
    subscribe: (l) => {
      listener = l;
      return () => (listener = undefined);
    },
    sink,
    live: new LiveCache(),
    clock,
    createPool: (plc) => {
      const p = new FakePool(clock);
      pools.set(plc.id, [...(pools.get(plc.id) ?? []), p]);
      return p;
    },
    plcOptions: { random: () => 0 },
    ...options,
  });
  const events: RuntimeEvent[] = [];
  runtime.on((e) => events.push(e));
  await clock.advance(0);
  return {
    runtime,
    clock,
    sink,
    pools,
    events,
    change(next, changes = [{ resource: "tags", id: 0, kind: "updated" }]) {
      current = next;
      listener?.(changes);
    },
    ticks: (tagId) => sink.of(tagId).map((s) => s.ts),
    children: () => runtime.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>,
  };
}

async function shutdown(h: Harness): Promise<void> {
  const done = h.runtime.shutdown();
  await h.clock.advance(10_000);
  await done;
}

const grid = (from: number, to: number, step = 100) =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

Deno.test("the system spawns a plc actor per PLC and a poller per group, and samples flow", async () => {
  const h = await start();
  try {
    await h.clock.advanceTo(1_000_500);
    const s = h.runtime.status();
    assert.equal(s.state, "running");
    assert.deepEqual(s.plcs.map((p) => [p.code, p.status?.state]), [
      ["PLCTEST0000001", "connected"],
      ["PLCTEST0000002", "connected"],
    ]);
    assert.deepEqual(s.groups.map((g) => [g.code, g.status?.state, g.status?.cycles]), [
      ["G10", "waiting", 5],
      ["G11", "waiting", 5],
      ["G20", "waiting", 5],
      ["G21", "idle", 0],
    ]);
    assert.deepEqual(h.ticks(100), grid(1_000_100, 1_000_500));
    assert.deepEqual(h.ticks(200), grid(1_000_100, 1_000_500));
  } finally {
    await shutdown(h);
  }
});

/** A sink with a bug that throws on batches holding one tag (the first `times` times). */
function buggySink(inner: MemorySink, tagId: number, times = Infinity): SampleSink {
  let thrown = 0;
  return {
    push(samples: readonly Sample[]) {
      if (thrown < times && samples.some((s) => s.tagId === tagId)) {
        thrown++;
        throw new Error(`sink bug on purpose (${thrown})`);
      }
      inner.push(samples);
    },
  };
}

Deno.test("supervision: a crashed poller is restarted with backoff, the others keep ticking", async () => {
  const sink = new MemorySink();
  const h = await start({ sink: buggySink(sink, 110, 1) });
  try {
    await h.clock.advanceTo(1_000_100);
    assert.equal(h.runtime.status().groups[1].supervision.state, "restarting");
    const restarting = h.events.find((e) => e.type === "child.restarting");
    assert.deepEqual(restarting && { ...restarting, at: 0 }, {
      type: "child.restarting",
      id: "group:11",
      crashes: 1,
      delayMs: 250,
      error: "sink bug on purpose (1)",
      at: 0,
    });
    await h.clock.advanceTo(1_000_349);
    assert.equal(h.runtime.status().groups[1].supervision.state, "restarting");
    await h.clock.advanceTo(1_001_000);
    const g11 = h.runtime.status().groups[1];
    assert.equal(g11.supervision.state, "running");
    assert.equal(g11.supervision.restarts, 1);
    assert.deepEqual(
      sink.of(110).map((s) => s.ts),
      grid(1_000_400, 1_001_000),
      "back on the grid after the restart",
    );
    assert.deepEqual(
      sink.of(100).map((s) => s.ts),
      grid(1_000_100, 1_001_000),
      "its sibling never missed a tick",
    );
    assert.deepEqual(
      sink.of(200).map((s) => s.ts),
      grid(1_000_100, 1_001_000),
      "nor did the other PLC's group",
    );
    assert.equal(h.runtime.status().groups[0].status!.overruns, 0);
  } finally {
    await shutdown(h);
  }
});

Deno.test("supervision: the restart budget stops a crash loop; the child is failed and reported", async () => {
  const sink = new MemorySink();
  const h = await start({
    sink: buggySink(sink, 110),
    restartPolicy: { initialDelayMs: 100, maxRestarts: 3 },
  });
  try {
    await h.clock.advanceTo(1_003_000);
    const restarts = h.events.filter((e) => e.type === "child.restarting");
    assert.deepEqual(restarts.map((e) => e.type === "child.restarting" && [e.at, e.delayMs]), [
      [1_000_100, 100],
      [1_000_200, 200], // restarted at 200, its first tick is due at once
      [1_000_400, 400],
    ]);
    const failed = h.events.filter((e) => e.type === "child.failed");
    assert.equal(failed.length, 1);
    assert.equal(failed[0].type === "child.failed" && failed[0].id, "group:11");
    const s = h.runtime.status();
    assert.equal(s.groups[1].supervision.state, "failed");
    assert.equal(s.groups[1].supervision.crashes, 4);
    assert.equal(s.groups[1].status, undefined);
    assert.deepEqual(
      sink.of(100).map((x) => x.ts),
      grid(1_000_100, 1_003_000),
      "the rest keep running",
    );
    await assert.rejects(h.runtime.trigger(11, 1000), /failed \(restart budget spent\)/);
  } finally {
    await shutdown(h);
  }
});

Deno.test("a tag change restarts only its group's poller; a PLC change restarts the PLC and its pollers", async () => {
  const h = await start();
  try {
    await h.clock.advanceTo(1_000_200);
    const before = h.children();
    const p = plant();
    h.change({ ...p, tags: p.tags.map((t) => (t.id === 110 ? { ...t, deadband: 5 } : t)) });
    await h.clock.advance(0);
    let after = h.children();
    const same = (id: string) => before[id] === after[id];
    assert.deepEqual(
      ["plc:1", "plc:2", "group:10", "group:11", "group:20", "group:21"].filter((id) => !same(id)),
      [
        "group:11",
      ],
    );
    const applied = h.events.filter((e) => e.type === "config.applied");
    assert.deepEqual(applied.map((e) => e.type === "config.applied" && e.restarted), [[
      "group:11",
    ]]);

    const before2 = h.children();
    const p2 = plant();
    h.change({
      ...p2,
      plcs: p2.plcs.map((x) => (x.id === 1 ? { ...x, timeoutMs: 700 } : x)),
      tags: p.tags.map((t) => (t.id === 110 ? { ...t, deadband: 5 } : t)),
    });
    await h.clock.advance(0);
    after = h.children();
    assert.deepEqual(
      ["plc:1", "plc:2", "group:10", "group:11", "group:20", "group:21"].filter((id) =>
        before2[id] !== after[id]
      ),
      ["plc:1", "group:10", "group:11"],
    );
    assert.equal(h.pools.get(1)!.length, 2, "a new pool for the changed PLC");
    assert.equal(h.pools.get(1)![0].closed, true, "the old one closed");
    assert.equal(h.pools.get(2)!.length, 1);
    await h.clock.advanceTo(1_000_500);
    assert.deepEqual(h.ticks(200), grid(1_000_100, 1_000_500), "PLC 2's group never noticed");
    assert.deepEqual(h.runtime.status().plcs.map((x) => x.status?.state), [
      "connected",
      "connected",
    ]);
  } finally {
    await shutdown(h);
  }
});

Deno.test("an interval change restarts that poller; removed and added groups stop and start", async () => {
  const h = await start();
  try {
    const before = h.children();
    const p = plant();
    h.change({
      ...p,
      groups: [
        ...p.groups.filter((g) => g.id !== 11).map((
          g,
        ) => (g.id === 20 ? { ...g, intervalMs: 200 } : g)),
        groupConfig({ id: 12, code: "G12", plcId: 1 }),
      ],
      tags: [...p.tags, tagConfig({ id: 120, groupId: 12, address: "D120" })],
    });
    await h.clock.advance(0);
    const after = h.children();
    assert.equal(after["group:11"], undefined);
    assert.ok(after["group:12"]);
    assert.notEqual(after["group:20"], before["group:20"]);
    assert.equal(after["group:10"], before["group:10"]);
    const applied = h.events.find((e) => e.type === "config.applied");
    assert.deepEqual(
      applied && applied.type === "config.applied" &&
        [applied.started, applied.stopped, applied.restarted],
      [
        ["group:12"],
        ["group:11"],
        ["group:20"],
      ],
    );
    await h.clock.advanceTo(1_000_600);
    assert.deepEqual(h.ticks(200), grid(1_000_200, 1_000_600, 200), "the new interval");
  } finally {
    await shutdown(h);
  }
});

Deno.test("a configuration that fails to load keeps the running one", async () => {
  const h = await start({});
  try {
    h.change(undefined as unknown as PlantConfig);
    await h.clock.advance(0);
    assert.equal(h.events.filter((e) => e.type === "config.applied").length, 0);
  } finally {
    await shutdown(h);
  }
});

Deno.test("operators stop and start groups; a stopped group stays stopped across a crash restart", async () => {
  const sink = new MemorySink();
  const h = await start({ sink: buggySink(sink, 110, 1) });
  try {
    h.runtime.stopGroup(10);
    await h.clock.advanceTo(1_000_200); // group 11 crashed at 100; it restarts at 350
    assert.equal(h.runtime.status().groups[0].status?.state, "stopped");
    assert.equal(h.runtime.status().groups[1].supervision.state, "restarting");
    h.runtime.stopAll();
    await h.clock.advanceTo(1_000_750);
    const s = h.runtime.status();
    assert.equal(s.groups[1].supervision.restarts, 1);
    assert.deepEqual(s.groups.map((g) => g.status?.state), [
      "stopped",
      "stopped",
      "stopped",
      "stopped",
    ]);
    const good = (tagId: number) => sink.of(tagId).filter((s) => s.quality !== "stale").length;
    assert.deepEqual(
      [good(100), good(110)],
      [0, 0],
      "group 11 came back stopped",
    );
    const counts = [100, 110, 200].map((t) => sink.of(t).length);
    h.runtime.startAll();
    await h.clock.advanceTo(1_001_000);
    assert.deepEqual(
      [100, 110, 200].map((t, i) => sink.of(t).length - counts[i]),
      [3, 3, 3],
      "800, 900, 1000",
    );
  } finally {
    await shutdown(h);
  }
});

Deno.test("trigger reads a REST group and returns its values; other groups say why not", async () => {
  const h = await start();
  try {
    const samples = await h.runtime.trigger(21);
    assert.deepEqual(samples.map((s) => [s.tagId, s.value, s.quality]), [[210, 210, "good"]]);
    assert.equal(h.sink.of(210).length, 1);
    await assert.rejects(h.runtime.trigger(10), /not a REST-triggered group/);
    await assert.rejects(h.runtime.trigger(99), /no running group with id 99/);
  } finally {
    await shutdown(h);
  }
});

Deno.test("a disabled PLC's tags turn stale at once in the live cache and the historian", async () => {
  const live = new LiveCache();
  const h = await start({ live });
  try {
    await h.clock.advanceTo(1_000_300);
    assert.equal(live.get(100)?.quality, "good");
    const value = live.get(100)!.value;
    const p = plant();
    h.change({ ...p, plcs: [{ ...p.plcs[0], enabled: false }, p.plcs[1]] }, [
      { resource: "plcs", id: 1, kind: "updated" },
    ]);
    await h.clock.advance(0);
    for (const tagId of [100, 110]) {
      const s = live.get(tagId)!;
      assert.equal(s.quality, "stale", `tag ${tagId} live`);
      assert.equal(s.ts, 1_000_300);
      assert.equal(h.sink.of(tagId).at(-1)?.quality, "stale", `tag ${tagId} stored`);
    }
    assert.equal(live.get(100)!.value, value, "the stale sample keeps the last value");
    assert.equal(live.get(200)?.quality, "good", "the other PLC's tags are untouched");
    await h.clock.advance(500);
    assert.equal(live.get(100)?.quality, "stale", "and nothing polls them any more");
    assert.equal(live.get(200)?.quality, "good");
    const gone = h.events.findLast((e) => e.type === "plc.state" && e.plcId === 1);
    assert.equal(gone?.type === "plc.state" && gone.state, "disconnected");
  } finally {
    await shutdown(h);
  }
});

Deno.test("a disabled group or tag turns stale; a removed tag goes stale in the live cache only", async () => {
  const live = new LiveCache();
  const h = await start({ live });
  try {
    await h.clock.advanceTo(1_000_300);
    const p = plant();
    h.change({
      ...p,
      groups: p.groups.map((g) => g.id === 11 ? { ...g, enabled: false } : g),
      tags: p.tags.filter((t) => t.id !== 200),
    });
    await h.clock.advance(0);
    assert.equal(live.get(110)?.quality, "stale");
    assert.equal(h.sink.of(110).at(-1)?.quality, "stale");
    assert.equal(live.get(200)?.quality, "stale");
    assert.notEqual(h.sink.of(200).at(-1)?.quality, "stale", "no history row for a deleted tag");
    await h.clock.advance(300);
    assert.equal(live.get(100)?.quality, "good", "group 10 polls on");
  } finally {
    await shutdown(h);
  }
});

Deno.test("a stopped group's tags turn stale at once; started again they are good", async () => {
  const live = new LiveCache();
  const h = await start({ live });
  try {
    await h.clock.advanceTo(1_000_300);
    h.runtime.stopGroup(10);
    assert.equal(live.get(100)?.quality, "stale", "at once");
    assert.equal(live.get(100)?.ts, 1_000_300);
    const stored = h.sink.of(100).filter((s) => s.quality === "stale").length;
    assert.equal(stored, 1);
    h.runtime.stopGroup(10); // stopping again adds nothing
    await h.clock.advance(300);
    assert.equal(h.sink.of(100).filter((s) => s.quality === "stale").length, 1);
    assert.equal(live.get(100)?.quality, "stale");
    h.runtime.stopAll();
    assert.equal(live.get(110)?.quality, "stale");
    assert.equal(live.get(200)?.quality, "stale");
    h.runtime.startAll();
    await h.clock.advance(200);
    assert.equal(live.get(100)?.quality, "good");
    assert.equal(live.get(110)?.quality, "good");
  } finally {
    await shutdown(h);
  }
});
