/**
 * The frames the WebSocket hub sends, built once and shared: values items
 * encoded once per flush (and the whole-plant frame once for every
 * subscriber to everything), the compact status frame and the alarms frame.
 */
import type { AlarmTransition } from "../alarms/state.ts";
import type { Sample } from "../model/sample.ts";
import type { LivePlant } from "./live_port.ts";
import { runtimeView } from "./runtime_view.ts";
import { type StatusFrame, valuesFrame } from "./ws_protocol.ts";

/** Encodes each sample of one flush once. */
export class Encoder {
  readonly #plant: LivePlant;
  readonly #arrivals: ReadonlyMap<number, number> | undefined;
  readonly #batch: ReadonlyMap<number, Sample>;
  readonly #cache = new Map<Sample, string | null>();
  #all: string | undefined;

  /** `arrivals` (tag id → ms) stamps the samples of `batch` with `a`. */
  constructor(
    plant: LivePlant,
    batch: ReadonlyMap<number, Sample>,
    arrivals?: ReadonlyMap<number, number>,
  ) {
    this.#plant = plant;
    this.#batch = batch;
    this.#arrivals = arrivals;
  }

  /** `{"id":…,"c":…,"v":…,"q":…,"t":…}`, or null for a tag no longer configured. */
  item(s: Sample): string | null {
    let text = this.#cache.get(s);
    if (text === undefined) {
      const tag = this.#plant.index.tag(s.tagId);
      const at = this.#batch.get(s.tagId) === s ? this.#arrivals?.get(s.tagId) : undefined;
      text = tag
        ? `{"id":${s.tagId},"c":${JSON.stringify(tag.code)},"v":${
          JSON.stringify(s.value)
        },"q":"${s.quality}","t":${s.ts}${at === undefined ? "" : `,"a":${at}`}}`
        : null;
      this.#cache.set(s, text);
    }
    return text;
  }

  /** The values frame of the whole batch (for whole-plant subscribers), built once. */
  all(): string {
    if (this.#all === undefined) {
      const parts: string[] = [];
      for (const s of this.#batch.values()) {
        const text = this.item(s);
        if (text !== null) parts.push(text);
      }
      this.#all = valuesFrame(parts);
    }
    return this.#all;
  }
}

/** The status frame: the runtime's status, compact. */
export function statusFrame(plant: LivePlant, now: number): StatusFrame {
  const view = runtimeView(plant);
  const w = view.writer;
  return {
    type: "status",
    serverTime: now,
    state: view.state,
    plcs: view.plcs.map((p) => ({ code: p.code, state: p.state, rttMs: p.rttMs })),
    groups: view.groups.map((g) => ({
      code: g.code,
      state: g.state,
      lastCycleMs: g.lastCycleMs,
      overruns: g.overruns,
      errors: g.errors,
      running: g.running,
    })),
    buffer: {
      size: view.buffer.size,
      capacity: view.buffer.capacity,
      dropped: view.buffer.dropped,
    },
    writer: w
      ? {
        condition: w.condition,
        valuesPerSecond: w.window.valuesPerSecond,
        journalBytes: w.journal.bytes,
      }
      : null,
    alarms: plant.alarms.counts(),
  };
}

/** The alarms frame: `transitions` and the active list now. */
export function alarmsFrame(plant: LivePlant, transitions: readonly AlarmTransition[]): string {
  return JSON.stringify({ type: "alarms", transitions, active: plant.alarms.active() });
}
