import assert from "node:assert/strict";
import { ManualClock } from "./clock.ts";

Deno.test("the manual clock fires timers in due order, each at its own due time", async () => {
  const clock = new ManualClock(0);
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
  const c = clock.setTimeout(() => seen.push("c"), 15);
  clock.clearTimeout(c);
  await clock.advance(25);
  assert.deepEqual(seen, ["a@10", "b@20"]);
  assert.equal(clock.now(), 25);
  assert.equal(clock.pending, 0);
});

Deno.test("the manual clock runs timers that timers set, and promise callbacks in between", async () => {
  const clock = new ManualClock(0);
  const seen: number[] = [];
  const tick = () => {
    seen.push(clock.now());
    Promise.resolve().then(() => clock.setTimeout(tick, 10));
  };
  clock.setTimeout(tick, 10);
  await clock.advance(35);
  assert.deepEqual(seen, [10, 20, 30]);
  assert.equal(clock.nextDue, 40);
});
