/**
 * How the runtime's status reads over HTTP: PLCs, polling groups, writer and
 * buffer as flat JSON (undefined → null, config names and codes joined in),
 * with the zod schemas of the OpenAPI document. The REST status routes and
 * the WebSocket's status frame both build on it.
 */
import { z } from "@hono/zod-openapi";
import type { GroupRuntimeStatus, PlcRuntimeStatus } from "../actors/runtime.ts";
import type { WriterStatus } from "../actors/writer_status.ts";
import type { LivePlant } from "./live_port.ts";

const nullableInt = () => z.number().nullable();

/** Supervision of an actor: running, restarting, failed or finished, with restart counts. */
export const SupervisionSchema = z.object({
  state: z.enum(["running", "restarting", "failed", "finished"]),
  restarts: z.number().int(),
  crashes: z.number().int(),
  lastError: z.string().nullable(),
  lastCrashAt: nullableInt(),
}).openapi("Supervision");

/** One PLC connection. */
export const PlcViewSchema = z.object({
  plcId: z.number().int(),
  code: z.string().openapi({ example: "PLCPRESS010001" }),
  name: z.string(),
  state: z.string().openapi({
    description: "disconnected, connecting, connected, degraded (answering, with errors or " +
      "silent retries), failed (attempts consecutive requests failed: tags bad-comm); " +
      "restarting or failed while its actor is not running",
    example: "connected",
  }),
  rttMs: nullableInt().openapi({ description: "moving average round trip, ms" }),
  lastError: z.string().nullable(),
  lastErrorAt: nullableInt(),
  connects: z.number().int(),
  failedReads: z.number().int(),
  retries: z.number().int().openapi({
    description: "failed requests below the PLC's attempts: the socket reopened silently",
  }),
  consecutiveFailures: z.number().int().openapi({
    description: "failed requests since the PLC last answered; it fails at `attempts`",
  }),
  failures: z.number().int().openapi({ description: "times the PLC was declared failed" }),
  model: z.string().nullable().openapi({ description: "CPU model from the last probe" }),
  supervision: SupervisionSchema,
}).openapi("PlcRuntime");

/** A plc-bit group's handshake. */
export const HandshakeViewSchema = z.object({
  state: z.string(),
  cycles: z.number().int(),
  duplicates: z.number().int(),
  faults: z.number().int(),
  faulted: z.boolean(),
  lastFault: z.object({ step: z.string(), message: z.string(), at: z.number() }).nullable(),
  lastError: z.string().nullable(),
  lastCycleMs: nullableInt(),
  lastSampleTs: nullableInt(),
}).openapi("HandshakeRuntime");

/** One polling group. */
export const GroupViewSchema = z.object({
  groupId: z.number().int(),
  code: z.string().openapi({ example: "PRESS_MOTION" }),
  name: z.string(),
  plcId: z.number().int(),
  plcCode: z.string(),
  mode: z.enum(["FIXED", "HANDSHAKE"]),
  trigger: z.enum(["rest", "plc-bit"]).nullable(),
  intervalMs: nullableInt(),
  state: z.string().openapi({
    description: "stopped, waiting, reading, idle (rest), handshake:<step>, misconfigured; " +
      "restarting or failed while its poller is not running",
    example: "waiting",
  }),
  running: z.boolean(),
  tags: z.number().int(),
  blocks: z.number().int().openapi({ description: "block reads per cycle" }),
  cycles: z.number().int(),
  overruns: z.number().int(),
  tickErrors: z.object({
    boundsMs: z.array(z.number()),
    counts: z.array(z.number().int()),
    count: z.number().int(),
  }).nullable().openapi({
    description: "FIXED groups: how late ticks started since the poller started — counts[i] " +
      "ticks were at most boundsMs[i] ms late (the last count: above every bound)",
  }),
  errors: z.number().int(),
  lastCycleMs: nullableInt(),
  lastError: z.string().nullable(),
  lastErrorAt: nullableInt().openapi({ description: "when the last error happened, ms" }),
  lastSampleTs: nullableInt(),
  handshake: HandshakeViewSchema.nullable(),
  supervision: SupervisionSchema,
}).openapi("GroupRuntime");

/** The ring buffer. */
export const BufferViewSchema = z.object({
  size: z.number().int(),
  capacity: z.number().int(),
  dropped: z.number().int(),
  pushed: z.number().int(),
  taken: z.number().int(),
}).openapi("BufferStats");

/** The journal on disk. */
export const JournalViewSchema = z.object({
  bytes: z.number().int(),
  maxBytes: z.number().int(),
  segments: z.number().int(),
  spills: z.number().int(),
  appendedValues: z.number().int(),
  droppedValues: z.number().int(),
  replayedValues: z.number().int(),
  tornRows: z.number().int(),
  corruptRows: z.number().int(),
}).openapi("JournalStats");

/** The historian writer (actors/writer_status.ts). */
export const WriterViewSchema = z.object({
  condition: z.enum(["healthy", "retrying", "degraded", "recovering", "stopping", "stopped"]),
  activity: z.enum(["waiting", "writing", "spilling", "replaying", "probing", "stopped"]),
  sink: z.string(),
  buffer: BufferViewSchema,
  totals: z.object({
    batches: z.number().int(),
    valuesWritten: z.number().int(),
    replayedBatches: z.number().int(),
    valuesReplayed: z.number().int(),
    failures: z.number().int(),
    spills: z.number().int(),
    valuesSpilled: z.number().int(),
    valuesLost: z.number().int(),
  }),
  retry: z.object({ attempts: z.number(), nextAt: z.number(), values: z.number() }).nullable(),
  journal: JournalViewSchema,
  replay: z.object({ pending: z.boolean(), progress: z.number().nullable() }),
  window: z.object({
    windowMs: z.number(),
    valuesPerSecond: z.number(),
    batches: z.number(),
    latencyP50Ms: z.number().nullable(),
    latencyP99Ms: z.number().nullable(),
    failures: z.number(),
  }),
  lastError: z.object({ message: z.string(), at: z.number() }).nullable(),
}).openapi("WriterStatus");

