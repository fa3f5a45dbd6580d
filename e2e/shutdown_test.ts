/**
 * Shutdown, with `jsscada serve --demo` in a child process: SIGTERM ends it
 * with status 0 in under 5 s and everything flushed into the history; kill -9
 * loses at most one flush interval, and the journal it left is replayed, row
 * for row, on the next start.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseSegment } from "../actors/journal_format.ts";
import { type Gateway, startGateway } from "../gateway/gateway.ts";
import type { Sample } from "../model/sample.ts";
import {
  closedPort,
  E2E_ENV,
  HangingServer,
  HistoryFile,
  indexPlant,
  journalSegments,
  type PlantIndex,
  prepareDataDir,
  rowValue,
  sameValue,
  ServeProcess,
  sleep,
  startE2eGateway,
  startPlant,
  waitConnected,
  waitFor,
} from "./testing.ts";

const SHUTDOWN_BOUND_MS = 5000;
/** The writer's batchMs: the longest a sample waits in memory for its batch. */
const FLUSH_INTERVAL_MS = 500;
const SERVING = /JSScada is serving (\S+)/;

/**
 * Ticks each group did not poll, by group code: skipped because the previous
 * cycle still ran (overruns) or read nothing (cycle failures), from /metrics.
 * A busy machine may skip a tick, right after start most of all; such a tick
 * has no sample for any tag of the group, and the history must show exactly that.
 */
async function unpolledTicks(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (
    const m of text.matchAll(
      /^jsscada_group_(?:overruns|cycle_failures)_total\{group="([^"]+)"\} (\d+)/gm,
    )
  ) {
    out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
  }
  return out;
}

/** FIXED groups with at least a few ticks in a short run, and their tags without deadband. */
function fixedGroups(index: PlantIndex) {
  return index.groups
    .filter((g) => g.enabled && g.mode === "FIXED" && g.intervalMs! <= 1000)
    .map((g) => ({ group: g, tags: index.tagsOf(g.code).filter((t) => t.deadband === null) }));
}

