/**
 * Metrics of the alarm engine: alarms active and unacknowledged, by severity
 * band; transitions the alarm journal could not store.
 *
 * @module
 */

import { Counter, Gauge, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** How many alarms of one severity band are active and unacknowledged. */
export interface AlarmBandCounts {
  /** Active alarms, acknowledged or not. */
  readonly active: number;
  /** Alarms not yet acknowledged, active or cleared. */
  readonly unacknowledged: number;
}

/** What the alarm journal writer reports (alarms/journal_writer.ts `stats()`). */
export interface AlarmJournalFigures {
  /** Transitions not stored because the journal could not write, since start. */
  readonly lostTransitions: number;
  /** True while appends fail. */
  readonly failing: boolean;
}

/** Alarm counts by severity band (the alarm engine names the bands), and the journal's health. */
export class AlarmMetrics {
  /** `jsscada_alarm_journal_lost_total`: fed by {@link setJournal}. */
  readonly journalLost: Tally<never>;
  readonly #journalFailing: Gauge;
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
    const lost = new Counter({
      name: "jsscada_alarm_journal_lost_total",
      help: "Alarm transitions the alarm journal could not store (disk full, disk error).",
      registers: [registry],
    });
    this.journalLost = new Tally(lost, {}, new CounterTotals(lost));
    this.#journalFailing = new Gauge({
      name: "jsscada_alarm_journal_failing",
      help: "1 while the alarm journal cannot write (alarms stay live; their history has a gap).",
      registers: [registry],
    });
  }

  /** Copies the alarm journal writer's figures (at scrape time). */
  setJournal(figures: AlarmJournalFigures): void {
    this.journalLost.setTotal(figures.lostTransitions);
    this.#journalFailing.set(figures.failing ? 1 : 0);
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