/** The historian's housekeeping: how long history is kept, and the disk guard. */
export const HistorianViewSchema = z.object({
  kind: z.enum(["sqlite", "postgres", "oracle"]),
  retentionDays: z.number().int().nullable().openapi({
    description: "days of history kept (SQLite); null: the database's own rules",
  }),
  minFreeMb: z.number().int().nullable().openapi({
    description: "below this much free disk the oldest day goes early (SQLite); null: off",
  }),
}).openapi("Historian");

/** The whole runtime. */
export const RuntimeViewSchema = z.object({
  state: z.enum(["running", "stopping", "stopped"]),
  plcs: z.array(PlcViewSchema),
  groups: z.array(GroupViewSchema),
  writer: WriterViewSchema.nullable(),
  buffer: BufferViewSchema,
  historian: HistorianViewSchema.optional().openapi({
    description: "GET /runtime only, when the server knows its settings",
  }),
}).openapi("Runtime");

/** A PLC as JSON. */
export type PlcView = z.infer<typeof PlcViewSchema>;
/** A group as JSON. */
export type GroupView = z.infer<typeof GroupViewSchema>;
/** The runtime as JSON. */
export type RuntimeView = z.infer<typeof RuntimeViewSchema>;

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function supervisionView(s: PlcRuntimeStatus["supervision"]): GroupView["supervision"] {
  return {
    state: s.state,
    restarts: s.restarts,
    crashes: s.crashes,
    lastError: orNull(s.lastError),
    lastCrashAt: orNull(s.lastCrashAt),
  };
}

/** One PLC's status as JSON. */
export function plcView(plant: LivePlant, p: PlcRuntimeStatus): PlcView {
  const s = p.status;
  return {
    plcId: p.plcId,
    code: p.code,
    name: plant.index.plc(p.plcId)?.name ?? p.code,
    state: s?.state ?? p.supervision.state,
    rttMs: orNull(s?.rttMs),
    lastError: orNull(s?.lastError ?? p.supervision.lastError),
    lastErrorAt: orNull(s?.lastErrorAt ?? p.supervision.lastCrashAt),
    connects: s?.connects ?? 0,
    failedReads: s?.failedReads ?? 0,
    retries: s?.retries ?? 0,
    consecutiveFailures: s?.consecutiveFailures ?? 0,
    failures: s?.failures ?? 0,
    model: orNull(s?.model),
    supervision: supervisionView(p.supervision),
  };
}

/** One group's status as JSON (config fields fill in while its poller is not running). */
export function groupView(plant: LivePlant, g: GroupRuntimeStatus): GroupView {
  const s = g.status;
  const config = plant.index.group(g.groupId);
  const hs = s?.handshake;
  return {
    groupId: g.groupId,
    code: g.code,
    name: config?.name ?? g.code,
    plcId: g.plcId,
    plcCode: plant.index.plc(g.plcId)?.code ?? "",
    mode: s?.mode ?? config?.mode ?? "FIXED",
    trigger: s ? s.trigger : config?.trigger ?? null,
    intervalMs: s ? s.intervalMs : config?.intervalMs ?? null,
    state: s?.state ?? g.supervision.state,
    running: s?.running ?? false,
    tags: s?.tags ?? plant.index.tagsOfGroup(g.groupId).length,
    blocks: s?.blocks ?? 0,
    cycles: s?.cycles ?? 0,
    overruns: s?.overruns ?? 0,
    tickErrors: s?.tickErrors
      ? {
        boundsMs: [...s.tickErrors.boundsMs],
        counts: [...s.tickErrors.counts],
        count: s.tickErrors.count,
      }
      : null,
    errors: s?.errors ?? 0,
    lastCycleMs: orNull(s?.lastCycleMs),
    lastError: orNull(s?.lastError ?? g.supervision.lastError),
    lastErrorAt: orNull(s?.lastErrorAt ?? g.supervision.lastCrashAt),
    lastSampleTs: orNull(s?.lastSampleTs),
    handshake: hs
      ? {
        state: hs.state,
        cycles: hs.cycles,
        duplicates: hs.duplicates,
        faults: hs.faults,
        faulted: hs.faulted,
        lastFault: hs.lastFault ?? null,
        lastError: orNull(hs.lastError),
        lastCycleMs: orNull(hs.lastCycleMs),
        lastSampleTs: orNull(hs.lastSampleTs),
      }
      : null,
    supervision: supervisionView(g.supervision),
  };
}

/** The writer's status, or null when it does not run. */
export function writerView(plant: LivePlant): WriterStatus | null {
  return plant.writerStatus() ?? null;
}

/** The whole runtime as JSON. */
export function runtimeView(plant: LivePlant): RuntimeView {
  const status = plant.runtime.status();
  return {
    state: status.state,
    plcs: status.plcs.map((p) => plcView(plant, p)),
    groups: status.groups.map((g) => groupView(plant, g)),
    writer: writerView(plant),
    buffer: plant.buffer.stats(),
  };
}
