/**
 * Report by exception for Sparkplug DDATA, with the historian's rules
 * (actors/samples.ts DeadbandFilter): a tag without deadband reports every
 * sample; with deadband d it reports its first sample, a quality change, a
 * number that moved more than d from the last reported value (a boolean or
 * text: any change), or a sample after the heartbeat. The historian's filter
 * is positional per polling group; this one is keyed by tag id, because the
 * publisher sees batches of any group and must survive configuration changes.
 */
import type { Quality, Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import { DEFAULT_HEARTBEAT_MS } from "../actors/samples.ts";

interface Last {
  value: TagValue | null;
  quality: Quality;
  ts: number;
}

/** Per-tag report-by-exception state; see the module comment. */
export class ExceptionFilter {
  readonly #last = new Map<number, Last>();

  /** `deadbandOf(tagId)` is the tag's deadband, or null for "report every sample". */
  constructor(
    private readonly deadbandOf: (tagId: number) => number | null,
    readonly heartbeatMs: number = DEFAULT_HEARTBEAT_MS,
  ) {}

  /** Whether `s` is to be reported; when it is, it becomes the tag's last reported sample. */
  keep(s: Sample): boolean {
    const last = this.#last.get(s.tagId);
    if (!this.#changed(s, last)) return false;
    if (last) {
      last.value = s.value;
      last.quality = s.quality;
      last.ts = s.ts;
    } else {
      this.#last.set(s.tagId, { value: s.value, quality: s.quality, ts: s.ts });
    }
    return true;
  }

  /** Forgets a tag's last reported sample (after a birth, which reports every current value). */
  reset(tagId: number, s?: Sample): void {
    if (s) this.#last.set(tagId, { value: s.value, quality: s.quality, ts: s.ts });
    else this.#last.delete(tagId);
  }

  #changed(s: Sample, last: Last | undefined): boolean {
    const d = this.deadbandOf(s.tagId);
    if (d === null || !last) return true;
    if (s.quality !== last.quality) return true;
    if (s.ts - last.ts >= this.heartbeatMs) return true;
    const v = s.value, lv = last.value;
    if (typeof v === "number" && typeof lv === "number") {
      if (Number.isNaN(v) || Number.isNaN(lv)) return !Object.is(v, lv);
      return Math.abs(v - lv) > d;
    }
    return v !== lv;
  }
}
