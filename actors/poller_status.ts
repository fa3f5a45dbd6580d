/**
 * A polling group's status, read from its poller's snapshot (and, for a
 * plc-bit group, its handshake's): what the admin pages, metrics and the
 * REST API show.
 */
import type { SnapshotFrom } from "xstate";
import type { GroupConfig } from "../model/config.ts";
import { type HandshakeStatus, handshakeStatus } from "./handshake.ts";
import type { pollerMachine } from "./poller.ts";
import type { TickErrorHistogram } from "./tick_errors.ts";

/** A polling group's status, for the admin pages, metrics and the REST API. */
export interface GroupStatus {
  readonly groupId: number;
  readonly code: string;
  readonly plcId: number;
  readonly mode: GroupConfig["mode"];
  readonly trigger: GroupConfig["trigger"];
  readonly intervalMs: number | null;
  /** stopped, waiting, reading, idle (rest), handshake, misconfigured. */
  readonly state: string;
  readonly running: boolean;
  readonly tags: number;
  readonly blocks: number;
  /** Tags that cannot be read as configured (always bad-config). */
  readonly invalidTags: number;
  readonly cycles: number;
  readonly overruns: number;
  /** Of the overruns, ticks skipped behind a read that then failed (a timeout): a comm matter. */
  readonly failedReadOverruns: number;
  readonly errors: number;
  /** Reads that failed on the line while the PLC was not failed (their tags kept their values). */
  readonly retries: number;
  readonly lastCycleMs: number | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  readonly lastSampleTs: number | undefined;
  readonly lastTickErrorMs: number | undefined;
  readonly maxTickErrorMs: number;
  /** How late FIXED ticks started since the poller started, as a histogram (tick_errors.ts). */
  readonly tickErrors: TickErrorHistogram;
  /** plc-bit groups only. */
  readonly handshake: HandshakeStatus | undefined;
}

/** The status of a poller from its snapshot. */
export function pollerStatus(snapshot: SnapshotFrom<typeof pollerMachine>): GroupStatus {
  const c = snapshot.context;
  const g = c.input.group;
  const hsRef = snapshot.children.handshake;
  const hs = hsRef ? handshakeStatus(hsRef.getSnapshot()) : undefined;
  const running = snapshot.matches("running");
  const state = !running
    ? "stopped"
    : snapshot.matches({ running: "fixed" })
    ? (snapshot.matches({ running: { fixed: "reading" } }) ? "reading" : "waiting")
    : snapshot.matches({ running: "rest" })
    ? (snapshot.matches({ running: { rest: "reading" } }) ? "reading" : "idle")
    : snapshot.matches({ running: "plcBit" })
    ? `handshake:${hs?.state ?? "starting"}`
    : "misconfigured";
  const s = c.stats;
  return {
    groupId: g.id,
    code: g.code,
    plcId: g.plcId,
    mode: g.mode,
    trigger: g.trigger,
    intervalMs: g.intervalMs,
    state,
    running,
    tags: c.plan.tags.length,
    blocks: c.plan.read.blocks.length,
    invalidTags: c.plan.invalid.length,
    cycles: hs ? hs.cycles : s.cycles,
    overruns: s.overruns,
    failedReadOverruns: s.failedReadOverruns,
    errors: hs ? hs.faults : s.errors,
    retries: hs ? hs.readRetries : s.retries,
    lastCycleMs: hs ? hs.lastCycleMs : s.lastCycleMs,
    lastError: hs?.lastFault?.message ?? hs?.lastError ?? s.lastError,
    lastErrorAt: hs?.lastFault?.at ?? s.lastErrorAt,
    lastSampleTs: hs ? hs.lastSampleTs : s.lastSampleTs,
    lastTickErrorMs: s.lastTickErrorMs,
    maxTickErrorMs: s.maxTickErrorMs,
    tickErrors: c.tickErrors.snapshot(),
    handshake: hs,
  };
}
