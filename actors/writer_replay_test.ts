import assert from "node:assert/strict";
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import { Journal } from "./journal.ts";
import { writerStatus } from "./writer.ts";
import type { WriterSettings } from "./writer_state.ts";
import { type Harness, key, makeSamples, startWriter } from "./writer_testing.ts";

const LIVE_TS = 1_000_000; // live samples' timestamps start here; the journal's are below

/** A writer whose journal holds `backlog` samples from a previous run. */
async function withBacklog(
  backlog: number,
  settings: Partial<WriterSettings>,
  fn: (h: Harness, stored: Sample[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "writer_replay_test_" });
  try {
    const stored = makeSamples(0, backlog, 50);
    const journal = await Journal.open({ dir: join(dir, "journal") });
    for (let i = 0; i < backlog; i += 1_000) await journal.append(stored.slice(i, i + 1_000));
    await journal.close();
    const h = await startWriter({ dir, settings });
    try {
      await fn(h, stored);
    } finally {
      await h.crash();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Pushes `n` live samples every `everyMs` for `ms`, noting when each batch was pushed. */
async function poll(
  h: Harness,
  ms: number,
  everyMs: number,
  n: number,
  pushedAt: Map<string, number>,
) {
  for (let t = 0; t < ms; t += everyMs) {
    const batch = makeSamples(LIVE_TS + pushedAt.size, n, 50);
    for (const s of batch) pushedAt.set(key(s), h.clock.now());
    h.buffer.push(batch);
    await h.advance(everyMs);
  }
}

Deno.test("live batches go first: replay fills only the sink time live data leaves, at its duty cycle", async () => {
  const settings = {
    batchSize: 50,
    maxBatchSize: 50,
    batchMs: 100,
    replayBatchSize: 200,
    replayDutyCycle: 0.5,
  };
  await withBacklog(20_000, settings, async (h, stored) => {
    // A sink that takes 2 ms plus 1 ms per 50 values: a live batch 3 ms, a replayed one 6 ms.
    h.sink.delayMs = (b) => 2 + b.length / 50;
    const pushedAt = new Map<string, number>();
    await poll(h, 1_000, 100, 50, pushedAt);
    const replayBusy = h.sink.busy.filter((b) => b.values === 200);
    const replayMs = replayBusy.reduce((a, b) => a + (b.end - b.start), 0);
    assert.ok(replayBusy.length > 0, "replay ran");
    assert.ok(replayMs <= 0.5 * 1_000 + 6, `replay took ${replayMs} ms of 1,000: at most half`);
    // Every live batch reached the sink within one replayed batch (6 ms) of being pushed.
    let worst = 0;
    for (const { batch } of h.sink.batches) {
      if (batch[0].ts < LIVE_TS) continue;
      const written = h.sink.busy.find((b) =>
        b.values === batch.length && b.end >= pushedAt.get(key(batch[0]))!
      )!;
      worst = Math.max(worst, written.start - pushedAt.get(key(batch[0]))!);
    }
    assert.ok(worst <= 6, `a live batch waited ${worst} ms`);
    const st = writerStatus(h.actor.getSnapshot());
    assert.equal(st.replay.pending, true);
    assert.ok(st.replay.valuesPerSecond! > 0, JSON.stringify(st.replay));
    const rate = st.totals.valuesReplayed / ((h.clock.now() - st.replay.startedAt!) / 1000);
    assert.ok(
      Math.abs(st.replay.valuesPerSecond! - rate) < 1,
      "the catch-up rate is values replayed per second",
    );
    // A previous run's segments are counted from their size until read: close, not exact.
    const left = stored.length - st.totals.valuesReplayed;
    assert.ok(
      Math.abs(st.replay.pendingValues - left) <= 0.1 * left,
      `pending ${st.replay.pendingValues}, in truth ${left}`,
    );
    assert.ok(
      Math.abs(st.replay.etaMs! - st.replay.pendingValues / rate * 1000) < 2,
      `time left ${st.replay.etaMs} ms`,
    );
    // Let it finish: everything stored once, in order within each source.
    await poll(h, 4_000, 100, 50, pushedAt);
    assert.equal(h.journal.hasPending(), false);
    assert.equal(h.sink.rows.size, stored.length + pushedAt.size);
    assert.equal(h.sink.duplicateAttempts, 0);
    const done = writerStatus(h.actor.getSnapshot());
    assert.equal(done.replay.valuesPerSecond, null);
    assert.equal(done.replay.etaMs, null);
  });
});

Deno.test("replay keeps to its rate bound, after a one-second burst", async () => {
  const settings = {
    batchSize: 50,
    batchMs: 100,
    replayBatchSize: 100,
    replayMaxValuesPerSecond: 1_000,
  };
  await withBacklog(6_000, settings, async (h) => {
    const pushedAt = new Map<string, number>();
    await poll(h, 3_000, 100, 10, pushedAt);
    const replayed = writerStatus(h.actor.getSnapshot()).totals.valuesReplayed;
    assert.ok(replayed <= 1_000 + 3 * 1_000 + 100, `replayed ${replayed} in 3 s at 1,000/s`);
    assert.ok(replayed >= 3_000, `replayed ${replayed}: the bound is not a stall`);
    // Live data was not held back: every live sample is stored.
    for (const k of pushedAt.keys()) {
      if (!h.sink.rows.has(k) && h.buffer.size === 0) assert.fail(`live sample ${k} is missing`);
    }
  });
});

Deno.test("while live data keeps the sink busy, replay waits and live data loses nothing", async () => {
  const settings = { batchSize: 10, maxBatchSize: 10, batchMs: 100 };
  await withBacklog(2_000, settings, async (h) => {
    // Every write takes 100 ms and 10 new samples arrive every 100 ms: no gap is left.
    h.sink.delayMs = () => 100;
    const before = writerStatus(h.actor.getSnapshot()).totals.valuesReplayed;
    const pushedAt = new Map<string, number>();
    await poll(h, 2_000, 100, 10, pushedAt);
    const st = writerStatus(h.actor.getSnapshot());
    const liveStored = [...pushedAt.keys()].filter((k) => h.sink.rows.has(k)).length;
    assert.ok(liveStored >= pushedAt.size - 20, `live stored ${liveStored} of ${pushedAt.size}`);
    assert.ok(st.totals.valuesReplayed - before <= 30, "replay took at most a gap or two");
    assert.equal(st.buffer.dropped, 0);
  });
});
