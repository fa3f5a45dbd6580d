import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import type { Sample } from "../model/sample.ts";
import { Journal } from "./journal.ts";
import { stopWriter, writerStatus } from "./writer.ts";
import { type Harness, key, makeSamples, segmentFiles, startWriter } from "./writer_testing.ts";

const small = { batchSize: 5, batchMs: 500, probeIntervalMs: 1_000 };

/** Asserts the sink stored exactly `produced` (no more, no less, same values). */
function assertStoredExactly(h: Harness, produced: readonly Sample[]): void {
  const want = new Map(produced.map((s) => [key(s), s]));
  assert.equal(h.sink.rows.size, want.size, "stored rows");
  for (const [k, s] of want) assert.deepEqual(h.sink.rows.get(k), s, `row ${k}`);
}

/** Per tag, the samples each source (live, journal) delivered arrive in time order. */
function assertOrderPerTagAndSource(h: Harness, fromBatch = 0): void {
  const written = h.emitted.flatMap((e) => e.type === "batchWritten" ? [e] : []);
  const batches = h.sink.batches.slice(fromBatch);
  assert.equal(written.length, batches.length);
  const last = new Map<string, number>();
  batches.forEach(({ batch }, i) => {
    for (const s of batch) {
      const k = `${written[i].source}:${s.tagId}`;
      assert.ok((last.get(k) ?? -Infinity) < s.ts, `${k} went back in time at ${s.ts}`);
      last.set(k, s.ts);
    }
  });
}

/** A phase of an outage schedule: the sink up or down for a while, samples every 250 ms. */
interface Phase {
  readonly down: boolean;
  readonly ms: number;
  readonly perTick: number;
}

const scenario = fc.record({
  phases: fc.array(
    fc.record({ down: fc.boolean(), ms: fc.integer({ min: 0, max: 12_000 }), perTick: fc.nat(12) }),
    { minLength: 1, maxLength: 8 },
  ),
  /** Restart the writer gracefully (stop, new journal and writer) after this phase, if set. */
  restartAfter: fc.option(fc.nat(7), { nil: undefined }),
});

Deno.test("any outage schedule: every sample stored exactly once, in order per tag, journal empty (property)", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ phases, restartAfter }) => {
      const first = await startWriter({ settings: small });
      let h = first;
      let fromBatch = 0;
      try {
        const produced: Sample[] = [];
        for (const [i, phase] of (phases as Phase[]).entries()) {
          h.sink.down = phase.down;
          for (let t = 0; t < phase.ms; t += 250) {
            const batch = makeSamples(produced.length, phase.perTick);
            produced.push(...batch);
            h.buffer.push(batch);
            await h.advance(250);
          }
          if (i === restartAfter) {
            await stopWriter(h.actor);
            assertOrderPerTagAndSource(h, fromBatch);
            fromBatch = h.sink.batches.length;
            await h.crash();
            h = await startWriter({
              dir: first.dir,
              sink: first.sink,
              clock: first.clock,
              settings: small,
            });
          }
        }
        h.sink.down = false;
        const busy = () =>
          h.journal.hasPending() || h.buffer.size > 0 || writerStatus(h.actor.getSnapshot()).retry;
        for (let i = 0; i < 60 && busy(); i++) await h.advance(1_000);
        assert.ok(!busy(), "the writer caught up once the sink was back");
        const status = await stopWriter(h.actor);
        assertStoredExactly(h, produced);
        assert.equal(h.sink.duplicateAttempts, 0, "nothing was sent twice");
        assert.equal(status.totals.valuesLost, 0);
        assert.equal(h.buffer.dropped, 0);
        assert.equal(h.journal.hasPending(), false, "the journal drained");
        assert.deepEqual(await segmentFiles(h.dir), []);
        assertOrderPerTagAndSource(h, fromBatch);
        h.sink.assertBatchesUntouched();
      } finally {
        if (h !== first) await h.crash();
        await first.close();
      }
    }),
    { numRuns: 60 },
  );
});

