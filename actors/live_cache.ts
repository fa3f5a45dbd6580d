/**
 * The live cache: the newest sample of every tag, updated by the pollers with
 * every sample (also those the deadband keeps out of the historian). The
 * dashboard, its WebSocket and the alarm engine read it; change listeners hear
 * about samples whose value or quality differs from the one they replace.
 */
import type { Sample } from "../model/sample.ts";

/** What pollers need of the live cache. */
export interface LivePort {
  update(samples: readonly Sample[]): void;
}

/** Called with the samples of one update that changed a tag's value or quality. */
export type LiveListener = (changed: readonly Sample[]) => void;

/** Latest value, quality and timestamp per tag id. */
export class LiveCache implements LivePort {
  #latest = new Map<number, Sample>();
  #listeners = new Set<LiveListener>();

  /** Stores the samples; tells listeners about the ones that changed something. */
  update(samples: readonly Sample[]): void {
    const changed: Sample[] = [];
    for (const s of samples) {
      const prev = this.#latest.get(s.tagId);
      if (prev && prev.ts > s.ts) continue;
      this.#latest.set(s.tagId, s);
      if (!prev || prev.quality !== s.quality || !Object.is(prev.value, s.value)) changed.push(s);
    }
    if (changed.length === 0) return;
    for (const l of this.#listeners) l(changed);
  }

  /** The newest sample of a tag, if any. */
  get(tagId: number): Sample | undefined {
    return this.#latest.get(tagId);
  }

  /** Every tag's newest sample. */
  snapshot(): Sample[] {
    return [...this.#latest.values()];
  }

  /** Number of tags with a sample. */
  get size(): number {
    return this.#latest.size;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
