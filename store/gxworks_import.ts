/**
 * Tag import from GX Works: a GX Works3 global-label or GX Works2
 * device-comment export (gxworks_convert.ts) becomes a tags.csv for one PLC
 * and polling group, which goes through the ordinary CSV import (merge, dry
 * run, all or nothing, the API's rules). Its issues are told back in the
 * exported file's terms: the row as a spreadsheet numbers it and the column
 * heading of the file. A tag the file updates keeps what GX Works does not
 * know (scaling, unit, deadband, write settings, enabled).
 */
import { stringify } from "csv-stringify/sync";
import type { PlcConfig, TagConfig } from "../model/config.ts";
import { cellText, CSV_COLUMNS, type CsvIssue, csvIssue } from "./csv_format.ts";
import { importCsv, type ImportReport } from "./csv_import.ts";
import {
  convertGxWorks,
  deviceOf,
  type GxColumns,
  type GxConvertOptions,
  type GxKind,
  type GxTagRow,
} from "./gxworks_convert.ts";
import type { Store } from "./store.ts";
import { isNumeric } from "./tags.ts";

/** What to import, where, and how. */
export interface GxImportOptions extends GxConvertOptions {
  /** The PLC's code: every tag is read from it. */
  readonly plc: string;
  /** The polling group's code (a group of that PLC). */
  readonly group: string;
  /** Check everything and report, write nothing. */
  readonly dryRun?: boolean;
  /** Who imports, for the audit log. */
  readonly actor?: string | null;
}

/** What the file held, beside the import report. */
export interface GxSource {
  readonly kind: GxKind;
  readonly file: string;
  /** Data rows read. */
  readonly records: number;
  /** Device comments left out because their comment is empty. */
  readonly skipped: number;
  /** Rows that became tags. */
  readonly tags: number;
}

/** The import report of a GX Works file; issues name the file's rows and column headings. */
export interface GxImportReport extends ImportReport {
  readonly source: GxSource;
}

const TAG_COLUMNS = CSV_COLUMNS.tags.map((c) => c.name);

/** A tags.csv row for `row`, keeping an existing tag's settings that GX Works has no word for. */
function csvRow(row: GxTagRow, plc: string, group: string, existing?: TagConfig): unknown[] {
  const numeric = isNumeric(row.dataType) && existing !== undefined &&
    isNumeric(existing.dataType);
  const bitWrite = existing?.bitWrite === true && row.dataType === "BOOL" &&
    row.address.includes(".");
  const values: Record<string, unknown> = {
    code: row.code,
    name: row.name,
    description: row.description,
    plc,
    group,
    address: row.address,
    data_type: row.dataType,
    length: row.length,
    scale: numeric ? existing!.scale : 1,
    offset: numeric ? existing!.offset : 0,
    unit: existing?.unit ?? "",
    deadband: numeric ? existing!.deadband : null,
    enabled: existing?.enabled ?? true,
    writable: existing?.writable ?? false,
    write_min: numeric ? existing!.writeMin ?? null : null,
    write_max: numeric ? existing!.writeMax ?? null : null,
    bit_write: bitWrite,
  };
  return TAG_COLUMNS.map((c) => cellText(values[c]));
}

/** The file's column for a tags.csv column, or null with a prefix for the message. */
function sourceColumn(
  column: string | null,
  columns: GxColumns,
  code: string,
): { column: string | null; prefix: string } {
  switch (column) {
    case null:
      return { column: null, prefix: "" };
    case "code":
      return { column: columns.code, prefix: "" };
    case "name":
      return { column: columns.name, prefix: "" };
    case "description":
      return { column: columns.description, prefix: "" };
    case "address":
      return { column: columns.address, prefix: "" };
    case "data_type":
    case "length":
      return { column: columns.dataType ?? columns.address, prefix: "" };
    case "plc":
    case "group":
      return { column: null, prefix: `${column}: ` };
    default:
      return { column: null, prefix: `${column} (kept from tag ${code}): ` };
  }
}

/**
 * Imports a GX Works export into tags of one PLC and group (merge by code).
 * Never throws for bad input: every problem is in the report, and when there
 * is one nothing is written. The report's counts are tags.csv's.
 */
export function importGxWorks(
  store: Store,
  bytes: Uint8Array,
  options: GxImportOptions,
): GxImportReport {
  const dryRun = options.dryRun === true;
  const conversion = convertGxWorks(bytes, options);
  const source: GxSource = {
    kind: options.kind,
    file: options.file,
    records: conversion.records,
    skipped: conversion.skipped,
    tags: conversion.rows.length,
  };
  const issues: CsvIssue[] = [...conversion.issues];
  const done = (counts: ImportReport["counts"] = {}): GxImportReport => {
    issues.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return { ok: issues.length === 0, dryRun, mode: "merge", counts, issues, source };
  };
  const fileIssue = (message: string) =>
    issues.push(csvIssue(options.file, null, null, null, message));
  const plc: PlcConfig | undefined = store.plcs.all().find((p) => p.code === options.plc);
  const group = store.groups.all().find((g) => g.code === options.group);
  if (!plc) fileIssue(`no PLC with code ${options.plc}`);
  if (!group) fileIssue(`no polling group with code ${options.group}`);
  if (plc && group && group.plcId !== plc.id) {
    const owner = store.plcs.all().find((p) => p.id === group.plcId)?.code ?? `id ${group.plcId}`;
    fileIssue(`polling group ${group.code} belongs to PLC ${owner}, not to ${plc.code}`);
  }
  if (!plc || !group || group.plcId !== plc.id || conversion.columns === null) return done();
  const columns = conversion.columns;

  const tags = new Map(store.tags.all().map((t) => [t.code, t]));
  const plcCodes = new Map(store.plcs.all().map((p) => [p.id, p.code]));
  const series = plc.series ?? "Q";
  const rows: GxTagRow[] = [];
  for (const row of conversion.rows) {
    const existing = tags.get(row.code);
    const device = deviceOf(row.address);
    if (device?.iqrOnly && series !== "iQ-R") {
      issues.push(csvIssue(
        options.file,
        row.row,
        row.line,
        columns.address,
        `${row.address} is an iQ-R device (${device.description}); PLC ${plc.code} is ` +
          `series ${series}`,
      ));
    } else if (existing && existing.plcId !== plc.id) {
      issues.push(csvIssue(
        options.file,
        row.row,
        row.line,
        columns.code,
        `gives the tag code ${row.code}, which is a tag of PLC ${
          plcCodes.get(existing.plcId)
        }; give this import a code prefix (such as ${plc.code.slice(0, 6)}_) so its codes ` +
          "are its own",
      ));
    } else rows.push(row);
  }
  if (rows.length === 0) return done();
  const csv = stringify([
    TAG_COLUMNS,
    ...rows.map((r) => csvRow(r, plc.code, group.code, tags.get(r.code))),
  ]);
  // With problems already found, the rest is still checked, but nothing may be written.
  const report = importCsv(store, { tags: csv }, {
    mode: "merge",
    dryRun: dryRun || issues.length > 0,
    actor: options.actor ?? null,
    source: { source: options.kind, file: options.file },
  });
  for (const i of report.issues) {
    const row = i.row === null ? undefined : rows[i.row - 1];
    if (!row) {
      fileIssue(i.message);
      continue;
    }
    const { column, prefix } = sourceColumn(i.column, columns, row.code);
    issues.push(csvIssue(options.file, row.row, row.line, column, prefix + i.message));
  }
  return done(report.counts);
}
