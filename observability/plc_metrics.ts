/**
 * Metrics of the PLC connections, labelled by PLC code: round trips,
 * requests, failures by PlcError code, connection state and queueing.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** Histogram buckets for MC protocol round trips, in seconds (typical: 5–50 ms). */
export const RTT_BUCKETS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
];

/**
 * The part of a socket pool's status snapshot that metrics read. The
 * protocol's `PoolStats` satisfies it; any snapshot with these fields does.
 */
export interface PlcPoolSnapshot {
  /** Requests accepted so far (monotonic). */
  readonly requests: number;
  /** Failed requests so far by PlcError code (monotonic per code). */
  readonly failures: Readonly<Record<string, number>>;
  /** Requests waiting for a free socket now. */
  readonly queued: number;
  /** Requests on the wire now. */
  readonly inFlight: number;
  /** Round trip of the last successful request, if any. */
  readonly lastRttMs: number | undefined;
}

/** The prom-client objects shared by every PLC's handle (internal to the handles). */
export class PlcFamily {
  readonly connected: Gauge<"plc">;
  readonly rtt: Gauge<"plc">;
  readonly duration: Histogram<"plc">;
  readonly requests: Counter<"plc">;
  readonly requestTotals: CounterTotals<"plc">;
  readonly errors: Counter<"plc" | "code">;
  readonly errorTotals: CounterTotals<"plc" | "code">;
  readonly queued: Gauge<"plc">;
  readonly inFlight: Gauge<"plc">;
  readonly retries: Counter<"plc">;
  readonly retryTotals: CounterTotals<"plc">;
  readonly failures: Counter<"plc">;
  readonly failureTotals: CounterTotals<"plc">;
  readonly consecutiveFailures: Gauge<"plc">;
  readonly failed: Gauge<"plc">;

  /** Registers the PLC metric families on `registry`. */
  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["plc"] as const;
    this.connected = new Gauge({
      name: "jsscada_plc_connected",
      help: "1 while the PLC connection is up, 0 while it is down or reconnecting.",
      labelNames,
      registers,
    });
    this.rtt = new Gauge({
      name: "jsscada_plc_rtt_seconds",
      help: "Round-trip time of the last successful MC protocol request.",
      labelNames,
      registers,
    });
    this.duration = new Histogram({
      name: "jsscada_plc_request_duration_seconds",
      help: "Round-trip times of successful MC protocol requests.",
      labelNames,
      buckets: [...RTT_BUCKETS],
      registers,
    });
    this.requests = new Counter({
      name: "jsscada_plc_requests_total",
      help: "MC protocol requests accepted by the PLC's socket pool.",
      labelNames,
      registers,
    });
    this.requestTotals = new CounterTotals(this.requests);
    this.errors = new Counter({
      name: "jsscada_plc_errors_total",
      help: "Failed MC protocol requests by PlcError code (timeout, refused, closed, " +
        "protocol, endCode, aborted, busy).",
      labelNames: ["plc", "code"] as const,
      registers,
    });
    this.errorTotals = new CounterTotals(this.errors);
    this.queued = new Gauge({
      name: "jsscada_plc_requests_queued",
      help: "Requests waiting for a free socket to the PLC.",
      labelNames,
      registers,
    });
    this.inFlight = new Gauge({
      name: "jsscada_plc_requests_in_flight",
      help: "Requests sent to the PLC and not yet answered.",
      labelNames,
      registers,
    });
    this.retries = new Counter({
      name: "jsscada_plc_retries_total",
      help: "Failed requests below the PLC's attempts: the socket reopened silently, tags kept " +
        "their values (failure rule).",
      labelNames,
      registers,
    });
    this.retryTotals = new CounterTotals(this.retries);
    this.failures = new Counter({
      name: "jsscada_plc_failures_total",
      help: "Times the PLC was declared failed (attempts consecutive failed requests).",
      labelNames,
      registers,
    });
    this.failureTotals = new CounterTotals(this.failures);
    this.consecutiveFailures = new Gauge({
      name: "jsscada_plc_consecutive_failures",
      help: "Failed requests since the PLC last answered; it fails when this reaches attempts.",
      labelNames,
      registers,
    });
    this.failed = new Gauge({
      name: "jsscada_plc_failed",
      help: "1 while the PLC stands declared failed (its tags bad-comm), else 0.",
      labelNames,
      registers,
    });
  }
}

