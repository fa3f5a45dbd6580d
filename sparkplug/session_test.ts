import assert from "node:assert/strict";
import { createActor, fromPromise } from "xstate";
import { ManualClock, settle } from "../actors/clock.ts";
import { sessionMachine, sessionMode } from "./session.ts";

/** A session with a scripted connect: each attempt takes the next outcome. */
function session(primaryHost: string | undefined, outcomes: boolean[]) {
  const clock = new ManualClock();
  const effects: string[] = [];
  let attempts = 0;
  const machine = sessionMachine.provide({
    actors: {
      connect: fromPromise(() => {
        const ok = outcomes[attempts++] ?? true;
        effects.push(ok ? "connect" : "connect failed");
        return ok ? Promise.resolve() : Promise.reject(new Error("refused"));
      }),
    },
    actions: {
      birth: () => effects.push("birth"),
      leaveOnline: () => effects.push("leave"),
      dropSession: () => effects.push("drop"),
      disconnect: () => effects.push("disconnect"),
    },
  });
  const actor = createActor(machine, {
    input: { primaryHost, backoffMs: [100, 1_000] },
    clock,
  }).start();
  const mode = () => sessionMode(actor.getSnapshot().value);
  return { clock, effects, actor, mode, attempts: () => attempts };
}

Deno.test("a refused connection backs off by the steps, then the node is born", async () => {
  const s = session(undefined, [false, false, true]);
  await settle();
  assert.equal(s.mode(), "disconnected");
  await s.clock.advance(99);
  assert.equal(s.attempts(), 1, "waits out the first backoff step");
  await s.clock.advance(1);
  await settle();
  assert.equal(s.attempts(), 2);
  await s.clock.advance(999);
  assert.equal(s.attempts(), 2, "the second step is longer");
  await s.clock.advance(1);
  await settle();
  assert.equal(s.mode(), "online");
  assert.deepEqual(s.effects, ["connect failed", "connect failed", "connect", "birth"]);
  s.actor.send({ type: "CLOSED", reason: "broker gone" });
  assert.equal(s.mode(), "disconnected");
  assert.equal(s.actor.getSnapshot().context.lastError, "broker gone");
  await s.clock.advance(100);
  await settle();
  assert.equal(s.mode(), "online", "the backoff starts over after a good connection");
  s.actor.send({ type: "STOP" });
  assert.equal(s.actor.getSnapshot().status, "done");
  assert.deepEqual(s.effects.slice(-5), ["leave", "connect", "birth", "leave", "disconnect"]);
  s.actor.stop();
});

Deno.test("with a primary host the node holds until STATE online and drops the session on offline", async () => {
  const s = session("scada", []);
  await settle();
  assert.equal(s.mode(), "holding");
  s.actor.send({ type: "HOST", online: true });
  assert.equal(s.mode(), "online");
  s.actor.send({ type: "HOST", online: true });
  assert.equal(s.effects.filter((e) => e === "birth").length, 1, "online twice: born once");
  s.actor.send({ type: "HOST", online: false });
  assert.deepEqual(s.effects.slice(-2), ["leave", "drop"]);
  s.actor.send({ type: "CLOSED", reason: "dropped" });
  await s.clock.advance(100);
  await settle();
  assert.equal(s.mode(), "holding", "a new session waits for the host again");
  s.actor.stop();
});
