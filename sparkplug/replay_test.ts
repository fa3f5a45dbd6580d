import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { systemClock } from "../actors/clock.ts";
import { replaySpool } from "./replay.ts";
import { Spool } from "./spool.ts";

function samples(n: number, from = 0): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    tagId: 1,
    ts: 1_700_000_000_000 + from + i,
    value: from + i,
    quality: "good" as const,
  }));
}

const TUNING = { replayBatch: 1_000, replayValuesPerSecond: 1_000_000, maxUnsentBytes: 1_000 };

Deno.test("the spool replays oldest first in batches and is empty afterwards", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_replay_" });
  const spool = await Spool.open(dir);
  try {
    await spool.append(samples(2_500));
    const seen: number[] = [];
    const sent = await replaySpool({
      spool,
      clock: systemClock,
      tuning: TUNING,
      log: () => {},
      online: () => true,
      unsentBytes: () => 0,
      publishHistorical: (batch) => seen.push(...batch.map((s) => s.value as number)),
    });
    assert.equal(sent, 2_500);
    assert.deepEqual(seen, samples(2_500).map((s) => s.value));
    assert.equal(spool.hasPending(), false);
  } finally {
    await spool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a replay stops when the node leaves online; what was not handed over stays spooled", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_replay_" });
  const spool = await Spool.open(dir);
  try {
    await spool.append(samples(3_000));
    let batches = 0;
    const sent = await replaySpool({
      spool,
      clock: systemClock,
      tuning: TUNING,
      log: () => {},
      online: () => batches < 1,
      unsentBytes: () => 0,
      publishHistorical: () => batches++,
    });
    assert.equal(sent, 1_000);
    assert.equal(spool.hasPending(), true);
    const next = await spool.read(10);
    assert.equal(next?.samples[0].value, 1_000, "the next replay starts after the committed batch");
  } finally {
    await spool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a replay waits while the connection holds more than half its unsent bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_replay_" });
  const spool = await Spool.open(dir);
  try {
    await spool.append(samples(10));
    let unsent = 900; // above half of maxUnsentBytes (1,000)
    let published = 0;
    let polls = 0;
    const sent = await replaySpool({
      spool,
      clock: systemClock,
      tuning: TUNING,
      log: () => {},
      online: () => true,
      unsentBytes: () => {
        if (++polls === 4) unsent = 0; // the connection drains
        return unsent;
      },
      publishHistorical: (batch) => {
        assert.equal(unsent, 0, "nothing is published while the connection is backed up");
        published += batch.length;
      },
    });
    assert.equal(sent, 10);
    assert.equal(published, 10);
    assert.ok(polls >= 4);
  } finally {
    await spool.close();
    await Deno.remove(dir, { recursive: true });
  }
});
