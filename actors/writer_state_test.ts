import assert from "node:assert/strict";
import {
  DEFAULT_WRITER_SETTINGS,
  type PlanInputs,
  planNext,
  type PlanState,
} from "./writer_state.ts";

const settings = { ...DEFAULT_WRITER_SETTINGS, batchSize: 10, batchMs: 500 };
const calm: PlanState = {
  retry: null,
  sinkDown: false,
  probeAt: 0,
  collectingSince: null,
  lastSource: "live",
  flushRequested: false,
  stopping: false,
  deadlinePassed: false,
  replayPausedUntil: 0,
};
const seen: PlanInputs = { now: 1_000, bufferSize: 0, bufferCapacity: 100, journalPending: false };
const plan = (s: Partial<PlanState>, i: Partial<PlanInputs> = {}) =>
  planNext({ ...calm, ...s }, { ...seen, ...i }, settings);
const retry = (over: Partial<NonNullable<PlanState["retry"]>> = {}) => ({
  batch: [],
  attempts: 1,
  dueAt: 2_000,
  exhausted: false,
  ...over,
});

Deno.test("plan waits for data when there is nothing to do", () => {
  assert.deepEqual(plan({}), { action: "wait", until: null, threshold: 1 });
});

Deno.test("plan writes a full batch at once, a partial one when batchMs has passed", () => {
  assert.equal(plan({ collectingSince: 1_000 }, { bufferSize: 10 }).action, "writeLive");
  assert.deepEqual(plan({ collectingSince: 800 }, { bufferSize: 3 }), {
    action: "wait",
    until: 1_300,
    threshold: 10,
  });
  assert.equal(plan({ collectingSince: 500 }, { bufferSize: 3 }).action, "writeLive");
  assert.equal(
    plan({ collectingSince: 999, flushRequested: true }, { bufferSize: 1 }).action,
    "writeLive",
  );
});

Deno.test("plan holds live data behind a batch waiting for its retry, up to the high-water mark", () => {
  assert.deepEqual(plan({ retry: retry() }, { bufferSize: 30 }), {
    action: "wait",
    until: 2_000,
    threshold: 50,
  });
  assert.equal(plan({ retry: retry() }, { bufferSize: 50 }).action, "spillRetry");
  assert.equal(plan({ retry: retry() }, { now: 2_000, bufferSize: 30 }).action, "retry");
  assert.equal(plan({ retry: retry({ exhausted: true }) }).action, "spillRetry");
  assert.equal(plan({ retry: retry(), stopping: true }).action, "spillRetry");
});

Deno.test("plan spills live batches while the sink is down and probes it when due", () => {
  assert.equal(plan({ sinkDown: true, probeAt: 5_000 }, { bufferSize: 10 }).action, "spillLive");
  assert.equal(plan({ sinkDown: true, probeAt: 1_000 }, { bufferSize: 10 }).action, "probe");
  assert.deepEqual(plan({ sinkDown: true, probeAt: 5_000 }, { journalPending: true }), {
    action: "wait",
    until: 5_000,
    threshold: 1,
  });
});

Deno.test("plan writes due live batches before any replay, and replays only in the gaps, paced", () => {
  const due = { bufferSize: 10, journalPending: true };
  assert.equal(plan({ lastSource: "live" }, due).action, "writeLive");
  assert.equal(plan({ lastSource: "journal" }, due).action, "writeLive");
  assert.equal(plan({ lastSource: "journal" }, { journalPending: true }).action, "replay");
  assert.equal(plan({ replayPausedUntil: 3_000 }, { journalPending: true }).action, "wait");
  assert.deepEqual(plan({ replayNotBefore: 1_040 }, { journalPending: true }), {
    action: "wait",
    until: 1_040,
    threshold: 1,
  });
  assert.deepEqual(
    plan({ replayNotBefore: 1_040, collectingSince: 900 }, { journalPending: true, bufferSize: 3 }),
    { action: "wait", until: 1_040, threshold: 10 },
    "a paced replay wakes before the partial live batch is due",
  );
  assert.equal(plan({ replayNotBefore: 1_000 }, { journalPending: true }).action, "replay");
});

Deno.test("plan drains on stop: no retries, no replay, finish when empty, everything at the deadline", () => {
  assert.equal(
    plan({ stopping: true }, { bufferSize: 1, journalPending: true }).action,
    "writeLive",
  );
  assert.equal(plan({ stopping: true, sinkDown: true }, { bufferSize: 1 }).action, "spillLive");
  assert.equal(plan({ stopping: true }, { journalPending: true }).action, "finish");
  assert.equal(
    plan({ stopping: true, deadlinePassed: true }, { bufferSize: 5 }).action,
    "finalSpill",
  );
});
