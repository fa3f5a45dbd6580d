/**
 * CSV import checks off the main thread. Parsing and validating a big file
 * (a 100,000-row tags.csv, a 32 MB upload) takes seconds of CPU; on the main
 * thread that would stall HTTP, WebSocket and authentication. A check runs in
 * a short-lived Deno Worker instead: the worker decodes the uploaded bytes
 * (transferred, not copied), refuses files over the row limit, takes a
 * consistent snapshot of the configuration database (`VACUUM INTO` a private
 * temporary file, a read transaction that never blocks the server's writes),
 * and runs the ordinary import as a dry run on that snapshot (a GX Works
 * export is converted there too, gxworks_import.ts). The worker is closed
 * after each check, so its memory goes back to the system.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { csvFileName, type CsvResource } from "./csv_format.ts";
import { importCsv, type ImportMode, type ImportReport } from "./csv_import.ts";
import { decodeGxText } from "./gxworks_convert.ts";
import { type GxImportOptions, type GxImportReport, importGxWorks } from "./gxworks_import.ts";
import { openStore, type Store } from "./store.ts";
import { decodeUtf8 } from "./utf8_decode.ts";

export { decodeUtf8 };

/** The most data rows one import takes per file, unless configured otherwise. */
export const DEFAULT_IMPORT_MAX_ROWS = 200_000;

/** What a check is asked to do; plain data, so it crosses into the worker. */
export interface CsvCheckRequest {
  /** The configuration database file (not `:memory:`). */
  readonly dbPath: string;
  /**
   * Each file's bytes as uploaded (UTF-8 is checked here): one buffer, or the
   * chunks as they arrived, joined here rather than on the main thread.
   */
  readonly files: Partial<Record<CsvResource, ArrayBuffer | readonly ArrayBuffer[]>>;
  readonly mode: ImportMode;
  /** Data rows allowed per file. */
  readonly maxRows: number;
}

/** What a check found; plain data. */
export type CsvCheckResult =
  /** The dry run's report on a snapshot of the store (`dryRun` true). */
  | { readonly kind: "report"; readonly report: ImportReport }
  /** A file has more data rows than `limit`. */
  | { readonly kind: "too_many_rows"; readonly file: string; readonly limit: number }
  /** A file is not UTF-8: the message names the byte offset. */
  | { readonly kind: "not_utf8"; readonly file: string; readonly message: string }
  /** The check itself failed (a bug, a damaged database). */
  | { readonly kind: "failed"; readonly message: string };

/** One buffer of all `chunks`, in order (the buffer itself when there is one). */
export function joinChunks(chunks: ArrayBuffer | readonly ArrayBuffer[]): ArrayBuffer {
  if (chunks instanceof ArrayBuffer) return chunks;
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(new Uint8Array(c), at);
    at += c.byteLength;
  }
  return out.buffer;
}

/** Every buffer of a request's files, for the transfer list. */
function buffersOf(files: CsvCheckRequest["files"]): ArrayBuffer[] {
  return Object.values(files).flatMap((f) => f instanceof ArrayBuffer ? [f] : [...f!]);
}

/**
 * True when `text` holds more than `limit` data rows. Counts line breaks
 * first (a row takes at least one line, so few lines settle it at once) and
 * only then looks at quoting, so a huge file is never parsed to say no.
 */
export function exceedsRowLimit(text: string, limit: number): boolean {
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  if (!text.endsWith("\n")) lines++;
  if (lines - 1 <= limit) return false;
  // Rows are records outside quotes that hold something: count them up to limit + 1.
  let rows = -1; // the header
  let quoted = false;
  let content = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    if (!quoted && ch === 10) {
      if (content) rows++;
      content = false;
      if (rows > limit) return true;
    } else if (ch !== 13) content = true;
  }
  if (content) rows++;
  return rows > limit;
}

/**
 * Runs a check on this thread (the worker calls it; tests may too): decode,
 * row limit, snapshot, dry run. Never throws for bad input.
 */
export function checkCsv(request: CsvCheckRequest): CsvCheckResult {
  const texts: Partial<Record<CsvResource, string>> = {};
  const entries = Object.entries(request.files) as [CsvResource, ArrayBuffer | ArrayBuffer[]][];
  for (const [resource, bytes] of entries) {
    const file = csvFileName(resource);
    const text = decodeUtf8(joinChunks(bytes));
    if (typeof text !== "string") return { kind: "not_utf8", file, message: text.message };
    if (exceedsRowLimit(text, request.maxRows)) {
      return { kind: "too_many_rows", file, limit: request.maxRows };
    }
    texts[resource] = text;
  }
  return onSnapshot(request.dbPath, (store) => ({
    kind: "report",
    report: importCsv(store, texts, { mode: request.mode, dryRun: true }),
  }));
}

/**
 * A GX Works import check: the export's bytes, the import's options and the
 * row limit; plain data, so it crosses into the worker.
 */
export interface GxCheckRequest {
  readonly kind: "gxworks";
  /** The configuration database file (not `:memory:`). */
  readonly dbPath: string;
  /** The file's bytes, one buffer or the chunks as they arrived. */
  readonly bytes: ArrayBuffer | readonly ArrayBuffer[];
  /** What to import where (dryRun and actor are ignored: a check is a dry run). */
  readonly options: GxImportOptions;
  /** Data rows allowed. */
  readonly maxRows: number;
}

