import assert from "node:assert/strict";
import {
  histogramDelta,
  histogramQuantile,
  histogramSum,
  TICK_ERROR_BOUNDS_MS,
  TickErrors,
} from "./tick_errors.ts";

Deno.test("tick errors land in the bucket of the smallest bound at or above them", () => {
  const t = new TickErrors();
  for (const ms of [0, 0, 1, 2, 4.5, 5, 12, 1000, 1001]) t.record(ms);
  const h = t.snapshot();
  assert.equal(h.count, 9);
  assert.equal(h.counts.length, TICK_ERROR_BOUNDS_MS.length + 1);
  const at = (bound: number) => h.counts[TICK_ERROR_BOUNDS_MS.indexOf(bound)];
  assert.deepEqual([at(0), at(1), at(2), at(5), at(15), at(1000)], [2, 1, 1, 2, 1, 1]);
  assert.equal(h.counts.at(-1), 1, "above the last bound");
});

Deno.test("quantiles are nearest-rank bucket bounds, and windows come from two snapshots", () => {
  const t = new TickErrors();
  assert.equal(histogramQuantile(t.snapshot(), 0.5), null);
  for (let i = 0; i < 98; i++) t.record(1);
  t.record(3);
  t.record(40);
  const early = t.snapshot();
  assert.equal(histogramQuantile(early, 0.5), 1);
  assert.equal(histogramQuantile(early, 0.99), 3);
  assert.equal(histogramQuantile(early, 1), 50);
  for (let i = 0; i < 10; i++) t.record(0);
  const window = histogramDelta(t.snapshot(), early);
  assert.equal(window.count, 10);
  assert.equal(histogramQuantile(window, 0.99), 0);
  const both = histogramSum([early, window]);
  assert.equal(both.count, 110);
  assert.deepEqual(both.counts, t.snapshot().counts);
  t.record(5000);
  assert.equal(histogramQuantile(histogramDelta(t.snapshot(), early), 1), Infinity);
});
