import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { lossAlarmText, sinkDownAlarmText } from "./journal_alarm_text.ts";
import { QuotaFs } from "./journal_fs_testing.ts";
import { writerStatus } from "./writer.ts";
import { key, makeSamples, segmentFiles, startWriter } from "./writer_testing.ts";

const small = { batchSize: 5, batchMs: 500, probeIntervalMs: 1_000, lossQuietMs: 2_000 };

Deno.test("on a full disk spills are lost as disk_full, the status says how many since when, replay still drains", async () => {
  const fs = new QuotaFs(3_000);
  const h = await startWriter({
    settings: small,
    journal: { fs, minFreeBytes: 0, segmentBytes: 1_000 },
  });
  try {
    h.sink.down = true;
    const t0 = h.clock.now();
    const produced: Sample[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = makeSamples(produced.length, 5);
      produced.push(...batch);
      h.buffer.push(batch);
      await h.advance(500);
    }
    let st = writerStatus(h.actor.getSnapshot());
    assert.ok(st.losses.disk_full > 0, JSON.stringify(st.losses));
    assert.equal(st.losses.disk_full, st.journal.droppedByReason.disk_full);
    assert.equal(
      st.totals.valuesSpilled + st.losses.disk_full,
      200,
      "every sample is kept or counted",
    );
    assert.equal(st.loss?.reason, "disk_full");
    // The run counts the losses since it began (a small spill that fit in between may end one).
    assert.ok(st.loss!.lost > 0 && st.loss!.lost <= st.losses.disk_full);
    assert.ok(st.loss!.since >= t0);
    const text = lossAlarmText(st)!;
    assert.ok(
      text.startsWith(`disk full: the journal cannot write; ${st.loss!.lost} samples lost since `),
      text,
    );
    assert.ok(h.emitted.some((e) => e.type === "lossStarted" && e.reason === "disk_full"));
    assert.match(
      sinkDownAlarmText(st)!,
      /^the fake historian refuses writes since .*journal cannot take/,
    );
    assert.deepEqual(structuredClone(st), st, "the status is plain data (it crosses threads)");

    h.sink.down = false;
    for (let i = 0; i < 20; i++) {
      const batch = makeSamples(produced.length, 5);
      produced.push(...batch);
      h.buffer.push(batch);
      await h.advance(250);
    }
    st = writerStatus(h.actor.getSnapshot());
    assert.equal(h.journal.hasPending(), false, "replay emptied the journal");
    assert.deepEqual(await segmentFiles(h.dir), [], "no segment file is left, empty or not");
    assert.equal(h.sink.duplicateAttempts, 0, "nothing was sent twice");
    assert.equal(h.sink.rows.size + st.losses.disk_full, produced.length);
    for (const s of produced) {
      if (!h.sink.rows.has(key(s))) continue;
      assert.deepEqual(h.sink.rows.get(key(s)), s);
    }
    assert.equal(st.loss, null, "samples are kept again: the run of losses is over");
    assert.equal(lossAlarmText(st), null);
    const runs = h.emitted.flatMap((e) => e.type === "lossEnded" ? [e.lost] : []);
    assert.ok(runs.length >= 1);
    assert.equal(runs.reduce((a, b) => a + b, 0), st.losses.disk_full, "the runs add up");
  } finally {
    await h.close();
  }
});

Deno.test("below the free-space watermark spills are lost as disk_low without a write being tried", async () => {
  const fs = new QuotaFs(1_000_000);
  fs.occupied = 990_000;
  const h = await startWriter({ settings: small, journal: { fs, minFreeBytes: 50_000 } });
  try {
    h.sink.down = true;
    for (let i = 0; i < 10; i++) {
      h.buffer.push(makeSamples(i * 5, 5));
      await h.advance(1_000);
    }
    const st = writerStatus(h.actor.getSnapshot());
    assert.equal(st.losses.disk_low, 50);
    assert.equal(st.totals.valuesLost, 50);
    assert.equal(fs.enospcCount, 0);
    assert.deepEqual(await segmentFiles(h.dir), []);
    assert.match(lossAlarmText(st)!, /^disk almost full: 9\.7 KiB free, below the 48\.8 KiB/);
  } finally {
    await h.close();
  }
});

