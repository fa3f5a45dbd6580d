/**
 * What every resource module of one store shares: the database, the typed
 * tables of the six plant resources, and a `Lookup` that finds referenced
 * records by id. Validation rules take a Lookup rather than the database, so
 * the CSV importer can hand them an in-memory one (Maps) and check thousands
 * of rows without a SELECT per row.
 */
import type { ConfigResource } from "../model/change.ts";
import type {
  AlarmRuleConfig,
  GroupConfig,
  LineConfig,
  PlcConfig,
  ProcessConfig,
  TagConfig,
} from "../model/config.ts";
import type { Db } from "./db.ts";
import { Table } from "./table.ts";

/** Finds referenced records by id (from the database, or from an import's Maps). */
export interface Lookup {
  line(id: number): LineConfig | undefined;
  process(id: number): ProcessConfig | undefined;
  plc(id: number): PlcConfig | undefined;
  group(id: number): GroupConfig | undefined;
  tag(id: number): TagConfig | undefined;
}

/** The six plant tables. */
export interface PlantTables {
  readonly lines: Table<LineConfig>;
  readonly processes: Table<ProcessConfig>;
  readonly plcs: Table<PlcConfig>;
  readonly groups: Table<GroupConfig>;
  readonly tags: Table<TagConfig>;
  readonly alarmRules: Table<AlarmRuleConfig>;
}

/** Called for every record a delete removes (cascades included), e.g. to audit it. */
export type OnDeleted = (resource: ConfigResource, record: { id: number }) => void;

/** Deletes one record (and, with cascade, what references it), queuing change events. */
export interface CascadeDeleter {
  deleteRecord(id: number, cascade: boolean, onDeleted?: OnDeleted): void;
}

/** The shared state of one open store. */
export interface Core {
  readonly db: Db;
  readonly tables: PlantTables;
  /** A Lookup that reads the database. */
  readonly lookup: Lookup;
  /** Each plant resource's deleter, for cascades across resources. */
  readonly deleters: Map<ConfigResource, CascadeDeleter>;
}

/** Creates the tables and lookup of a store. */
export function createCore(db: Db): Core {
  const tables: PlantTables = {
    lines: new Table<LineConfig>(db, "lines", { code: "text", name: "text" }),
    processes: new Table<ProcessConfig>(db, "processes", {
      code: "text",
      name: "text",
      lineId: "int",
    }),
    plcs: new Table<PlcConfig>(db, "plcs", {
      code: "text",
      name: "text",
      processId: "int",
      host: "text",
      port: "int",
      frame: "text",
      network: "int",
      pc: "int",
      moduleIo: "int",
      station: "int",
      timeoutMs: "int",
      poolSize: "int",
      attempts: "int",
      commAlarmDelayMs: "int",
      series: "text",
      frameType: "text",
      transport: "text",
      pipelineDepth: "int",
      xyNotation: "text",
      enabled: "bool",
    }),
    groups: new Table<GroupConfig>(db, "polling_groups", {
      code: "text",
      name: "text",
      plcId: "int",
      mode: "text",
      intervalMs: "int",
      trigger: "text",
      requestBit: "text",
      ackBit: "text",
      stepTimeoutMs: "int",
      enabled: "bool",
    }),
    tags: new Table<TagConfig>(db, "tags", {
      code: "text",
      name: "text",
      description: "text",
      plcId: "int",
      groupId: "int",
      address: "text",
      dataType: "text",
      length: "int",
      scale: "real",
      offset: "real",
      unit: "text",
      deadband: "real",
      enabled: "bool",
      writable: "bool",
      writeMin: "real",
      writeMax: "real",
      bitWrite: "bool",
    }),
    alarmRules: new Table<AlarmRuleConfig>(db, "alarm_rules", {
      tagId: "int",
      kind: "text",
      limit: "real",
      hysteresis: "real",
      onDelayMs: "int",
      severity: "int",
      message: "text",
      enabled: "bool",
    }, { tag: `(SELECT "code" FROM "tags" WHERE "tags"."id" = "alarm_rules"."tag_id")` }),
  };
  const lookup: Lookup = {
    line: (id) => tables.lines.find(id),
    process: (id) => tables.processes.find(id),
    plc: (id) => tables.plcs.find(id),
    group: (id) => tables.groups.find(id),
    tag: (id) => tables.tags.find(id),
  };
  return { db, tables, lookup, deleters: new Map() };
}
