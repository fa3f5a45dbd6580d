/**
 * Fills the Prometheus registry from status snapshots at scrape time: PLCs,
 * groups, buffer, writer, journal and alarms. Counters come from the totals
 * the actors keep, so nothing on the hot path touches prom-client.
 */
import type { AlarmEngine } from "../alarms/engine.ts";
import type { RuntimeStatus } from "../actors/runtime.ts";
import type { WriterStatus } from "../actors/writer.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { SparkplugFigures } from "../observability/sparkplug_metrics.ts";

/** Severity bands for the alarm gauges. */
function band(severity: number): string {
  return severity >= 700 ? "high" : severity >= 400 ? "medium" : "low";
}

/** Copies one snapshot of the runtime into the registry. */
export function collectMetrics(
  metrics: Metrics,
  status: RuntimeStatus,
  writer: WriterStatus | undefined,
  alarms: AlarmEngine,
): void {
  for (const p of status.plcs) {
    const m = metrics.plc(p.code);
    const s = p.status;
    m.setConnected(s?.state === "connected" || s?.state === "degraded");
    if (s?.pool) m.setPoolStats(s.pool);
    if (s) {
      m.retries.setTotal(s.retries);
      m.failures.setTotal(s.failures);
      m.setFailureRule(s.consecutiveFailures, s.failed);
    }
  }
  for (const g of status.groups) {
    const m = metrics.group(g.code);
    const s = g.status;
    m.setState(s?.state ?? g.supervision.state);
    if (!s) continue;
    m.cycles.setTotal(s.cycles);
    m.overruns.setTotal(s.overruns);
    m.failures.setTotal(s.errors);
  }
  metrics.retain(status.plcs.map((p) => p.code), status.groups.map((g) => g.code));
  if (writer) {
    metrics.buffer.set(writer.buffer.size, writer.buffer.capacity);
    metrics.buffer.dropped.setTotal(writer.buffer.dropped);
    metrics.writer.batches.setTotal(writer.totals.batches);
    metrics.writer.written.setTotal(writer.totals.valuesWritten);
    metrics.writer.failures.setTotal(writer.totals.failures);
    metrics.writer.setLost(writer.losses);
    metrics.journal.set(writer.journal.bytes, writer.journal.segments);
    metrics.journal.dropped.setTotal(writer.journal.droppedValues);
    metrics.journal.replayed.setTotal(writer.journal.replayedValues);
    if (writer.replay.progress !== null) {
      metrics.journal.setReplayProgress(writer.replay.progress, 1);
    }
  }
  const bands: Record<string, { active: number; unacknowledged: number }> = {
    low: { active: 0, unacknowledged: 0 },
    medium: { active: 0, unacknowledged: 0 },
    high: { active: 0, unacknowledged: 0 },
  };
  for (const a of alarms.active()) {
    const b = bands[band(a.severity)];
    if (a.state === "active-unacknowledged" || a.state === "active-acknowledged") b.active++;
    if (!a.acknowledged) b.unacknowledged++;
  }
  metrics.alarms.set(bands);
}

/**
 * Copies the Sparkplug publisher's status into the registry. The status is
 * asked of the publisher's worker (async), so this is its own collect hook.
 */
export function collectSparkplugMetrics(metrics: Metrics, status: SparkplugFigures): void {
  metrics.sparkplug.set(status);
}
