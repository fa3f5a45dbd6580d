import assert from "node:assert/strict";
import fc from "fast-check";
import { MetricsWindow, percentile } from "./metrics_window.ts";

Deno.test("metrics window gives nearest-rank p50 and p99 of latencies", () => {
  const w = new MetricsWindow();
  for (let v = 100; v >= 1; v--) w.observe(1_000, v);
  const s = w.summary(1_000);
  assert.equal(s.observations, 100);
  assert.equal(s.p50, 50);
  assert.equal(s.p99, 99);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  assert.equal(s.mean, 50.5);
});

Deno.test("metrics window percentiles match a sorted copy (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1 }), (vs) => {
      const w = new MetricsWindow();
      vs.forEach((v, i) => w.observe(i, v));
      const sorted = [...vs].sort((a, b) => a - b);
      const s = w.summary(vs.length);
      assert.equal(s.p50, sorted[Math.ceil(0.5 * sorted.length) - 1]);
      assert.equal(s.p99, sorted[Math.ceil(0.99 * sorted.length) - 1]);
    }),
  );
});

Deno.test("metrics window forgets what is older than the window", () => {
  const w = new MetricsWindow({ windowMs: 10_000, bucketMs: 1_000, origin: 0 });
  w.add(500, 100);
  w.observe(500, 900);
  w.add(5_500, 10);
  w.observe(5_500, 5);
  assert.equal(w.summary(9_999).total, 110);
  const later = w.summary(10_000);
  assert.equal(later.total, 10, "the bucket of 0–1 s has left the window");
  assert.equal(later.p99, 5);
  assert.equal(w.summary(16_000).total, 0);
  assert.equal(w.summary(16_000).p50, null);
});

Deno.test("metrics window rate divides by the time since start until the window is full", () => {
  const w = new MetricsWindow({ windowMs: 300_000, bucketMs: 5_000, origin: 0 });
  for (let t = 0; t < 10_000; t += 100) w.add(t, 50);
  assert.equal(w.summary(10_000).ratePerSecond, 500);
  for (let t = 10_000; t < 602_500; t += 100) w.add(t, 50);
  const s = w.summary(602_500);
  assert.ok(s.spanMs > 295_000 - 1 && s.spanMs <= 300_000, `span ${s.spanMs}`);
  assert.ok(Math.abs(s.ratePerSecond - 500) < 1, `rate ${s.ratePerSecond}`);
});

Deno.test("metrics window reuses bucket slots as time goes round", () => {
  const w = new MetricsWindow({ windowMs: 3_000, bucketMs: 1_000, origin: 0 });
  for (let t = 0; t < 100_000; t += 1_000) w.add(t, 1);
  assert.equal(w.summary(99_500).total, 3);
});

Deno.test("metrics window samples observations past the per-bucket cap", () => {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const w = new MetricsWindow({ maxObservationsPerBucket: 100, random });
  for (let i = 1; i <= 10_000; i++) w.observe(0, i);
  const s = w.summary(0);
  assert.equal(s.observations, 10_000);
  assert.equal(s.max, 10_000);
  assert.ok(s.p50 !== null && Math.abs(s.p50 - 5_000) < 1_500, `p50 ${s.p50}`);
});

Deno.test("percentile of nothing is null", () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([7], 0.99), 7);
});
