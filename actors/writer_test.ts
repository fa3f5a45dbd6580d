import assert from "node:assert/strict";
import { createActor } from "xstate";
import { SampleBuffer } from "./buffer.ts";
import { systemClock } from "./clock.ts";
import { Journal } from "./journal.ts";
import { stopWriter, writerMachine, writerStatus } from "./writer.ts";
import { FakeSink, key, makeSamples, segmentFiles, startWriter } from "./writer_testing.ts";

const small = { batchSize: 5, maxBatchSize: 5, batchMs: 500 };

Deno.test("writer writes a batch as soon as batchSize samples wait", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.buffer.push(makeSamples(0, 12));
    await h.idle();
    assert.deepEqual(h.sink.batches.map((b) => b.batch.length), [5, 5]);
    assert.equal(h.buffer.size, 2);
    await h.advance(499);
    assert.equal(h.sink.batches.length, 2, "the rest waits for its batch time");
    await h.advance(1);
    assert.deepEqual(h.sink.batches.map((b) => b.batch.length), [5, 5, 2]);
    h.sink.assertBatchesUntouched();
  } finally {
    await h.close();
  }
});

Deno.test("a writer that fell behind drains the backlog in batches of up to maxBatchSize", async () => {
  const h = await startWriter({ settings: { ...small, maxBatchSize: 20 } });
  try {
    h.buffer.push(makeSamples(0, 47));
    await h.idle();
    assert.deepEqual(h.sink.batches.map((b) => b.batch.length), [20, 20, 7]);
    assert.deepEqual(h.sink.batches.flatMap((b) => b.batch.map((s) => s.ts)), [
      ...Array(47).keys(),
    ]);
    assert.equal(h.buffer.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("writer writes a partial batch batchMs after its first sample", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.buffer.push(makeSamples(0, 1));
    await h.advance(300);
    h.buffer.push(makeSamples(1, 2));
    await h.advance(199);
    assert.equal(h.sink.batches.length, 0);
    await h.advance(1);
    assert.deepEqual(h.sink.batches.map((b) => b.batch.map((s) => s.ts)), [[0, 1, 2]]);
  } finally {
    await h.close();
  }
});

Deno.test("flush writes what the buffer holds without waiting", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.buffer.push(makeSamples(0, 3));
    await h.idle();
    h.actor.send({ type: "flush" });
    await h.idle();
    assert.deepEqual(h.sink.batches.map((b) => b.batch.length), [3]);
  } finally {
    await h.close();
  }
});

Deno.test("a failed batch is retried after 1, 2 and 4 s, then spilled to the journal", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.sink.down = true;
    const t0 = h.clock.now();
    h.buffer.push(makeSamples(0, 5));
    await h.advance(6_999);
    assert.deepEqual(h.sink.attemptTimes.map((t) => t - t0), [0, 1_000, 3_000]);
    assert.equal(h.journal.stats().appendedValues, 0);
    await h.advance(1);
    assert.deepEqual(h.sink.attemptTimes.map((t) => t - t0), [0, 1_000, 3_000, 7_000]);
    assert.equal(h.journal.stats().appendedValues, 5);
    assert.equal((await segmentFiles(h.dir)).length, 1);
    assert.deepEqual(
      h.emitted.filter((e) => e.type === "writeFailed").map((e) =>
        e.type === "writeFailed" && e.retryInMs
      ),
      [1_000, 2_000, 4_000, null],
    );
    assert.ok(h.emitted.some((e) => e.type === "spilled" && e.reason === "retries-exhausted"));
    const status = writerStatus(h.actor.getSnapshot());
    assert.equal(status.condition, "degraded");
    assert.equal(status.totals.failures, 4);
    assert.equal(status.lastError?.message, "fake sink is down");
  } finally {
    await h.close();
  }
});

Deno.test("while a batch waits for its retry, live samples wait behind it in the buffer", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.sink.down = true;
    h.buffer.push(makeSamples(0, 5));
    await h.idle();
    h.buffer.push(makeSamples(5, 10));
    await h.advance(999);
    assert.equal(h.sink.attempts, 1);
    assert.equal(h.journal.stats().appendedValues, 0, "a short blip does not touch the disk");
    h.sink.down = false;
    await h.advance(1);
    assert.deepEqual(h.sink.batches.map((b) => b.batch[0].ts), [0, 5, 10], "in order, none lost");
    assert.equal(writerStatus(h.actor.getSnapshot()).condition, "healthy");
  } finally {
    await h.close();
  }
});

