import assert from "node:assert/strict";
import { testClock } from "../store/testing.ts";
import {
  type LoginAttempt,
  LoginLimiter,
  type LoginRefused,
  SlidingWindows,
} from "./login_limiter.ts";

function limiter(maxKeys = 100) {
  const clock = testClock();
  return {
    clock,
    limiter: new LoginLimiter({
      maxFailures: 3,
      windowMs: 60_000,
      maxFailuresPerAddress: 6,
      userBackoffAfter: 4,
      userBackoffMs: 10_000,
      trustMs: 3600_000,
      maxKeys,
      now: clock.now,
    }),
  };
}

function started(r: LoginAttempt | LoginRefused): LoginAttempt {
  assert.ok(r.ok, `refused: ${JSON.stringify(r)}`);
  return r;
}

function refused(r: LoginAttempt | LoginRefused): LoginRefused {
  assert.ok(!r.ok, "the attempt was allowed");
  return r;
}

Deno.test("sliding windows: a key waits until its oldest event within the limit leaves the window", () => {
  const w = new SlidingWindows(60_000, 10);
  w.add("a", 0, 3);
  w.add("a", 10_000, 3);
  w.add("a", 20_000, 3);
  assert.equal(w.waitFor("a", 3, 30_000), 30_000);
  assert.equal(w.waitFor("a", 4, 30_000), 0);
  w.remove("a", 20_000);
  assert.equal(w.waitFor("a", 3, 30_000), 0);
  assert.equal(w.waitFor("a", 2, 30_000), 30_000);
  assert.equal(w.waitFor("a", 2, 60_001), 0);
});

Deno.test("sliding windows stay bounded, dropping expired keys first and then the least recent", () => {
  const w = new SlidingWindows(60_000, 10);
  for (let i = 0; i < 10; i++) w.add(`old:${i}`, 0, 3);
  for (let i = 0; i < 5; i++) w.add(`new:${i}`, 61_000, 3);
  assert.equal(w.size, 5, "the expired keys went first");
  for (let i = 5; i < 20; i++) w.add(`new:${i}`, 61_000, 3);
  assert.equal(w.size, 10);
  assert.equal(w.recent("new:0", 61_000).length, 0, "the least recent key was dropped");
  assert.equal(w.recent("new:19", 61_000).length, 1);
});

Deno.test("attempts count when they start, so concurrent ones beyond the limit are refused", () => {
  const { limiter: l } = limiter();
  const pending = [0, 1, 2].map(() => started(l.begin("Admin", "10.0.0.1")));
  const r = refused(l.begin("admin", "10.0.0.1"));
  assert.equal(r.reason, "user_address");
  assert.equal(r.retryAfterMs, 60_000);
  // A success takes its own attempt back (and forgets the pair's failures).
  pending[0].succeeded();
  started(l.begin("admin", "10.0.0.1")).failed();
});

Deno.test("a cancelled attempt is taken back; a failed one stays counted", () => {
  const { limiter: l } = limiter();
  for (let i = 0; i < 10; i++) started(l.begin("a", "10.0.0.1")).cancel();
  for (let i = 0; i < 3; i++) started(l.begin("a", "10.0.0.1")).failed();
  assert.equal(refused(l.begin("a", "10.0.0.1")).reason, "user_address");
});

Deno.test("the per-address limit spans user names and expires with the window", () => {
  const { clock, limiter: l } = limiter();
  for (let i = 0; i < 6; i++) started(l.begin(`u${i}`, "10.0.0.2")).failed();
  assert.equal(refused(l.begin("other", "10.0.0.2")).reason, "address");
  started(l.begin("other", "10.0.0.3")).failed();
  clock.advance(60_000);
  started(l.begin("other", "10.0.0.2")).failed();
});

Deno.test("a user name under attack: one attempt per new address per backoff, known addresses exempt", () => {
  const { clock, limiter: l } = limiter();
  started(l.begin("admin", "10.9.0.1")).succeeded();
  for (let i = 0; i < 4; i++) started(l.begin("admin", `192.0.2.${i}`)).failed();
  started(l.begin("admin", "192.0.2.50")).failed();
  const slow = refused(l.begin("admin", "192.0.2.50"));
  assert.equal(slow.reason, "user_backoff");
  assert.equal(slow.retryAfterMs, 10_000);
  // The owner's known address is not slowed, nor counted towards the backoff.
  for (let i = 0; i < 2; i++) started(l.begin("admin", "10.9.0.1")).failed();
  started(l.begin("admin", "10.9.0.1")).succeeded();
  // A new address of the owner gets its own slot at once.
  started(l.begin("admin", "10.9.0.2")).succeeded();
  clock.advance(10_000);
  started(l.begin("admin", "192.0.2.50")).failed();
  // Other names are not slowed.
  started(l.begin("viewer", "192.0.2.50")).failed();
});

Deno.test("the limiter's memory stays bounded under many addresses", () => {
  const { limiter: l } = limiter(50);
  for (let i = 0; i < 1000; i++) started(l.begin(`u${i}`, `10.1.${i >> 8}.${i & 255}`)).failed();
  assert.ok(l.size <= 5 * 50, `size ${l.size}`);
});
