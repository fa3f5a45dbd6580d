/**
 * `jsscada import` and `jsscada export`: the plant configuration as CSV files
 * on the command line, for engineers who keep thousands of tags in a
 * spreadsheet. Import validates every row, lists every problem by file, row
 * and column, and writes all or nothing; export writes the same files back.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CSV_RESOURCES,
  csvFileName,
  type CsvIssue,
  type CsvResource,
  csvResourceOf,
} from "../store/csv_format.ts";
import { exportAllCsv, exportCsv } from "../store/csv_export.ts";
import { importCsv, type ImportMode } from "../store/csv_import.ts";
import { GX_WORD_TYPES, type GxKind, type GxWordType } from "../store/gxworks_convert.ts";
import { importGxWorks } from "../store/gxworks_import.ts";
import { configDbPath, openDataDirStore, type Store } from "../store/store.ts";
import type { CommandIo } from "./plc.ts";

/** Where the CLI finds the store when --data-dir is not given. */
export const DEFAULT_DATA_DIR = "data";

const IMPORT_USAGE = `usage: jsscada import <file.csv|dir> [options]
       jsscada import --gxworks3-labels FILE|--gxworks2-comments FILE --plc CODE --group CODE [options]
  --resource lines|processes|plcs|groups|tags|alarms
                     what the file holds (default: from its name, e.g. tags.csv)
  --mode merge|replace
                     merge (default) updates and adds by code; replace also deletes
                     what is not in the file
  --dry-run          check every row and report, write nothing
  --data-dir DIR     the data directory (default ${DEFAULT_DATA_DIR}; the store is DIR/config.db)
A directory imports lines.csv, processes.csv, plcs.csv, groups.csv, tags.csv and
alarms.csv (those present) together, in that order, all or nothing.
Tags from GX Works (merged by code into the PLC's polling group; docs/gxworks_import.md):
  --gxworks3-labels FILE   a GX Works3 global label export (CSV or Unicode text)
  --gxworks2-comments FILE a GX Works2 device comment export (CSV)
  --plc CODE         the PLC the tags are read from
  --group CODE       the polling group (of that PLC) that reads them
  --word-type ${GX_WORD_TYPES.join("|")}
                     device comments: the type of word devices (default INT16)
  --prefix TEXT      put in front of every tag code, e.g. PRESS1_`;

const EXPORT_USAGE = `usage: jsscada export [options]
  --resource lines|processes|plcs|groups|tags|alarms
                     one file (default: all six)
  --out FILE|DIR     where to write (one resource: default stdout; all: a directory)
  --data-dir DIR     the data directory (default ${DEFAULT_DATA_DIR})`;

class UsageError extends Error {}

function resourceOption(value: string | undefined): CsvResource | undefined {
  if (value === undefined) return undefined;
  const r = csvResourceOf(value);
  if (!r) throw new UsageError(`unknown resource "${value}" (${CSV_RESOURCES.join(", ")})`);
  return r;
}

/** One issue as a line: `tags.csv row 12 (line 13), column address: …`. */
export function formatCsvIssue(i: CsvIssue): string {
  const where = [
    i.row !== null ? `row ${i.row}${i.line !== null ? ` (line ${i.line})` : ""}` : null,
    i.row === null && i.line !== null ? `line ${i.line}` : null,
    i.column !== null ? `column ${i.column}` : null,
  ].filter((x) => x !== null).join(", ");
  return `${i.file}${where ? ` ${where}` : ""}: ${i.message}`;
}

/** Runs `import …`; returns the exit status (0 imported, 1 problems found, 2 usage). */
export async function runImport(args: string[], io: CommandIo): Promise<number> {
  let store: Store | undefined;
  try {
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        resource: { type: "string" },
        mode: { type: "string", default: "merge" },
        "dry-run": { type: "boolean", default: false },
        "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
        "gxworks3-labels": { type: "string" },
        "gxworks2-comments": { type: "string" },
        plc: { type: "string" },
        group: { type: "string" },
        "word-type": { type: "string" },
        prefix: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (o.help) {
      io.stdout(IMPORT_USAGE);
      return 0;
    }
    const gx = gxOptions(o, positionals);
    if (gx) {
      const bytes = await readBytes(gx.path);
      store = openDataDirStore(o["data-dir"]!);
      const report = importGxWorks(store, bytes, { ...gx, dryRun: o["dry-run"], actor: "cli" });
      if (!report.ok) {
        for (const issue of report.issues) io.stderr(formatCsvIssue(issue));
        const n = report.issues.length;
        io.stderr(`${n} ${n === 1 ? "problem" : "problems"}; nothing was written`);
        return 1;
      }
      const c = report.counts.tags!;
      const { records, skipped } = report.source;
      io.stdout(
        `${gx.file}: ${records} rows${skipped ? ` (${skipped} without a comment skipped)` : ""}: ` +
          `${c.created} tags created, ${c.updated} updated, ${c.unchanged} unchanged`,
      );
      if (report.dryRun) io.stdout("dry run: the file is valid; nothing was written");
      return 0;
    }
    for (const option of ["plc", "group", "word-type", "prefix"] as const) {
      if (o[option] !== undefined) {
        throw new UsageError(`--${option} goes with --gxworks3-labels or --gxworks2-comments`);
      }
    }
    if (positionals.length !== 1) throw new UsageError("give one CSV file or one directory");
    if (o.mode !== "merge" && o.mode !== "replace") {
      throw new UsageError(`--mode must be merge or replace, not "${o.mode}"`);
    }
    const files = await readInput(positionals[0], resourceOption(o.resource));
    store = openDataDirStore(o["data-dir"]!);
    const report = importCsv(store, files, {
      mode: o.mode as ImportMode,
      dryRun: o["dry-run"],
      actor: "cli",
      onProgress: (p) => {
        if (p.rows < p.total) io.stderr(`${p.file}: ${p.rows} of ${p.total} rows`);
      },
    });
    if (!report.ok) {
      for (const issue of report.issues) io.stderr(formatCsvIssue(issue));
      const n = report.issues.length;
      io.stderr(`${n} ${n === 1 ? "problem" : "problems"}; nothing was written`);
      return 1;
    }
    for (const r of CSV_RESOURCES) {
      const c = report.counts[r];
      if (!c) continue;
      io.stdout(
        `${csvFileName(r)}: ${c.rows} rows: ${c.created} created, ${c.updated} updated, ` +
          `${c.deleted} deleted, ${c.unchanged} unchanged`,
      );
    }
    if (report.dryRun) io.stdout("dry run: the files are valid; nothing was written");
    return 0;
  } catch (e) {
    return fail(e, io, IMPORT_USAGE);
  } finally {
    store?.close();
  }
}

