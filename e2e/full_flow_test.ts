/**
 * Full flow: fixture PLCs → pollers → buffer → writer → SQLite → REST. The
 * fixture PLCs record every value they serve during a 5 s window; every one
 * of them must be in the history exactly once, at its poll's tick, with the
 * same value (scaled to engineering units): in the file, through the sink's
 * read API and through GET /api/v1/values/{tag}/history. And the history must
 * hold exactly what the pollers pushed: no row lost, none duplicated.
 */
import assert from "node:assert/strict";
import type { TagConfig } from "../model/config.ts";
import { type TagValue, toEngineering } from "../protocol/values.ts";
import { join } from "node:path";
import type { Gateway } from "../gateway/gateway.ts";
import { type HttpServer, startHttpServer } from "../gateway/http_server.ts";
import { qualityOf } from "../sinks/codes.ts";
import { SqliteSink } from "../sinks/sqlite.ts";
import {
  between,
  groupStatuses,
  HistoryFile,
  type HistoryRow,
  indexPlant,
  type LivePoll,
  percentile,
  prepareDataDir,
  rowValue,
  sameValue,
  sleep,
  startE2eGateway,
  startPlant,
  tapLive,
  waitConnected,
  waitFor,
} from "./testing.ts";

const WINDOW_MS = 5000;

interface Expected {
  readonly ts: number;
  readonly value: TagValue;
}

