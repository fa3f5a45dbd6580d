/**
 * Slow reply: the press fixture PLC answers one request in N after the
 * request's timeout (the PLC is busy, or the network). Under the failure rule
 * each such request is a silent retry: the PLC is never declared failed, no
 * "PLC not answering" alarm, no bad-comm sample, no overrun alarm; the
 * retries are counted in the runtime status and in /metrics.
 */
import assert from "node:assert/strict";
import type { RuntimeEvent } from "../actors/events.ts";
import type { Gateway } from "../gateway/gateway.ts";
import {
  groupStatuses,
  indexPlant,
  prepareDataDir,
  sleep,
  startE2eGateway,
  startPlant,
  waitConnected,
} from "./testing.ts";

const VICTIM = "PLCPRESS010001";
const EVERY = 50;
const LATE_MS = 1500;
const WINDOW_MS = 8000;

Deno.test("slow reply: one reply in 50 past the timeout is a counted retry — no PLC failure, no alarm, no bad-comm", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-slowreply-" });
  const plant = await startPlant();
  const victim = plant.plc(VICTIM);
  let gw: Gateway | undefined;
  try {
    prepareDataDir(dataDir, plant);
    const index = indexPlant(dataDir);
    gw = await startE2eGateway(dataDir);
    const plc = gw.store.plcs.getByCode(VICTIM);
    assert.ok(LATE_MS > plc.timeoutMs, "the late replies come after the request timeout");
    const victimTags = new Set(index.tags.filter((t) => t.plcId === plc.id).map((t) => t.id));
    const events: RuntimeEvent[] = [];
    const offEvents = gw.runtime.on((e) => events.push(e));
    let bad = 0, good = 0;
    const offSamples = gw.onSamples((samples) => {
      for (const s of samples) {
        if (!victimTags.has(s.tagId)) continue;
        if (s.quality === "good") good++;
        else bad++;
      }
    });
    await waitConnected(gw);
    await sleep(500);
    const before = groupStatuses(gw);
    const t0 = Date.now();
    await victim.setFault({ kind: "slowReply", every: EVERY, delayMs: LATE_MS });
    await sleep(WINDOW_MS);
    await victim.setFault(undefined);
    await sleep(LATE_MS + 500);
    offEvents();
    offSamples();

    const status = gw.runtime.status().plcs.find((p) => p.code === VICTIM)!.status!;
    const after = groupStatuses(gw);
    const metricsText = await gw.metrics.render();
    const metric = (name: string) =>
      Number(
        metricsText.split("\n").find((l) => l.startsWith(`${name}{plc="${VICTIM}"}`))?.split(" ")
          .at(-1),
      );
    const alarms = gw.alarms.active().filter((a) =>
      a.state.startsWith("active") &&
      (a.source === `plc:${VICTIM}` || a.source.startsWith("group:PRESS"))
    );
    const failedEvents = events.filter((e) =>
      (e.type === "plc.state" && e.code === VICTIM && e.state === "failed") ||
      (e.type === "plc.commAlarm" && e.code === VICTIM)
    );
    const motion = after.get("PRESS_MOTION")!, motionBefore = before.get("PRESS_MOTION")!;
    const overruns = motion.overruns - motionBefore.overruns;
    const failedReadOverruns = motion.failedReadOverruns - motionBefore.failedReadOverruns;
    const late = victim.stats.faulted;
    const stopped = await gw.stop();
    assert.ok(stopped.clean, "clean stop");
    gw = undefined;

    assert.ok(late >= 3, `${late} replies sent late`);
    assert.deepEqual(failedEvents, [], "never failed, no comm alarm condition");
    assert.equal(status.failures, 0);
    assert.ok(status.retries >= 3, `${status.retries} retries counted`);
    assert.equal(bad, 0, `${bad} press samples not good`);
    assert.ok(good > 0);
    assert.deepEqual(alarms.map((a) => a.message), [], "no PLC or press group alarm");
    assert.equal(metric("jsscada_plc_failures_total"), 0);
    assert.equal(metric("jsscada_plc_failed"), 0);
    assert.ok(metric("jsscada_plc_retries_total") >= 3, "retries in /metrics");
    assert.equal(failedReadOverruns, overruns, "PRESS_MOTION skipped ticks only behind timeouts");
    console.log(
      `slow reply 1/${EVERY}, ${LATE_MS} ms late (timeout ${plc.timeoutMs} ms) for ${
        Date.now() - t0 - LATE_MS - 500
      } ms: ${late} late replies, ${status.retries} retries (/metrics ${
        metric("jsscada_plc_retries_total")
      }), 0 failures, 0 alarms, ${good} good press samples and 0 bad; PRESS_MOTION skipped ` +
        `${overruns} ticks, all behind timed-out reads`,
    );
  } finally {
    await gw?.stop();
    await plant.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
