/**
 * Samples published with QoS 0 that the broker has not yet been shown to
 * have: Sparkplug publishes data at QoS 0, so a sample written to the socket
 * just before the connection dies is lost without a trace. MQTT packets of
 * one connection are processed in order, so a PINGRESP proves the broker
 * read everything sent before the PINGREQ (and a PUBACK everything before
 * its PUBLISH). The publisher sends a PINGREQ every second while data waits
 * for confirmation, marks each PINGREQ, confirms at its PINGRESP,
 * and on an unexpected close hands the unconfirmed samples back to the spool:
 * they are sent again as historical data, so a host may see a few seconds of
 * duplicates (same metric, same timestamp) but never a gap.
 */
import type { Sample } from "../model/sample.ts";

/** Default bound: samples beyond it are forgotten, oldest first, and counted. */
export const DEFAULT_MAX_INFLIGHT = 500_000;

/** The unconfirmed window; see the module comment. */
export class Inflight {
  #batches: (readonly Sample[])[] = [];
  #size = 0;
  /** Batch count at the last PINGREQ sent, or -1 when none is outstanding. */
  #mark = -1;
  /** Samples forgotten at the bound since start. */
  forgotten = 0;

  constructor(readonly max: number = DEFAULT_MAX_INFLIGHT) {}

  /** Samples held now. */
  get size(): number {
    return this.#size;
  }

  /** Remembers a batch just written to the connection. */
  add(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    this.#batches.push(samples);
    this.#size += samples.length;
    while (this.#size > this.max && this.#batches.length > 1) {
      const old = this.#batches.shift()!;
      this.#size -= old.length;
      this.forgotten += old.length;
      if (this.#mark > 0) this.#mark--;
    }
  }

  /**
   * A PINGREQ went out: what is held now is confirmed by its PINGRESP. While
   * an earlier PINGREQ is unanswered its mark stays (PINGRESPs come in order,
   * so the next one answers the earlier PINGREQ).
   */
  markPing(): void {
    if (this.#mark < 0) this.#mark = this.#batches.length;
  }

  /** Whether a PINGREQ is waiting for its PINGRESP. */
  get pinging(): boolean {
    return this.#mark >= 0;
  }

  /** The PINGRESP (or a PUBACK of a later packet) arrived: drops what was sent before the mark. */
  confirm(all = false): void {
    const n = all ? this.#batches.length : this.#mark;
    if (n <= 0) {
      this.#mark = -1;
      return;
    }
    for (const b of this.#batches.splice(0, n)) this.#size -= b.length;
    this.#mark = -1;
  }

  /** Takes every unconfirmed sample, oldest first, and empties the window. */
  takeAll(): Sample[] {
    const out = this.#batches.flat();
    this.#batches = [];
    this.#size = 0;
    this.#mark = -1;
    return out;
  }
}
