import assert from "node:assert/strict";
import { testClock } from "../store/testing.ts";
import { LoginLimiter } from "./login_limiter.ts";

function limiter(maxKeys = 100) {
  const clock = testClock();
  return {
    clock,
    limiter: new LoginLimiter({ maxFailures: 3, windowMs: 60_000, maxKeys, now: clock.now }),
  };
}

Deno.test("a key is blocked after maxFailures within the window, until the oldest expires", () => {
  const { clock, limiter: l } = limiter();
  for (let i = 0; i < 3; i++) {
    assert.equal(l.blockedFor(["user:a"]), 0);
    l.fail(["user:a"]);
    clock.advance(10_000);
  }
  // Failures at 0 s, 10 s, 20 s; now 30 s: the first leaves the window at 60 s.
  assert.equal(l.blockedFor(["user:a"]), 30_000);
  assert.equal(l.blockedFor(["user:b"]), 0);
  assert.equal(l.blockedFor(["user:b", "user:a"]), 30_000);
  clock.advance(30_000);
  assert.equal(l.blockedFor(["user:a"]), 0);
});

Deno.test("failures spread beyond the window never block", () => {
  const { clock, limiter: l } = limiter();
  for (let i = 0; i < 10; i++) {
    l.fail(["address:x"]);
    clock.advance(30_001);
    assert.equal(l.blockedFor(["address:x"]), 0);
  }
});

Deno.test("reset forgets a key's failures", () => {
  const { limiter: l } = limiter();
  for (let i = 0; i < 3; i++) l.fail(["user:a", "address:x"]);
  assert.ok(l.blockedFor(["address:x"]) > 0);
  l.reset(["user:a", "address:x"]);
  assert.equal(l.blockedFor(["user:a", "address:x"]), 0);
  assert.equal(l.size, 0);
});

Deno.test("the map stays bounded, dropping expired keys first and then the least recent", () => {
  const { clock, limiter: l } = limiter(10);
  for (let i = 0; i < 10; i++) l.fail([`old:${i}`]);
  clock.advance(61_000);
  for (let i = 0; i < 5; i++) l.fail([`new:${i}`]);
  assert.equal(l.size, 5, "the expired keys went first");
  for (let i = 0; i < 3; i++) l.fail(["hot"]);
  assert.ok(l.blockedFor(["hot"]) > 0);
  for (let i = 5; i < 20; i++) l.fail([`new:${i}`]);
  assert.equal(l.size, 10);
  assert.equal(l.blockedFor(["hot"]), 0, "the least recently failed key was dropped");
  l.fail(["new:19"]);
  l.fail(["new:19"]);
  assert.ok(l.blockedFor(["new:19"]) > 0, "a recent key is kept");
});
