import assert from "node:assert/strict";
import { AlarmEngine } from "../alarms/engine.ts";
import type { PlcStatus } from "../actors/plc.ts";
import type { RuntimeStatus } from "../actors/runtime.ts";
import { Metrics } from "../observability/metrics.ts";
import { collectMetrics } from "./collect_metrics.ts";

function statusWith(plc: Partial<PlcStatus>): RuntimeStatus {
  return {
    state: "running",
    writer: undefined,
    groups: [],
    plcs: [{
      plcId: 1,
      code: "PLCA",
      supervision: { state: "running" },
      status: {
        state: "failed",
        retries: 0,
        failures: 0,
        consecutiveFailures: 0,
        failed: false,
        pool: undefined,
        ...plc,
      },
    }],
  } as unknown as RuntimeStatus;
}

const line = (text: string, name: string) =>
  text.split("\n").find((l) => l.startsWith(`${name}{plc="PLCA"}`))?.split(" ").at(-1);

Deno.test("/metrics shows each PLC's retries, failures, consecutive failures and failed state", async () => {
  const metrics = new Metrics({ processMetrics: false });
  const alarms = new AlarmEngine({ rules: [], tags: [] });
  collectMetrics(
    metrics,
    statusWith({ retries: 4, failures: 1, consecutiveFailures: 3, failed: true }),
    undefined,
    alarms,
  );
  let text = await metrics.render();
  assert.equal(line(text, "jsscada_plc_retries_total"), "4");
  assert.equal(line(text, "jsscada_plc_failures_total"), "1");
  assert.equal(line(text, "jsscada_plc_consecutive_failures"), "3");
  assert.equal(line(text, "jsscada_plc_failed"), "1");
  collectMetrics(
    metrics,
    statusWith({ state: "connected", retries: 6, failures: 1, consecutiveFailures: 0 }),
    undefined,
    alarms,
  );
  text = await metrics.render();
  assert.equal(line(text, "jsscada_plc_retries_total"), "6");
  assert.equal(line(text, "jsscada_plc_failed"), "0");
  assert.equal(line(text, "jsscada_plc_connected"), "1");
});
