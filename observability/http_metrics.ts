/**
 * Metrics of the HTTP layer: REST request durations, and the WebSocket
 * clients with the updates coalesced away for slow ones.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** Histogram buckets for HTTP request durations, in seconds (target p95 under 10 ms). */
export const HTTP_BUCKETS: readonly number[] = [
  0.0005,
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
  5,
];

/** REST request durations by method, route pattern and status. */
export class HttpMetrics {
  readonly #duration: Histogram<"method" | "route" | "status">;

  /** Registers the HTTP metrics on `registry`. */
  constructor(registry: Registry) {
    this.#duration = new Histogram({
      name: "jsscada_http_request_duration_seconds",
      help: "Time from a request's arrival to its response, by method, route pattern and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: [...HTTP_BUCKETS],
      registers: [registry],
    });
  }

  /**
   * Records one request. `route` must be the matched route pattern (such as
   * `/api/v1/values/:tag/history`), never the raw path: each distinct value
   * is a new series.
   */
  observe(method: string, route: string, status: number | string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.#duration.observe(
      { method: method.toUpperCase(), route, status: String(status) },
      seconds,
    );
  }
}

/** WebSocket clients and the updates replaced before a slow client could take them. */
export class WsMetrics {
  /** Stale updates replaced by newer ones for slow clients; `inc(n)` or `setTotal(total)`. */
  readonly replaced: Tally<never>;
  readonly #clients: Gauge;
  readonly #send: Histogram;

  /** Registers the WebSocket metrics on `registry`. */
  constructor(registry: Registry) {
    this.#clients = new Gauge({
      name: "jsscada_ws_clients",
      help: "WebSocket clients connected.",
      registers: [registry],
    });
    const replaced = new Counter({
      name: "jsscada_ws_replaced_updates_total",
      help: "Value updates replaced by newer ones before a slow WebSocket client took them.",
      registers: [registry],
    });
    this.replaced = new Tally(replaced, {}, new CounterTotals(replaced));
    this.#send = new Histogram({
      name: "jsscada_ws_send_latency_seconds",
      help: "From the first value of a values frame arriving at the WebSocket hub to the frame " +
        "handed to the last subscribed socket (coalescing wait included).",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1],
      registers: [registry],
    });
  }

  /** Records one flush's send latency, seconds. */
  observeSend(seconds: number): void {
    this.#send.observe(seconds);
  }

  /** Sets the number of connected clients. */
  setClients(n: number): void {
    this.#clients.set(n);
  }
}
