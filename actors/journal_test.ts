import assert from "node:assert/strict";
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import { Journal, type JournalEvent, type JournalOptions } from "./journal.ts";
import { JOURNAL_HEADER } from "./journal_format.ts";

const samples = (from: number, n: number, tagId = 1): Sample[] =>
  Array.from(
    { length: n },
    (_, i) => ({ tagId, ts: from + i, value: (from + i) / 10, quality: "good" }),
  );

/** A temp directory removed after `fn`, with journals opened through `open` closed too. */
async function withDir(
  fn: (
    dir: string,
    open: (o?: Partial<JournalOptions>) => Promise<Journal>,
    events: JournalEvent[],
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "journal_test_" });
  const opened: Journal[] = [];
  const events: JournalEvent[] = [];
  const open = async (o: Partial<JournalOptions> = {}) => {
    const j = await Journal.open({
      dir: join(dir, "journal"),
      now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
      onEvent: (e) => events.push(e),
      ...o,
    });
    opened.push(j);
    return j;
  };
  try {
    await fn(join(dir, "journal"), open, events);
  } finally {
    for (const j of opened) await j.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function drain(j: Journal, max: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let b = await j.read(max); b; b = await j.read(max)) {
    out.push(...b.samples);
    await j.commit(b);
  }
  return out;
}

const csvFiles = async (dir: string) => {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".csv")) names.push(e.name);
  return names.sort();
};

Deno.test("journal spills to a readable CSV file and replays it in order, then deletes it", async () => {
  await withDir(async (dir, open) => {
    const j = await open();
    assert.deepEqual(await j.append(samples(0, 3)), { written: 3, dropped: 0 });
    assert.deepEqual(await j.append(samples(3, 2)), { written: 2, dropped: 0 });
    const files = await csvFiles(dir);
    assert.deepEqual(files, ["segment_0000000001_20250102T030405Z.csv"]);
    const text = await Deno.readTextFile(join(dir, files[0]));
    assert.ok(text.startsWith(JOURNAL_HEADER));
    assert.equal(text.split("\n").length, 7);
    assert.ok(j.hasPending());
    const b1 = await j.read(4);
    assert.deepEqual(b1?.samples, samples(0, 4));
    assert.equal(b1?.last, false);
    await j.commit(b1!);
    const b2 = await j.read(4);
    assert.deepEqual(b2?.samples, samples(4, 1));
    assert.equal(b2?.last, true);
    await j.commit(b2!);
    assert.equal(await j.read(4), null);
    assert.equal(j.hasPending(), false);
    assert.deepEqual(await csvFiles(dir), []);
    const st = j.stats();
    assert.equal(st.bytes, 0);
    assert.equal(st.appendedValues, 5);
    assert.equal(st.replayedValues, 5);
    assert.equal(st.spills, 2);
  });
});

Deno.test("journal rotates segments by size and replays the oldest first", async () => {
  await withDir(async (dir, open) => {
    const j = await open({ segmentBytes: 200 });
    for (let i = 0; i < 10; i++) await j.append(samples(i * 5, 5));
    const files = await csvFiles(dir);
    assert.ok(files.length >= 5, `segments: ${files.length}`);
    assert.equal(j.stats().segments, files.length);
    assert.deepEqual(await drain(j, 7), samples(0, 50));
    assert.deepEqual(await csvFiles(dir), []);
  });
});

Deno.test("reading the segment being written ends it; later spills start a new file", async () => {
  await withDir(async (dir, open) => {
    const j = await open();
    await j.append(samples(0, 3));
    const b = await j.read(10);
    await j.append(samples(3, 2));
    assert.equal((await csvFiles(dir)).length, 2);
    await j.commit(b!);
    assert.deepEqual(await drain(j, 10), samples(3, 2));
  });
});

Deno.test("a crash during replay re-sends at most the batch in flight", async () => {
  await withDir(async (_dir, open) => {
    const first = await open();
    await first.append(samples(0, 10));
    await first.commit((await first.read(4))!);
    const inFlight = await first.read(4); // sent, never committed: the crash
    assert.deepEqual(inFlight?.samples, samples(4, 4));
    await first.close();
    const second = await open();
    assert.deepEqual(await drain(second, 4), samples(4, 6));
  });
});

Deno.test("a segment whose deletion was lost in a crash is not replayed again", async () => {
  await withDir(async (dir, open) => {
    const first = await open({ segmentBytes: 100 });
    await first.append(samples(0, 3));
    await first.append(samples(3, 3));
    const [oldest] = await csvFiles(dir);
    const copy = await Deno.readFile(join(dir, oldest));
    const b = await first.read(100);
    await first.commit(b!);
    await first.close();
    await Deno.writeFile(join(dir, oldest), copy); // as if the unlink never reached the disk
    const second = await open();
    assert.deepEqual(await drain(second, 100), samples(3, 3));
    assert.deepEqual(await csvFiles(dir), []);
  });
});

