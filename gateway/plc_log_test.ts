import assert from "node:assert/strict";
import { createActor } from "xstate";
import { ManualClock } from "../actors/clock.ts";
import type { RuntimeEvent } from "../actors/events.ts";
import { plcMachine } from "../actors/plc.ts";
import { PlcLink } from "../actors/plc_link.ts";
import { FakePool, plcConfig } from "../actors/testing.ts";
import { plcLogLine } from "./plc_log.ts";

Deno.test("a PLC dead for two minutes logs a handful of lines with counts, not two a second", async () => {
  const clock = new ManualClock(1_000_000);
  const plc = plcConfig({ attempts: 3 });
  const link = new PlcLink(plc, clock);
  const pool = new FakePool(clock);
  pool.mode = "down";
  const events: RuntimeEvent[] = [];
  const actor = createActor(plcMachine, {
    clock,
    input: {
      plc,
      link,
      createPool: () => pool,
      clock,
      random: () => 0,
      report: (e) => events.push(e),
    },
  }).start();
  try {
    await clock.advance(120_000);
    const lines = events.flatMap((e) => plcLogLine(e) ?? []);
    assert.ok(lines.length <= 10, `${lines.length} lines in 2 minutes`);
    const retrying = lines.filter((l) => l.message.includes("still not answering"));
    assert.ok(retrying.length >= 4);
    assert.equal(retrying.at(-1)!.level, "warning");
    assert.ok((retrying.at(-1)!.properties.attempts as number) > 50, "the count is in the line");
    assert.ok(lines.some((l) => l.message === "{message}" && l.properties.active === true));
  } finally {
    actor.stop();
  }
});

Deno.test("PLC events get a level and a message; other events none", () => {
  const base = { plcId: 1, code: "P", at: 0 };
  assert.deepEqual(plcLogLine({ type: "plc.state", ...base, state: "failed", error: "timeout" }), {
    level: "warning",
    message: "PLC {code} is {state}: {error}",
    properties: { type: "plc.state", ...base, state: "failed", error: "timeout" },
  });
  assert.equal(plcLogLine({ type: "plc.state", ...base, state: "connected" })?.level, "info");
  assert.equal(plcLogLine({ type: "config.error", message: "x", at: 0 }), undefined);
});
