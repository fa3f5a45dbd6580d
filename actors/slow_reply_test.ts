/**
 * The failure rule against the fixture PLC's slow-reply fault: one reply in N
 * comes back after the request timed out. Every such request is a silent
 * retry (its socket reopened), never a PLC failure, a bad-comm sample or a
 * "PLC not answering" condition.
 */
import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import type { PlantConfig } from "../model/config.ts";
import { systemClock } from "./clock.ts";
import type { RuntimeEvent } from "./events.ts";
import { LiveCache } from "./live_cache.ts";
import { Runtime } from "./runtime.ts";
import { groupConfig, MemorySink, plcConfig, tagConfig } from "./testing.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("slow-reply fault on the fixture PLC: retries counted, no PLC failure, no bad-comm, no comm alarm", async () => {
  await using fixture = startFixturePlc({ port: 0 });
  const plc = plcConfig({ port: fixture.port, timeoutMs: 300, attempts: 3, commAlarmDelayMs: 0 });
  const plant: PlantConfig = {
    lines: [],
    processes: [],
    plcs: [plc],
    groups: [
      groupConfig({ id: 10, code: "FAST", intervalMs: 100 }),
      groupConfig({ id: 11, code: "SLOW", intervalMs: 250 }),
    ],
    tags: [
      tagConfig({ id: 1, groupId: 10, address: "D100" }),
      tagConfig({ id: 2, groupId: 10, address: "D2000" }),
      tagConfig({ id: 3, groupId: 11, address: "D300" }),
    ],
    alarmRules: [],
  };
  const sink = new MemorySink();
  const live = new LiveCache();
  const runtime = await Runtime.start({ loadPlant: () => plant, sink, live, clock: systemClock });
  const events: RuntimeEvent[] = [];
  runtime.on((e) => events.push(e));
  try {
    await sleep(300);
    // One reply in 7 comes 450 ms late, past the 300 ms timeout.
    await fixture.setFault({ kind: "slowReply", every: 7, delayMs: 450 });
    await sleep(3_000);
    fixture.faults.clear();
    await sleep(200);
    const status = runtime.status();
    const p = status.plcs[0].status!;
    assert.ok(p.retries >= 3, `${p.retries} retries counted`);
    assert.equal(p.failures, 0, "never declared failed");
    assert.equal(p.failed, false);
    assert.ok(fixture.stats.faulted >= 3, `${fixture.stats.faulted} replies sent late`);
    const bad = sink.samples.filter((s) => s.quality !== "good");
    assert.deepEqual(bad.slice(0, 3), [], `${bad.length} samples not good`);
    assert.ok([1, 2, 3].every((id) => live.get(id)?.quality === "good"));
    assert.deepEqual(
      events.filter((e) =>
        e.type === "plc.commAlarm" || (e.type === "plc.state" && e.state === "failed")
      ),
      [],
    );
    const groups = status.groups.map((g) => g.status!);
    assert.ok(groups.reduce((n, g) => n + g.retries, 0) >= 3, "the groups count their retries");
    for (const g of groups) {
      assert.equal(
        g.failedReadOverruns,
        g.overruns,
        `${g.code}: ticks skipped only behind timeouts`,
      );
    }
    console.log(
      `slow reply 1/7 at 450 ms (timeout 300 ms): ${fixture.stats.faulted} late replies, ` +
        `${p.retries} PLC retries, ${p.connects} connect(s), 0 failures, ${sink.samples.length} ` +
        `good samples, overruns ${groups.map((g) => `${g.code} ${g.overruns}`).join(", ")}`,
    );
  } finally {
    await runtime.shutdown();
  }
});
