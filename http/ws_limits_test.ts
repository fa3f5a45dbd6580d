import assert from "node:assert/strict";
import { WsConnectionLimits } from "./ws_limits.ts";

Deno.test("WebSocket connections are bounded per address and per user; release frees a place once", () => {
  const limits = new WsConnectionLimits({ maxPerAddress: 2, maxPerUser: 3 });
  const a = limits.admit("10.0.0.1", "op");
  const b = limits.admit("10.0.0.1", null);
  assert.ok(a.ok && b.ok);
  const third = limits.admit("10.0.0.1", "other");
  assert.equal(third.ok, false);
  assert.match(!third.ok ? third.message : "", /from this address \(at most 2\)/);
  assert.ok(limits.admit("10.0.0.2", "OP").ok);
  assert.ok(limits.admit("10.0.0.3", "op").ok);
  const user = limits.admit("10.0.0.4", "Op");
  assert.equal(user.ok, false);
  assert.match(!user.ok ? user.message : "", /for user Op \(at most 3\)/);
  a.release();
  a.release();
  assert.equal(limits.openFrom("10.0.0.1"), 1);
  assert.ok(limits.admit("10.0.0.4", "op").ok, "the user's place was freed");
  assert.equal(limits.admit("10.0.0.5", "op").ok, false, "a second release freed nothing");
});
