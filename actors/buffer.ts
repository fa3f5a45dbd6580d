/**
 * The sample buffer between the pollers and the writer: a bounded ring that
 * never blocks a poller. When full it drops the oldest sample and counts it,
 * so memory stays bounded through any historian outage and the freshest data
 * wins. The writer takes batches from the front and is woken by a size watch
 * instead of polling.
 */
import type { Sample } from "../model/sample.ts";
import type { SampleSink } from "./events.ts";

/** Default capacity: the earlier JSScada's 100,000 samples. */
export const DEFAULT_BUFFER_CAPACITY = 100_000;

/** Counters of a buffer, for the status endpoint and metrics. */
export interface BufferStats {
  /** Samples waiting now. */
  readonly size: number;
  readonly capacity: number;
  /** Samples dropped (oldest first) because the buffer was full, since start. */
  readonly dropped: number;
  /** Samples pushed since start. */
  readonly pushed: number;
  /** Samples taken by the writer since start. */
  readonly taken: number;
}

interface Watch {
  readonly atLeast: number;
  readonly listener: () => void;
}

/**
 * A bounded FIFO ring of samples with drop-oldest overflow. `push` is O(1)
 * and allocates nothing; `take(n)` removes up to n oldest samples.
 */
export class SampleBuffer implements SampleSink {
  /** Most samples held at once. */
  readonly capacity: number;
  readonly #ring: (Sample | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;
  #pushed = 0;
  #taken = 0;
  #watches: Watch[] = [];
  /** Smallest threshold among the watches (Infinity when none): one compare per push. */
  #nextThreshold = Infinity;
  #notifyQueued = false;

  /** A buffer of `capacity` samples (a positive integer). */
  constructor(capacity: number = DEFAULT_BUFFER_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#ring = new Array<Sample | undefined>(capacity).fill(undefined);
  }

  /** Samples waiting now. */
  get size(): number {
    return this.#size;
  }

  /** Samples dropped because the buffer was full, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Appends one poll's samples in order (the pollers' {@link SampleSink}
   * port), as {@link pushOne} does for each.
   */
  push(samples: readonly Sample[]): void {
    for (let i = 0; i < samples.length; i++) this.pushOne(samples[i]);
  }

  /**
   * Appends a sample; when full, overwrites (drops) the oldest one and counts
   * it. O(1), never blocks, never throws.
   */
  pushOne(sample: Sample): void {
    const cap = this.capacity;
    if (this.#size === cap) {
      this.#ring[this.#head] = sample;
      this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
      this.#dropped++;
    } else {
      let i = this.#head + this.#size;
      if (i >= cap) i -= cap;
      this.#ring[i] = sample;
      this.#size++;
    }
    this.#pushed++;
    if (this.#size >= this.#nextThreshold) this.#queueNotify();
  }

  /** Removes and returns up to `max` of the oldest samples, oldest first. */
  take(max: number): Sample[] {
    const n = Math.max(0, Math.min(Math.floor(max), this.#size));
    const out = new Array<Sample>(n);
    const cap = this.capacity;
    let h = this.#head;
    for (let i = 0; i < n; i++) {
      out[i] = this.#ring[h] as Sample;
      this.#ring[h] = undefined;
      h = h + 1 === cap ? 0 : h + 1;
    }
    this.#head = h;
    this.#size -= n;
    this.#taken += n;
    return out;
  }

  /**
   * Calls `listener` once, soon (in a microtask, never inside `push`) after
   * the size is at least `atLeast`: at once if it already is. Returns a
   * function that cancels the watch. The writer waits on this instead of
   * polling.
   */
  whenSize(atLeast: number, listener: () => void): () => void {
    const watch: Watch = { atLeast: Math.max(1, atLeast), listener };
    this.#watches.push(watch);
    this.#recomputeThreshold();
    if (this.#size >= watch.atLeast) this.#queueNotify();
    return () => {
      const i = this.#watches.indexOf(watch);
      if (i >= 0) {
        this.#watches.splice(i, 1);
        this.#recomputeThreshold();
      }
    };
  }

  /** The counters now. */
  stats(): BufferStats {
    return {
      size: this.#size,
      capacity: this.capacity,
      dropped: this.#dropped,
      pushed: this.#pushed,
      taken: this.#taken,
    };
  }

  #queueNotify(): void {
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => this.#notify());
  }

  #notify(): void {
    this.#notifyQueued = false;
    const due = this.#watches.filter((w) => this.#size >= w.atLeast);
    if (due.length === 0) return;
    this.#watches = this.#watches.filter((w) => this.#size < w.atLeast);
    this.#recomputeThreshold();
    for (const w of due) w.listener();
  }

  #recomputeThreshold(): void {
    let min = Infinity;
    for (const w of this.#watches) if (w.atLeast < min) min = w.atLeast;
    this.#nextThreshold = min;
  }
}
