import assert from "node:assert/strict";
import { join } from "node:path";
import { logs, setupLogging } from "../observability/logging.ts";
import { writerStatus } from "./writer.ts";
import { formatDuration, logWriterEvent, writerLogRecord } from "./writer_log.ts";
import { makeSamples, startWriter } from "./writer_testing.ts";

const small = { batchSize: 5, batchMs: 500, probeIntervalMs: 1_000 };

Deno.test("a historian outage is logged to scada.log: its start with the reason, its end with the duration and samples journaled", async () => {
  const dir = await Deno.makeTempDir({ prefix: "writer_log_test_" });
  const logging = await setupLogging({
    dir: join(dir, "logs"),
    console: false,
    nonBlocking: false,
    bufferBytes: 0,
  });
  const h = await startWriter({ settings: small });
  try {
    h.actor.on("*", (e) => logWriterEvent(logs.writer, e as Parameters<typeof logWriterEvent>[1]));
    h.sink.down = true;
    for (let i = 0; i < 120; i++) {
      h.buffer.push(makeSamples(i * 5, 5));
      await h.advance(500);
    }
    h.sink.down = false;
    await h.advance(2_000);
    const journaled = writerStatus(h.actor.getSnapshot()).totals.valuesSpilled;
    await logging.close();
    const lines = (await Deno.readTextFile(logging.files!.scada)).trim().split("\n")
      .map((l) => JSON.parse(l) as { level: string; message: string; category: string });
    const began = lines.find((l) => l.message.includes("outage began"));
    const ended = lines.find((l) => l.message.includes("outage ended"));
    assert.ok(began, JSON.stringify(lines));
    assert.equal(began.category, "jsscada.writer");
    assert.equal(began.level, "WARNING");
    assert.match(began.message, /historian fake outage began: fake sink is down/);
    assert.ok(ended);
    assert.equal(ended.level, "INFO");
    assert.match(ended.message, /after (6\d\.\d s|1 min \d+ s): /);
    assert.ok(ended.message.includes(`${journaled} samples journaled`), ended.message);
    assert.ok(journaled > 500);
    assert.ok(lines.some((l) => l.message.includes("journal replay done")));
  } finally {
    await h.close();
    await logging.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lost samples are logged as errors with their reason; batches are not logged", () => {
  const lost = writerLogRecord({
    type: "lossStarted",
    at: Date.UTC(2026, 0, 1),
    reason: "disk_full",
    values: 500,
    detail: null,
  });
  assert.equal(lost?.level, "error");
  assert.equal(lost?.properties.reason, "disk_full");
  assert.equal(
    writerLogRecord({ type: "batchWritten", source: "live", values: 5, latencyMs: 1 }),
    null,
  );
});

Deno.test("durations read as people say them", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(61_200), "1 min 1 s");
  assert.equal(formatDuration(12_345), "12.3 s");
  assert.equal(formatDuration(3 * 3_600_000 + 20 * 60_000), "3 h 20 min");
});
