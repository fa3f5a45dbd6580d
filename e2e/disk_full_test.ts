/**
 * A full disk under the historian, for real: the journal lives on a 4 MiB
 * tmpfs, the sink is a real PostgreSQL server, and PostgreSQL is stopped
 * while samples keep coming until the disk is full, then started again.
 * Afterwards every sample is either in PostgreSQL or counted as lost by
 * reason, the loss alarm's words were true while it lasted, replay made
 * progress on the full disk (its cursor overwritten in place, each batch sent
 * once), and no segment file is left, empty or not. A second scenario keeps a
 * free-space watermark: the journal stops spilling before the disk is full.
 *
 * Needs root (to mount the tmpfs) and PostgreSQL's binaries; otherwise it is
 * skipped with a loud message (the same behaviour is covered on an injected
 * full file system in actors/journal_disk_test.ts and writer_loss_test.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { createActor } from "xstate";
import type { Sample } from "../model/sample.ts";
import { SampleBuffer } from "../actors/buffer.ts";
import { systemClock } from "../actors/clock.ts";
import { Journal, type JournalEvent } from "../actors/journal.ts";
import { formatSince, lossAlarmText } from "../actors/journal_alarm_text.ts";
import { CURSOR_BYTES, CURSOR_FILE } from "../actors/journal_cursor.ts";
import { JOURNAL_HEADER } from "../actors/journal_format.ts";
import { stopWriter, writerMachine, type WriterStatus, writerStatus } from "../actors/writer.ts";
import { createSink } from "../sinks/factory.ts";
import {
  findPostgresBin,
  POSTGRES_MISSING,
  startTestPostgres,
  type TestPostgres,
} from "../sinks/testing_postgres.ts";
import { sleep, waitFor } from "./testing.ts";

const TMPFS_BYTES = 4 * 1024 * 1024;

/** Why the scenario cannot run here, or undefined when it can. */
async function cannotRun(): Promise<string | undefined> {
  if (findPostgresBin() === undefined) return POSTGRES_MISSING;
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) {
    return "not root on Linux: cannot mount a small tmpfs";
  }
  const probe = await Deno.makeTempDir({ prefix: "jsscada-tmpfs-probe-" });
  try {
    const m = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!m.success) return `mount -t tmpfs failed: ${new TextDecoder().decode(m.stderr).trim()}`;
    await new Deno.Command("umount", { args: [probe] }).output();
    return undefined;
  } finally {
    await Deno.remove(probe, { recursive: true }).catch(() => {});
  }
}

const why = await cannotRun();
if (why) {
  console.warn(
    `\n⚠⚠⚠ e2e/disk_full_test.ts is SKIPPED: ${why}.\n` +
      "    The full-disk behaviour is still tested on an injected file system " +
      "(actors/journal_disk_test.ts, actors/writer_loss_test.ts).\n",
  );
}

/** A tmpfs of `bytes` mounted on a new directory; unmounted and removed by the returned function. */
async function mountTmpfs(bytes: number): Promise<{ dir: string; unmount(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "jsscada-e2e-disk-" });
  const m = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "tmpfs", dir],
  }).output();
  assert.ok(m.success, new TextDecoder().decode(m.stderr));
  return {
    dir,
    async unmount() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Samples of 200 tags, unique (tag, ts), numbered from `from`. */
function samples(t0: number, from: number, n: number): Sample[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { tagId: 1 + (i % 200), ts: t0 + Math.floor(i / 200), value: i * 0.5, quality: "good" };
  });
}

/** Segment files in `dir` with their sizes. */
async function segments(dir: string): Promise<{ name: string; size: number }[]> {
  const out: { name: string; size: number }[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".csv")) continue;
    try {
      out.push({ name: e.name, size: (await Deno.stat(join(dir, e.name))).size });
    } catch (err) {
      // Replay deletes a segment as soon as it is done: one listed a moment ago may be gone.
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return out;
}

interface Scenario {
  readonly minFreeBytes: number;
  /** The loss reason the full disk must show. */
  readonly reason: "disk_full" | "disk_low";
}

