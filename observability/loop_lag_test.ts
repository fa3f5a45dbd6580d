import assert from "node:assert/strict";
import { LoopLagProbe, measureLoopLag } from "./loop_lag.ts";

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* hold the thread */ }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("the loop lag probe sees a synchronous block as one long gap", async () => {
  const { lag } = await measureLoopLag(async () => {
    await sleep(30);
    busy(150);
    await sleep(30);
  });
  assert.ok(lag.maxGapMs >= 150, `max gap ${lag.maxGapMs} ms`);
  assert.ok(lag.gapsOver >= 1);
  assert.ok(lag.samples >= 2);
});

Deno.test("the loop lag probe counts a block right before stop", () => {
  const probe = new LoopLagProbe().start();
  busy(80);
  const lag = probe.stop();
  assert.ok(lag.maxGapMs >= 80, `max gap ${lag.maxGapMs} ms`);
  assert.equal(probe.stop().samples, lag.samples, "a second stop changes nothing");
});

Deno.test("the loop lag probe reports short gaps while the thread only waits", async () => {
  let now = 0;
  using probe = new LoopLagProbe({ intervalMs: 1, thresholdMs: 50, now: () => now });
  probe.start();
  for (let i = 0; i < 5; i++) {
    now += 10;
    await sleep(5);
  }
  now += 60;
  await sleep(5);
  const lag = probe.stop();
  assert.equal(lag.maxGapMs, 60);
  assert.equal(lag.gapsOver, 1);
});
