/**
 * The plant configuration as the runtime reads it: plain records that the
 * configuration store produces and the actors, alarm engine and UI consume.
 * Ids are the store's integer ids; codes are what engineers type.
 */
import type { XyNotation } from "../protocol/devices.ts";
import type { FrameCode } from "../protocol/frame.ts";
import type { DataType } from "../protocol/values.ts";

/** A production line. */
export interface LineConfig {
  readonly id: number;
  readonly code: string;
  readonly name: string;
}

/** A process (area, cell) of a line. */
export interface ProcessConfig {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly lineId: number;
}

/** MELSEC CPU series: Q (also L), iQ-R, iQ-F, FX3. */
export type PlcSeries = "Q" | "iQ-R" | "iQ-F" | "FX3";

/** A PLC and how to reach it. */
export interface PlcConfig {
  readonly id: number;
  /** Equipment code: exactly 14 characters of A–Z and 0–9. */
  readonly code: string;
  readonly name: string;
  readonly processId: number;
  readonly host: string;
  readonly port: number;
  readonly frame: FrameCode;
  readonly network: number;
  readonly pc: number;
  readonly moduleIo: number;
  readonly station: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  /** Sockets in the PLC's connection pool. */
  readonly poolSize: number;
  /**
   * Consecutive failed requests (1–10) before the PLC is declared failed:
   * its tags turn bad-comm and reconnects back off (Kepware's "attempts").
   */
  readonly attempts: number;
  /** How long the PLC must stay failed before the "PLC not answering" alarm is raised, ms. */
  readonly commAlarmDelayMs: number;
  /** CPU series (default Q, which also covers L): frames, devices and numbering follow it. */
  readonly series?: PlcSeries;
  /**
   * iQ-F with ASCII frames only: how the CPU was set to write X/Y numbers
   * ("ASCII code (X, Y OCT)" = octal, the default; "(X, Y HEX)" = hex).
   */
  readonly xyNotation?: XyNotation;
  /** MC protocol frame (default 3E). */
  readonly frameType?: "3E" | "4E";
  /** Transport (default tcp); udp sends each frame as a datagram and retries lost answers. */
  readonly transport?: "tcp" | "udp";
  /** Requests in flight per socket (default 1; above 1 needs 4E). */
  readonly pipelineDepth?: number;
  readonly enabled: boolean;
}

/** Polling modes: on a fixed interval, or on a handshake trigger. */
export type GroupMode = "FIXED" | "HANDSHAKE";
/** What triggers a HANDSHAKE group: a REST call, or a request bit in the PLC. */
export type HandshakeTrigger = "rest" | "plc-bit";

/** A polling group: a set of tags of one PLC read together. */
export interface GroupConfig {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly plcId: number;
  readonly mode: GroupMode;
  /** FIXED: the polling interval; HANDSHAKE plc-bit: the request-bit watch interval. Null for rest. */
  readonly intervalMs: number | null;
  readonly trigger: HandshakeTrigger | null;
  /** HANDSHAKE plc-bit: the bit the PLC raises to ask for a read (e.g. `M3000`). */
  readonly requestBit: string | null;
  /** HANDSHAKE plc-bit: the bit JSScada sets after storing the read. */
  readonly ackBit: string | null;
  /** HANDSHAKE: the longest each handshake step may take, ms. */
  readonly stepTimeoutMs: number | null;
  readonly enabled: boolean;
}

/** A tag: one value in a PLC. */
export interface TagConfig {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly plcId: number;
  readonly groupId: number;
  /** Address as engineers write it: `D100`, `X1A0`, `D100.5`. */
  readonly address: string;
  readonly dataType: DataType;
  /** Words, for STRING; null otherwise. */
  readonly length: number | null;
  /** Engineering value = raw × scale + offset. */
  readonly scale: number;
  readonly offset: number;
  readonly unit: string;
  /** Report by exception: store only changes larger than this (null = store every sample). */
  readonly deadband: number | null;
  readonly enabled: boolean;
  /** Operators may write it (POST /tags/{code}/write); the store always sets it, default false. */
  readonly writable?: boolean;
  /** Lowest value an operator may write, engineering units (null: the data type's range). */
  readonly writeMin?: number | null;
  /** Highest value an operator may write, engineering units (null: the data type's range). */
  readonly writeMax?: number | null;
  /**
   * A BOOL that is a bit of a word (`D100.5`) may be written by read-modify-write
   * of the whole word; off by default, because the PLC's program may change
   * another bit of that word between the read and the write.
   */
  readonly bitWrite?: boolean;
}

/** Kinds of alarm rule: analog limits, or a bit's state. */
export type AlarmKind = "HIHI" | "HI" | "LO" | "LOLO" | "ON" | "OFF";

/** An alarm rule on one tag. */
export interface AlarmRuleConfig {
  readonly id: number;
  readonly tagId: number;
  readonly kind: AlarmKind;
  /** The limit, for HIHI/HI/LO/LOLO; null for ON/OFF. */
  readonly limit: number | null;
  /** How far back past the limit the value must go to clear. */
  readonly hysteresis: number;
  /** The condition must hold this long before the alarm is raised, ms. */
  readonly onDelayMs: number;
  /** 1 (lowest) to 1000 (highest). */
  readonly severity: number;
  readonly message: string;
  readonly enabled: boolean;
}

/** The whole plant configuration, as the runtime starts from it. */
export interface PlantConfig {
  readonly lines: readonly LineConfig[];
  readonly processes: readonly ProcessConfig[];
  readonly plcs: readonly PlcConfig[];
  readonly groups: readonly GroupConfig[];
  readonly tags: readonly TagConfig[];
  readonly alarmRules: readonly AlarmRuleConfig[];
}
