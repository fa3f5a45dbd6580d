import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffDelay, delayUntil, firstTick, nextTick, PLC_BACKOFF } from "./schedule.ts";

Deno.test("the first tick is aligned to the epoch grid of the interval", () => {
  assert.equal(firstTick(1_000_050, 100), 1_000_100);
  assert.equal(firstTick(1_000_100, 100), 1_000_100, "a tick due now is not skipped");
  assert.equal(firstTick(1_000_050, 100, 30), 1_000_130);
  assert.throws(() => firstTick(0, 0), RangeError);
});

Deno.test("the next tick follows the previous one by exactly one interval when the read was quick", () => {
  assert.deepEqual(nextTick(1000, 100, 1030), { at: 1100, skipped: 0 });
  assert.deepEqual(nextTick(1000, 100, 1100), { at: 1100, skipped: 0 });
});

Deno.test("ticks that came due during an overrunning read are skipped, not run in a burst", () => {
  assert.deepEqual(nextTick(1000, 100, 1101), { at: 1200, skipped: 1 });
  assert.deepEqual(nextTick(1000, 100, 1350), { at: 1400, skipped: 3 });
});

Deno.test("any read time gives a next tick on the grid, not in the past, within one interval", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e9 }),
      fc.integer({ min: 1, max: 60_000 }),
      fc.integer({ min: 0, max: 1e6 }),
      (k, interval, readMs) => {
        const tick = k * interval;
        const now = tick + readMs;
        const { at, skipped } = nextTick(tick, interval, now);
        assert.equal((at - tick) % interval, 0, "on the grid");
        assert.ok(at >= now, "never in the past");
        if (skipped > 0) assert.ok(at - now < interval, "the first tick not in the past");
        assert.equal(at, tick + (skipped + 1) * interval);
      },
    ),
  );
});

Deno.test("drift does not accumulate: tick k is at t0 + k × interval however late each read ends", () => {
  let tick = firstTick(1_000_003, 100);
  const t0 = tick;
  let overruns = 0;
  for (let k = 1; k <= 10_000; k++) {
    const readEnds = tick + (k % 97 === 0 ? 130 : 7); // an overrun now and then
    const next = nextTick(tick, 100, readEnds);
    overruns += next.skipped;
    tick = next.at;
  }
  assert.equal((tick - t0) % 100, 0);
  assert.equal((tick - t0) / 100, 10_000 + overruns);
  assert.equal(overruns, 103);
});

Deno.test("delayUntil never goes negative", () => {
  assert.equal(delayUntil(100, 40), 60);
  assert.equal(delayUntil(100, 140), 0);
});

Deno.test("PLC backoff: 100, 200, 400, 800 ms, then capped at 1 s, jitter only shortens", () => {
  const none = () => 0;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, PLC_BACKOFF, none)),
    [100, 200, 400, 800, 1000, 1000, 1000],
  );
  const most = () => 0.999999;
  assert.deepEqual([0, 4].map((a) => backoffDelay(a, PLC_BACKOFF, most)), [80, 800]);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(i % 8, PLC_BACKOFF);
    assert.ok(d >= 80 && d <= 1000, `${d}`);
  }
});
