import assert from "node:assert/strict";
import { join } from "node:path";
import type { Sample } from "../model/sample.ts";
import { Journal, type JournalEvent, type JournalOptions } from "./journal.ts";
import { CURSOR_BYTES, CURSOR_FILE } from "./journal_cursor.ts";
import { JOURNAL_HEADER } from "./journal_format.ts";
import { QuotaFs } from "./journal_fs_testing.ts";

const samples = (from: number, n: number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({
    tagId: 1 + ((from + i) % 4),
    ts: from + i,
    value: (from + i) / 10,
    quality: "good",
  }));

interface Env {
  readonly dir: string;
  readonly fs: QuotaFs;
  readonly events: JournalEvent[];
  open(o?: Partial<JournalOptions>): Promise<Journal>;
}

/** A journal directory on a small "disk" of `capacity` bytes; everything closed and removed after. */
async function onDisk(capacity: number, fn: (env: Env) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "journal_disk_test_" });
  const dir = join(root, "journal");
  const fs = new QuotaFs(capacity);
  const events: JournalEvent[] = [];
  const opened: Journal[] = [];
  const open = async (o: Partial<JournalOptions> = {}) => {
    const j = await Journal.open({
      dir,
      fs,
      minFreeBytes: 0,
      segmentBytes: 1_000,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      onEvent: (e) => events.push(e),
      ...o,
    });
    opened.push(j);
    return j;
  };
  try {
    await fn({ dir, fs, events, open });
  } finally {
    for (const j of opened) await j.close();
    await Deno.remove(root, { recursive: true });
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

/** Segment files and their sizes. */
async function segments(dir: string): Promise<{ name: string; size: number }[]> {
  const out: { name: string; size: number }[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".csv")) {
      out.push({ name: e.name, size: (await Deno.stat(join(dir, e.name))).size });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

Deno.test("a spill the full disk refuses is cut back, counted as disk_full, and leaves no empty segment", async () => {
  await onDisk(2_000, async ({ dir, fs, events, open }) => {
    const j = await open();
    assert.deepEqual(await j.append(samples(0, 10)), { written: 10, dropped: 0 });
    const before = await segments(dir);
    const r = await j.append(samples(10, 100)); // ~4.5 kB: more than the disk has left
    assert.deepEqual(r, {
      written: 0,
      dropped: 100,
      reason: "disk_full",
      droppedByReason: { disk_full: 100 },
    });
    assert.ok(fs.enospcCount > 0, "the disk refused the write");
    assert.deepEqual(await segments(dir), before, "the segment is cut back to its last whole row");
    const st = j.stats();
    assert.equal(st.droppedByReason.disk_full, 100);
    assert.equal(st.droppedValues, 100);
    assert.deepEqual(events.map((e) => e.type), ["diskFull"]);
    // The next spill goes to a new segment, which the full disk refuses at its header: no file left.
    assert.deepEqual(await j.append(samples(110, 100)), {
      written: 0,
      dropped: 100,
      reason: "disk_full",
      droppedByReason: { disk_full: 100 },
    });
    assert.deepEqual(await segments(dir), before, "no empty segment file is left");
    assert.deepEqual(await drain(j, 7), samples(0, 10), "what was on disk replays intact");
    assert.deepEqual(await segments(dir), []);
  });
});

Deno.test("replay makes progress on a full disk: the cursor is overwritten in place and segments are deleted", async () => {
  await onDisk(100_000, async ({ dir, fs, open }) => {
    const j = await open();
    const stored = samples(0, 200);
    for (let i = 0; i < 200; i += 20) await j.append(stored.slice(i, i + 20));
    assert.ok((await segments(dir)).length >= 5);
    fs.capacity = fs.used; // the disk is now full
    assert.equal((await j.append(samples(500, 5))).reason, "disk_full");
    const cursorBytes = (await Deno.stat(join(dir, CURSOR_FILE))).size;
    assert.equal(cursorBytes, CURSOR_BYTES, "the cursor was preallocated when the journal opened");
    const freeAtStart = fs.free;
    const replayed: Sample[] = [];
    let reads = 0;
    for (let b = await j.read(7); b; b = await j.read(7)) {
      reads++;
      replayed.push(...b.samples);
      await j.commit(b);
    }
    assert.deepEqual(replayed, stored, "every row once, in order");
    assert.equal(reads, Math.ceil(20 / 7) * 10, "each batch was read once");
    assert.equal(j.stats().cursorWriteErrors, 0, "an in-place cursor write needs no free space");
    assert.equal(j.stats().cursorDurable, true);
    assert.deepEqual(await segments(dir), []);
    assert.ok(fs.free > freeAtStart, "replay freed the disk");
  });
});

Deno.test("a cursor write that fails does not stop replay, and after a crash replay resumes from the last durable cursor", async () => {
  await onDisk(1_000_000, async ({ dir, fs, events, open }) => {
    const j = await open({ segmentBytes: 1_000_000 });
    const stored = samples(0, 30);
    await j.append(stored);
    const first = await j.read(10);
    await j.commit(first!); // durable: 10 records done
    fs.failing.set("writeAt", () => new Error("Input/output error (os error 5)"));
    const rest: Sample[] = [];
    let reads = 0;
    for (let b = await j.read(10); b && reads < 10; b = await j.read(10)) {
      reads++;
      rest.push(...b.samples);
      if (!b.last) await j.commit(b);
      else break; // crash before the last commit
    }
    assert.deepEqual(
      rest,
      stored.slice(10),
      "replay moved on although the cursor could not be written",
    );
    assert.equal(reads, 2, "no batch was read twice");
    assert.equal(j.stats().cursorDurable, false);
    assert.equal(j.stats().cursorWriteErrors, 1);
    assert.deepEqual(events.filter((e) => e.type === "cursorWriteFailed").length, 1);
    await j.close();
    fs.failing.clear();
    const again = await open();
    assert.deepEqual(await drain(again, 100), stored.slice(10), "resumes at the durable cursor");
    assert.deepEqual(await segments(dir), []);
  });
});

Deno.test("below the free-space watermark the journal refuses spills as disk_low without touching the disk, and resumes when space is back", async () => {
  await onDisk(50_000, async ({ dir, fs, events, open }) => {
    const j = await open({ minFreeBytes: 20_000 });
    assert.deepEqual(await j.append(samples(0, 10)), { written: 10, dropped: 0 });
    fs.occupied = 40_000; // another file filled the disk up to 10 kB free
    const r = await j.append(samples(10, 10));
    assert.deepEqual(r, {
      written: 0,
      dropped: 10,
      reason: "disk_low",
      droppedByReason: { disk_low: 10 },
    });
    assert.equal(fs.enospcCount, 0, "no write was even tried");
    assert.equal(j.stats().droppedByReason.disk_low, 10);
    assert.equal(j.stats().freeBytes, fs.free);
    assert.equal(j.stats().minFreeBytes, 20_000);
    assert.equal((await segments(dir)).length, 1);
    fs.occupied = 0;
    assert.deepEqual(await j.append(samples(20, 10)), { written: 10, dropped: 0 });
    assert.deepEqual(events.map((e) => e.type), ["diskLow", "diskOk"]);
    assert.deepEqual(
      await drain(j, 100),
      [...samples(0, 10), ...samples(20, 10)],
    );
  });
});

Deno.test("a spill cut at the journal's bound and then refused by the disk counts each part by its reason", async () => {
  await onDisk(60_000, async ({ fs, open }) => {
    const j = await open({ maxBytes: 2_000, minFreeBytes: 20_000 });
    fs.occupied = 45_000; // 15 kB free: below the watermark
    const r = await j.append(samples(0, 100)); // ~4.5 kB: only ~40 rows fit under the bound
    assert.equal(r.written, 0);
    assert.equal(r.dropped, 100);
    const parts = r.droppedByReason!;
    assert.ok(parts.journal_full! > 0 && parts.disk_low! > 0, JSON.stringify(r));
    assert.equal(parts.journal_full! + parts.disk_low!, 100);
    assert.deepEqual(j.stats().droppedByReason, {
      journal_full: parts.journal_full,
      disk_low: parts.disk_low,
      disk_full: 0,
    });
  });
});

Deno.test("segments without rows that a full disk left behind are removed when the journal opens", async () => {
  await onDisk(1_000_000, async ({ dir, open }) => {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "segment_0000000001_20260102T030405Z.csv"), "");
    await Deno.writeTextFile(join(dir, "segment_0000000002_20260102T030405Z.csv"), JOURNAL_HEADER);
    const j = await open();
    assert.equal(j.hasPending(), false);
    assert.deepEqual(await segments(dir), []);
    assert.deepEqual(await j.append(samples(0, 3)), { written: 3, dropped: 0 });
    assert.equal((await segments(dir)).length, 1);
    assert.deepEqual(await drain(j, 10), samples(0, 3));
  });
});