Deno.test("full flow: every value the fixture served in a 5 s window is in the SQLite history and its REST trend exactly once", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-flow-" });
  const plant = await startPlant();
  let gw: Gateway | undefined;
  let http: HttpServer | undefined;
  try {
    prepareDataDir(dataDir, plant);
    const index = indexPlant(dataDir);
    gw = await startE2eGateway(dataDir);
    const polls = tapLive(gw, index);
    http = await startHttpServer(gw, {
      hostname: "127.0.0.1",
      port: 0,
      tls: undefined,
      anonymousRead: true,
      rateLimitPerMinute: 0,
    });
    await waitConnected(gw);
    // Warm-up: every tag has its first (always stored) sample before the window.
    await sleep(1200);

    const before = groupStatuses(gw);
    for (const plc of plant.plcs) plc.served.enable(2_000_000);
    const windowStart = Date.now();
    await sleep(WINDOW_MS);
    for (const plc of plant.plcs) plc.served.disable();
    const windowEnd = Date.now();
    const after = groupStatuses(gw);
    // A poll reaches the main thread and the historian a message after its read:
    // let the window's last ones arrive (the status mirror lags up to 200 ms more).
    await sleep(1500);
    const pushedAtEnd = gw.buffer.stats().pushed;

    // Overruns would skip ticks on purpose; the grid check below needs none.
    for (const [code, b] of before) {
      const a = after.get(code)!;
      assert.equal(a.overruns - b.overruns, 0, `${code} overran during the window`);
    }

    // The fixture's record, per tag: the value, at the tick of the poll that
    // read it: the group's poll whose read started at or after its tick and
    // was handed over after the value was served (a group's reads never overlap).
    const pollsOf = new Map<number, LivePoll[]>();
    for (const p of polls) {
      const list = pollsOf.get(p.groupId) ?? [];
      list.push(p);
      pollsOf.set(p.groupId, list);
    }
    const unread: string[] = [];
    const handshakeGroup = index.groupByCode.get("PRESS_CYCLE")!.id;
    const expected = new Map<number, Expected[]>();
    let served = 0, noTag = 0, notFixed = 0;
    for (const plc of plant.plcs) {
      assert.equal(plc.served.dropped, 0, `${plc.code}: the served record overflowed`);
      const tagAt = index.tagAt.get(plc.code)!;
      for (const entry of plc.served.take()) {
        const tag = tagAt.get(entry.address);
        if (!tag) {
          noTag++;
          continue;
        }
        const group = index.groupById.get(tag.groupId)!;
        if (group.mode !== "FIXED") {
          notFixed++; // the plc-bit group's cycle data: e2e/handshake_test.ts
          continue;
        }
        served++;
        const poll = pollAt(pollsOf.get(group.id) ?? [], entry.time);
        if (!poll) {
          unread.push(`${tag.code} served at ${entry.time}`);
          continue;
        }
        const list = expected.get(tag.id) ?? [];
        list.push({ ts: poll.ts, value: toEngineering(entry.value, tag) });
        expected.set(tag.id, list);
      }
    }
    assert.ok(served > 1000, `only ${served} served values of FIXED-group tags were recorded`);
    assert.deepEqual(unread.slice(0, 5), [], `${unread.length} served values no poll handed over`);

    // Through REST: once the window's samples are written, each tag's trend
    // over its ticks in buckets one interval wide (one sample per bucket).
    // The buffer is FIFO and the writer writes batches in order, so once it
    // has written as many values as were pushed by the window's end, the
    // window is in the history (polling goes on, so the buffer is rarely empty).
    await waitFor("the window's samples written", () => {
      const w = gw!.writerStatus()!;
      return w.totals.valuesWritten >= pushedAtEnd;
    }, 10_000);
    const rest = new Map<number, RestBucket[]>();
    const api = `${http.url}/api/v1`;
    for (const [tagId, list] of expected) {
      const tag = index.tagById.get(tagId)!;
      const interval = index.groupById.get(tag.groupId)!.intervalMs!;
      const from = list[0].ts, to = list[list.length - 1].ts + interval;
      const url = `${api}/values/${tag.code}/history?from=${from}&to=${to}&points=${
        (to - from) / interval
      }`;
      const res = await fetch(url);
      assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
      rest.set(tagId, (await res.json()).buckets);
    }
    await http.shutdown();
    http = undefined;

    const stopped = await gw.stop();
    assert.ok(stopped.clean, "the gateway stopped cleanly");
    const buffer = gw.buffer.stats();
    const journal = gw.journal.stats();
    gw = undefined;

    const history = new HistoryFile(dataDir);
    try {
      const stored = history.byTag();
      // 1. Every served value: exactly one row at its tick, same value.
      let matched = 0, deadbandServed = 0, deadbandStored = 0, viaRest = 0;
      const problems: string[] = [];
      for (const [tagId, list] of expected) {
        const tag = index.tagById.get(tagId)!;
        const ticks = new Set(list.map((e) => e.ts));
        if (ticks.size !== list.length) {
          problems.push(`${tag.code}: ${list.length} served values for ${ticks.size} ticks`);
          continue;
        }
        const from = list[0].ts, to = list[list.length - 1].ts;
        const rows = between(stored.get(tagId), from, to);
        let want: Expected[] = list;
        if (tag.deadband !== null) {
          deadbandServed += list.length;
          want = applyDeadband(tag, between(stored.get(tagId), -Infinity, from - 1).at(-1), list);
          deadbandStored += want.length;
        }
        const got = rows.map((r) => ({ ts: r.ts, value: rowValue(r), quality: r.quality }));
        const bad = got.length !== want.length ||
          got.some((g, i) =>
            g.ts !== want[i].ts || g.quality !== 0 || !sameValue(g.value, want[i].value)
          );
        if (bad) {
          const i = got.findIndex((g, i) =>
            !want[i] || g.ts !== want[i].ts || !sameValue(g.value, want[i].value)
          );
          problems.push(
            `${tag.code}: expected ${want.length} rows, stored ${got.length}; first mismatch at ` +
              `${i}: expected ${JSON.stringify(want[i])}, stored ${JSON.stringify(got[i])}`,
          );
        } else matched += list.length;
        const buckets = rest.get(tagId)!;
        const k = want.findIndex((w, n) =>
          !buckets[n] || buckets[n].ts !== w.ts || buckets[n].count !== 1 ||
          !sameValue(buckets[n].last, restValue(w.value))
        );
        if (buckets.length !== want.length || k >= 0) {
          problems.push(
            `${tag.code}: REST ${buckets.length} buckets for ${want.length} rows; first ` +
              `mismatch at ${k}: ${JSON.stringify(buckets[k])} vs ${JSON.stringify(want[k])}`,
          );
        } else viaRest += buckets.length;
      }
      assert.deepEqual(problems.slice(0, 10), [], `${problems.length} tags differ`);

      // 1b. The same rows through the sink's read API (what trend queries use).
      const sink = await SqliteSink.open({ path: join(dataDir, "history.db") });
      let viaApi = 0;
      try {
        for (const [tagId, list] of expected) {
          const from = list[0].ts, to = list[list.length - 1].ts;
          const api = await sink.samples(tagId, from, to + 1, 100_000);
          const raw = between(stored.get(tagId), from, to);
          const k = raw.findIndex((r, n) =>
            !api[n] || api[n].ts !== r.ts || api[n].quality !== qualityOf(r.quality) ||
            !sameValue(api[n].value, rowValue(r))
          );
          assert.ok(
            api.length === raw.length && k === -1,
            `tag ${tagId}: sink.samples gave ${api.length} rows, the file holds ${raw.length}; ` +
              `first difference at ${k}: ${JSON.stringify(api[k])} vs ${JSON.stringify(raw[k])}`,
          );
          viaApi += api.length;
        }
      } finally {
        await sink.close();
      }

      // 2. Every FIXED tick inside the window: one row for every tag without deadband.
      let gridRows = 0;
      const gaps: string[] = [];
      for (const group of index.groups) {
        if (group.mode !== "FIXED" || !group.enabled) continue;
        const i = group.intervalMs!;
        const a = Math.ceil(windowStart / i) * i + i, b = Math.floor(windowEnd / i) * i - i;
        if (b < a) continue;
        const grid = Array.from({ length: (b - a) / i + 1 }, (_, k) => a + k * i);
        for (const tag of index.tagsOf(group.code)) {
          if (tag.deadband !== null) continue;
          const ts = between(stored.get(tag.id), a, b).map((r) => r.ts);
          gridRows += ts.length;
          if (ts.length !== grid.length || ts.some((t, k) => t !== grid[k])) {
            gaps.push(`${tag.code} (${group.code}): ${ts.length} rows for ${grid.length} ticks`);
          }
        }
      }
      assert.deepEqual(gaps.slice(0, 10), [], `${gaps.length} tags miss ticks`);

      // 3. The history as a whole: exactly what the pollers pushed, no (tag, ts) twice.
      const rows = history.count();
      assert.deepEqual(history.duplicates(), [], "duplicated (tag, ts) rows");
      assert.equal(buffer.dropped, 0, "buffer drops");
      assert.equal(buffer.size, 0, "samples left in the buffer");
      assert.equal(journal.appendedValues, 0, "values spilled to the journal");
      assert.equal(rows, buffer.pushed, "rows stored vs samples pushed by the pollers");

      const latency = polls
        .filter((p) => p.ts >= windowStart && p.ts <= windowEnd && p.groupId !== handshakeGroup)
        .map((p) => p.at - p.ts);
      console.log(
        `full flow: ${WINDOW_MS} ms window: ${served + notFixed + noTag} served values recorded ` +
          `(${served} of FIXED-group tags, ${notFixed} plc-bit cycle data, ${noTag} of no enabled ` +
          `tag); ${matched} found exactly once at their tick with the same value (deadband tags: ` +
          `${deadbandServed} served, ${deadbandStored} kept and stored), 0 lost, 0 duplicated; ` +
          `the same ${viaApi} rows through sink.samples and ${viaRest} through GET ` +
          `/api/v1/values/{tag}/history (one per bucket); ${gridRows} rows on the FIXED grid, no ` +
          `gap; history ${rows} rows = ${buffer.pushed} pushed, 0 duplicates; tick to samples ` +
          `handed over p50 ${percentile(latency, 50)} ms, p99 ${percentile(latency, 99)} ms, max ${
            Math.max(...latency)
          } ms over ${latency.length} polls; stop ${Math.round(stopped.ms)} ms`,
      );
    } finally {
      history.close();
    }
  } finally {
    await http?.shutdown();
    await gw?.stop();
    await plant.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** A trend bucket as GET /api/v1/values/{tag}/history returns it. */
interface RestBucket {
  readonly ts: number;
  readonly count: number;
  readonly last: number | string | null;
}

/** A value as a trend bucket's `last` carries it: booleans as 0/1, NaN as null. */
function restValue(v: TagValue): number | string | null {
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" && Number.isNaN(v) ? null : v;
}

/** The poll with ts ≤ time ≤ at among a group's polls (in ts order), if any. */
function pollAt(polls: readonly LivePoll[], time: number): LivePoll | undefined {
  let lo = 0, hi = polls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (polls[mid].ts <= time) lo = mid + 1;
    else hi = mid;
  }
  const p = polls[lo - 1];
  return p && time <= p.at ? p : undefined;
}

/**
 * The deadband rule (docs/runtime.md), written again independently: from the
 * last row stored before the window, which served values must be stored.
 * The window is far shorter than the 60 s heartbeat and every read is good.
 */
function applyDeadband(
  tag: TagConfig,
  last: HistoryRow | undefined,
  served: readonly Expected[],
): Expected[] {
  assert.ok(last, `${tag.code}: no row stored before the window`);
  let prev = rowValue(last);
  const out: Expected[] = [];
  for (const e of served) {
    const v = e.value;
    const keep = typeof v === "number" && typeof prev === "number"
      ? Math.abs(v - prev) > tag.deadband!
      : v !== prev;
    if (keep) {
      out.push(e);
      prev = v;
    }
  }
  return out;
}