Deno.test("a batch under retry is spilled early when the buffer behind it fills to the high-water mark", async () => {
  const h = await startWriter({ settings: { ...small, retryHighWater: 0.5 }, capacity: 40 });
  try {
    h.sink.down = true;
    h.buffer.push(makeSamples(0, 5));
    await h.idle();
    h.buffer.push(makeSamples(5, 19));
    await h.idle();
    assert.equal(h.journal.stats().appendedValues, 0);
    h.buffer.push(makeSamples(24, 1));
    await h.idle();
    assert.equal(h.sink.attempts, 1);
    assert.equal(h.buffer.size, 0, "the buffer went to the journal behind the batch");
    assert.ok(h.emitted.some((e) => e.type === "spilled" && e.reason === "buffer-high"));
    assert.equal(writerStatus(h.actor.getSnapshot()).condition, "degraded");
    h.sink.down = false;
    await h.advance(1_000);
    assert.deepEqual(
      h.sink.batches.flatMap((b) => b.batch.map((s) => s.ts)),
      makeSamples(0, 25).map((s) => s.ts),
    );
  } finally {
    await h.close();
  }
});

Deno.test("when the sink is back, the journal is replayed in order beside live data", async () => {
  const h = await startWriter({ settings: { ...small, probeIntervalMs: 1_000 } });
  try {
    h.sink.down = true;
    let ts = 0;
    for (let i = 0; i < 40; i++) {
      h.buffer.push(makeSamples(ts, 5));
      ts += 5;
      await h.advance(500);
    }
    assert.ok(h.journal.stats().appendedValues > 150);
    assert.equal(writerStatus(h.actor.getSnapshot()).condition, "degraded");
    h.sink.down = false;
    for (let i = 0; i < 20; i++) {
      h.buffer.push(makeSamples(ts, 5));
      ts += 5;
      await h.advance(250);
    }
    assert.equal(h.journal.hasPending(), false);
    assert.deepEqual(await segmentFiles(h.dir), []);
    assert.equal(h.sink.rows.size, ts);
    assert.equal(h.sink.duplicateAttempts, 0);
    const written = h.emitted.flatMap((e) => e.type === "batchWritten" ? [e] : []);
    assert.equal(written.length, h.sink.batches.length);
    const sources = written.map((e) => e.source === "live" ? "l" : "j").join("");
    const replaying = sources.slice(0, sources.lastIndexOf("j") + 1);
    assert.ok(!/ll/.test(replaying), `live batches alternate with replay: ${sources}`);
    assert.ok(
      !/jjj/.test(replaying.slice(replaying.indexOf("l"))),
      `replay is not starved: ${sources}`,
    );
    assert.ok(h.emitted.some((e) => e.type === "sinkUp"));
    assert.ok(h.emitted.some((e) => e.type === "replayDone"));
    const replayed = h.sink.batches.filter((_, i) => written[i].source === "journal")
      .flatMap((b) => b.batch.map((s) => s.ts));
    assert.deepEqual(replayed, makeSamples(0, replayed.length).map((s) => s.ts), "oldest first");
  } finally {
    await h.close();
  }
});

Deno.test("graceful stop writes everything to the sink within the deadline", async () => {
  const h = await startWriter();
  try {
    h.buffer.push(makeSamples(0, 1_234));
    await h.idle();
    const t0 = h.clock.now();
    const status = await stopWriter(h.actor);
    assert.equal(h.clock.now() - t0, 0);
    assert.equal(status.condition, "stopped");
    assert.equal(h.sink.rows.size, 1_234);
    assert.equal(h.buffer.size, 0);
    assert.equal(h.journal.hasPending(), false);
    assert.equal(status.totals.valuesWritten, 1_234);
  } finally {
    await h.close();
  }
});