Deno.test("stats estimate the values waiting for replay, exactly once a segment is read", async () => {
  await onDisk(1_000_000, async ({ open }) => {
    const j = await open({ segmentBytes: 600 });
    await j.append(samples(0, 25));
    await j.append(samples(25, 25));
    assert.equal(j.stats().pendingValues, 50);
    const b = await j.read(10);
    await j.commit(b!);
    assert.equal(j.stats().pendingValues, 40);
    await j.close();
    const again = await open({ segmentBytes: 600 });
    const estimate = again.stats().pendingValues;
    assert.ok(estimate > 20 && estimate < 80, `estimate ${estimate} for 40 rows`);
    await again.read(1);
    assert.ok(Math.abs(again.stats().pendingValues - 40) < 20);
    assert.deepEqual((await drain(again, 100)).length, 40);
    assert.equal(again.stats().pendingValues, 0);
  });
});

Deno.test("journal files are created 0600 and its directory 0700, an old 0644 cursor is tightened", async () => {
  await onDisk(1_000_000, async ({ dir, open }) => {
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    await Deno.writeTextFile(join(dir, CURSOR_FILE), "000000000000 000000000000\n", {
      mode: 0o644,
    });
    await Deno.chmod(join(dir, CURSOR_FILE), 0o644);
    const j = await open({ segmentBytes: 200 });
    await j.append(samples(0, 5));
    await j.append(samples(5, 5)); // a new segment after rotation
    const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(join(dir, CURSOR_FILE)), 0o600);
    const segs = await segments(dir);
    assert.ok(segs.length >= 2);
    for (const s of segs) assert.equal(await mode(join(dir, s.name)), 0o600, s.name);
  });
});
