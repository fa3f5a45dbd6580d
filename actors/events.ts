/**
 * What the runtime tells the world: the sample port pollers hand samples to,
 * and the events actors report (PLC state changes, group faults, restarts).
 * Reports go through one injected callback, so the alarm engine, logs and the
 * admin pages subscribe in one place (Runtime.on).
 */
import type { Sample } from "../model/sample.ts";

/** Where pollers hand the samples to store (the ring buffer in production). Must not block. */
export interface SampleSink {
  push(samples: readonly Sample[]): void;
}

/**
 * States of a plc actor. `degraded`: it answers, but a request failed (an end
 * code, or a transport failure below the PLC's `attempts`: a silent retry);
 * `failed`: `attempts` consecutive requests failed (tags bad-comm, reconnects
 * back off).
 */
export type PlcState = "disconnected" | "connecting" | "connected" | "degraded" | "failed";

/** Steps of a plc-bit handshake, named in group faults. */
export type HandshakeStep = "read" | "ack" | "release" | "clear";

/** Everything actors report. `at` is clock time, ms. */
export type RuntimeEvent =
  /** A PLC's connection state changed (`error` says why it left connected). */
  | {
    readonly type: "plc.state";
    readonly plcId: number;
    readonly code: string;
    readonly state: PlcState;
    readonly error?: string;
    readonly at: number;
  }
  /**
   * A failed PLC still does not answer: at most once per backoff step, then
   * once a minute at the longest step; `attempts` counts the reconnect
   * attempts since it failed (`since`).
   */
  | {
    readonly type: "plc.retrying";
    readonly plcId: number;
    readonly code: string;
    readonly attempts: number;
    /** Reconnect attempts since the previous `plc.retrying` of this failure. */
    readonly newAttempts: number;
    readonly delayMs: number;
    readonly error?: string;
    readonly since: number;
    readonly at: number;
  }
  /**
   * The "PLC not answering" condition: `active` once the PLC has stayed failed
   * for its `commAlarmDelayMs`; inactive when it answers again.
   */
  | {
    readonly type: "plc.commAlarm";
    readonly plcId: number;
    readonly code: string;
    readonly active: boolean;
    readonly message: string;
    readonly at: number;
  }
  /** A handshake step timed out: the alarm engine raises a system alarm for the group. */
  | {
    readonly type: "group.fault";
    readonly groupId: number;
    readonly code: string;
    readonly step: HandshakeStep;
    readonly message: string;
    readonly at: number;
  }
  /** A faulted handshake group completed a cycle again. */
  | {
    readonly type: "group.recovered";
    readonly groupId: number;
    readonly code: string;
    readonly at: number;
  }
  /** A supervised child crashed and is restarted after `delayMs`. */
  | {
    readonly type: "child.restarting";
    readonly id: string;
    readonly crashes: number;
    readonly delayMs: number;
    readonly error: string;
    readonly at: number;
  }
  /** A supervised child crashed more often than its budget allows and stays down. */
  | {
    readonly type: "child.failed";
    readonly id: string;
    readonly crashes: number;
    readonly error: string;
    readonly at: number;
  }
  /** A configuration change was applied: which children were stopped, started or restarted. */
  | {
    readonly type: "config.applied";
    readonly started: readonly string[];
    readonly stopped: readonly string[];
    readonly restarted: readonly string[];
    readonly at: number;
  }
  /** Reloading the configuration failed; the runtime keeps the configuration it has. */
  | { readonly type: "config.error"; readonly message: string; readonly at: number }
  /** The system actor itself crashed (a bug): nothing runs any more. */
  | { readonly type: "system.crashed"; readonly error: string; readonly at: number }
  /** A shutdown step missed its deadline (the writer did not drain, pools did not close). */
  | { readonly type: "shutdown.incomplete"; readonly message: string; readonly at: number };

/** The report port. */
export type Report = (event: RuntimeEvent) => void;

/** A report port that drops everything. */
export function ignoreReports(_event: RuntimeEvent): void {}

/** The message of anything thrown, for reports and status. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
