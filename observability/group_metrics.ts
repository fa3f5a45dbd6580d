/**
 * Metrics of the polling groups, labelled by group code: cycle times,
 * cycles, overruns, failed cycles and the poller's state.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** Histogram buckets for polling cycle times, in seconds (intervals run 100 ms to minutes). */
export const CYCLE_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** The prom-client objects shared by every group's handle (internal to the handles). */
export class GroupFamily {
  readonly cycle: Histogram<"group">;
  readonly cycles: Counter<"group">;
  readonly cycleTotals: CounterTotals<"group">;
  readonly overruns: Counter<"group">;
  readonly overrunTotals: CounterTotals<"group">;
  readonly failures: Counter<"group">;
  readonly failureTotals: CounterTotals<"group">;
  readonly state: Gauge<"group" | "state">;

  /** Registers the group metric families on `registry`. */
  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["group"] as const;
    this.cycle = new Histogram({
      name: "jsscada_group_cycle_duration_seconds",
      help: "Time from a polling cycle's start (tick or trigger) to its samples being handed on.",
      labelNames,
      buckets: [...CYCLE_BUCKETS],
      registers,
    });
    this.cycles = new Counter({
      name: "jsscada_group_cycles_total",
      help: "Polling cycles run, failed ones included.",
      labelNames,
      registers,
    });
    this.cycleTotals = new CounterTotals(this.cycles);
    this.overruns = new Counter({
      name: "jsscada_group_overruns_total",
      help: "Ticks skipped because the previous cycle was still running.",
      labelNames,
      registers,
    });
    this.overrunTotals = new CounterTotals(this.overruns);
    this.failures = new Counter({
      name: "jsscada_group_cycle_failures_total",
      help: "Polling cycles that read nothing because of a PLC or handshake fault.",
      labelNames,
      registers,
    });
    this.failureTotals = new CounterTotals(this.failures);
    this.state = new Gauge({
      name: "jsscada_group_state",
      help: "1 for the poller's current state, 0 for the other states it has been in.",
      labelNames: ["group", "state"] as const,
      registers,
    });
  }
}

/** The metrics of one polling group. Get it from `Metrics.group(code)`; it is cached per code. */
export class GroupMetrics {
  /** Cycles run; feed by `inc()` or by `setTotal(total)`. */
  readonly cycles: Tally<"group">;
  /** Skipped ticks; feed by `inc()` or by `setTotal(total)`. */
  readonly overruns: Tally<"group">;
  /** Failed cycles; feed by `inc()` or by `setTotal(total)`. */
  readonly failures: Tally<"group">;
  readonly #family: GroupFamily;
  readonly #labels: { group: string };
  readonly #states = new Set<string>();

  /** Use `Metrics.group(code)` instead. */
  constructor(family: GroupFamily, code: string) {
    this.#family = family;
    this.#labels = { group: code };
    this.cycles = new Tally(family.cycles, this.#labels, family.cycleTotals);
    this.overruns = new Tally(family.overruns, this.#labels, family.overrunTotals);
    this.failures = new Tally(family.failures, this.#labels, family.failureTotals);
  }

  /** Records one cycle's duration in the histogram (the `cycles` counter is fed apart). */
  observeCycleMs(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.#family.cycle.observe(this.#labels, ms / 1000);
  }

  /**
   * Marks `state` (such as "running", "stopped", "faulted") as current: its
   * series is 1 and every other state seen for this group is 0.
   */
  setState(state: string): void {
    this.#states.add(state);
    for (const s of this.#states) {
      this.#family.state.set({ ...this.#labels, state: s }, s === state ? 1 : 0);
    }
  }

  /** Removes every series of this group (it left the configuration). */
  remove(): void {
    this.#family.cycle.remove(this.#labels);
    this.cycles.remove();
    this.overruns.remove();
    this.failures.remove();
    for (const s of this.#states) this.#family.state.remove({ ...this.#labels, state: s });
    this.#states.clear();
  }
}