/** What a GX Works check found; plain data. */
export type GxCheckResult =
  /** The dry run's report on a snapshot of the store. */
  | { readonly kind: "report"; readonly report: GxImportReport }
  | { readonly kind: "too_many_rows"; readonly file: string; readonly limit: number }
  | { readonly kind: "failed"; readonly message: string };

/**
 * Runs a GX Works check on this thread (the worker calls it): row limit,
 * snapshot, conversion and dry run. Never throws for bad input.
 */
export function checkGxWorks(request: GxCheckRequest): GxCheckResult {
  const bytes = new Uint8Array(joinChunks(request.bytes));
  const text = decodeGxText(bytes, request.options.file);
  if (typeof text === "string" && exceedsRowLimit(text, request.maxRows)) {
    return { kind: "too_many_rows", file: request.options.file, limit: request.maxRows };
  }
  return onSnapshot(request.dbPath, (store) => ({
    kind: "report",
    report: importGxWorks(store, bytes, { ...request.options, dryRun: true }),
  }));
}

/**
 * Runs `check` on a private snapshot of the database (`VACUUM INTO` a
 * temporary file beside it, removed afterwards); a failure is a `failed` result.
 */
function onSnapshot<T>(dbPath: string, check: (store: Store) => T): T | {
  kind: "failed";
  message: string;
} {
  let snapshot: string | undefined;
  try {
    removeStaleSnapshots(dirname(dbPath));
    snapshot = Deno.makeTempFileSync({ dir: dirname(dbPath), prefix: SNAPSHOT_PREFIX });
    const source = new DatabaseSync(dbPath, { readOnly: true });
    try {
      source.exec("PRAGMA busy_timeout = 5000");
      source.prepare("VACUUM INTO ?").run(snapshot);
    } finally {
      source.close();
    }
    const store = openStore(snapshot);
    try {
      return check(store);
    } finally {
      store.close();
    }
  } catch (e) {
    return { kind: "failed", message: e instanceof Error ? e.message : String(e) };
  } finally {
    if (snapshot) {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) {
        rmSync(snapshot + suffix, { force: true });
      }
    }
  }
}

const SNAPSHOT_PREFIX = ".csv-check-";
/** A snapshot older than this was left by a process that died during a check. */
const STALE_SNAPSHOT_MS = 60 * 60_000;

/** Removes snapshots that a crashed check left behind (they hold a copy of config.db). */
function removeStaleSnapshots(dir: string): void {
  const now = Date.now();
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isFile || !entry.name.startsWith(SNAPSHOT_PREFIX)) continue;
    const path = `${dir}/${entry.name}`;
    try {
      const mtime = Deno.statSync(path).mtime?.getTime() ?? now;
      if (now - mtime > STALE_SNAPSHOT_MS) rmSync(path, { force: true });
    } catch { /* gone already */ }
  }
}

/** Counts of checks, for tests and metrics. */
export interface CsvCheckStats {
  /** Checks that ran in a worker. */
  readonly workerRuns: number;
}

/**
 * Runs checks in workers, one at a time (a second upload waits for the
 * first): each check gets a fresh worker that ends with it.
 */
export class CsvChecker {
  #queue: Promise<unknown> = Promise.resolve();
  #workerRuns = 0;

  /** How many checks ran in a worker. */
  get stats(): CsvCheckStats {
    return { workerRuns: this.#workerRuns };
  }

  /** Checks `request` in a worker; the files' buffers are transferred (unusable afterwards). */
  check(request: CsvCheckRequest): Promise<CsvCheckResult> {
    return this.#queued(() => this.#inWorker<CsvCheckResult>(request, buffersOf(request.files)));
  }

  /** Checks a GX Works import in a worker; the file's buffers are transferred. */
  checkGx(request: GxCheckRequest): Promise<GxCheckResult> {
    const buffers = request.bytes instanceof ArrayBuffer ? [request.bytes] : [...request.bytes];
    return this.#queued(() => this.#inWorker<GxCheckResult>(request, buffers));
  }

  #queued<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Runs one request in a fresh worker; `Result` is the answer's type for that request. */
  #inWorker<Result extends CsvCheckResult | GxCheckResult>(
    request: CsvCheckRequest | GxCheckRequest,
    transfer: ArrayBuffer[],
  ): Promise<Result> {
    this.#workerRuns++;
    const worker = new Worker(new URL("./csv_check_worker.ts", import.meta.url), {
      type: "module",
    });
    const done = Promise.withResolvers<Result>();
    worker.onmessage = (e: MessageEvent<Result>) => done.resolve(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      done.resolve(
        { kind: "failed", message: `the CSV check worker failed: ${e.message}` } as Result,
      );
    };
    worker.onmessageerror = () =>
      done.resolve(
        { kind: "failed", message: "the CSV check worker's answer was unreadable" } as Result,
      );
    worker.postMessage(request, transfer);
    return done.promise.finally(() => worker.terminate());
  }
}