Deno.test("a torn last row is skipped with a warning naming file and line", async () => {
  await withDir(async (dir, open, events) => {
    const first = await open();
    await first.append(samples(0, 2));
    await first.close();
    const [name] = await csvFiles(dir);
    await Deno.writeTextFile(
      join(dir, name),
      '1,2,1970-01-01T00:00:00.002Z,string,"torn in the mid',
      { append: true },
    );
    const second = await open();
    assert.deepEqual(await drain(second, 10), samples(0, 2));
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.type, "tornRow");
    assert.ok(
      e.type === "tornRow" && e.file === join(dir, name) && e.line === 4,
      JSON.stringify(e),
    );
    assert.equal(second.stats().tornRows, 1);
  });
});

Deno.test("corrupt rows are reported by file and line and skipped", async () => {
  await withDir(async (dir, open, events) => {
    const first = await open();
    await first.append(samples(0, 1));
    await first.close();
    const [name] = await csvFiles(dir);
    await Deno.writeTextFile(join(dir, name), "1,1,,number,oops,good\n1,2,,number,2,good\n", {
      append: true,
    });
    const second = await open();
    assert.deepEqual((await drain(second, 10)).map((s) => s.ts), [0, 2]);
    assert.deepEqual(events.map((e) => e.type === "corruptRow" ? [e.file, e.line] : e.type), [[
      join(dir, name),
      3,
    ]]);
  });
});

Deno.test("the journal refuses what exceeds its bound, counts it, and warns near the bound", async () => {
  await withDir(async (_dir, open, events) => {
    const rowBytes = 52; // "1,1000,1970-01-01T00:00:01.000Z,number,100,good\n" and friends
    const j = await open({ maxBytes: 40 + 10 * rowBytes, warnRatio: 0.5 });
    assert.deepEqual(await j.append(samples(1000, 4)), { written: 4, dropped: 0 });
    assert.deepEqual(events.map((e) => e.type), []);
    await j.append(samples(1004, 2));
    assert.deepEqual(events.map((e) => e.type), ["nearFull"]);
    const r = await j.append(samples(1006, 10));
    assert.ok(r.written > 0 && r.dropped > 0 && r.written + r.dropped === 10, JSON.stringify(r));
    assert.ok(j.stats().bytes <= 40 + 10 * rowBytes);
    assert.deepEqual(await j.append(samples(2000, 3)), {
      written: 0,
      dropped: 3,
      reason: "journal_full",
      droppedByReason: { journal_full: 3 },
    });
    assert.equal(j.stats().droppedValues, r.dropped + 3);
    assert.equal(j.stats().droppedByReason.journal_full, r.dropped + 3);
    assert.deepEqual(events.map((e) => e.type), ["nearFull", "full"], "one warning per crossing");
    const replayed = await drain(j, 100);
    assert.deepEqual(replayed, samples(1000, 6 + r.written), "the oldest data is kept");
    assert.deepEqual(await j.append(samples(3000, 2)), { written: 2, dropped: 0 });
  });
});

Deno.test("journal reopens what a previous run left, in order, and keeps numbering", async () => {
  await withDir(async (dir, open) => {
    const first = await open({ segmentBytes: 1 });
    await first.append(samples(0, 2));
    await first.append(samples(2, 2));
    await first.close();
    await Deno.writeTextFile(join(dir, "notes.txt"), "operator notes");
    const second = await open({ segmentBytes: 1 });
    assert.equal(second.stats().segments, 2);
    await second.append(samples(4, 2));
    assert.deepEqual((await csvFiles(dir)).map((n) => n.slice(0, 18)), [
      "segment_0000000001",
      "segment_0000000002",
      "segment_0000000003",
    ]);
    assert.deepEqual(await drain(second, 3), samples(0, 6));
  });
});

Deno.test("committing a batch out of order is a bug and throws", async () => {
  await withDir(async (_dir, open) => {
    const j = await open();
    await j.append(samples(0, 4));
    const b = (await j.read(2))!;
    await j.commit(b);
    await assert.rejects(() => j.commit(b), /out of order/);
  });
});

Deno.test("an unreadable cursor replays the oldest segment from its start", async () => {
  await withDir(async (dir, open, events) => {
    const first = await open();
    await first.append(samples(0, 4));
    await first.commit((await first.read(2))!);
    await first.close();
    await Deno.writeTextFile(join(dir, "replay_cursor"), "garbage");
    const second = await open();
    assert.deepEqual(await drain(second, 10), samples(0, 4));
    assert.deepEqual(events.map((e) => e.type), ["cursorReset"]);
  });
});
