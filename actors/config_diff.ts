/**
 * What the runtime runs from a plant configuration, and which actors a
 * configuration change touches, pure. A tag change restarts its group's
 * poller only; a group change restarts that poller; a PLC change restarts the
 * plc actor and all its pollers; lines, processes and alarm rules touch no
 * actor here.
 */
import type { GroupConfig, PlantConfig, PlcConfig, TagConfig } from "../model/config.ts";

/** One poller's configuration: the group, its enabled tags and its PLC. */
export interface GroupSpec {
  readonly group: GroupConfig;
  readonly tags: readonly TagConfig[];
  readonly plc: PlcConfig;
}

/** The actors a configuration asks for: enabled PLCs, and enabled groups of enabled PLCs. */
export interface RuntimePlan {
  readonly plcs: ReadonlyMap<number, PlcConfig>;
  readonly groups: ReadonlyMap<number, GroupSpec>;
  /** Every tag of the configuration, enabled or not (to tell disabled from removed). */
  readonly tagIds: ReadonlySet<number>;
}

/** The runtime plan of a plant configuration. */
export function runtimePlan(plant: PlantConfig): RuntimePlan {
  const plcs = new Map(plant.plcs.filter((p) => p.enabled).map((p) => [p.id, p]));
  const tagsByGroup = new Map<number, TagConfig[]>();
  for (const t of plant.tags) {
    if (!t.enabled) continue;
    const list = tagsByGroup.get(t.groupId);
    if (list) list.push(t);
    else tagsByGroup.set(t.groupId, [t]);
  }
  const groups = new Map<number, GroupSpec>();
  for (const g of plant.groups) {
    const plc = plcs.get(g.plcId);
    if (g.enabled && plc) groups.set(g.id, { group: g, tags: tagsByGroup.get(g.id) ?? [], plc });
  }
  return { plcs, groups, tagIds: new Set(plant.tags.map((t) => t.id)) };
}

/** Ids to stop, to start, and to restart (stop the old, start the new). */
export interface IdChanges {
  readonly added: readonly number[];
  readonly removed: readonly number[];
  readonly changed: readonly number[];
}

/** The actors a change from `before` to `after` touches. */
export interface PlanDiff {
  readonly plcs: IdChanges;
  readonly groups: IdChanges;
}

/** Whether two plain records have the same own properties with the same values. */
function sameRecord(a: object, b: object): boolean {
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  return ka.every((k) => Object.is(ra[k], rb[k]));
}

function sameGroup(a: GroupSpec, b: GroupSpec): boolean {
  return sameRecord(a.group, b.group) && sameRecord(a.plc, b.plc) &&
    a.tags.length === b.tags.length && a.tags.every((t, i) => sameRecord(t, b.tags[i]));
}

function changes<T>(
  before: ReadonlyMap<number, T>,
  after: ReadonlyMap<number, T>,
  same: (a: T, b: T) => boolean,
): IdChanges {
  const added: number[] = [], removed: number[] = [], changed: number[] = [];
  for (const [id, a] of before) {
    const b = after.get(id);
    if (b === undefined) removed.push(id);
    else if (!same(a, b)) changed.push(id);
  }
  for (const id of after.keys()) if (!before.has(id)) added.push(id);
  return { added, removed, changed };
}

/**
 * Which plc actors and pollers to stop, start and restart. A group whose PLC
 * changed is itself changed (its record holds the PLC), so a PLC change
 * restarts its pollers too.
 */
export function diffPlans(before: RuntimePlan, after: RuntimePlan): PlanDiff {
  return {
    plcs: changes(before.plcs, after.plcs, sameRecord),
    groups: changes(before.groups, after.groups, sameGroup),
  };
}
