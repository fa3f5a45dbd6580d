/**
 * The CSV contract of the plant resources: which columns each file has (the
 * sample plant's, fixtures/sample_plant/README.md), which record field each
 * column fills, how cells become values and values become cells, and reading
 * a CSV text into rows with their data-row and line numbers.
 */
import { parse } from "csv-parse/sync";
import type { ConfigResource } from "../model/change.ts";
import type { Issue } from "./errors.ts";

/** The CSV files, in dependency order (a file only references files before it). */
export const CSV_RESOURCES = ["lines", "processes", "plcs", "groups", "tags", "alarms"] as const;
/** One CSV file's resource; its file is `<resource>.csv`. */
export type CsvResource = typeof CSV_RESOURCES[number];

/** The store resource behind a CSV resource (alarms.csv holds alarm rules). */
export const STORE_RESOURCE: Readonly<Record<CsvResource, ConfigResource>> = {
  lines: "lines",
  processes: "processes",
  plcs: "plcs",
  groups: "groups",
  tags: "tags",
  alarms: "alarmRules",
};

/** The file name of a CSV resource: `tags.csv`. */
export function csvFileName(resource: CsvResource): string {
  return `${resource}.csv`;
}

/** A CSV resource for a name such as `tags`, `tags.csv` or `alarmRules`, or undefined. */
export function csvResourceOf(name: string): CsvResource | undefined {
  const base = name.replace(/^.*[\\/]/, "").replace(/\.csv$/i, "").toLowerCase();
  if (base === "alarmrules" || base === "alarm_rules") return "alarms";
  return (CSV_RESOURCES as readonly string[]).includes(base) ? base as CsvResource : undefined;
}

/** A resource that CSV files reference by code. */
export type CodeResource = "lines" | "processes" | "plcs" | "groups" | "tags";

/** One column of a CSV file. */
export interface CsvColumn {
  /** The header name. */
  readonly name: string;
  /** The record field it fills (`plcId` for the `plc` column). */
  readonly field: string;
  readonly kind: "text" | "int" | "number" | "bool" | "ref";
  /** For `ref` columns: the resource whose code the cell holds. */
  readonly ref?: CodeResource;
  /** The column may be left out of the header (its field takes its default). */
  readonly optional?: boolean;
  /** An optional column's default: export leaves the column out when every record has it (default true). */
  readonly default?: unknown;
  /** Export writes an empty cell when this holds for the record. */
  readonly blank?: (record: Record<string, unknown>) => boolean;
}

const text = (name: string, field = name): CsvColumn => ({ name, field, kind: "text" });
const int = (name: string, field: string): CsvColumn => ({ name, field, kind: "int" });
const ref = (name: string, field: string, to: CodeResource): CsvColumn => ({
  name,
  field,
  kind: "ref",
  ref: to,
});
const enabled: CsvColumn = { name: "enabled", field: "enabled", kind: "bool" };
const nonNumeric = (r: Record<string, unknown>) => r.dataType === "BOOL" || r.dataType === "STRING";
const bitKind = (r: Record<string, unknown>) => r.kind === "ON" || r.kind === "OFF";

