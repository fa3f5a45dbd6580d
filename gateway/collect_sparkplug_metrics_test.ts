import assert from "node:assert/strict";
import { Metrics } from "../observability/metrics.ts";
import { collectSparkplugMetrics } from "./collect_metrics.ts";

/** The value of a label-less series in the exposition text. */
const value = (text: string, name: string) =>
  Number(text.split("\n").find((l) => l.startsWith(`${name} `))?.split(" ").at(-1));

Deno.test("/metrics shows the Sparkplug publisher's connection, published values, spool bytes and drops", async () => {
  const metrics = new Metrics({ processMetrics: false });
  const before = await metrics.render();
  assert.equal(value(before, "jsscada_sparkplug_connected"), 0);
  assert.equal(value(before, "jsscada_sparkplug_published_values_total"), 0);
  collectSparkplugMetrics(metrics, {
    connected: true,
    published: { values: 120_000, historicalValues: 5_000 },
    spool: { bytes: 8192, droppedValues: 7 },
  });
  const text = await metrics.render();
  assert.equal(value(text, "jsscada_sparkplug_connected"), 1);
  assert.equal(value(text, "jsscada_sparkplug_published_values_total"), 120_000);
  assert.equal(value(text, "jsscada_sparkplug_historical_values_total"), 5_000);
  assert.equal(value(text, "jsscada_sparkplug_spool_bytes"), 8192);
  assert.equal(value(text, "jsscada_sparkplug_spool_dropped_values_total"), 7);
  collectSparkplugMetrics(metrics, {
    connected: false,
    published: { values: 130_000, historicalValues: 5_000 },
    spool: { bytes: 0, droppedValues: 7 },
  });
  const later = await metrics.render();
  assert.equal(value(later, "jsscada_sparkplug_connected"), 0);
  assert.equal(value(later, "jsscada_sparkplug_published_values_total"), 130_000);
});
