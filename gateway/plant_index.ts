/**
 * The plant index: the configured tags, polling groups and PLCs by id and by
 * code, kept in memory for the live API and the WebSocket (3,491 tags looked
 * up on every request and every fan-out). It is rebuilt lazily after the
 * configuration store reports a change, so reads cost a map lookup and never
 * a query.
 */
import type { GroupConfig, PlantConfig, PlcConfig, TagConfig } from "../model/config.ts";
import type { SubscribeToChanges } from "../model/change.ts";

/** What the index reads: the plant, and change events to know when to read it again. */
export interface PlantSource {
  loadPlant(): PlantConfig;
  readonly subscribe: SubscribeToChanges;
}

interface Tables {
  readonly tags: readonly TagConfig[];
  readonly tagById: ReadonlyMap<number, TagConfig>;
  readonly tagByCode: ReadonlyMap<string, TagConfig>;
  readonly groupById: ReadonlyMap<number, GroupConfig>;
  readonly groupByCode: ReadonlyMap<string, GroupConfig>;
  readonly plcById: ReadonlyMap<number, PlcConfig>;
  readonly plcByCode: ReadonlyMap<string, PlcConfig>;
  readonly tagsByGroup: ReadonlyMap<number, readonly TagConfig[]>;
  readonly tagsByPlc: ReadonlyMap<number, readonly TagConfig[]>;
}

function groupBy<K>(tags: readonly TagConfig[], key: (t: TagConfig) => K) {
  const out = new Map<K, TagConfig[]>();
  for (const t of tags) {
    const list = out.get(key(t));
    if (list) list.push(t);
    else out.set(key(t), [t]);
  }
  return out;
}

function build(plant: PlantConfig): Tables {
  const tags = [...plant.tags].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    tags,
    tagById: new Map(tags.map((t) => [t.id, t])),
    tagByCode: new Map(tags.map((t) => [t.code, t])),
    groupById: new Map(plant.groups.map((g) => [g.id, g])),
    groupByCode: new Map(plant.groups.map((g) => [g.code, g])),
    plcById: new Map(plant.plcs.map((p) => [p.id, p])),
    plcByCode: new Map(plant.plcs.map((p) => [p.code, p])),
    tagsByGroup: groupBy(tags, (t) => t.groupId),
    tagsByPlc: groupBy(tags, (t) => t.plcId),
  };
}

/** A reference in a URL: a numeric id, or a code. */
function byRef<T>(ref: string, byId: ReadonlyMap<number, T>, byCode: ReadonlyMap<string, T>) {
  if (/^[1-9][0-9]{0,14}$/.test(ref)) {
    const found = byId.get(Number(ref));
    if (found) return found;
  }
  return byCode.get(ref);
}

/** Tags, groups and PLCs by id and code; see the module comment. */
export class PlantIndex {
  readonly #source: PlantSource;
  #tables: Tables | undefined;
  readonly #unsubscribe: () => void;

  /** Indexes `source`'s plant, and reads it again after each change it reports. */
  constructor(source: PlantSource) {
    this.#source = source;
    this.#unsubscribe = source.subscribe(() => {
      this.#tables = undefined;
    });
  }

  get #t(): Tables {
    return this.#tables ??= build(this.#source.loadPlant());
  }

  /** Every tag, sorted by code. */
  tags(): readonly TagConfig[] {
    return this.#t.tags;
  }

  /** A tag by id. */
  tag(id: number): TagConfig | undefined {
    return this.#t.tagById.get(id);
  }

  /** A tag by code. */
  tagByCode(code: string): TagConfig | undefined {
    return this.#t.tagByCode.get(code);
  }

  /** A tag by a URL reference: its id (digits) or its code. */
  tagByRef(ref: string): TagConfig | undefined {
    return byRef(ref, this.#t.tagById, this.#t.tagByCode);
  }

  /** A group by id. */
  group(id: number): GroupConfig | undefined {
    return this.#t.groupById.get(id);
  }

  /** A group by code. */
  groupByCode(code: string): GroupConfig | undefined {
    return this.#t.groupByCode.get(code);
  }

  /** A group by a URL reference: its id (digits) or its code. */
  groupByRef(ref: string): GroupConfig | undefined {
    return byRef(ref, this.#t.groupById, this.#t.groupByCode);
  }

  /** A PLC by id. */
  plc(id: number): PlcConfig | undefined {
    return this.#t.plcById.get(id);
  }

  /** A PLC by equipment code. */
  plcByCode(code: string): PlcConfig | undefined {
    return this.#t.plcByCode.get(code);
  }

  /** The tags of a group, sorted by code. */
  tagsOfGroup(groupId: number): readonly TagConfig[] {
    return this.#t.tagsByGroup.get(groupId) ?? [];
  }

  /** The tags of a PLC, sorted by code. */
  tagsOfPlc(plcId: number): readonly TagConfig[] {
    return this.#t.tagsByPlc.get(plcId) ?? [];
  }

  /** Stops following the store's changes. */
  close(): void {
    this.#unsubscribe();
  }
}
