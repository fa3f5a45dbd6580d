import assert from "node:assert/strict";
import { createActor, fromCallback, setup } from "xstate";
import { ManualClock } from "./clock.ts";
import type { RuntimeEvent } from "./events.ts";
import {
  decideRestart,
  DEFAULT_RESTART_POLICY,
  RESET,
  supervise,
  supervision,
} from "./supervisor.ts";

const policy = DEFAULT_RESTART_POLICY;

Deno.test("decideRestart doubles the delay per crash in the window and gives up past the budget", () => {
  const delays: number[] = [];
  let crashes: readonly number[] = [];
  for (let i = 0; i < 5; i++) {
    const d = decideRestart(crashes, 1000 + i, policy);
    assert.ok(d.restart);
    delays.push(d.delayMs);
    crashes = d.crashes;
  }
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000]);
  const sixth = decideRestart(crashes, 2000, policy);
  assert.equal(sixth.restart, false);
  assert.equal(sixth.crashes.length, 6);
});

Deno.test("decideRestart forgets crashes older than the window", () => {
  const d = decideRestart([0, 1, 2, 3, 4], 60_010, policy);
  assert.ok(d.restart);
  assert.equal(d.delayMs, 250);
  assert.deepEqual(d.crashes, [60_010]);
});

/** A child with a resource (counted) that crashes on BOOM and echoes PING through its input. */
function makeChild() {
  const counts = { started: 0, cleaned: 0, pings: [] as string[] };
  const child = setup({
    types: { input: {} as { name: string }, context: {} as { name: string } },
    actors: {
      resource: fromCallback(() => {
        counts.started++;
        return () => void counts.cleaned++;
      }),
    },
  }).createMachine({
    context: ({ input }) => ({ name: input.name }),
    invoke: { src: "resource" },
    on: {
      BOOM: {
        actions: () => {
          throw new Error("bug on purpose");
        },
      },
      PING: { actions: ({ context }) => void counts.pings.push(context.name) },
    },
  });
  return { child, counts };
}

Deno.test("a crashed child is restarted after the backoff delay, its resources released first", async () => {
  const clock = new ManualClock();
  const { child, counts } = makeChild();
  const reports: RuntimeEvent[] = [];
  const actor = createActor(supervise(child), {
    clock,
    input: {
      id: "c",
      input: { name: "a" },
      clock,
      report: (e) => reports.push(e),
      remember: (input, e) => (e.type === "RENAME" ? { name: e.name as string } : input),
    },
  }).start();
  try {
    actor.send({ type: "PING" });
    actor.send({ type: "RENAME", name: "b" });
    actor.send({ type: "BOOM" });
    assert.equal(supervision(actor.getSnapshot()).state, "restarting");
    assert.equal(counts.cleaned, 1, "the crashed child's invoked resource was stopped");
    actor.send({ type: "PING" }); // dropped while down
    await clock.advance(249);
    assert.equal(supervision(actor.getSnapshot()).state, "restarting");
    await clock.advance(1);
    const s = supervision(actor.getSnapshot());
    assert.equal(s.state, "running");
    assert.equal(s.restarts, 1);
    assert.equal(counts.started, 2);
    actor.send({ type: "PING" });
    assert.deepEqual(counts.pings, ["a", "b"], "the restart got the remembered input");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].type, "child.restarting");
  } finally {
    actor.stop();
  }
  assert.equal(counts.cleaned, counts.started);
});

Deno.test("a crash loop spends the budget and the child is marked failed; reset starts it again", async () => {
  const clock = new ManualClock();
  const { child, counts } = makeChild();
  const reports: RuntimeEvent[] = [];
  const refused: string[] = [];
  const actor = createActor(supervise(child), {
    clock,
    input: {
      unavailable: (e, why) => void refused.push(`${e.type}: ${why}`),
      id: "loop",
      input: { name: "x" },
      clock,
      report: (e) => reports.push(e),
      policy: { maxRestarts: 3, initialDelayMs: 10 },
    },
  }).start();
  try {
    for (let i = 0; i < 4; i++) {
      assert.equal(supervision(actor.getSnapshot()).state, "running");
      actor.send({ type: "BOOM" });
      await clock.advance(1000);
    }
    const s = supervision(actor.getSnapshot());
    assert.equal(s.state, "failed");
    assert.equal(s.restarts, 3);
    assert.equal(s.crashes, 4);
    assert.deepEqual(reports.map((r) => r.type), [
      "child.restarting",
      "child.restarting",
      "child.restarting",
      "child.failed",
    ]);
    assert.deepEqual(
      reports.flatMap((r) => (r.type === "child.restarting" ? [r.delayMs] : [])),
      [10, 20, 40],
    );
    actor.send({ type: "PING" });
    assert.deepEqual(refused, ["PING: failed (restart budget spent)"]);
    assert.equal(counts.cleaned, counts.started, "no resource left behind by any crash");
    actor.send({ type: RESET });
    assert.equal(supervision(actor.getSnapshot()).state, "running");
  } finally {
    actor.stop();
  }
  assert.equal(counts.cleaned, counts.started);
});