async function runScenario({ minFreeBytes, reason }: Scenario): Promise<void> {
  const tmpfs = await mountTmpfs(TMPFS_BYTES);
  let pg: TestPostgres | undefined;
  let journal: Journal | undefined;
  let sink: Awaited<ReturnType<typeof createSink>> | undefined;
  let producer: ReturnType<typeof setInterval> | undefined;
  let actor: ReturnType<typeof createActor<typeof writerMachine>> | undefined;
  try {
    pg = await startTestPostgres();
    const url = await pg.createDatabase("jsscada_disk");
    sink = await createSink({ kind: "postgres", url });
    const dir = join(tmpfs.dir, "journal");
    const events: JournalEvent[] = [];
    journal = await Journal.open({
      dir,
      minFreeBytes,
      segmentBytes: 256 * 1024,
      onEvent: (e) => events.push(e),
    });
    const buffer = new SampleBuffer(100_000);
    actor = createActor(writerMachine, {
      input: {
        sink,
        buffer,
        journal,
        clock: systemClock,
        settings: {
          batchMs: 100,
          retryDelaysMs: [200, 400],
          probeIntervalMs: 250,
          writeTimeoutMs: 3_000,
          lossQuietMs: 1_000,
        },
      },
    }).start();
    const status = (): WriterStatus => writerStatus(actor!.getSnapshot());
    const t0 = Date.now();
    let produced = 0;
    producer = setInterval(() => {
      buffer.push(samples(t0, produced, 500));
      produced += 500;
    }, 25);

    // Some seconds of normal operation.
    await waitFor(
      "live samples in PostgreSQL",
      () => status().totals.valuesWritten > 5_000,
      20_000,
    );

    // PostgreSQL stops; the journal fills the disk.
    const stoppedAt = Date.now();
    await pg.stop();
    await waitFor(
      `samples lost as ${reason}`,
      () => status().losses[reason] > 20_000,
      60_000,
      50,
    );
    const during = status();
    assert.equal(during.loss?.reason, reason, JSON.stringify(during.loss));
    assert.ok(during.loss!.since >= stoppedAt);
    const text = lossAlarmText(during)!;
    const expected = reason === "disk_full"
      ? "disk full: the journal cannot write; "
      : "disk almost full: ";
    assert.ok(text.startsWith(expected), text);
    assert.ok(
      text.endsWith(
        `; ${during.loss!.lost.toLocaleString("en-US")} samples lost since ${
          formatSince(during.loss!.since)
        }`,
      ),
      text,
    );
    if (reason === "disk_low") {
      assert.equal(events.filter((e) => e.type === "diskFull").length, 0, "no write hit ENOSPC");
    }
    assert.equal((await Deno.stat(join(dir, CURSOR_FILE))).size, CURSOR_BYTES);
    // No segment without rows stays behind while the disk is full (one may exist for an
    // instant between its creation and its first rows, so look twice).
    const headerBytes = new TextEncoder().encode(JOURNAL_HEADER).length;
    const empty = async () =>
      new Set((await segments(dir)).filter((s) => s.size <= headerBytes).map((s) => s.name));
    const first = await empty();
    await sleep(300);
    const again = await empty();
    assert.deepEqual([...first].filter((n) => again.has(n)), [], "empty segments left behind");

    // PostgreSQL is back while the disk is still full: replay must drain it.
    const pendingBefore = status().replay.pendingValues;
    assert.ok(pendingBefore > 10_000, `journal holds ${pendingBefore}`);
    await pg.start();
    await waitFor(
      "replay to make progress",
      () => status().replay.pendingValues < pendingBefore / 2,
      60_000,
      50,
    );
    const rateSeen = status().replay.valuesPerSecond ?? 0;
    assert.ok(rateSeen > 0, "the status reports the catch-up rate");
    clearInterval(producer);
    producer = undefined;
    await waitFor(
      "the journal to drain",
      () => !journal!.hasPending() && buffer.size === 0,
      120_000,
      50,
    );
    const final = await stopWriter(actor);
    actor = undefined;

    assert.deepEqual(await segments(dir), [], "no segment file is left");
    const st = final;
    assert.equal(st.journal.cursorWriteErrors, 0, "the cursor never needed free space");
    assert.equal(
      st.totals.valuesReplayed,
      st.journal.appendedValues,
      "each journaled value was sent once",
    );
    const lost = Object.values(st.losses).reduce((a, b) => a + b, 0);
    assert.equal(st.losses.buffer_full, 0);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [{ n }] = await sql`select count(*)::int as n from jsscada_history`;
      assert.equal(n + lost, produced, `stored ${n} + lost ${lost} = produced ${produced}`);
      console.log(
        `  ${reason}: produced ${produced}, stored ${n}, lost ${JSON.stringify(st.losses)}, ` +
          `journaled ${st.journal.appendedValues}, replay rate ${rateSeen.toFixed(0)} values/s`,
      );
    } finally {
      await sql.end();
    }
    assert.ok(!events.some((e) => e.type === "removeFailed"), JSON.stringify(events.slice(0, 5)));
  } finally {
    if (producer !== undefined) clearInterval(producer);
    if (actor) actor.stop();
    await journal?.close();
    await sink?.close();
    await pg?.cleanup();
    await tmpfs.unmount();
  }
}

Deno.test({
  name:
    "disk full under the journal: samples lost are counted as disk_full, the alarm says so, replay drains the full disk, no segment is left",
  ignore: why !== undefined,
  fn: () => runScenario({ minFreeBytes: 0, reason: "disk_full" }),
});

Deno.test({
  name:
    "free-space watermark: the journal stops spilling before the disk is full and counts disk_low",
  ignore: why !== undefined,
  fn: () => runScenario({ minFreeBytes: 1024 * 1024, reason: "disk_low" }),
});
