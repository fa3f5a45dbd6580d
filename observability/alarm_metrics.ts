/**
 * Metrics of the alarm engine: alarms active and unacknowledged, by severity
 * band.
 *
 * @module
 */

import { Gauge, type Registry } from "prom-client";

/** How many alarms of one severity band are active and unacknowledged. */
export interface AlarmBandCounts {
  /** Active alarms, acknowledged or not. */
  readonly active: number;
  /** Alarms not yet acknowledged, active or cleared. */
  readonly unacknowledged: number;
}

/** Alarm counts by severity band (the alarm engine names the bands). */
export class AlarmMetrics {
  readonly #active: Gauge<"severity">;
  readonly #unacked: Gauge<"severity">;
  readonly #bands = new Set<string>();

  /** Registers the alarm metrics on `registry`. */
  constructor(registry: Registry) {
    const labelNames = ["severity"] as const;
    this.#active = new Gauge({
      name: "jsscada_alarms_active",
      help: "Active alarms (acknowledged or not), by severity band.",
      labelNames,
      registers: [registry],
    });
    this.#unacked = new Gauge({
      name: "jsscada_alarms_unacknowledged",
      help: "Unacknowledged alarms (active or cleared), by severity band.",
      labelNames,
      registers: [registry],
    });
  }

  /**
   * Sets the counts of every band from a snapshot; a band seen before and
   * missing from `counts` drops to 0 rather than keeping a stale count.
   */
  set(counts: Readonly<Record<string, AlarmBandCounts>>): void {
    for (const band of Object.keys(counts)) this.#bands.add(band);
    for (const band of this.#bands) {
      const c = counts[band];
      this.#active.set({ severity: band }, c?.active ?? 0);
      this.#unacked.set({ severity: band }, c?.unacknowledged ?? 0);
    }
  }
}