/** Every file's columns, in the order export writes them. */
export const CSV_COLUMNS: Readonly<Record<CsvResource, readonly CsvColumn[]>> = {
  lines: [text("code"), text("name")],
  processes: [text("code"), text("name"), ref("line", "lineId", "lines")],
  plcs: [
    text("code"),
    text("name"),
    ref("process", "processId", "processes"),
    text("host"),
    int("port", "port"),
    text("frame"),
    int("network", "network"),
    int("pc", "pc"),
    int("module_io", "moduleIo"),
    int("station", "station"),
    int("timeout_ms", "timeoutMs"),
    int("pool_size", "poolSize"),
    { ...int("attempts", "attempts"), optional: true, default: 3 },
    { ...int("comm_alarm_delay_ms", "commAlarmDelayMs"), optional: true, default: 2000 },
    { ...text("series"), optional: true, default: "Q" },
    { ...text("frame_type", "frameType"), optional: true, default: "3E" },
    { ...text("transport"), optional: true, default: "tcp" },
    { ...int("pipeline_depth", "pipelineDepth"), optional: true, default: 1 },
    { ...text("xy_notation", "xyNotation"), optional: true, default: "octal" },
    enabled,
  ],
  groups: [
    text("code"),
    text("name"),
    ref("plc", "plcId", "plcs"),
    text("mode"),
    int("interval_ms", "intervalMs"),
    text("trigger"),
    text("request_bit", "requestBit"),
    text("ack_bit", "ackBit"),
    int("step_timeout_ms", "stepTimeoutMs"),
    enabled,
  ],
  tags: [
    text("code"),
    text("name"),
    text("description"),
    ref("plc", "plcId", "plcs"),
    ref("group", "groupId", "groups"),
    text("address"),
    text("data_type", "dataType"),
    int("length", "length"),
    { name: "scale", field: "scale", kind: "number", blank: nonNumeric },
    { name: "offset", field: "offset", kind: "number", blank: nonNumeric },
    text("unit"),
    { name: "deadband", field: "deadband", kind: "number" },
    enabled,
    { name: "writable", field: "writable", kind: "bool", optional: true, default: false },
    { name: "write_min", field: "writeMin", kind: "number", optional: true, default: null },
    { name: "write_max", field: "writeMax", kind: "number", optional: true, default: null },
    { name: "bit_write", field: "bitWrite", kind: "bool", optional: true, default: false },
  ],
  alarms: [
    ref("tag", "tagId", "tags"),
    text("kind"),
    { name: "limit", field: "limit", kind: "number" },
    { name: "hysteresis", field: "hysteresis", kind: "number", blank: bitKind },
    int("on_delay_ms", "onDelayMs"),
    int("severity", "severity"),
    text("message"),
    { ...enabled, optional: true },
  ],
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(["true", "yes", "1"]);
const FALSE = new Set(["false", "no", "0"]);

/**
 * A cell's value for a column: empty → undefined (the field's default, or
 * "is required"); numbers and booleans parsed; anything unparsable is passed
 * on as text so that the field's own rule reports it.
 */
export function cellValue(column: CsvColumn, cell: string): unknown {
  if (cell === "") return undefined;
  switch (column.kind) {
    case "int":
    case "number": {
      const t = cell.trim();
      return NUMBER.test(t) ? Number(t) : cell;
    }
    case "bool": {
      const t = cell.trim().toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : cell;
    }
    default:
      return unescapeFormula(cell);
  }
}

/**
 * A value as a cell: empty for null, `true`/`false`, numbers in JavaScript's
 * shortest form (a negative number stays `-5`), text with a formula guard
 * ({@link escapeFormula}).
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? escapeFormula(value) : String(value);
}

// A text cell that a spreadsheet would run as a formula (OWASP "CSV injection"),
// after any single quotes that an earlier escape put in front of it.
const FORMULA_START = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/;

/**
 * Guards a text cell against CSV (formula) injection as OWASP recommends: a
 * text starting with `=`, `+`, `-`, `@`, tab or carriage return gets a single
 * quote in front, so Excel and LibreOffice show it as text instead of running
 * it. Texts that start with quotes before such a character get one more, so
 * that {@link unescapeFormula} restores every text exactly.
 */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Undoes {@link escapeFormula}: import → export → import gives back the same texts. */
export function unescapeFormula(cell: string): string {
  return ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** A problem in a CSV file: the file, the 1-based data row and file line, and the column. */
export interface CsvIssue extends Issue {
  readonly file: string;
  /** Data row, 1-based, not counting the header (null: the whole file). */
  readonly row: number | null;
  /** Line in the file where the row starts (the header is line 1). */
  readonly line: number | null;
  /** The column's header name (null: the whole row or file). */
  readonly column: string | null;
}

/** Builds a CsvIssue; `path` reads `tags.csv/12/address`. */
export function csvIssue(
  file: string,
  row: number | null,
  line: number | null,
  column: string | null,
  message: string,
): CsvIssue {
  const path = [file, row, column].filter((p) => p !== null).join("/");
  return { path, message, file, row, line, column };
}

/** One data row of a CSV file. */
export interface CsvRow {
  readonly cells: readonly string[];
  /** 1-based data row number. */
  readonly row: number;
  /** The line it starts on. */
  readonly line: number;
}

/** Parses CSV text (UTF-8, optional BOM, RFC 4180 quoting) into a header and rows. */
export function readCsv(text: string, file: string): { header: string[]; rows: CsvRow[] } | {
  issue: CsvIssue;
} {
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  const options = { bom: true, relax_column_count: true, skip_empty_lines: true, info: true };
  try {
    records = parse(text, options) as unknown as typeof records;
  } catch (e) {
    const { code, lines, records: done } = e as { code?: string; lines?: number; records?: number };
    // csv-parse counts the header as a record, so `done` is the data row that failed.
    const row = typeof done === "number" && done > 0 ? done : null;
    let line = typeof lines === "number" ? lines : null;
    let message = `cannot be read as CSV: ${(e as Error).message}`;
    if (code === "CSV_QUOTE_NOT_CLOSED") {
      message = 'has a quoted field that is never closed (a closing " is missing)';
      line = startLine(text, done ?? 0);
    }
    return { issue: csvIssue(file, row, line, null, message) };
  }
  if (records.length === 0) {
    return { issue: csvIssue(file, null, 1, null, "is empty: the header row is missing") };
  }
  const rows: CsvRow[] = [];
  let end = records[0].info.lines;
  let empty = records[0].info.empty_lines;
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    rows.push({ cells: record, row: i, line: end + 1 + (info.empty_lines - empty) });
    end = info.lines;
    empty = info.empty_lines;
  }
  return { header: records[0].record.map((h) => h.trim()), rows };
}

/** The line where record number `n` (0-based, header included) starts, after `n` good records. */
function startLine(text: string, n: number): number | null {
  if (n === 0) return 1;
  try {
    const good = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      to: n,
    }) as unknown as { info: { lines: number } }[];
    return good.length ? good[good.length - 1].info.lines + 1 : null;
  } catch {
    return null;
  }
}
