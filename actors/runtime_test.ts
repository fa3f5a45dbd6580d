import assert from "node:assert/strict";
import { setup } from "xstate";
import { startFixturePlant } from "../fixtures/fixture_plant.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { type Clock, systemClock } from "./clock.ts";
import { LiveCache } from "./live_cache.ts";
import { Runtime } from "./runtime.ts";
import {
  FakePool,
  groupConfig,
  MemorySink,
  plcConfig,
  samplePlantConfig,
  tagConfig,
  untilValue,
} from "./testing.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps what arrives, with its real arrival time. */
class TimedSink {
  readonly arrivals: { at: number; samples: readonly Sample[] }[] = [];
  push(samples: readonly Sample[]): void {
    this.arrivals.push({ at: Date.now(), samples });
  }
  /** When the first sample of `tags` with `quality` arrived after `since`. */
  first(tags: ReadonlySet<number>, quality: Sample["quality"], since: number): number | undefined {
    let lo = 0, hi = this.arrivals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.arrivals[mid].at < since) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.arrivals.length; i++) {
      const a = this.arrivals[i];
      if (a.samples.some((s) => tags.has(s.tagId) && s.quality === quality)) return a.at;
    }
    return undefined;
  }
}

Deno.test("the sample plant on four fixture PLCs: one PLC stalled and one killed fail after their attempts (bad-comm), the others keep their schedule, both recover within 2 s", async () => {
  const sample = generateSamplePlant();
  await using fixtures = await startFixturePlant(sample.profile, { ports: 0 });
  const config = samplePlantConfig(
    Object.fromEntries(fixtures.plcs.map((p) => [p.code, p.port])),
    sample,
  );
  const sink = new TimedSink();
  const live = new LiveCache();
  const runtime = await Runtime.start({ loadPlant: () => config, sink, live, clock: systemClock });
  const group = (code: string) => runtime.status().groups.find((g) => g.code === code)!;
  const tagSets = new Map<string, Set<number>>();
  const tagsOf = (code: string) => {
    let set = tagSets.get(code);
    if (!set) {
      const id = config.groups.find((g) => g.code === code)!.id;
      set = new Set(config.tags.filter((t) => t.enabled && t.groupId === id).map((t) => t.id));
      tagSets.set(code, set);
    }
    return set;
  };
  try {
    await sleep(1100);
    for (const g of runtime.status().groups) {
      if (g.status?.mode === "FIXED" && g.status.intervalMs! <= 1000) {
        assert.ok(g.status.cycles >= 1, `${g.code} polled`);
      }
      assert.equal(g.supervision.state, "running");
    }
    assert.ok(runtime.status().plcs.every((p) => p.status?.state === "connected"));
    assert.equal(
      sink.arrivals.flatMap((a) => a.samples).filter((s) => s.quality !== "good").length,
      0,
    );
    const trace = await runtime.trigger(group("ASSY_TRACE").groupId);
    assert.equal(trace.length, tagsOf("ASSY_TRACE").size);
    assert.ok(trace.every((s) => s.quality === "good"));

    const assyBefore = group("ASSY_IO").status!;
    const press = fixtures.plc("PLCPRESS010001");
    const weld = fixtures.plc("PLCWELD0100001");
    const down = Date.now();
    press.faults.set({ kind: "stall" });
    await weld.kill();
    // Failure rule: a request times out after the PLC's timeoutMs (1,000 ms), not the
    // group's interval, and the PLC fails after `attempts` (3) consecutive failed requests
    // (its groups' reads fail together, so a stalled PLC fails within a few timeouts).
    const pressPlc = config.plcs.find((p) => p.code === "PLCPRESS010001")!;
    const pressBad = await untilValue(
      () => sink.first(tagsOf("PRESS_MOTION"), "bad-comm", down),
      pressPlc.attempts * pressPlc.timeoutMs + 1000,
      "PRESS bad-comm",
      5,
    );
    const weldBad = await untilValue(
      () => sink.first(tagsOf("WELD_FAST"), "bad-comm", down),
      2000,
      "WELD bad-comm",
      5,
    );
    assert.ok(
      pressBad - down >= pressPlc.timeoutMs - 20,
      `stalled PLC: bad-comm after ${pressBad - down} ms, before its first request timed out`,
    );
    assert.ok(
      pressBad - down <= pressPlc.attempts * pressPlc.timeoutMs + 300,
      `stalled PLC: bad-comm after ${
        pressBad - down
      } ms (timeout ${pressPlc.timeoutMs} × ${pressPlc.attempts})`,
    );
    assert.ok(
      weldBad - down <= 3 * 200 + 100,
      `killed PLC (refused at once): bad-comm after ${weldBad - down} ms (interval 200)`,
    );
    const pressStatus = runtime.status().plcs.find((p) => p.code === "PLCPRESS010001")!.status!;
    assert.equal(pressStatus.failures, 1, "the stalled PLC was declared failed once");
    await sleep(600);
    const assy = group("ASSY_IO").status!;
    assert.ok(assy.cycles - assyBefore.cycles >= 6, "ASSY_IO kept polling");
    assert.equal(assy.overruns, assyBefore.overruns, "no tick of the healthy PLC was missed");
    const assyTs = [
      ...new Set(
        sink.arrivals.filter((a) => a.at >= down).flatMap((a) =>
          a.samples.filter((s) => tagsOf("ASSY_IO").has(s.tagId)).map((s) => s.ts)
        ),
      ),
    ];
    assert.ok(
      assyTs.every((t, i) => i === 0 || t - assyTs[i - 1] === 100),
      "ASSY_IO on its 100 ms grid throughout",
    );
    const states = runtime.status().plcs.map((p) => [p.code, p.status?.state]);
    assert.deepEqual(
      states.map(([code, state]) => [code, state === "failed"]),
      [
        ["PLCPRESS010001", true],
        ["PLCWELD0100001", true],
        ["PLCPAINT010001", false],
        ["PLCASSY0100001", false],
      ],
      "the two broken PLCs are failed (and reconnecting), the others are not",
    );

    const back = Date.now();
    press.faults.clear();
    weld.restart();
    const pressGood = await untilValue(
      () => sink.first(tagsOf("PRESS_MOTION"), "good", back),
      2500,
      "PRESS good",
      5,
    );
    const weldGood = await untilValue(
      () => sink.first(tagsOf("WELD_FAST"), "good", back),
      2500,
      "WELD good",
      5,
    );
    assert.ok(pressGood - back < 2000, `stalled PLC talking again after ${pressGood - back} ms`);
    assert.ok(weldGood - back < 2000, `killed PLC talking again after ${weldGood - back} ms`);
  } finally {
    const report = await runtime.shutdown();
    assert.ok(report.ms < 5000, `shutdown took ${report.ms} ms`);
  }
});