Deno.test("a long outage then recovery: nothing lost, nothing doubled, the journal drains", async () => {
  // Replay in batches of 100: 12,000 journaled values in 120 cursor fsyncs, not 2,400.
  const h = await startWriter({ settings: { ...small, replayBatchSize: 100 }, capacity: 1_000 });
  try {
    const produced: Sample[] = [];
    h.sink.down = true;
    for (let i = 0; i < 600; i++) { // 60 s at 100 ms, 20 samples each
      const batch = makeSamples(produced.length, 20);
      produced.push(...batch);
      h.buffer.push(batch);
      await h.advance(100);
    }
    assert.equal(h.buffer.dropped, 0, "the buffer never overflowed");
    assert.ok(h.journal.stats().appendedValues > 11_000);
    h.sink.down = false;
    for (let i = 0; i < 100; i++) {
      const batch = makeSamples(produced.length, 20);
      produced.push(...batch);
      h.buffer.push(batch);
      await h.advance(100);
    }
    assert.equal(h.journal.hasPending(), false);
    await stopWriter(h.actor);
    assertStoredExactly(h, produced);
    assert.equal(h.sink.duplicateAttempts, 0);
    assertOrderPerTagAndSource(h);
  } finally {
    await h.close();
  }
});

Deno.test("after a crash the next writer replays the journal on start, skipping a torn last row", async () => {
  const first = await startWriter({ settings: small });
  try {
    first.sink.down = true;
    const spilled = makeSamples(0, 40);
    for (let i = 0; i < 8; i++) {
      first.buffer.push(spilled.slice(i * 5, i * 5 + 5));
      await first.advance(1_000);
    }
    await first.advance(10_000);
    assert.equal(first.journal.stats().appendedValues, 40);
    first.buffer.push(makeSamples(40, 3)); // in memory only: kill -9 loses these
    await first.crash();
    const files = await segmentFiles(first.dir);
    const last = join(first.dir, "journal", files.at(-1)!);
    const lines = (await Deno.readTextFile(last)).split("\n").length;
    await Deno.writeTextFile(last, "1,99,1970-01-01T00:00:00.099Z,number,4", { append: true });

    const second = await startWriter({ dir: first.dir, settings: small });
    try {
      await second.advance(100);
      assertStoredExactly(second, spilled);
      assert.equal(second.journal.hasPending(), false);
      assert.deepEqual(
        second.journalEvents.map((e) => e.type === "tornRow" ? [e.file, e.line] : e.type),
        [
          [last, lines],
        ],
      );
    } finally {
      await second.crash();
    }
  } finally {
    await first.close();
  }
});

Deno.test("a crash during replay re-sends at most the batch that was in flight", async () => {
  const dir = await Deno.makeTempDir({ prefix: "writer_test_" });
  try {
    const stored = makeSamples(0, 60);
    const journal = await Journal.open({ dir: join(dir, "journal") });
    for (let i = 0; i < 60; i += 10) await journal.append(stored.slice(i, i + 10));
    await journal.close();

    const first = await startWriter({ dir, settings: small });
    first.sink.hang = false;
    let writes = 0;
    const write = first.sink.write.bind(first.sink);
    first.sink.write = (batch) => {
      if (++writes === 3) first.sink.commitThenHang = true; // the third batch commits, its reply never comes
      return write(batch);
    };
    await first.idle();
    assert.equal(first.sink.rows.size, 15);
    await first.crash();

    const second = await startWriter({ dir, settings: small, sink: first.sink });
    try {
      await second.advance(100);
      assertStoredExactly(second, stored);
      assert.equal(second.sink.duplicateAttempts, 5, "only the batch in flight was sent again");
    } finally {
      await second.crash();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status reports replay progress while the journal drains", async () => {
  const h = await startWriter({ settings: small });
  try {
    h.sink.down = true;
    for (let i = 0; i < 20; i++) {
      h.buffer.push(makeSamples(i * 5, 5));
      await h.advance(600);
    }
    h.sink.down = false;
    let progress: (number | null)[] = [];
    h.actor.subscribe((s) => {
      const st = writerStatus(s);
      if (st.replay.pending) progress.push(st.replay.progress);
    });
    await h.advance(2_000);
    progress = progress.filter((p) => p !== null);
    assert.ok(progress.length > 0);
    assert.ok(
      progress.every((p, i) => i === 0 || p! >= progress[i - 1]!),
      `monotonic: ${progress}`,
    );
    assert.equal(writerStatus(h.actor.getSnapshot()).replay.pending, false);
    assert.equal(writerStatus(h.actor.getSnapshot()).totals.valuesReplayed, 100);
  } finally {
    await h.close();
  }
});
