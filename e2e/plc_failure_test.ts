/**
 * PLC failure: one fixture PLC (the weld PLC: WELD_FAST 200 ms, WELD_PROCESS
 * 500 ms) stalls, then drops off the network, then comes back. Under the
 * failure rule its requests time out after the PLC's timeoutMs (not the
 * groups' intervals); its tags keep their values until `attempts`
 * consecutive requests failed, then turn bad-comm (live cache and history);
 * the "PLC not answering" alarm waits commAlarmDelayMs more. The other PLCs'
 * groups must keep their schedule (no skipped tick, read latency as before),
 * and the PLC must be talking again within 2 s of returning.
 */
import assert from "node:assert/strict";
import type { Gateway } from "../gateway/gateway.ts";
import type { Sample } from "../model/sample.ts";
import {
  groupStatuses,
  HistoryFile,
  type HistoryRow,
  indexPlant,
  type LivePoll,
  percentile,
  type PlantIndex,
  prepareDataDir,
  sleep,
  startE2eGateway,
  startPlant,
  waitConnected,
  waitFor,
} from "./testing.ts";

const VICTIM = "PLCWELD0100001";
const VICTIM_GROUPS = ["WELD_FAST", "WELD_PROCESS"];
/** Other PLCs' FIXED groups with enough ticks in a few seconds to judge their schedule. */
const OTHER_GROUPS = ["PRESS_MOTION", "ASSY_IO", "ASSY_STATION"];
const RECOVERY_BOUND_MS = 2000;
const QUALITY_GOOD = 0, QUALITY_BAD_COMM = 1;

const allBad = (p: LivePoll) => p.samples.every((s) => s.quality === "bad-comm");
const anyBad = (p: LivePoll) => p.samples.some((s) => s.quality === "bad-comm");
const allGood = (p: LivePoll) => p.samples.every((s) => s.quality === "good");

