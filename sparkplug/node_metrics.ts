/**
 * The edge node's own metrics: `bdSeq`, `Node Control/Rebirth`, and the
 * gateway's and spool's figures. All go in NBIRTH (aliases 1–99; tags use
 * 100 + tag id); afterwards an NDATA carries only the figures that changed.
 * Pure bookkeeping: the publisher sends what this returns.
 */
import type { SpDataType, SpMetric } from "./codec.ts";

/** Node metric names and aliases. */
export const NODE_METRICS = {
  bdSeq: { name: "bdSeq", alias: 1, datatype: "Int64" },
  rebirth: { name: "Node Control/Rebirth", alias: 2, datatype: "Boolean" },
  valuesPerSecond: { name: "Gateway/Values per second", alias: 3, datatype: "Double" },
  bufferDepth: { name: "Gateway/Buffer depth", alias: 4, datatype: "Int64" },
  journalBytes: { name: "Gateway/Journal bytes", alias: 5, datatype: "Int64" },
  spoolBytes: { name: "Sparkplug/Spool bytes", alias: 6, datatype: "Int64" },
  droppedValues: { name: "Sparkplug/Dropped values", alias: 7, datatype: "Int64" },
} as const satisfies Record<string, { name: string; alias: number; datatype: SpDataType }>;

/** The figures a node metric can carry (all but bdSeq and the rebirth control). */
export type Figure = Exclude<keyof typeof NODE_METRICS, "bdSeq" | "rebirth">;

const FIGURES: Figure[] = [
  "valuesPerSecond",
  "bufferDepth",
  "journalBytes",
  "spoolBytes",
  "droppedValues",
];

/** The gateway's own figures, published as node metrics (NBIRTH, then NDATA on change). */
export interface GatewayFigures {
  readonly valuesPerSecond?: number;
  readonly bufferDepth?: number;
  readonly journalBytes?: number;
}

/** The node metrics' current and last published values. */
export class NodeMetrics {
  readonly #now: Record<Figure, number | null> = {
    valuesPerSecond: null,
    bufferDepth: null,
    journalBytes: null,
    spoolBytes: null,
    droppedValues: null,
  };
  #published: Partial<Record<Figure, number | null>> = {};

  /** Sets figures; undefined ones keep their value. */
  set(figures: Partial<Record<Figure, number>>): void {
    for (const key of FIGURES) {
      const v = figures[key];
      if (v !== undefined && Number.isFinite(v)) this.#now[key] = v;
    }
  }

  /** Every node metric with name and alias, for NBIRTH; marks the figures as published. */
  birth(bdSeq: number, timestamp: number): SpMetric[] {
    const m = NODE_METRICS;
    const out: SpMetric[] = [
      { ...m.bdSeq, timestamp, value: bdSeq },
      { ...m.rebirth, timestamp, value: false },
    ];
    for (const key of FIGURES) {
      out.push({ ...m[key], timestamp, value: rounded(key, this.#now[key]) });
    }
    this.#published = { ...this.#now };
    return out;
  }

  /** The figures that changed since last published, alias only, for NDATA; marks them published. */
  changed(timestamp: number): SpMetric[] {
    const out: SpMetric[] = [];
    for (const key of FIGURES) {
      const v = this.#now[key];
      if (v === this.#published[key]) continue;
      const d = NODE_METRICS[key];
      out.push({ alias: d.alias, timestamp, datatype: d.datatype, value: rounded(key, v) });
      this.#published[key] = v;
    }
    return out;
  }
}

/** Whether an NCMD metric asks for a rebirth (by name or alias, value true). */
export function isRebirthRequest(m: SpMetric): boolean {
  const r = NODE_METRICS.rebirth;
  return (m.name === r.name || m.alias === r.alias) && m.value === true;
}

/** Int64 figures as whole numbers from 0; the rate as it is. */
function rounded(key: Figure, v: number | null): number | null {
  if (v === null || key === "valuesPerSecond") return v;
  return Math.max(0, Math.round(v));
}
