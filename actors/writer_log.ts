/**
 * Log lines for the historian writer's events: an outage's start with its
 * reason, its end with the duration and the samples journaled meanwhile,
 * runs of lost samples, a failed spill, the end of a replay. Records are
 * plain data (level, message template, properties) so the historian worker
 * can post them to the main thread, which hands them to LogTape
 * (observability/logging.ts, category `jsscada.writer`: scada.log, and
 * error.log for errors). {@link logWriterEvent} does both in one thread.
 */
import type { WriterEmitted } from "./writer_state.ts";

/** One log line: a LogTape message template and its properties. */
export interface WriterLogRecord {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly properties: Record<string, string | number | null>;
}

/** What {@link logWriterEvent} needs of a logger (a LogTape `Logger` fits). */
export interface WriterLogger {
  info(message: string, properties: Record<string, unknown>): void;
  warn(message: string, properties: Record<string, unknown>): void;
  error(message: string, properties: Record<string, unknown>): void;
}

/** A duration for people: `850 ms`, `61.2 s`, `12 min 5 s`, `3 h 20 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The log line for a writer event, or null for events that are not logged (batches, spills). */
export function writerLogRecord(e: WriterEmitted): WriterLogRecord | null {
  switch (e.type) {
    case "outageStarted":
      return {
        level: "warn",
        message: "historian {sink} outage began: {reason}; samples are retried, then journaled",
        properties: { sink: e.sink, reason: e.reason, since: iso(e.at) },
      };
    case "outageEnded":
      return {
        level: e.valuesLost > 0 ? "warn" : "info",
        message: "historian {sink} outage ended after {duration}: {valuesJournaled} samples " +
          "journaled (replayed now), {valuesLost} lost",
        properties: {
          sink: e.sink,
          duration: formatDuration(e.durationMs),
          durationMs: e.durationMs,
          valuesJournaled: e.valuesJournaled,
          valuesLost: e.valuesLost,
          since: iso(e.at - e.durationMs),
        },
      };
    case "lossStarted":
      return {
        level: "error",
        message: "samples are being lost ({reason}): {values} so far{detail}",
        properties: {
          reason: e.reason,
          values: e.values,
          detail: e.detail ? `: ${e.detail}` : "",
          since: iso(e.at),
        },
      };
    case "lossEnded":
      return {
        level: "warn",
        message: "samples are kept again: {lost} lost since {since} (last reason {reason})",
        properties: { lost: e.lost, since: iso(e.since), reason: e.reason },
      };
    case "spillFailed":
      return {
        level: "error",
        message: "journal spill failed, {values} samples lost: {error}",
        properties: { values: e.values, error: e.error },
      };
    case "replayFailed":
      return {
        level: "warn",
        message: "journal replay paused: {error}",
        properties: { error: e.error },
      };
    case "replayDone":
      return {
        level: "info",
        message: "journal replay done: the journal is empty",
        properties: {},
      };
    default:
      return null;
  }
}

/** Logs a writer event through `logger` (e.g. `logs.writer`), if it is one that is logged. */
export function logWriterEvent(logger: WriterLogger, e: WriterEmitted): void {
  const r = writerLogRecord(e);
  if (r) logger[r.level](r.message, r.properties);
}