Deno.test("PLC failure: a stalled, then killed PLC fails after its attempts (tags kept until then, then bad-comm), the alarm waits commAlarmDelayMs, others keep their schedule, it recovers within 2 s", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-plcfail-" });
  const plant = await startPlant();
  const victim = plant.plc(VICTIM);
  let gw: Gateway | undefined;
  let offEvents = () => {};
  try {
    prepareDataDir(dataDir, plant);
    const index = indexPlant(dataDir);
    const groupId = (code: string) => index.groupByCode.get(code)!.id;
    const interval = (code: string) => index.groupByCode.get(code)!.intervalMs!;
    const groupCode = (id: number) => index.groupById.get(id)!.code;
    gw = await startE2eGateway(dataDir);
    const victimPlc = gw.store.plcs.getByCode(VICTIM);
    const { timeoutMs, attempts, commAlarmDelayMs } = victimPlc;
    const polls = tapByGroup(gw, index);
    const states: { at: number; state: string }[] = [];
    offEvents = gw.runtime.on((e) => {
      if (e.type === "plc.state" && e.code === VICTIM) {
        states.push({ at: Date.now(), state: e.state });
      }
    });
    const alarmKey = `plc:${VICTIM}:disconnected`;
    const alarmChanges: { at: number; to: string }[] = [];
    const offAlarms = gw.alarms.subscribe((ts) => {
      for (const t of ts) {
        if (t.systemKey === alarmKey) alarmChanges.push({ at: Date.now(), to: t.to });
      }
    });
    const prevOff = offEvents;
    offEvents = () => {
      prevOff();
      offAlarms();
    };
    await waitConnected(gw);
    await sleep(1000);
    const baselineStart = Date.now();
    const overrunsBefore = groupStatuses(gw);
    await sleep(2000);

    // Stall 100 ms after a WELD_FAST tick and 300 ms after a WELD_PROCESS tick
    // (not where both tick together): the next reads stall and time out after
    // the PLC's timeoutMs; ticks meanwhile are overruns.
    await waitFor(
      "a moment 300 ms into a second",
      () => {
        const phase = Date.now() % 1000;
        return phase >= 300 && phase < 305;
      },
      1500,
      1,
    );
    const tStall = Date.now();
    await victim.setFault({ kind: "stall" });
    for (const code of VICTIM_GROUPS) {
      await waitFor(
        `${code} bad-comm`,
        () => polls.find((p) => p.groupId === groupId(code) && p.at >= tStall && allBad(p)),
        attempts * timeoutMs + 3000,
        5,
      );
    }
    const failedAt = states.find((s) => s.at >= tStall && s.state === "failed")?.at;
    // Before the PLC was declared failed, its tags kept their values: no bad-comm at all.
    const earlyBad = polls.filter((p) =>
      VICTIM_GROUPS.some((c) =>
        p.groupId === groupId(c)
      ) && p.at >= tStall &&
      p.at < (failedAt ?? Infinity) - 5 && anyBad(p)
    ).length;
    // Per tag: when the live cache first got a bad-comm sample of it.
    const detection = new Map<string, number>();
    for (const code of VICTIM_GROUPS) {
      const firstBad = new Map<number, number>();
      for (const p of polls) {
        if (p.groupId !== groupId(code) || p.at < tStall) continue;
        for (const s of p.samples) {
          if (s.quality === "bad-comm" && !firstBad.has(s.tagId)) firstBad.set(s.tagId, p.at);
        }
      }
      detection.set(code, Math.max(...firstBad.values()) - tStall);
    }
    const victimTags = index.tags.filter((t) => VICTIM_GROUPS.includes(groupCode(t.groupId)));
    const liveBad = victimTags.filter((t) => gw!.live.get(t.id)?.quality === "bad-comm").length;
    // The alarm waits commAlarmDelayMs after the failure.
    await waitFor(
      "the PLC not answering alarm",
      () => alarmChanges.find((a) => a.to.startsWith("active")),
      commAlarmDelayMs + 3000,
      5,
    );
    const alarmAt = alarmChanges.find((a) => a.to.startsWith("active"))!.at;

    const tKill = Date.now();
    await victim.kill();
    victim.faults.clear();
    await sleep(1500);
    const killedPolls = polls.filter((p) =>
      p.at > tKill + 50 && VICTIM_GROUPS.some((c) => p.groupId === groupId(c))
    );

    const tRestart = Date.now();
    victim.restart();
    const connected = await waitFor(
      `${VICTIM} connected again`,
      () => states.find((s) => s.at >= tRestart && s.state === "connected"),
      5000,
      5,
    );
    const recovery = new Map<string, number>();
    for (const code of VICTIM_GROUPS) {
      const poll = await waitFor(
        `${code} good again`,
        () => polls.find((p) => p.groupId === groupId(code) && p.at >= tRestart && allGood(p)),
        5000,
        5,
      );
      recovery.set(code, poll.at - tRestart);
    }
    const faultEnd = Date.now();
    const overrunsAfter = groupStatuses(gw);
    await sleep(500);
    const stopped = await gw.stop();
    assert.ok(stopped.clean, "clean stop");
    gw = undefined;

    // The victim: no bad-comm before its first request timed out nor before it was declared
    // failed; bad-comm within attempts × timeout (+ one interval) in the live cache and history.
    assert.ok(failedAt !== undefined, "the PLC was declared failed");
    assert.equal(earlyBad, 0, "bad-comm samples before the PLC was declared failed");
    const bound = (code: string) => attempts * timeoutMs + interval(code) + 300;
    for (const code of VICTIM_GROUPS) {
      assert.ok(
        detection.get(code)! >= timeoutMs - 50,
        `${code}: bad-comm after ${detection.get(code)} ms, before a request could time out`,
      );
      assert.ok(
        detection.get(code)! <= bound(code),
        `${code}: bad-comm after ${detection.get(code)} ms, bound ${bound(code)} ms`,
      );
    }
    const alarmDelay = alarmAt - failedAt!;
    assert.ok(
      alarmDelay >= commAlarmDelayMs - 50 && alarmDelay <= commAlarmDelayMs + 1000,
      `alarm ${alarmDelay} ms after the failure (commAlarmDelayMs ${commAlarmDelayMs})`,
    );
    assert.ok(
      alarmChanges.some((a) => a.at >= tRestart && !a.to.startsWith("active")),
      "the alarm cleared once the PLC answered again",
    );
    assert.equal(liveBad, victimTags.length, "victim tags bad-comm in the live cache");
    assert.ok(killedPolls.length > 0 && killedPolls.every(allBad), "bad-comm while killed");

    // Back within 2 s: connected, and good samples from both groups.
    const connectedMs = connected.at - tRestart;
    assert.ok(connectedMs <= RECOVERY_BOUND_MS, `connected ${connectedMs} ms after the restart`);
    for (const code of VICTIM_GROUPS) {
      assert.ok(
        recovery.get(code)! <= RECOVERY_BOUND_MS,
        `${code}: good again ${recovery.get(code)} ms after the restart`,
      );
    }

    // The other PLCs' groups: every tick, all good, latency as before.
    const schedule: string[] = [];
    for (const code of OTHER_GROUPS) {
      const i = interval(code);
      const mine = polls.filter((p) =>
        p.groupId === groupId(code) && p.ts >= baselineStart && p.ts < faultEnd
      );
      const gaps = mine.filter((p, k) => k > 0 && p.ts - mine[k - 1].ts !== i).length;
      assert.equal(gaps, 0, `${code}: ${gaps} skipped ticks`);
      assert.ok(mine.every(allGood), `${code}: bad samples`);
      assert.equal(
        overrunsAfter.get(code)!.overruns,
        overrunsBefore.get(code)!.overruns,
        `${code}: overruns during the fault`,
      );
      const lat = (from: number, to: number) =>
        mine.filter((p) => p.ts >= from && p.ts < to).map((p) => p.at - p.ts);
      const before = lat(baselineStart, tStall), during = lat(tStall, faultEnd);
      const [p50b, p50d] = [percentile(before, 50), percentile(during, 50)];
      const [maxb, maxd] = [Math.max(...before), Math.max(...during)];
      assert.ok(maxd < i, `${code}: a read finished ${maxd} ms after its tick during the fault`);
      assert.ok(
        p50d <= p50b + 10,
        `${code}: median read latency ${p50b} ms before, ${p50d} ms during the fault`,
      );
      schedule.push(
        `${code} ${before.length}+${during.length} ticks, latency p50/max ${p50b}/${maxb} ms ` +
          `before vs ${p50d}/${maxd} ms during`,
      );
    }

    // The history: per victim tag, good, then one bad-comm episode, then good.
    const history = new HistoryFile(dataDir);
    let badRows = 0;
    try {
      const stored = history.byTag();
      const problems: string[] = [];
      for (const tag of victimTags) {
        const rows = stored.get(tag.id) ?? [];
        const i = interval(groupCode(tag.groupId));
        const firstBad = rows.findIndex((r) => r.quality === QUALITY_BAD_COMM);
        const firstGoodAfter = rows.findIndex((r, k) => k > firstBad && r.quality === QUALITY_GOOD);
        const episode = rows.slice(firstBad, firstGoodAfter);
        const shape = firstBad > 0 && firstGoodAfter > firstBad &&
          rows.slice(0, firstBad).every((r) => r.quality === QUALITY_GOOD) &&
          episode.every((r) => r.quality === QUALITY_BAD_COMM && r.value === null) &&
          rows.slice(firstGoodAfter).every((r) => r.quality === QUALITY_GOOD);
        if (!shape) {
          problems.push(`${tag.code}: qualities ${summary(rows)}`);
          continue;
        }
        badRows += episode.length;
        if (rows[firstBad].ts >= tStall + attempts * timeoutMs + i + 300) {
          problems.push(`${tag.code}: first bad-comm row at tick ${rows[firstBad].ts - tStall} ms`);
        }
        if (rows[firstGoodAfter].ts > tRestart + RECOVERY_BOUND_MS) {
          problems.push(`${tag.code}: good again at ${rows[firstGoodAfter].ts - tRestart} ms`);
        }
      }
      assert.deepEqual(problems.slice(0, 10), [], `${problems.length} victim tags`);
    } finally {
      history.close();
    }

    console.log(
      `PLC failure (timeout ${timeoutMs} ms, attempts ${attempts}): failed ${
        failedAt! - tStall
      } ms after the stall, bad-comm after ${
        VICTIM_GROUPS.map((c) => `${c} ${detection.get(c)} ms (bound ${bound(c)})`).join(", ")
      }; alarm ${alarmDelay} ms after the failure; ${liveBad}/${victimTags.length} tags ` +
        `bad-comm in the live cache, ${badRows} bad-comm ` +
        `rows stored; connected again ${connectedMs} ms after returning, good samples after ${
          VICTIM_GROUPS.map((c) => `${c} ${recovery.get(c)} ms`).join(", ")
        }; others: ${schedule.join("; ")}`,
    );
  } finally {
    offEvents();
    await gw?.stop();
    await plant.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/**
 * Every live update split per polling group: a batch from an acquisition
 * worker may carry the polls of several groups that finished together.
 */
function tapByGroup(gw: Gateway, index: PlantIndex): LivePoll[] {
  const polls: LivePoll[] = [];
  gw.onSamples((samples) => {
    const at = Date.now();
    const byGroup = new Map<number, Sample[]>();
    for (const s of samples) {
      const g = index.tagById.get(s.tagId)?.groupId ?? -1;
      const list = byGroup.get(g);
      if (list) list.push(s);
      else byGroup.set(g, [s]);
    }
    for (const [groupId, list] of byGroup) {
      polls.push({ at, groupId, ts: list[0].ts, samples: list });
    }
  });
  return polls;
}

/** Qualities of rows run-length encoded, e.g. `0×20 1×7 0×5`. */
function summary(rows: readonly HistoryRow[]): string {
  const out: string[] = [];
  let k = 0;
  while (k < rows.length) {
    let n = 1;
    while (k + n < rows.length && rows[k + n].quality === rows[k].quality) n++;
    out.push(`${rows[k].quality}×${n}`);
    k += n;
  }
  return out.join(" ");
}
