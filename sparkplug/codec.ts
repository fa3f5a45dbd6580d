/**
 * The Sparkplug B payload codec: JSScada's metric records ⇄ protobuf bytes,
 * through protobufjs and Eclipse Tahu's official `sparkplug_b.proto`
 * (vendored unchanged in vendor/). This module only maps values onto the
 * fields the specification (3.0, "Datatype details") names for each data
 * type: Int8/16/32 and UInt8/16/32 in `int_value` (uint32; signed values as
 * two's complement), Int64/UInt64/DateTime in `long_value`, Float, Double,
 * Boolean, String/Text in their own fields, and `is_null` for a missing
 * value. Pure: no I/O beyond reading the .proto once at load.
 */
import protobuf from "protobufjs";

/** Sparkplug data types JSScada publishes, with their enum values from the .proto. */
export const DATA_TYPE_CODES = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
} as const;

/** A scalar Sparkplug data type. */
export type SpDataType = keyof typeof DATA_TYPE_CODES;

const TYPE_OF_CODE = new Map<number, SpDataType>(
  Object.entries(DATA_TYPE_CODES).map(([k, v]) => [v, k as SpDataType]),
);

/** A metric value; null is sent as `is_null`. */
export type SpValue = number | boolean | string | null;

/** A property value of a metric (e.g. engUnit, Quality). */
export interface SpProperty {
  readonly type: SpDataType;
  readonly value: SpValue;
}

/** One metric of a payload. Births carry name and alias; data messages only the alias. */
export interface SpMetric {
  readonly name?: string;
  readonly alias?: number;
  /** Ms since the Unix epoch. */
  readonly timestamp?: number;
  readonly datatype?: SpDataType;
  readonly value: SpValue;
  readonly isHistorical?: boolean;
  readonly properties?: Readonly<Record<string, SpProperty>>;
}

/** A Sparkplug B payload. `seq` is absent only in NDEATH. */
export interface SpPayload {
  readonly timestamp?: number;
  readonly seq?: number;
  readonly metrics: readonly SpMetric[];
}

/** Bytes that are not a Sparkplug payload, or a metric JSScada cannot read. */
export class PayloadError extends Error {}

const PROTO_URL = new URL("./vendor/sparkplug_b.proto", import.meta.url);
const root = protobuf.parse(Deno.readTextFileSync(PROTO_URL)).root;
const PayloadType = root.lookupType("org.eclipse.tahu.protobuf.Payload");

interface PbValue {
  intValue?: number;
  longValue?: number;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
  isNull?: boolean;
}

function setValue(out: PbValue, type: SpDataType, value: SpValue, where: string): void {
  if (value === null) {
    out.isNull = true;
    return;
  }
  switch (type) {
    case "Int8":
    case "Int16":
    case "Int32":
    case "UInt8":
    case "UInt16":
    case "UInt32":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new PayloadError(`${where}: ${type} needs an integer, not ${String(value)}`);
      }
      out.intValue = value >>> 0;
      return;
    case "Int64":
    case "UInt64":
    case "DateTime":
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        throw new PayloadError(`${where}: ${type} needs a whole number from 0, not ${value}`);
      }
      out.longValue = value;
      return;
    case "Float":
    case "Double":
      if (typeof value !== "number") {
        throw new PayloadError(`${where}: ${type} needs a number, not ${typeof value}`);
      }
      if (type === "Float") out.floatValue = value;
      else out.doubleValue = value;
      return;
    case "Boolean":
      out.booleanValue = Boolean(value);
      return;
    case "String":
    case "Text":
      out.stringValue = String(value);
      return;
  }
}

function getValue(m: Record<string, unknown>, type: SpDataType | undefined): SpValue {
  if (m.isNull) return null;
  if (m.intValue !== undefined) {
    const v = m.intValue as number;
    switch (type) {
      case "Int8":
        return (v << 24) >> 24;
      case "Int16":
        return (v << 16) >> 16;
      case "Int32":
        return v | 0;
      default:
        return v >>> 0;
    }
  }
  if (m.longValue !== undefined) return Number(m.longValue);
  if (m.floatValue !== undefined) return m.floatValue as number;
  if (m.doubleValue !== undefined) return m.doubleValue as number;
  if (m.booleanValue !== undefined) return m.booleanValue as boolean;
  if (m.stringValue !== undefined) return m.stringValue as string;
  return null;
}

/** Encodes a payload; throws PayloadError naming the metric when a value does not fit its type. */
export function encodePayload(payload: SpPayload): Uint8Array {
  const metrics = new Array(payload.metrics.length);
  for (let i = 0; i < payload.metrics.length; i++) {
    const m = payload.metrics[i];
    const pb: Record<string, unknown> & PbValue = {};
    if (m.name !== undefined) pb.name = m.name;
    if (m.alias !== undefined) pb.alias = m.alias;
    if (m.timestamp !== undefined) pb.timestamp = m.timestamp;
    if (m.datatype !== undefined) pb.datatype = DATA_TYPE_CODES[m.datatype];
    if (m.isHistorical) pb.isHistorical = true;
    if (m.properties) {
      const keys: string[] = [];
      const values: PbValue[] = [];
      for (const [key, p] of Object.entries(m.properties)) {
        const v: PbValue & { type?: number } = { type: DATA_TYPE_CODES[p.type] };
        setValue(v, p.type, p.value, `metric ${m.name ?? m.alias} property ${key}`);
        keys.push(key);
        values.push(v);
      }
      pb.properties = { keys, values };
    }
    const type = m.datatype ?? "Double";
    setValue(pb, type, m.value, `metric ${m.name ?? m.alias ?? i}`);
    metrics[i] = pb;
  }
  const message: Record<string, unknown> = { metrics };
  if (payload.timestamp !== undefined) message.timestamp = payload.timestamp;
  if (payload.seq !== undefined) message.seq = payload.seq;
  return PayloadType.encode(message).finish();
}

/**
 * Decodes a payload (NCMD and DCMD from host applications). A metric without
 * a datatype takes the one `typeOf(name, alias)` gives (the birth's type),
 * which decides how a signed integer is read back.
 */
export function decodePayload(
  bytes: Uint8Array,
  typeOf: (name: string | undefined, alias: number | undefined) => SpDataType | undefined = () =>
    undefined,
): SpPayload {
  let message;
  try {
    message = PayloadType.toObject(PayloadType.decode(bytes), { longs: Number, defaults: false });
  } catch (e) {
    throw new PayloadError(`not a Sparkplug B payload: ${(e as Error).message}`);
  }
  const metrics: SpMetric[] = [];
  for (const m of (message.metrics ?? []) as Record<string, unknown>[]) {
    const name = m.name as string | undefined;
    const alias = m.alias === undefined ? undefined : Number(m.alias);
    const datatype = m.datatype === undefined
      ? typeOf(name, alias)
      : TYPE_OF_CODE.get(m.datatype as number);
    metrics.push({
      ...(name !== undefined ? { name } : {}),
      ...(alias !== undefined ? { alias } : {}),
      ...(m.timestamp !== undefined ? { timestamp: Number(m.timestamp) } : {}),
      ...(datatype !== undefined ? { datatype } : {}),
      ...(m.isHistorical ? { isHistorical: true } : {}),
      value: getValue(m, datatype),
    });
  }
  return {
    ...(message.timestamp !== undefined ? { timestamp: Number(message.timestamp) } : {}),
    ...(message.seq !== undefined ? { seq: Number(message.seq) } : {}),
    metrics,
  };
}