/** The GX Works import the options ask for, or undefined for a CSV import. */
function gxOptions(
  o: {
    "gxworks3-labels"?: string;
    "gxworks2-comments"?: string;
    plc?: string;
    group?: string;
    "word-type"?: string;
    prefix?: string;
    mode?: string;
    resource?: string;
  },
  positionals: string[],
): {
  path: string;
  file: string;
  kind: GxKind;
  plc: string;
  group: string;
  wordType?: GxWordType;
  prefix?: string;
} | undefined {
  const labels = o["gxworks3-labels"], comments = o["gxworks2-comments"];
  if (labels === undefined && comments === undefined) return undefined;
  if (labels !== undefined && comments !== undefined) {
    throw new UsageError("give --gxworks3-labels or --gxworks2-comments, not both");
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (o.plc === undefined || o.group === undefined) {
    throw new UsageError("a GX Works import needs --plc CODE and --group CODE");
  }
  if (o.mode !== "merge") {
    throw new UsageError("a GX Works import merges; --mode replace is not for it");
  }
  if (o.resource !== undefined) {
    throw new UsageError("a GX Works import holds tags; leave out --resource");
  }
  const wordType = o["word-type"];
  if (wordType !== undefined && !(GX_WORD_TYPES as readonly string[]).includes(wordType)) {
    throw new UsageError(
      `--word-type must be one of ${GX_WORD_TYPES.join(", ")}, not "${wordType}"`,
    );
  }
  if (wordType !== undefined && labels !== undefined) {
    throw new UsageError("--word-type is for device comments; labels carry their own data type");
  }
  const path = (labels ?? comments)!;
  return {
    path,
    file: path.replace(/^.*[\\/]/, ""),
    kind: labels !== undefined ? "gxworks3-labels" : "gxworks2-comments",
    plc: o.plc,
    group: o.group,
    wordType: wordType as GxWordType | undefined,
    prefix: o.prefix,
  };
}

async function readBytes(path: string): Promise<Uint8Array> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isDirectory()) {
    throw new Error(`${path} is a directory, not a GX Works export`);
  }
  return await Deno.readFile(path);
}

async function readInput(
  path: string,
  only: CsvResource | undefined,
): Promise<Partial<Record<CsvResource, string>>> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const files: Partial<Record<CsvResource, string>> = {};
    for (const r of only ? [only] : CSV_RESOURCES) {
      const file = join(path, csvFileName(r));
      if (existsSync(file)) files[r] = await Deno.readTextFile(file);
    }
    if (Object.keys(files).length === 0) {
      throw new Error(
        `${path} holds none of ${(only ? [only] : CSV_RESOURCES).map(csvFileName).join(", ")}`,
      );
    }
    return files;
  }
  const resource = only ?? csvResourceOf(path);
  if (!resource) {
    throw new UsageError(`cannot tell what ${path} holds from its name; pass --resource`);
  }
  return { [resource]: await Deno.readTextFile(path) };
}

/** Runs `export …`; returns the exit status (0 written, 1 failure, 2 usage). */
export async function runExport(args: string[], io: CommandIo): Promise<number> {
  let store: Store | undefined;
  try {
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        resource: { type: "string" },
        out: { type: "string" },
        "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
        help: { type: "boolean", short: "h" },
      },
    });
    if (o.help) {
      io.stdout(EXPORT_USAGE);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const resource = resourceOption(o.resource);
    if (!resource && !o.out) throw new UsageError("exporting every resource needs --out DIR");
    const dbFile = configDbPath(o["data-dir"]!);
    if (!existsSync(dbFile)) throw new Error(`there is no configuration database at ${dbFile}`);
    store = openDataDirStore(o["data-dir"]!);
    if (resource && !o.out) {
      io.stdout(exportCsv(store, resource).replace(/\n$/, ""));
      return 0;
    }
    const out = o.out!;
    if (resource) {
      const file = existsSync(out) && statSync(out).isDirectory()
        ? join(out, csvFileName(resource))
        : out;
      await Deno.writeTextFile(file, exportCsv(store, resource));
      io.stderr(`wrote ${file}`);
      return 0;
    }
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(exportAllCsv(store))) {
      await Deno.writeTextFile(join(out, name), text);
      io.stderr(`wrote ${join(out, name)}`);
    }
    return 0;
  } catch (e) {
    return fail(e, io, EXPORT_USAGE);
  } finally {
    store?.close();
  }
}

function fail(e: unknown, io: CommandIo, usage: string): number {
  const usageError = e instanceof UsageError ||
    (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  io.stderr(usageError ? `${(e as Error).message}\n${usage}` : (e as Error).message);
  return usageError ? 2 : 1;
}
