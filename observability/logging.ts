/**
 * Logging: logger categories for every part of JSScada, and the one place
 * that routes them (LogTape) into four rotating JSON Lines files, as the
 * earlier Python JSScada did, plus readable console output.
 *
 * | file                | gets                                                   |
 * | ------------------- | ------------------------------------------------------ |
 * | `scada.log`         | everything at or above the level                       |
 * | `error.log`         | ERROR and FATAL only                                   |
 * | `communication.log` | categories `jsscada.plc` and `jsscada.protocol` (and below) |
 * | `performance.log`   | category `jsscada.perf` (and below)                    |
 *
 * Modules log through {@link logs} or {@link getLogger}; until
 * {@link setupLogging} runs (tests never call it unless they test it) their
 * records go nowhere.
 *
 * @module
 */

import {
  compareLogLevel,
  configure,
  getAnsiColorFormatter,
  getConsoleSink,
  getLogger as getLogTapeLogger,
  getTextFormatter,
  type Logger,
  type LogLevel,
  reset,
  type Sink,
  withFilter,
} from "@logtape/logtape";
import { getRotatingFileSink } from "@logtape/file";
import { join } from "node:path";
import { formatJsonLine } from "./log_format.ts";

/** The first element of every JSScada logger category. */
export const ROOT_CATEGORY = "jsscada";

/** The logger categories of JSScada's parts, each under {@link ROOT_CATEGORY}. */
export const CATEGORIES = {
  /** The system actor: start, stop, supervision, configuration changes. */
  system: [ROOT_CATEGORY, "system"],
  /** PLC actors: connects, reconnects, traffic summaries, faults (communication.log). */
  plc: [ROOT_CATEGORY, "plc"],
  /** The MC protocol client and pool (communication.log). */
  protocol: [ROOT_CATEGORY, "protocol"],
  /** Pollers: group starts, stops, handshake faults. */
  poller: [ROOT_CATEGORY, "poller"],
  /** Cycle times, batch latencies and other timings (performance.log). */
  perf: [ROOT_CATEGORY, "perf"],
  /** The ring buffer and the historian writer. */
  writer: [ROOT_CATEGORY, "writer"],
  /** The on-disk journal and its replay. */
  journal: [ROOT_CATEGORY, "journal"],
  /** Historian sinks: SQLite, Oracle, PostgreSQL. */
  sink: [ROOT_CATEGORY, "sink"],
  /** The configuration store. */
  store: [ROOT_CATEGORY, "store"],
  /** The alarm engine. */
  alarm: [ROOT_CATEGORY, "alarm"],
  /** REST requests and server errors. */
  http: [ROOT_CATEGORY, "http"],
  /** WebSocket clients. */
  ws: [ROOT_CATEGORY, "ws"],
  /** The metrics registry itself (failing collect hooks). */
  metrics: [ROOT_CATEGORY, "metrics"],
  /** Command-line commands (import, export, …). */
  cli: [ROOT_CATEGORY, "cli"],
  /** The fixture PLC. */
  fixture: [ROOT_CATEGORY, "fixture"],
} as const;

/** The names of the predefined categories. */
export type CategoryName = keyof typeof CATEGORIES;

/**
 * The logger of `category` under {@link ROOT_CATEGORY}: `getLogger("plc")`
 * or `getLogger(["plc", "PLC01"])` log as `jsscada.plc` and
 * `jsscada.plc.PLC01`, so they land in the plc routing (communication.log).
 */
export function getLogger(category: string | readonly string[]): Logger {
  const parts = typeof category === "string" ? [category] : [...category];
  if (parts[0] === ROOT_CATEGORY) parts.shift();
  return getLogTapeLogger([ROOT_CATEGORY, ...parts]);
}

/** One ready logger per predefined category: `logs.plc.warn("…", { plc })`. */
export const logs: { readonly [K in CategoryName]: Logger } = Object.fromEntries(
  Object.entries(CATEGORIES).map(([name, category]) => [name, getLogTapeLogger([...category])]),
) as { readonly [K in CategoryName]: Logger };

/** The four log files, by role. */
export const LOG_FILES = {
  scada: "scada.log",
  error: "error.log",
  communication: "communication.log",
  performance: "performance.log",
} as const;

/** Options of {@link setupLogging}. */
export interface LoggingOptions {
  /**
   * Directory of the four files, created if missing: the data directory's
   * `logs/` (`<data-dir>/logs`). Without it no file is written.
   */
  readonly dir?: string;
  /** Lowest level written to the files. Default "info". */
  readonly level?: LogLevel;
  /** Console output: false for none, true for `level`, or its own lowest level. Default true. */
  readonly console?: boolean | LogLevel;
  /** Size at which a file is rotated, in bytes. Default 10 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept per log (`scada.log.1` … `scada.log.N`). Default 5. */
  readonly maxFiles?: number;
  /**
   * Write files off the event loop (buffered, flushed in the background).
   * Default true; false writes and syncs each flush before the log call returns.
   */
  readonly nonBlocking?: boolean;
  /** Characters buffered before a flush; 0 flushes every record. Default 8192. */
  readonly bufferBytes?: number;
  /** Longest time a record waits in the buffer, in milliseconds. Default 1000. */
  readonly flushIntervalMs?: number;
}

/** The configured logging; close it (or `await using` it) to flush and close the files. */
export interface LoggingHandle extends AsyncDisposable {
  /** The paths of the four files, or undefined when no directory was given. */
  readonly files: { readonly [K in keyof typeof LOG_FILES]: string } | undefined;
  /** Flushes and closes the files and removes the configuration. Safe to call twice. */
  close(): Promise<void>;
}

/** Default rotation size of each log file. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Default number of rotated files kept per log. */
export const DEFAULT_MAX_FILES = 5;

