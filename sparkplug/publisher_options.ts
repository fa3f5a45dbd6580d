/**
 * The Sparkplug B publisher's options, tuning and status: plain data shared
 * by the publisher (publisher.ts), its worker and the gateway's alarms and
 * metrics, kept apart so that none of them loads MQTT to know the shapes.
 */
import type { PlantConfig } from "../model/config.ts";
import type { Clock } from "../actors/clock.ts";
import type { WritePort } from "./commands.ts";
import { DEFAULT_MAX_INFLIGHT } from "./inflight.ts";
import { DEFAULT_BACKOFF_MS, type SessionMode } from "./session.ts";
import type { SparkplugSettings } from "./settings.ts";
import { DEFAULT_SPOOL_MAX_BYTES } from "./spool.ts";

/** A log line: level, sentence, optional fields. */
export type SparkplugLog = (
  level: "debug" | "info" | "warning" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Tuning of the publisher; every field has a default. */
export interface SparkplugTuning {
  /** MQTT keep-alive, s (default 10): also how often the unconfirmed window is confirmed. */
  readonly keepaliveS: number;
  /** Backoff between connection attempts, ms (default 1, 2, 5, 10 s). */
  readonly backoffMs: readonly number[];
  /** A CONNECT that takes longer has failed, ms (default 5 s). */
  readonly connectTimeoutMs: number;
  /** Spool replay pace, values per second (default 50,000), so live data keeps priority. */
  readonly replayValuesPerSecond: number;
  /** Samples per replayed DDATA (default 1,000). */
  readonly replayBatch: number;
  /** Bound on the spool's size, bytes (default 256 MiB). */
  readonly spoolMaxBytes: number;
  /** Bound on the unconfirmed window, samples (default 500,000). */
  readonly maxInflight: number;
  /** Report-by-exception heartbeat, ms (default the historian's 60 s). */
  readonly heartbeatMs?: number;
  /** How often node metrics are checked for an NDATA, ms (default 5 s). */
  readonly statusIntervalMs: number;
  /**
   * How often a PINGREQ confirms the data sent so far, ms (default 1 s): the
   * unconfirmed window holds about this long of data (see inflight.ts).
   */
  readonly confirmMs: number;
  /**
   * Bytes the MQTT connection may hold unsent (default 32 MiB): above it a
   * slow broker or link gets no more live DDATA; the samples go to the spool
   * and are replayed once the connection drains, so memory stays bounded.
   */
  readonly maxUnsentBytes: number;
}

/** The tuning used where {@link SparkplugOptions.tuning} says nothing. */
export const DEFAULT_TUNING: SparkplugTuning = {
  keepaliveS: 10,
  backoffMs: DEFAULT_BACKOFF_MS,
  connectTimeoutMs: 5_000,
  replayValuesPerSecond: 50_000,
  replayBatch: 1_000,
  spoolMaxBytes: DEFAULT_SPOOL_MAX_BYTES,
  maxInflight: DEFAULT_MAX_INFLIGHT,
  statusIntervalMs: 5_000,
  confirmMs: 1_000,
  maxUnsentBytes: 32 * 1024 ** 2,
};

/** Everything the publisher needs to start; all plain data but the optional ports. */
export interface SparkplugOptions {
  readonly settings: SparkplugSettings;
  /** The data directory: `sparkplug/bdseq` and `sparkplug/spool/` live under it. */
  readonly dataDir: string;
  readonly plant: PlantConfig;
  readonly clock?: Clock;
  /** DCMD writes go here when `settings.commands` is on. */
  readonly write?: WritePort;
  readonly log?: SparkplugLog;
  readonly tuning?: Partial<SparkplugTuning>;
}

/** The publisher's state and counters, plain data (for /status, metrics and alarms). */
export interface SparkplugStatus {
  readonly mode: SessionMode;
  /** The broker's URL (credentials are never part of it: they are separate settings). */
  readonly url: string;
  /** Connected to the broker (born or holding for the primary host). */
  readonly connected: boolean;
  /**
   * Since when (epoch ms) the publisher has had no broker connection: its
   * start, or the moment the connection was lost; undefined while connected.
   */
  readonly disconnectedSince: number | undefined;
  /** Born: NBIRTH published in this session. */
  readonly online: boolean;
  readonly bdSeq: number | undefined;
  /** The seq of the last message published. */
  readonly seq: number;
  readonly lastError: string | undefined;
  readonly births: number;
  readonly devicesBorn: number;
  readonly published: {
    readonly messages: number;
    readonly values: number;
    readonly historicalValues: number;
  };
  readonly spool: {
    readonly bytes: number;
    readonly maxBytes: number;
    readonly pending: boolean;
    readonly appendedValues: number;
    readonly replayedValues: number;
    /** Values waiting in the spool for replay (estimated for what a previous run left). */
    readonly pendingValues: number;
    /** Values refused at the spool's bound: raise an alarm when this moves. */
    readonly droppedValues: number;
  };
  /** Samples held in the unconfirmed window, and those forgotten at its bound. */
  readonly inflightValues: number;
  readonly forgottenValues: number;
  /** Samples of devices that are not born (failed PLC), not published. */
  readonly skippedValues: number;
  /** Live samples sent to the spool because the connection held too many unsent bytes. */
  readonly deferredValues: number;
  /** Bytes written to the MQTT connection and not yet sent. */
  readonly unsentBytes: number;
  readonly commands: {
    readonly written: number;
    readonly refused: number;
    readonly ignored: number;
  };
}

/** `url` without a user name or password, for status and alarm texts. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url;
  }
}
