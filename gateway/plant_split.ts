/**
 * How PLCs map to acquisition workers. Each PLC belongs to one worker for as
 * long as it exists (a configuration change never moves a running PLC); a new
 * PLC goes to the worker with the fewest. Each worker gets the plant
 * filtered to its own PLCs, their groups and tags.
 */
import type { PlantConfig } from "../model/config.ts";

/** The number of acquisition workers for `plcs` PLCs on `cores` cores (see docs/architecture.md). */
export function defaultAcquisitionWorkers(plcs: number, cores: number): number {
  // One thread per PLC costs ~12 MB of RSS and gains nothing while a PLC is
  // I/O bound; use one worker per two cores beyond the first, at least one.
  return Math.max(1, Math.min(plcs, Math.floor(cores / 2)));
}

/**
 * Assigns every PLC id of `plant` to one of `workers` workers, keeping the
 * assignments of `before` for PLCs that still exist.
 */
export function assignPlcs(
  plant: PlantConfig,
  workers: number,
  before: ReadonlyMap<number, number> = new Map(),
): Map<number, number> {
  const out = new Map<number, number>();
  const load = new Array<number>(workers).fill(0);
  const ids = plant.plcs.map((p) => p.id).sort((a, b) => a - b);
  for (const id of ids) {
    const w = before.get(id);
    if (w !== undefined && w < workers) {
      out.set(id, w);
      load[w]++;
    }
  }
  for (const id of ids) {
    if (out.has(id)) continue;
    let best = 0;
    for (let w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
    out.set(id, best);
    load[best]++;
  }
  return out;
}

/** The part of `plant` that worker `worker` runs: its PLCs, their groups and tags. */
export function plantOfWorker(
  plant: PlantConfig,
  assignment: ReadonlyMap<number, number>,
  worker: number,
): PlantConfig {
  const plcs = plant.plcs.filter((p) => assignment.get(p.id) === worker);
  const plcIds = new Set(plcs.map((p) => p.id));
  const groups = plant.groups.filter((g) => plcIds.has(g.plcId));
  const groupIds = new Set(groups.map((g) => g.id));
  return {
    lines: plant.lines,
    processes: plant.processes,
    plcs,
    groups,
    tags: plant.tags.filter((t) => groupIds.has(t.groupId)),
    alarmRules: [],
  };
}