/** The current configuration's token: an older handle's close must not undo a newer setup. */
let current: symbol | undefined;

/** Mode of the log files: owner read/write only (logs name users, addresses and plant data). */
export const LOG_FILE_MODE = 0o600;
/** Mode of the log directory: owner only. */
export const LOG_DIR_MODE = 0o700;
/** The process umask while file logging runs: everything created is owner-only. */
export const PRIVATE_UMASK = 0o077;

/** The umask before {@link setupLogging} tightened it; restored by the last close. */
let umaskBefore: number | undefined;

/**
 * Makes every file the process creates from now on owner-only (umask 077, as
 * PostgreSQL does at start): the rotating file sink opens each new log file
 * after a rotation itself, with the process's default mode, so this is what
 * keeps rotated logs 0600. No-op where there are no POSIX modes.
 */
function tightenUmask(): void {
  if (Deno.build.os === "windows") return;
  try {
    const before = Deno.umask(PRIVATE_UMASK);
    umaskBefore ??= before;
  } catch { /* not permitted: the explicit modes below still apply */ }
}

function restoreUmask(): void {
  if (umaskBefore === undefined) return;
  try {
    Deno.umask(umaskBefore);
  } catch { /* as above */ }
  umaskBefore = undefined;
}

/** Creates `path` 0600 when missing and tightens it (and its rotated copies) when it exists. */
function makePrivate(path: string, rotated: number): void {
  if (Deno.build.os === "windows") return;
  Deno.openSync(path, { create: true, append: true, mode: LOG_FILE_MODE }).close();
  Deno.chmodSync(path, LOG_FILE_MODE);
  for (let i = 1; i <= rotated; i++) {
    try {
      Deno.chmodSync(`${path}.${i}`, LOG_FILE_MODE);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
}

/** The more verbose of two levels. */
function lowerLevel(a: LogLevel, b: LogLevel): LogLevel {
  return compareLogLevel(a, b) <= 0 ? a : b;
}

/** The less verbose of two levels. */
function higherLevel(a: LogLevel, b: LogLevel): LogLevel {
  return compareLogLevel(a, b) >= 0 ? a : b;
}

/** Readable console lines in local time; coloured on a terminal. */
function consoleSink(): Sink {
  const options = {
    timestamp: "date-time" as const,
    timeZone: null,
    category: ".",
    value: "bare" as const,
  };
  const formatter = Deno.stdout.isTerminal()
    ? getAnsiColorFormatter(options)
    : getTextFormatter(options);
  return getConsoleSink({ formatter });
}

/**
 * Routes JSScada's loggers to the four rotating files (when `dir` is given)
 * and to the console, replacing any earlier configuration. Returns the
 * handle whose `close()` flushes and closes the files: call it on shutdown.
 */
export async function setupLogging(options: LoggingOptions = {}): Promise<LoggingHandle> {
  const level = options.level ?? "info";
  const consoleLevel = options.console === false
    ? undefined
    : options.console === true || options.console === undefined
    ? level
    : options.console;
  const sinks: Record<string, Sink> = {};
  const rootSinks: string[] = [];
  const metaSinks: string[] = [];
  let files: LoggingHandle["files"];

  if (options.dir !== undefined) {
    tightenUmask();
    Deno.mkdirSync(options.dir, { recursive: true, mode: LOG_DIR_MODE });
    if (Deno.build.os !== "windows") Deno.chmodSync(options.dir, LOG_DIR_MODE);
    const dir = options.dir;
    files = {
      scada: join(dir, LOG_FILES.scada),
      error: join(dir, LOG_FILES.error),
      communication: join(dir, LOG_FILES.communication),
      performance: join(dir, LOG_FILES.performance),
    };
    for (const path of Object.values(files)) {
      makePrivate(path, options.maxFiles ?? DEFAULT_MAX_FILES);
    }
    const fileOptions = {
      formatter: formatJsonLine,
      maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
      maxFiles: options.maxFiles ?? DEFAULT_MAX_FILES,
      bufferSize: options.bufferBytes ?? 8192,
      flushInterval: options.flushIntervalMs ?? 1000,
    };
    const file = (path: string, lowest: LogLevel): Sink =>
      withFilter(
        options.nonBlocking === false
          ? getRotatingFileSink(path, fileOptions)
          : getRotatingFileSink(path, { ...fileOptions, nonBlocking: true }),
        lowest,
      );
    sinks.scada = file(files.scada, level);
    sinks.error = file(files.error, higherLevel(level, "error"));
    sinks.communication = file(files.communication, level);
    sinks.performance = file(files.performance, level);
    rootSinks.push("scada", "error");
    metaSinks.push("scada", "error");
  }
  if (consoleLevel !== undefined) {
    sinks.console = withFilter(consoleSink(), consoleLevel);
    rootSinks.push("console");
    metaSinks.push("console");
  }
  const withFiles = (name: string): string[] => (files === undefined ? [] : [name]);

  await configure({
    reset: true,
    sinks,
    loggers: [
      {
        category: [ROOT_CATEGORY],
        lowestLevel: consoleLevel === undefined ? level : lowerLevel(level, consoleLevel),
        sinks: rootSinks,
      },
      { category: [...CATEGORIES.plc], sinks: withFiles("communication") },
      { category: [...CATEGORIES.protocol], sinks: withFiles("communication") },
      { category: [...CATEGORIES.perf], sinks: withFiles("performance") },
      // LogTape's own warnings (a sink that failed to flush) go beside ours.
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: metaSinks },
    ],
  });

  const token = Symbol("logging");
  current = token;
  const close = async (): Promise<void> => {
    if (current !== token) return;
    current = undefined;
    await reset();
    restoreUmask();
  };
  return { files, close, [Symbol.asyncDispose]: close };
}