function twoPlcPlant(): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [plcConfig({ id: 1 }), plcConfig({ id: 2, code: "PLCTEST0000002" })],
    groups: [
      groupConfig({ id: 10, plcId: 1 }),
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
      tagConfig({ id: 100, groupId: 10 }),
      tagConfig({ id: 200, groupId: 20, plcId: 2 }),
      tagConfig({ id: 210, groupId: 21, plcId: 2 }),
    ],
    alarmRules: [],
  };
}

/** A writer stand-in that drains for `ms` of clock time after `stop`, then ends. */
function drainingWriter(ms: number, log: string[]) {
  return setup({ types: { input: {} as { clock: Clock } }, delays: { drain: ms } }).createMachine({
    initial: "writing",
    states: {
      writing: { on: { stop: { target: "draining", actions: () => log.push("writer stop") } } },
      draining: { after: { drain: { target: "done", actions: () => log.push("writer drained") } } },
      done: { type: "final" },
    },
  });
}

Deno.test("graceful shutdown: pollers stop, the writer drains, the pools close, in under 5 s", async () => {
  const log: string[] = [];
  const sink = new MemorySink();
  const runtime = await Runtime.start({
    loadPlant: twoPlcPlant,
    sink: { push: (s) => (log.push("samples"), sink.push(s)) },
    clock: systemClock,
    createPool: () => {
      const p = new FakePool(systemClock);
      const close = p.close.bind(p);
      p.close = () => (log.push("pool closed"), close());
      return p;
    },
    writer: { logic: drainingWriter(120, log), input: { clock: systemClock } },
  });
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(runtime.status().writer?.supervision.state, "running");
  const report = await runtime.shutdown();
  assert.ok(log.indexOf("samples") >= 0 && log.indexOf("samples") < log.indexOf("writer stop"));
  assert.deepEqual(
    log.slice(log.indexOf("writer stop")),
    ["writer stop", "writer drained", "pool closed", "pool closed"],
    "no samples after the pollers stopped; pools close after the writer drained",
  );
  assert.equal(report.clean, true);
  assert.ok(report.ms >= 120 && report.ms < 5000, `shutdown took ${report.ms} ms`);
  assert.equal(runtime.status().state, "stopped");
  await assert.rejects(runtime.trigger(21), /stopped/);
});