/** The metrics of one PLC. Get it from `Metrics.plc(code)`; it is cached per code. */
export class PlcMetrics {
  /** MC protocol requests accepted; feed by `inc()` or by `setTotal(total)`. */
  readonly requests: Tally<"plc">;
  /** Failed requests absorbed by the failure rule (silent retries). */
  readonly retries: Tally<"plc">;
  /** Times the PLC was declared failed. */
  readonly failures: Tally<"plc">;
  readonly #family: PlcFamily;
  readonly #labels: { plc: string };
  readonly #errors = new Map<string, Tally<"plc" | "code">>();

  /** Use `Metrics.plc(code)` instead. */
  constructor(family: PlcFamily, code: string) {
    this.#family = family;
    this.#labels = { plc: code };
    this.requests = new Tally(family.requests, this.#labels, family.requestTotals);
    this.retries = new Tally(family.retries, this.#labels, family.retryTotals);
    this.failures = new Tally(family.failures, this.#labels, family.failureTotals);
    family.connected.set(this.#labels, 0);
    this.setFailureRule(0, false);
    this.setQueue(0, 0);
  }

  /** Records one successful round trip: the histogram and the last-RTT gauge. */
  observeRttMs(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#family.duration.observe(this.#labels, ms / 1000);
    this.#family.rtt.set(this.#labels, ms / 1000);
  }

  /** Sets the last-RTT gauge only, from a snapshot; `undefined` (no request yet) leaves it. */
  setLastRttMs(ms: number | undefined): void {
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) {
      this.#family.rtt.set(this.#labels, ms / 1000);
    }
  }

  /** The failure counter for one PlcError `code`; feed by `inc()` or by `setTotal(total)`. */
  errors(code: string): Tally<"plc" | "code"> {
    let tally = this.#errors.get(code);
    if (tally === undefined) {
      tally = new Tally(
        this.#family.errors,
        { ...this.#labels, code },
        this.#family.errorTotals,
      );
      this.#errors.set(code, tally);
    }
    return tally;
  }

  /** Counts one failed request with PlcError `code`. */
  error(code: string): void {
    this.errors(code).inc();
  }

  /** Sets the connection gauge (1 up, 0 down). */
  setConnected(connected: boolean): void {
    this.#family.connected.set(this.#labels, connected ? 1 : 0);
  }

  /** Sets the failure-rule gauges: failed requests in a row, and whether the PLC is failed. */
  setFailureRule(consecutiveFailures: number, failed: boolean): void {
    this.#family.consecutiveFailures.set(this.#labels, consecutiveFailures);
    this.#family.failed.set(this.#labels, failed ? 1 : 0);
  }

  /** Sets the queue gauges: requests waiting for a socket and requests on the wire. */
  setQueue(queued: number, inFlight: number): void {
    this.#family.queued.set(this.#labels, queued);
    this.#family.inFlight.set(this.#labels, inFlight);
  }

  /**
   * Updates everything a pool snapshot holds: request and failure totals
   * (as counter deltas), queue gauges and the last RTT. The connection gauge
   * is left to `setConnected`, because the PLC actor, not the pool, knows it.
   */
  setPoolStats(stats: PlcPoolSnapshot): void {
    this.requests.setTotal(stats.requests);
    for (const [code, total] of Object.entries(stats.failures)) {
      this.errors(code).setTotal(total);
    }
    this.setQueue(stats.queued, stats.inFlight);
    this.setLastRttMs(stats.lastRttMs);
  }

  /** Removes every series of this PLC (it left the configuration). */
  remove(): void {
    const f = this.#family;
    for (const g of [f.connected, f.rtt, f.queued, f.inFlight, f.consecutiveFailures, f.failed]) {
      g.remove(this.#labels);
    }
    f.duration.remove(this.#labels);
    this.requests.remove();
    this.retries.remove();
    this.failures.remove();
    for (const tally of this.#errors.values()) tally.remove();
    this.#errors.clear();
  }
}