Deno.test("a buffer that overflows behind a hung write is counted as buffer_full", async () => {
  const h = await startWriter({ settings: { ...small, writeTimeoutMs: 5_000 }, capacity: 20 });
  try {
    h.sink.hang = true;
    h.buffer.push(makeSamples(0, 5));
    await h.idle();
    h.buffer.push(makeSamples(5, 40));
    await h.advance(5_000);
    const st = writerStatus(h.actor.getSnapshot());
    assert.equal(st.buffer.dropped, 20);
    assert.equal(st.losses.buffer_full, 20);
    assert.equal(st.loss?.reason, "buffer_full");
    assert.equal(st.loss?.lost, 20);
    assert.equal(st.totals.valuesLost, 0, "valuesLost keeps counting the writer's own losses");
  } finally {
    h.sink.release();
    await h.close();
  }
});

Deno.test("a historian outage is announced with its reason and ends with its duration and the samples journaled", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.sink.down = true;
    const t0 = h.clock.now();
    for (let i = 0; i < 20; i++) {
      h.buffer.push(makeSamples(i * 5, 5));
      await h.advance(500);
    }
    const started = h.emitted.filter((e) => e.type === "outageStarted");
    assert.deepEqual(started, [{
      type: "outageStarted",
      sink: "fake",
      at: t0,
      reason: "fake sink is down",
    }]);
    assert.deepEqual(writerStatus(h.actor.getSnapshot()).outage, {
      since: t0,
      reason: "fake sink is down",
    });
    h.sink.down = false;
    await h.advance(1_000);
    const ended = h.emitted.filter((e) => e.type === "outageEnded");
    assert.equal(ended.length, 1);
    const e = ended[0];
    assert.ok(e.type === "outageEnded");
    const st = writerStatus(h.actor.getSnapshot());
    assert.equal(e.valuesJournaled, st.totals.valuesSpilled);
    assert.ok(e.valuesJournaled > 50);
    assert.equal(e.valuesLost, 0);
    assert.equal(e.durationMs, e.at - t0);
    assert.ok(e.durationMs >= 10_000);
    assert.equal(st.outage, null);
  } finally {
    await h.close();
  }
});

Deno.test("a failure that a retry gets through is a short outage, ended by the successful write", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.sink.down = true;
    h.buffer.push(makeSamples(0, 5));
    await h.advance(10);
    h.sink.down = false;
    await h.advance(1_000);
    const kinds = h.emitted.map((e) => e.type).filter((t) => t.startsWith("outage"));
    assert.deepEqual(kinds, ["outageStarted", "outageEnded"]);
    const e = h.emitted.find((e) => e.type === "outageEnded");
    assert.ok(e?.type === "outageEnded" && e.durationMs === 1_000 && e.valuesJournaled === 0);
  } finally {
    await h.close();
  }
});

Deno.test("the writer's losses by reason match what the journal refused, also for a spill with two reasons", async () => {
  const fs = new QuotaFs(60_000);
  const h = await startWriter({
    settings: { ...small, spillBatchSize: 200 },
    journal: { fs, maxBytes: 2_000, minFreeBytes: 20_000 },
  });
  try {
    h.sink.down = true;
    h.buffer.push(makeSamples(0, 5));
    await h.advance(8_000); // retries run out: the sink counts as down
    fs.occupied = 45_000; // 15 kB free: below the watermark
    h.buffer.push(makeSamples(5, 150));
    await h.advance(2_000);
    const st = writerStatus(h.actor.getSnapshot());
    const j = st.journal.droppedByReason;
    assert.ok(j.journal_full > 0 && j.disk_low > 0, JSON.stringify(j));
    assert.equal(st.losses.journal_full, j.journal_full);
    assert.equal(st.losses.disk_low, j.disk_low);
    assert.equal(st.losses.disk_full, j.disk_full);
    assert.equal(st.totals.valuesSpilled + st.totals.valuesLost, 155);
  } finally {
    await h.close();
  }
});
