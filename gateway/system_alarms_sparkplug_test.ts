import assert from "node:assert/strict";
import { AlarmEngine } from "../alarms/engine.ts";
import { systemKeys } from "../alarms/system_keys.ts";
import type { SparkplugStatus } from "../sparkplug/publisher.ts";
import { SPARKPLUG_UNREACHABLE_MS } from "../sparkplug/alarm_text.ts";
import { OVERRUN_CLEAR_MS, SystemAlarms } from "./system_alarms.ts";

const T0 = Date.UTC(2026, 11, 6, 8, 10, 0);

/** A publisher status as the worker answers it, with the fields the alarms read overridden. */
function status(over: {
  connected?: boolean;
  disconnectedSince?: number;
  pendingValues?: number;
  droppedValues?: number;
}): SparkplugStatus {
  const connected = over.connected ?? true;
  return {
    mode: connected ? "online" : "connecting",
    url: "mqtt://broker.example:1883",
    connected,
    disconnectedSince: connected ? undefined : over.disconnectedSince,
    online: connected,
    bdSeq: 3,
    seq: 0,
    lastError: undefined,
    births: 1,
    devicesBorn: 4,
    published: { messages: 0, values: 0, historicalValues: 0 },
    spool: {
      bytes: 4 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      pending: (over.pendingValues ?? 0) > 0,
      appendedValues: 0,
      replayedValues: 0,
      pendingValues: over.pendingValues ?? 0,
      droppedValues: over.droppedValues ?? 0,
    },
    inflightValues: 0,
    forgottenValues: 0,
    skippedValues: 0,
    deferredValues: 0,
    unsentBytes: 0,
    commands: { written: 0, refused: 0, ignored: 0 },
  };
}

function harness() {
  const alarms = new AlarmEngine({ rules: [], tags: [], clock: () => T0 });
  const system = new SystemAlarms(alarms);
  const active = (key: string) =>
    alarms.active().find((a) => a.systemKey === key && a.state.startsWith("active"));
  return { system, active };
}

Deno.test("Sparkplug broker unreachable: nothing for a short drop, an alarm in words after a few seconds, cleared on reconnect", () => {
  const { system, active } = harness();
  const key = systemKeys.sparkplugUnreachable();
  system.onSparkplugStatus(status({ connected: false, disconnectedSince: T0 }), T0 + 1_000);
  assert.equal(active(key), undefined);
  system.onSparkplugStatus(
    status({ connected: false, disconnectedSince: T0, pendingValues: 105_238 }),
    T0 + SPARKPLUG_UNREACHABLE_MS + 1,
  );
  const a = active(key);
  assert.ok(a, "raised");
  assert.equal(
    a.message,
    "Sparkplug: broker mqtt://broker.example:1883 unreachable since 2026-12-06 08:10:00 UTC; " +
      "105,238 values held in the spool (4 MiB), published flagged historical when it answers",
  );
  system.onSparkplugStatus(status({ connected: true }), T0 + 20_000);
  assert.equal(active(key), undefined);
});

Deno.test("Sparkplug spool drops: raised when droppedValues grows, counting from the first drop, cleared a while after the last", () => {
  const { system, active } = harness();
  const key = systemKeys.sparkplugSpoolDropped();
  system.onSparkplugStatus(status({}), T0);
  assert.equal(active(key), undefined);
  system.onSparkplugStatus(status({ droppedValues: 500 }), T0 + 1_000);
  system.onSparkplugStatus(status({ droppedValues: 1_700 }), T0 + 2_000);
  const a = active(key);
  assert.ok(a, "raised");
  assert.match(
    a.message,
    /^Sparkplug: the spool is full \(4 MiB of 64 MiB\); 1,700 values dropped since 2026-12-06 08:10:01 UTC/,
  );
  system.onSparkplugStatus(status({ droppedValues: 1_700 }), T0 + 2_000 + OVERRUN_CLEAR_MS - 1);
  assert.ok(active(key), "still active right before the quiet period ends");
  system.onSparkplugStatus(status({ droppedValues: 1_700 }), T0 + 2_000 + OVERRUN_CLEAR_MS);
  assert.equal(active(key), undefined);
  // A restarted publisher counts from zero again; its first drops raise the alarm anew.
  system.onSparkplugStatus(status({ droppedValues: 40 }), T0 + 200_000);
  assert.match(active(key)!.message, /; 40 values dropped since/);
});
