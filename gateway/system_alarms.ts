/**
 * System alarms from the runtime: a PLC that stopped answering, a HANDSHAKE
 * group whose handshake fails, cycles that overrun, a historian sink that
 * refuses writes, a journal near its bound. Runtime events (plain data, so
 * they may come from a worker) raise and clear them at once; what only shows
 * in status snapshots (overruns, the writer's condition) is checked on each
 * status tick.
 *
 * "PLC not answering" follows the failure rule: the plc actor reports
 * `plc.commAlarm` active only once the PLC has stayed failed for its
 * `commAlarmDelayMs` (a single timeout, or a short failure, raises nothing)
 * and inactive when it answers again; a PLC that answers again or is no
 * longer polled clears it too.
 */
import type { AlarmEngine } from "../alarms/engine.ts";
import { SYSTEM_SEVERITY, systemKeys } from "../alarms/system_keys.ts";
import type { RuntimeEvent } from "../actors/events.ts";
import type { RuntimeStatus } from "../actors/runtime.ts";
import { lossAlarmText, sinkDownAlarmText } from "../actors/journal_alarm_text.ts";
import type { WriterStatus } from "../actors/writer.ts";
import type { SparkplugStatus } from "../sparkplug/publisher.ts";
import { spoolDroppedAlarmText, unreachableAlarmText } from "../sparkplug/alarm_text.ts";

/** How long after a group's last overrun its overrun alarm clears, ms. */
export const OVERRUN_CLEAR_MS = 60_000;

/** Turns runtime events and status snapshots into system alarms. */
export class SystemAlarms {
  readonly #alarms: AlarmEngine;
  readonly #overruns = new Map<number, { count: number; lastAt: number }>();
  #spoolDrops: { seen: number; since?: number; first?: number; lastAt?: number } | undefined;

  constructor(alarms: AlarmEngine) {
    this.#alarms = alarms;
  }

  /** Handles one runtime event (subscribe with `runtime.on`). */
  onEvent(e: RuntimeEvent): void {
    switch (e.type) {
      case "plc.state": {
        if (e.state === "connected" || e.state === "degraded" || e.state === "disconnected") {
          this.#alarms.clearSystem(systemKeys.plcDisconnected(e.code));
        }
        return;
      }
      case "plc.commAlarm": {
        const key = systemKeys.plcDisconnected(e.code);
        if (!e.active) this.#alarms.clearSystem(key);
        else {
          this.#alarms.raiseSystem(key, {
            message: e.message,
            severity: SYSTEM_SEVERITY.plcDisconnected,
            source: `plc:${e.code}`,
          });
        }
        return;
      }
      case "group.fault":
        this.#alarms.raiseSystem(systemKeys.handshakeFault(e.code), {
          message: `handshake of group ${e.code} failed at the ${e.step} step: ${e.message}`,
          severity: SYSTEM_SEVERITY.handshakeFault,
          source: `group:${e.code}`,
        });
        return;
      case "group.recovered":
        this.#alarms.clearSystem(systemKeys.handshakeFault(e.code));
        return;
      default:
        return;
    }
  }

  /**
   * Checks the Sparkplug publisher's status taken at `now`: the broker
   * missing for more than a few seconds, and values dropped at the spool's
   * bound (cleared {@link OVERRUN_CLEAR_MS} after the last drop).
   */
  onSparkplugStatus(status: SparkplugStatus, now: number): void {
    const key = systemKeys.sparkplugUnreachable();
    const text = unreachableAlarmText(status, now);
    if (text !== null) {
      this.#alarms.raiseSystem(key, {
        message: text,
        severity: SYSTEM_SEVERITY.sparkplugUnreachable,
        source: "sparkplug:broker",
      });
    } else if (status.connected) this.#alarms.clearSystem(key);
    const dropKey = systemKeys.sparkplugSpoolDropped();
    const dropped = status.spool.droppedValues;
    const d = this.#spoolDrops;
    if (!d || dropped < d.seen) {
      // First snapshot (drops before it count too), or a restarted publisher.
      this.#spoolDrops = { seen: 0 };
      return this.onSparkplugStatus(status, now);
    }
    if (dropped > d.seen) {
      if (d.first === undefined || d.since === undefined) {
        d.first = d.seen;
        d.since = now;
      }
      d.seen = dropped;
      d.lastAt = now;
      this.#alarms.raiseSystem(dropKey, {
        message: spoolDroppedAlarmText(status, dropped - d.first, d.since),
        severity: SYSTEM_SEVERITY.sparkplugSpoolDropped,
        source: "sparkplug:spool",
      });
    } else if (d.lastAt !== undefined && now - d.lastAt >= OVERRUN_CLEAR_MS) {
      this.#alarms.clearSystem(dropKey);
      this.#spoolDrops = { seen: dropped };
    }
  }

  /** Checks overruns and the writer on a status snapshot taken at `now`. */
  onStatus(status: RuntimeStatus, writer: WriterStatus | undefined, now: number): void {
    for (const g of status.groups) {
      // Ticks skipped behind a read that failed (a timeout) are the PLC's comm matter,
      // counted as retries and judged by the failure rule, not a group too slow for its interval.
      const overruns = (g.status?.overruns ?? 0) - (g.status?.failedReadOverruns ?? 0);
      const seen = this.#overruns.get(g.groupId);
      const key = systemKeys.groupOverrun(g.code);
      if (seen && overruns > seen.count) {
        this.#alarms.raiseSystem(key, {
          message: `group ${g.code} missed ${overruns - seen.count} tick(s): reads take longer ` +
            `than its ${g.status?.intervalMs ?? "?"} ms interval`,
          severity: SYSTEM_SEVERITY.groupOverrun,
          source: `group:${g.code}`,
        });
        this.#overruns.set(g.groupId, { count: overruns, lastAt: now });
      } else if (!seen || overruns < seen.count) {
        this.#overruns.set(g.groupId, { count: overruns, lastAt: seen?.lastAt ?? -Infinity });
      } else if (now - seen.lastAt >= OVERRUN_CLEAR_MS) this.#alarms.clearSystem(key);
    }
    if (!writer) return;
    const sinkKey = systemKeys.sinkDown(writer.sink);
    const sinkText = sinkDownAlarmText(writer);
    if (sinkText !== null) {
      this.#alarms.raiseSystem(sinkKey, {
        message: sinkText,
        severity: SYSTEM_SEVERITY.sinkDown,
        source: `sink:${writer.sink}`,
      });
    } else if (writer.condition === "healthy") this.#alarms.clearSystem(sinkKey);
    const lossKey = systemKeys.samplesLost();
    const lossText = lossAlarmText(writer);
    if (lossText !== null) {
      this.#alarms.raiseSystem(lossKey, {
        message: lossText,
        severity: SYSTEM_SEVERITY.samplesLost,
        source: "writer:losses",
      });
    } else this.#alarms.clearSystem(lossKey);
    const j = writer.journal;
    const journalKey = systemKeys.journalNearlyFull();
    if (j.maxBytes > 0 && j.bytes >= 0.8 * j.maxBytes) {
      this.#alarms.raiseSystem(journalKey, {
        message: `the disk journal holds ${j.bytes} of at most ${j.maxBytes} bytes`,
        severity: SYSTEM_SEVERITY.journalNearlyFull,
        source: "writer:journal",
      });
    } else this.#alarms.clearSystem(journalKey);
  }
}
