/**
 * Metrics of the Sparkplug B publisher (docs/sparkplug.md): whether it is
 * connected to the broker, the values it published, the spool that holds
 * data while the broker is away, and what that spool dropped at its bound.
 * Fed at scrape time from the publisher's status (plain numbers); without
 * `--mqtt-url` the series stay at zero.
 *
 * @module
 */

import { Counter, Gauge, type Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

/** A label-less counter with its Tally, registered on `registry`. */
function tally(registry: Registry, name: string, help: string): Tally<never> {
  const counter = new Counter({ name, help, registers: [registry] });
  return new Tally(counter, {}, new CounterTotals(counter));
}

/** The plain figures the family reads (a subset of the publisher's status). */
export interface SparkplugFigures {
  readonly connected: boolean;
  readonly published: { readonly values: number; readonly historicalValues: number };
  readonly spool: { readonly bytes: number; readonly droppedValues: number };
}

/** The Sparkplug publisher's connection, published values and spool. */
export class SparkplugMetrics {
  /** Metric values published (live and historical); `setTotal(total)`. */
  readonly published: Tally<never>;
  /** Of those, values replayed from the spool flagged historical; `setTotal(total)`. */
  readonly historical: Tally<never>;
  /** Values the spool refused at its bound; `setTotal(total)`. */
  readonly dropped: Tally<never>;
  readonly #connected: Gauge;
  readonly #spoolBytes: Gauge;

  /** Registers the Sparkplug metrics on `registry`. */
  constructor(registry: Registry) {
    this.#connected = new Gauge({
      name: "jsscada_sparkplug_connected",
      help: "1 while the Sparkplug publisher is connected to its MQTT broker, else 0.",
      registers: [registry],
    });
    this.#spoolBytes = new Gauge({
      name: "jsscada_sparkplug_spool_bytes",
      help: "Bytes of Sparkplug data held in the spool for the broker.",
      registers: [registry],
    });
    this.published = tally(
      registry,
      "jsscada_sparkplug_published_values_total",
      "Metric values published to the MQTT broker, historical ones included.",
    );
    this.historical = tally(
      registry,
      "jsscada_sparkplug_historical_values_total",
      "Metric values published from the spool, flagged is_historical.",
    );
    this.dropped = tally(
      registry,
      "jsscada_sparkplug_spool_dropped_values_total",
      "Values the Sparkplug spool refused at its size bound (never published).",
    );
  }

  /** Copies one status snapshot of the publisher in. */
  set(figures: SparkplugFigures): void {
    this.#connected.set(figures.connected ? 1 : 0);
    this.#spoolBytes.set(figures.spool.bytes);
    this.published.setTotal(figures.published.values);
    this.historical.setTotal(figures.published.historicalValues);
    this.dropped.setTotal(figures.spool.droppedValues);
  }
}