Deno.test("graceful shutdown: SIGTERM exits 0 in under 5 s with every sample in the history", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-term-" });
  const serve = new ServeProcess([
    "--demo",
    "--fixture-ports",
    "any",
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--quiet",
  ]);
  try {
    const base = (await serve.waitForOutput(SERVING, 30_000))[1].replace("localhost", "127.0.0.1");
    await sleep(3000);
    const unpolled = await unpolledTicks(base);
    const tTerm = Date.now();
    const status = await serve.stop("SIGTERM");
    const exitMs = Date.now() - tTerm;
    assert.equal(status.code, 0, `exit status; output:\n${serve.output}`);
    assert.ok(exitMs < SHUTDOWN_BOUND_MS, `exited ${exitMs} ms after SIGTERM`);
    const log = await Deno.readTextFile(join(dataDir, "logs", "scada.log"));
    const stoppedIn = log.match(/stopped in (\d+) ms \(clean\)/);
    assert.ok(stoppedIn, `no clean stop in the log:\n${log}`);
    assert.deepEqual(await journalSegments(dataDir), [], "nothing spilled to the journal");

    const index = indexPlant(dataDir);
    const history = new HistoryFile(dataDir);
    const report: string[] = [];
    let rows = 0;
    try {
      assert.deepEqual(history.duplicates(), [], "duplicated (tag, ts) rows");
      const stored = history.byTag();
      for (const { group, tags } of fixedGroups(index)) {
        const i = group.intervalMs!;
        const ts = (stored.get(tags[0].id) ?? []).map((r) => r.ts);
        assert.ok(ts.length > 0, `${group.code}: no rows`);
        const grid = Array.from({ length: (ts.at(-1)! - ts[0]) / i + 1 }, (_, k) => ts[0] + k * i);
        // Every tag has a row at every tick of the group's grid, except ticks the group did not
        // poll (counted in /metrics), which no tag of the group has.
        const missingOf = (t: { id: number }) => {
          const mine = new Set((stored.get(t.id) ?? []).map((r) => r.ts));
          return grid.filter((x) => !mine.has(x));
        };
        const offGrid = (t: { id: number }) =>
          (stored.get(t.id) ?? []).filter((r) => (r.ts - ts[0]) % i !== 0 || r.ts > ts.at(-1)!)
            .length;
        const allowed = unpolled.get(group.code) ?? 0;
        const skipped = missingOf(tags[0]);
        const wrong = tags.filter((t) =>
          offGrid(t) > 0 || missingOf(t).join() !== skipped.join() || skipped.length > allowed
        );
        assert.deepEqual(
          wrong.map((t) =>
            `${t.code}: ${stored.get(t.id)?.length ?? 0} rows, missing at +${
              missingOf(t).slice(0, 3).map((x) => x - ts[0]).join(", +")
            } ms, ${offGrid(t)} off the grid`
          ).slice(0, 5),
          [],
          `${group.code}: every tag has a row at each of the ${grid.length} ticks of ` +
            `${tags[0].code}'s grid but the ${allowed} ticks the group did not poll`,
        );
        if (skipped.length) report.push(`${group.code} skipped ${skipped.length} of ${allowed}`);
        // The last poll before SIGTERM is stored (unflushed data would miss up to 500 ms).
        const lag = tTerm - ts.at(-1)!;
        assert.ok(lag <= 2 * i, `${group.code}: last stored tick ${lag} ms before SIGTERM`);
        rows += (grid.length - skipped.length) * tags.length;
        report.push(`${group.code} ${lag}`);
      }
    } finally {
      history.close();
    }
    console.log(
      `shutdown: SIGTERM → exit 0 in ${exitMs} ms (gateway stop ${stoppedIn[1]} ms), journal ` +
        `empty, ${rows} rows of FIXED tags on their grid with no gap but counted skipped ticks; last stored tick before ` +
        `SIGTERM (group ms): ${report.join(", ")}`,
    );
  } finally {
    await serve.stop("SIGKILL");
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("kill -9 loses at most one flush interval, and the journal is replayed on the next start", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-kill-" });
  // A historian that is down: the writer retries, then spills every batch to the journal.
  const serve = new ServeProcess(
    ["--demo", "--fixture-ports", "any", "--port", "0", "--data-dir", dataDir, "--quiet"],
    {
      JSSCADA_SINK: "postgres",
      JSSCADA_PG_URL: `postgres://postgres@127.0.0.1:${closedPort()}/jsscada`,
    },
  );
  let gw: Gateway | undefined;
  try {
    const base = (await serve.waitForOutput(SERVING, 30_000))[1].replace("localhost", "127.0.0.1");
    await waitFor(
      "a journal segment",
      async () => (await journalSegments(dataDir)).length > 0,
      20_000,
      100,
    );
    await sleep(2000); // spilling every batch now
    const unpolled = await unpolledTicks(base);
    const tKill = Date.now();
    const status = await serve.stop("SIGKILL");
    assert.equal(status.signal, "SIGKILL");

    // What the journal holds after the kill.
    const journaled = new Map<number, Sample[]>();
    let torn = 0, corrupt = 0, total = 0;
    for (const file of await journalSegments(dataDir)) {
      const parsed = parseSegment(await Deno.readTextFile(file));
      torn += parsed.problems.filter((p) => p.kind === "torn").length;
      corrupt += parsed.problems.filter((p) => p.kind === "corrupt").length;
      for (const { sample } of parsed.rows) {
        const list = journaled.get(sample.tagId) ?? [];
        list.push(sample);
        journaled.set(sample.tagId, list);
        total++;
      }
    }
    assert.equal(corrupt, 0, "corrupt journal rows");
    assert.ok(torn <= 1, `${torn} torn rows (only the last row of a file can be)`);

    // Lost: from the last poll in the journal to the kill, per group; every
    // poll before it is in the journal (no gap from the first tick on).
    const index = indexPlant(dataDir);
    const lost: string[] = [];
    let lostPolls = 0;
    for (const { group, tags } of fixedGroups(index)) {
      const i = group.intervalMs!;
      const first = journaled.get(tags[0].id)?.[0]?.ts;
      assert.ok(first !== undefined, `${group.code}: nothing journaled`);
      let last = -Infinity;
      const gaps: string[] = [];
      // Ticks the group counted as not polled (overrun, failed cycle) may be missing, for every
      // tag of the group alike; nothing else may.
      const allowed = unpolled.get(group.code) ?? 0;
      const missingOf = (ts: number[]) => {
        const have = new Set(ts);
        const out: number[] = [];
        for (let x = first; x <= ts.at(-1)!; x += i) if (!have.has(x)) out.push(x - first);
        return out;
      };
      const firstTs = (journaled.get(tags[0].id) ?? []).map((s) => s.ts).sort((a, b) => a - b);
      const skipped = missingOf(firstTs);
      for (const t of tags) {
        const ts = (journaled.get(t.id) ?? []).map((s) => s.ts).sort((a, b) => a - b);
        const missing = missingOf(ts);
        if (
          ts[0] !== first || ts.some((x) => (x - first) % i !== 0) ||
          missing.join() !== skipped.join() || missing.length > allowed
        ) {
          gaps.push(
            `${t.code}: ${ts.length} rows from ${ts[0] - first} ms, missing at +${
              missing.slice(0, 3).join(", +")
            } ms`,
          );
        }
        last = Math.max(last, ts.at(-1)!);
      }
      assert.deepEqual(
        gaps.slice(0, 5),
        [],
        `${group.code}: journaled polls with gaps beyond the ${allowed} ticks it did not poll`,
      );
      const window = tKill - last;
      // Polls due after the newest journaled one and before the kill.
      const polls = Math.max(0, Math.ceil(window / i) - 1);
      lostPolls += polls;
      lost.push(`${group.code} ${window} ms/${polls} polls`);
      assert.ok(
        window <= FLUSH_INTERVAL_MS + i,
        `${group.code}: the last journaled poll is ${window} ms older than the kill`,
      );
    }

    // Next start, with a working historian (SQLite): the journal is replayed, row for row.
    gw = await startGateway({
      dataDir,
      samplePlant: true,
      fixture: "any",
      env: E2E_ENV,
      print: (l) => assert.fail(`printed: ${l}`),
    });
    const replayed = await waitFor(
      "the journal replayed",
      () => {
        const w = gw!.writerStatus();
        return w && !w.replay.pending && w.totals.valuesReplayed > 0 ? w : undefined;
      },
      30_000,
      50,
    );
    const stopped = await gw.stop();
    assert.ok(stopped.clean, "clean stop");
    const journal = gw.journal.stats();
    gw = undefined;
    assert.equal(replayed.totals.valuesReplayed, total, "values replayed vs rows in the journal");
    assert.equal(journal.tornRows, torn, "torn rows skipped by the replay");
    assert.equal(journal.corruptRows, 0, "corrupt rows");
    assert.equal(replayed.totals.valuesLost, 0, "values lost");
    assert.deepEqual(await journalSegments(dataDir), [], "journal segments left");

    const history = new HistoryFile(dataDir);
    try {
      assert.deepEqual(history.duplicates(), [], "duplicated (tag, ts) rows");
      const before = history.byTag(`ts <= ${tKill}`);
      let rows = 0;
      const problems: string[] = [];
      for (const [tagId, samples] of journaled) {
        const got = before.get(tagId) ?? [];
        rows += got.length;
        const want = [...samples].sort((a, b) => a.ts - b.ts);
        const k = want.findIndex((s, n) =>
          !got[n] || got[n].ts !== s.ts || !sameValue(rowValue(got[n]), s.value)
        );
        if (got.length !== want.length || k >= 0) {
          problems.push(`tag ${tagId}: journal ${want.length} rows, history ${got.length}`);
        }
      }
      assert.deepEqual(problems.slice(0, 5), [], `${problems.length} tags differ`);
      const extra = [...before.keys()].filter((t) => !journaled.has(t));
      assert.deepEqual(extra, [], "tags in the history before the kill but not in the journal");
      assert.equal(rows, total, "rows stored up to the kill vs rows journaled");
      console.log(
        `kill -9: journal held ${total} samples (${torn} torn rows skipped), every poll up to the ` +
          `newest journaled one; newest journaled poll before the kill, and polls lost after it: ` +
          `${lost.join(", ")} (${lostPolls} polls in all; bound: ${FLUSH_INTERVAL_MS} ms + one ` +
          `interval); next start replayed ${replayed.totals.valuesReplayed} = ${rows} rows in ` +
          `the history up to the kill, 0 duplicates, journal empty`,
      );
    } finally {
      history.close();
    }
  } finally {
    await serve.stop("SIGKILL");
    await gw?.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("graceful shutdown stays under 5 s while a write to the hung historian is under way", async () => {
  await stopWithHungHistorian("writing");
});

Deno.test("graceful shutdown stays under 5 s while the writer probes the hung historian", async () => {
  await stopWithHungHistorian("probing");
});

/**
 * A gateway whose PostgreSQL accepts connections and never answers, stopped
 * while the first write hangs (the writer's stop deadline runs out: the worst
 * case) or later, while it is degraded and its health probes hang: the stop
 * takes under 5 s and every sample is in the journal files.
 */
async function stopWithHungHistorian(when: "writing" | "probing"): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-hang-" });
  const plant = await startPlant();
  const db = new HangingServer();
  let gw: Gateway | undefined;
  try {
    prepareDataDir(dataDir, plant);
    gw = await startE2eGateway(dataDir, {
      sink: { kind: "postgres", url: `postgres://postgres@127.0.0.1:${db.port}/jsscada` },
    });
    await waitConnected(gw);
    const t0 = Date.now();
    // Writes hang until they time out; then batches spill, and health probes hang.
    const state = await waitFor(
      `the writer ${when}`,
      () => {
        const w = gw!.writerStatus();
        const ok = when === "writing"
          ? w?.activity === "writing" && Date.now() - t0 > 1000
          : w?.condition === "degraded" && w.activity === "probing";
        return ok ? `${w!.condition}/${w!.activity}` : undefined;
      },
      30_000,
      10,
    );
    const reachedAfter = Date.now() - t0;
    const stopped = await gw.stop();
    const buffer = gw.buffer.stats(), journal = gw.journal.stats();
    gw = undefined;
    assert.ok(stopped.ms < SHUTDOWN_BOUND_MS, `the gateway took ${stopped.ms} ms to stop`);
    assert.ok(stopped.clean, "clean stop");
    assert.equal(buffer.size, 0, "samples left in the buffer");
    assert.equal(buffer.dropped, 0, "buffer drops");
    assert.equal(journal.appendedValues, buffer.pushed, "journaled vs pushed");
    let onDisk = 0;
    for (const file of await journalSegments(dataDir)) {
      const parsed = parseSegment(await Deno.readTextFile(file));
      assert.deepEqual(parsed.problems, [], `${file}: bad rows`);
      onDisk += parsed.rows.length;
    }
    assert.equal(onDisk, buffer.pushed, "rows in the journal files vs pushed");
    console.log(
      `historian hanging (${db.accepted} connections accepted, never answered), stopped ` +
        `${reachedAfter} ms in, writer ${state}: stop took ${Math.round(stopped.ms)} ms; all ` +
        `${buffer.pushed} samples in the journal files`,
    );
  } finally {
    await gw?.stop();
    await db.close();
    await plant.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}
