import assert from "node:assert/strict";
import { HashLane, LaneBusyError } from "./hash_lane.ts";

Deno.test("a hash lane runs at most its concurrency at once, in arrival order", async () => {
  const lane = new HashLane(2);
  const order: number[] = [];
  let running = 0;
  let most = 0;
  const job = (i: number) =>
    lane.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running--;
      return i * 10;
    });
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map(job));
  assert.deepEqual(results, [0, 10, 20, 30, 40, 50]);
  assert.equal(most, 2);
  assert.equal(lane.peak, 2);
  assert.deepEqual(order.slice(0, 2).sort(), [0, 1]);
  assert.equal(lane.active, 0);
  assert.equal(lane.waiting, 0);
});

Deno.test("a failing job frees its place for the next one and rejects only its caller", async () => {
  const lane = new HashLane(1);
  const failing = lane.run(() => Promise.reject(new Error("boom")));
  const next = lane.run(() => Promise.resolve("next"));
  await assert.rejects(failing, /boom/);
  assert.equal(await next, "next");
  assert.throws(() => new HashLane(0), RangeError);
});

Deno.test("a full lane refuses more work at once instead of queueing without bound", async () => {
  const lane = new HashLane(1, 2);
  const gate = Promise.withResolvers<void>();
  const running = lane.run(() => gate.promise);
  const queued = [lane.run(() => Promise.resolve(1)), lane.run(() => Promise.resolve(2))];
  await assert.rejects(lane.run(() => Promise.resolve(3)), LaneBusyError);
  gate.resolve();
  await running;
  assert.deepEqual(await Promise.all(queued), [1, 2]);
  assert.equal(await lane.run(() => Promise.resolve(4)), 4);
});
