import assert from "node:assert/strict";
import { formatBytes, lossAlarmText, sinkDownAlarmText } from "./journal_alarm_text.ts";

const since = Date.UTC(2026, 11, 6, 8, 10, 0, 123);
const journal = {
  bytes: 1024 ** 3,
  maxBytes: 1024 ** 3,
  freeBytes: 10 * 1024 ** 2,
  minFreeBytes: 256 * 1024 ** 2,
};

Deno.test("the loss alarm says disk full, how many samples and since when", () => {
  assert.equal(
    lossAlarmText({ loss: { reason: "disk_full", since, lost: 218_704, detail: null }, journal }),
    "disk full: the journal cannot write; 218,704 samples lost since 2026-12-06 08:10:00 UTC",
  );
});

Deno.test("the loss alarm names the free space and the watermark below it", () => {
  assert.equal(
    lossAlarmText({ loss: { reason: "disk_low", since, lost: 1, detail: null }, journal }),
    "disk almost full: 10 MiB free, below the 256 MiB the journal keeps free, so it stopped " +
      "writing; 1 sample lost since 2026-12-06 08:10:00 UTC",
  );
});

Deno.test("the loss alarm tells a full journal, a full buffer and a journal error apart", () => {
  const text = (reason: "journal_full" | "buffer_full" | "journal_error", detail: string | null) =>
    lossAlarmText({ loss: { reason, since, lost: 5, detail }, journal });
  assert.match(text("journal_full", null)!, /^journal full: it holds 1 GiB of its 1 GiB limit/);
  assert.match(
    text("buffer_full", null)!,
    /^sample buffer full: the historian writer does not keep up/,
  );
  assert.match(
    text("journal_error", "Input/output error")!,
    /cannot write \(Input\/output error\); 5 samples/,
  );
});

Deno.test("no loss, no alarm text", () => {
  assert.equal(lossAlarmText({ loss: null, journal }), null);
});

Deno.test("bytes are written for people", () => {
  assert.equal(formatBytes(900), "900 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(256 * 1024 ** 2), "256 MiB");
  assert.equal(formatBytes(1024 ** 3), "1 GiB");
});

Deno.test("the historian alarm says samples go to the journal only while they do", () => {
  const outage = { since, reason: "connect ECONNREFUSED 127.0.0.1:5432" };
  const base = {
    sink: "postgres",
    condition: "degraded",
    outage,
    replay: { pendingValues: 12_345 },
  };
  assert.equal(
    sinkDownAlarmText({ ...base, loss: null, journal }),
    "the postgres historian refuses writes since 2026-12-06 08:10:00 UTC: connect ECONNREFUSED " +
      "127.0.0.1:5432; samples go to the disk journal (12,345 waiting)",
  );
  assert.match(
    sinkDownAlarmText({
      ...base,
      loss: { reason: "disk_full", since, lost: 9, detail: null },
      journal,
    })!,
    /; the journal cannot take the samples either \(disk full\)$/,
  );
  assert.equal(
    sinkDownAlarmText({ ...base, condition: "recovering", loss: null, journal }),
    null,
  );
});
