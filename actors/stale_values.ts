/**
 * Stale values for tags that stop being polled. The system actor wraps the
 * live port in {@link LastValues}, which remembers the newest value handed on
 * per tag; when a PLC, group or tag is disabled or removed, or the operator
 * stops a group, the system hands a `stale` sample per tag (its last value,
 * stamped now) to the live port, and to the historian for tags that still
 * exist, so neither the dashboard nor a trend shows a frozen value as good.
 */
import type { Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import type { RuntimePlan } from "./config_diff.ts";
import type { LivePort } from "./live_cache.ts";

/** A live port that remembers each tag's newest value and forwards every update. */
export class LastValues implements LivePort {
  readonly #last = new Map<number, TagValue | null>();

  /** `live`: where updates go on to (none: only remembered). */
  constructor(readonly live?: LivePort) {}

  /** Remembers the values, then hands the samples on. */
  update(samples: readonly Sample[]): void {
    for (const s of samples) this.#last.set(s.tagId, s.value);
    this.live?.update(samples);
  }

  /** One `stale` sample per tag at `ts`, carrying the tag's last value (null if none). */
  stale(tagIds: Iterable<number>, ts: number): Sample[] {
    const out: Sample[] = [];
    for (const tagId of tagIds) {
      out.push({ tagId, ts, value: this.#last.get(tagId) ?? null, quality: "stale" });
    }
    return out;
  }

  /** Forgets tags (removed from the configuration). */
  forget(tagIds: Iterable<number>): void {
    for (const id of tagIds) this.#last.delete(id);
  }
}

/** The ids of the tags a plan polls, skipping the groups in `stopped`. */
export function polledTags(
  plan: RuntimePlan,
  stopped: ReadonlySet<number> = new Set(),
): Set<number> {
  const out = new Set<number>();
  for (const [id, spec] of plan.groups) {
    if (stopped.has(id)) continue;
    for (const t of spec.tags) out.add(t.id);
  }
  return out;
}

/** Tags polled under `before` and not under `after` (the operator's stopped groups excluded). */
export function tagsNoLongerPolled(
  before: RuntimePlan,
  after: RuntimePlan,
  stopped: ReadonlySet<number>,
): number[] {
  const now = polledTags(after, stopped);
  return [...polledTags(before, stopped)].filter((id) => !now.has(id));
}