Deno.test("stopping with the sink down spills the rest, and the next writer replays it", async () => {
  const first = await startWriter({ settings: small });
  try {
    first.sink.down = true;
    first.buffer.push(makeSamples(0, 5));
    await first.idle(); // the batch waits for its first retry
    first.buffer.push(makeSamples(5, 23));
    const status = await stopWriter(first.actor);
    assert.equal(status.totals.valuesSpilled, 28);
    assert.equal(first.journal.stats().appendedValues, 28);
    assert.equal(first.sink.attempts, 2, "one more try at stop, then the rest spills at once");
    await first.crash();
    const second = await startWriter({ dir: first.dir, settings: small });
    try {
      await second.advance(100);
      assert.deepEqual([...second.sink.rows.keys()].sort(), makeSamples(0, 28).map(key).sort());
      assert.equal(second.journal.hasPending(), false);
    } finally {
      await second.crash();
    }
  } finally {
    await first.close();
  }
});

Deno.test("a write that hangs at stop is abandoned at the deadline and spilled", async () => {
  const h = await startWriter({ settings: { ...small, stopDeadlineMs: 3_000 } });
  try {
    h.sink.hang = true;
    h.buffer.push(makeSamples(0, 5));
    await h.idle();
    h.buffer.push(makeSamples(5, 3));
    const t0 = h.clock.now();
    const done = stopWriter(h.actor);
    await h.advance(3_000);
    const status = await done;
    assert.equal(h.clock.now() - t0, 3_000);
    assert.equal(status.totals.valuesSpilled, 8);
    assert.equal(h.journal.stats().appendedValues, 8);
  } finally {
    await h.close();
  }
});

Deno.test("a write slower than writeTimeoutMs counts as failed and is retried", async () => {
  const h = await startWriter({ settings: { ...small, writeTimeoutMs: 2_000 } });
  try {
    h.sink.hang = true;
    h.buffer.push(makeSamples(0, 5));
    await h.advance(2_000);
    assert.match(
      writerStatus(h.actor.getSnapshot()).lastError?.message ?? "",
      /timed out after 2000 ms/,
    );
    h.sink.hang = false;
    await h.advance(1_000);
    assert.equal(h.sink.rows.size, 5);
  } finally {
    await h.close();
  }
});

Deno.test("a full journal refuses spills, counts them as lost, and warns first", async () => {
  const h = await startWriter({ settings: small, journal: { maxBytes: 4_000, warnRatio: 0.5 } });
  try {
    h.sink.down = true;
    for (let i = 0; i < 30; i++) {
      h.buffer.push(makeSamples(i * 5, 5));
      await h.advance(1_000);
    }
    const st = writerStatus(h.actor.getSnapshot());
    assert.ok(st.journal.bytes <= 4_000);
    assert.ok(st.totals.valuesLost > 0);
    assert.equal(st.totals.valuesLost, st.journal.droppedValues);
    assert.equal(st.totals.valuesSpilled + st.totals.valuesLost, 150);
    assert.deepEqual(h.journalEvents.map((e) => e.type), ["nearFull", "full"]);
  } finally {
    await h.close();
  }
});

Deno.test("status shows depth, totals, journal, replay progress and the 5-minute window", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.buffer.push(makeSamples(0, 23));
    await h.advance(500);
    const st = writerStatus(h.actor.getSnapshot());
    assert.equal(st.condition, "healthy");
    assert.equal(st.activity, "waiting");
    assert.equal(st.sink, "fake");
    assert.equal(st.totals.batches, 5);
    assert.equal(st.totals.valuesWritten, 23);
    assert.equal(st.buffer.size, 0);
    assert.equal(st.window.batches, 5);
    assert.equal(st.window.latencyP50Ms, 0);
    assert.equal(st.window.valuesPerSecond, 23);
    assert.equal(st.replay.pending, false);
    assert.equal(st.replay.progress, null);
    assert.equal(st.journal.segments, 0);
  } finally {
    await h.close();
  }
});

Deno.test("writer runs on the real clock and leaves no timer behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "writer_test_" });
  const journal = await Journal.open({ dir });
  const sink = new FakeSink();
  const buffer = new SampleBuffer(1_000);
  const actor = createActor(writerMachine, {
    input: { sink, buffer, journal, clock: systemClock, settings: { batchMs: 20 } },
  }).start();
  try {
    buffer.push(makeSamples(0, 3));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(sink.rows.size, 3);
    buffer.push(makeSamples(3, 2));
    await stopWriter(actor);
    assert.equal(sink.rows.size, 5);
  } finally {
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
});
