/**
 * The Sparkplug model of a plant: one device per enabled PLC (device_id = the
 * PLC's 14-character equipment code), one metric per enabled tag of an
 * enabled group, named `<line>/<process>/<tag code>` with alias = 100 + tag id
 * (stable across restarts and configuration changes; aliases below 100 are
 * the edge node's own metrics), the data type from the tag's type, and the
 * engineering unit, description and quality as metric properties. Pure.
 */
import type { PlantConfig, TagConfig } from "../model/config.ts";
import type { Quality } from "../model/sample.ts";
import type { SpDataType, SpMetric, SpProperty, SpValue } from "./codec.ts";

/** Tag aliases are 100 + the tag's id; 1–99 belong to node metrics. */
export const TAG_ALIAS_BASE = 100;

/** One tag as a Sparkplug metric. */
export interface TagMetric {
  readonly tagId: number;
  readonly alias: number;
  readonly name: string;
  readonly datatype: SpDataType;
  readonly unit: string;
  readonly description: string;
}

/** One PLC as a Sparkplug device. */
export interface DeviceModel {
  readonly plcId: number;
  /** The PLC's equipment code. */
  readonly deviceId: string;
  /** Metrics in tag-id order. */
  readonly metrics: readonly TagMetric[];
  /** A fingerprint of the metric list, to tell whether a configuration change needs a rebirth. */
  readonly signature: string;
}

/** The plant as Sparkplug devices, with look-ups by tag, alias and device. */
export interface SparkplugModel {
  readonly devices: ReadonlyMap<number, DeviceModel>;
  readonly byDeviceId: ReadonlyMap<string, DeviceModel>;
  /** Tag id → (device, metric), for enabled tags only. */
  readonly byTag: ReadonlyMap<number, { device: DeviceModel; metric: TagMetric }>;
}

/**
 * The Sparkplug data type of a tag: BOOL → Boolean, INT16 → Int16, UINT16 →
 * UInt16, INT32 → Int32, UINT32 → UInt32, FLOAT32 → Float, FLOAT64 → Double,
 * STRING → String; an integer tag with scaling (scale ≠ 1 or offset ≠ 0)
 * carries engineering values with fractions, so it is a Double.
 */
export function dataTypeOf(tag: Pick<TagConfig, "dataType" | "scale" | "offset">): SpDataType {
  const scaled = tag.scale !== 1 || tag.offset !== 0;
  switch (tag.dataType) {
    case "BOOL":
      return "Boolean";
    case "STRING":
      return "String";
    case "FLOAT32":
      return "Float";
    case "FLOAT64":
      return "Double";
    case "INT16":
      return scaled ? "Double" : "Int16";
    case "UINT16":
      return scaled ? "Double" : "UInt16";
    case "INT32":
      return scaled ? "Double" : "Int32";
    case "UINT32":
      return scaled ? "Double" : "UInt32";
  }
}

/**
 * Quality as Ignition 8 quality codes in the Int32 metric property `Quality`,
 * which Ignition's MQTT Engine reads (Cirrus Link's convention): good → 192
 * (Good), bad-comm → Bad_NotConnected, bad-config → Error_Configuration,
 * stale → Bad_Stale. The high bits carry the level (Bad 0x80000000, Error
 * 0xC0000000), the low 16 bits the subcode.
 */
export const QUALITY_CODES: Readonly<Record<Quality, number>> = {
  good: 192,
  "bad-comm": (0x80000000 | 522) | 0,
  "bad-config": (0xc0000000 | 769) | 0,
  stale: (0x80000000 | 516) | 0,
};

/** The `Quality` property of a sample's quality. */
export function qualityProperty(quality: Quality): SpProperty {
  return { type: "Int32", value: QUALITY_CODES[quality] };
}

/** The Sparkplug model of `plant`. */
export function buildModel(plant: PlantConfig): SparkplugModel {
  const lineCode = new Map(plant.lines.map((l) => [l.id, l.code]));
  const process = new Map(plant.processes.map((p) => [p.id, p]));
  const groupEnabled = new Map(plant.groups.map((g) => [g.id, g.enabled]));
  const devices = new Map<number, DeviceModel>();
  const byDeviceId = new Map<string, DeviceModel>();
  const byTag = new Map<number, { device: DeviceModel; metric: TagMetric }>();
  const tagsOf = new Map<number, TagConfig[]>();
  for (const t of plant.tags) {
    if (!t.enabled || groupEnabled.get(t.groupId) === false) continue;
    let list = tagsOf.get(t.plcId);
    if (!list) tagsOf.set(t.plcId, list = []);
    list.push(t);
  }
  for (const plc of plant.plcs) {
    if (!plc.enabled) continue;
    const proc = process.get(plc.processId);
    const prefix = proc ? `${lineCode.get(proc.lineId) ?? "LINE"}/${proc.code}/` : "";
    const tags = (tagsOf.get(plc.id) ?? []).sort((a, b) => a.id - b.id);
    const metrics = tags.map((t): TagMetric => ({
      tagId: t.id,
      alias: TAG_ALIAS_BASE + t.id,
      name: prefix + t.code,
      datatype: dataTypeOf(t),
      unit: t.unit,
      description: t.description || t.name,
    }));
    const signature = metrics.map((m) =>
      `${m.alias}\u0001${m.name}\u0001${m.datatype}\u0001${m.unit}\u0001${m.description}`
    ).join("\u0002");
    const device: DeviceModel = { plcId: plc.id, deviceId: plc.code, metrics, signature };
    devices.set(plc.id, device);
    byDeviceId.set(plc.code, device);
    for (const metric of metrics) byTag.set(metric.tagId, { device, metric });
  }
  return { devices, byDeviceId, byTag };
}

/** A metric's birth form: name, alias, type, properties and the current value. */
export function birthMetric(
  m: TagMetric,
  value: SpValue,
  quality: Quality,
  timestamp: number,
): SpMetric {
  return {
    name: m.name,
    alias: m.alias,
    timestamp,
    datatype: m.datatype,
    value: quality === "good" ? coerce(m.datatype, value) : null,
    properties: {
      engUnit: { type: "String", value: m.unit },
      documentation: { type: "String", value: m.description },
      Quality: qualityProperty(quality),
    },
  };
}

/**
 * A metric's data form: alias only, the value (null when bad), the quality
 * property only when it is not good (a missing Quality reads as good, as
 * MQTT Engine assumes), and `is_historical` for replayed spool data.
 */
export function dataMetric(
  m: TagMetric,
  value: SpValue,
  quality: Quality,
  timestamp: number,
  historical: boolean,
): SpMetric {
  const base = {
    alias: m.alias,
    timestamp,
    datatype: m.datatype,
    value: quality === "good" ? coerce(m.datatype, value) : null,
  };
  const withQuality = quality === "good"
    ? base
    : { ...base, properties: { Quality: qualityProperty(quality) } };
  return historical ? { ...withQuality, isHistorical: true } : withQuality;
}

/** A value as its metric type takes it (integers rounded, a number for a Boolean's 0/1). */
function coerce(type: SpDataType, value: SpValue): SpValue {
  if (value === null) return null;
  switch (type) {
    case "Boolean":
      return typeof value === "boolean" ? value : Boolean(value);
    case "String":
      return String(value);
    case "Float":
    case "Double":
      return typeof value === "number" ? value : Number(value);
    default:
      return typeof value === "number" ? Math.round(value) : Number(value) || 0;
  }
}
