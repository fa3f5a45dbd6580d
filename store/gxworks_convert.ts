/**
 * GX Works exports as JSScada tags: a GX Works3 global-label export (CSV or
 * tab-separated Unicode text) or a GX Works2 device-comment export (CSV)
 * becomes tag rows for one PLC and polling group, each remembering the row of
 * the file it came from. Pure: bytes in, rows and issues out; the store-side
 * import (gxworks_import.ts) feeds the rows through the ordinary tags.csv
 * import. Formats and mapping: docs/gxworks_import.md.
 */
import { parse } from "csv-parse/sync";
import { DEVICE_NAMES, type DeviceInfo, DEVICES } from "../protocol/devices.ts";
import type { DataType } from "../protocol/values.ts";
import { type CsvIssue, csvIssue } from "./csv_format.ts";
import { MAX_STRING_WORDS } from "./tags.ts";
import { decodeUtf8 } from "./utf8_decode.ts";

/** The GX Works exports JSScada imports. */
export const GX_KINDS = ["gxworks3-labels", "gxworks2-comments"] as const;
/** One kind of GX Works export. */
export type GxKind = typeof GX_KINDS[number];

/** Tag types a GX Works2 word device may be imported as (device comments carry no type). */
export const GX_WORD_TYPES = ["INT16", "UINT16", "INT32", "UINT32", "FLOAT32", "FLOAT64"] as const;
/** The type of the word devices of a device-comment import. */
export type GxWordType = typeof GX_WORD_TYPES[number];

/** What to convert and how. */
export interface GxConvertOptions {
  readonly kind: GxKind;
  /** The file's name, as issues show it. */
  readonly file: string;
  /** Device comments: the type of word devices (default INT16). */
  readonly wordType?: GxWordType;
  /** Put in front of every derived tag code (upper-cased), e.g. `PRESS1_`. */
  readonly prefix?: string;
}

/** The columns of the file a tag field came from, by heading as the file spells it. */
export interface GxColumns {
  readonly code: string;
  readonly name: string;
  readonly description: string | null;
  readonly address: string;
  readonly dataType: string | null;
}

/** One tag made from one row of the file. */
export interface GxTagRow {
  /** The row as a spreadsheet shows it: 1-based, every record of the file counted. */
  readonly row: number;
  /** The file line the row starts on. */
  readonly line: number;
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly address: string;
  readonly dataType: DataType;
  /** Words, for STRING; null otherwise. */
  readonly length: number | null;
}

/** What a conversion found. */
export interface GxConversion {
  /** The tags of the rows that converted. */
  readonly rows: GxTagRow[];
  /** Every problem, by row and column heading. */
  readonly issues: CsvIssue[];
  /** Data rows read (not counting the title, header and empty lines). */
  readonly records: number;
  /** Device comments: rows with an empty comment, left out. */
  readonly skipped: number;
  /** Headings of the columns the tags came from (null when no header was found). */
  readonly columns: GxColumns | null;
}

/** Tag codes: JSScada's rule (store/validation.ts). */
const CODE = /^[A-Z0-9_.-]{1,64}$/;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 2000;
/** The header must be among the first rows (a title line or two may come first). */
const HEADER_SEARCH_ROWS = 30;

/** Column headings: the label editor's titles (GX Works3), the comment list's (GX Works2). */
const LABEL = "Label Name";
const DATA_TYPE = "Data Type";
const CLASS = "Class";
const ASSIGN = "Assign (Device/Label)";
const COMMENT = "Comment";
const DEVICE = "Device Name";

interface Spec {
  /** Heading → the spellings accepted (compared without case or spaces). */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  readonly required: readonly string[];
  readonly what: string;
}

const SPECS: Record<GxKind, Spec> = {
  "gxworks3-labels": {
    columns: {
      [LABEL]: [LABEL],
      [DATA_TYPE]: [DATA_TYPE],
      [CLASS]: [CLASS],
      [ASSIGN]: [ASSIGN, "Assign"],
      [COMMENT]: [COMMENT],
    },
    required: [LABEL, DATA_TYPE, ASSIGN],
    what: "a GX Works3 global label export",
  },
  "gxworks2-comments": {
    columns: { [DEVICE]: [DEVICE, "Device"], [COMMENT]: [COMMENT] },
    required: [DEVICE, COMMENT],
    what: "a GX Works2 device comment export",
  },
};

const squash = (s: string) => s.replace(/\s+/g, "").toLowerCase();

/**
 * The file's text: UTF-16LE or UTF-16BE with a byte-order mark (GX Works3's
 * Unicode text), or UTF-8 with or without one. Anything else is an issue
 * naming the byte offset; a NUL byte in text without a UTF-16 mark means the
 * file is not a text export at all.
 */
export function decodeGxText(bytes: Uint8Array, file: string): string | CsvIssue {
  const fail = (message: string) => csvIssue(file, null, null, null, message);
  if (bytes.length === 0) return fail("is empty: export the labels or comments again");
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe
    ? "utf-16le"
    : bytes[0] === 0xfe && bytes[1] === 0xff
    ? "utf-16be"
    : null;
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      return fail(`starts with a ${utf16.toUpperCase()} byte-order mark but is not ${utf16}`);
    }
  }
  const text = decodeUtf8(bytes);
  if (typeof text !== "string") {
    return fail(
      `${text.message}; export as Unicode text (GX Works3) or save the CSV as UTF-8 (Excel: "CSV UTF-8")`,
    );
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    const offset = new TextEncoder().encode(text.slice(0, nul)).length;
    return fail(
      `is not a text export: it holds a NUL byte at offset ${offset} (UTF-16 text needs its ` +
        "byte-order mark)",
    );
  }
  return text.replace(/^\uFEFF/, "");
}

interface Records {
  readonly records: { cells: string[]; row: number; line: number }[];
  readonly header: number;
  readonly at: Map<string, number>;
}

/** Parses with one delimiter; every record keeps its spreadsheet row and start line. */
function readRecords(
  text: string,
  delimiter: string,
): Records["records"] | { line: number | null; message: string } {
  try {
    const parsed = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    let end = 0;
    return parsed.map(({ record, info }, i) => {
      const r = { cells: record, row: i + 1, line: end + 1 };
      end = info.lines;
      return r;
    });
  } catch (e) {
    const { code, lines } = e as { code?: string; lines?: number };
    const message = code === "CSV_QUOTE_NOT_CLOSED"
      ? 'has a quoted field that is never closed (a closing " is missing)'
      : `cannot be read as ${delimiter === "\t" ? "tab-separated text" : "CSV"}: ${
        (e as Error).message
      }`;
    return { line: typeof lines === "number" ? lines : null, message };
  }
}

/** The header row: the first of the first rows holding every required heading. */
function findHeader(
  records: Records["records"],
  spec: Spec,
): { header: number; at: Map<string, number> } | { best: number; missing: string[] } {
  let best = -1;
  let bestMissing = spec.required as string[];
  for (let i = 0; i < Math.min(records.length, HEADER_SEARCH_ROWS); i++) {
    const cells = records[i].cells.map(squash);
    const at = new Map<string, number>();
    for (const [heading, spellings] of Object.entries(spec.columns)) {
      const index = cells.findIndex((c) => spellings.some((s) => squash(s) === c));
      if (index >= 0) at.set(heading, index);
    }
    const missing = spec.required.filter((h) => !at.has(h));
    if (missing.length === 0) return { header: i, at };
    if (missing.length < bestMissing.length) {
      best = i;
      bestMissing = missing;
    }
  }
  return { best, missing: bestMissing };
}

/** Reads the text with the delimiter whose header has every required column (tab, then comma). */
function readTable(text: string, file: string, spec: Spec): Records | CsvIssue[] {
  const order = text.split("\n", HEADER_SEARCH_ROWS).some((l) => l.includes("\t"))
    ? ["\t", ","]
    : [",", "\t"];
  let nearest: { records: Records["records"]; best: number; missing: string[] } | undefined;
  let unreadable: { line: number | null; message: string } | undefined;
  for (const delimiter of order) {
    const records = readRecords(text, delimiter);
    if (!Array.isArray(records)) {
      unreadable ??= records;
      continue;
    }
    const found = findHeader(records, spec);
    if ("header" in found) return { records, ...found };
    if (!nearest || found.missing.length < nearest.missing.length) nearest = { records, ...found };
  }
  if (nearest && nearest.best >= 0) {
    const row = nearest.records[nearest.best];
    return nearest.missing.map((h) =>
      csvIssue(file, row.row, row.line, h, `is missing from the header (row ${row.row})`)
    );
  }
  if (unreadable) {
    return [csvIssue(file, null, unreadable.line, null, unreadable.message)];
  }
  return [csvIssue(
    file,
    null,
    null,
    null,
    `has no header row with the columns ${spec.required.join(", ")} in its first ` +
      `${HEADER_SEARCH_ROWS} rows: is it ${spec.what}?`,
  )];
}

/** The GX Works3 data type names JSScada reads, compared without case or spaces. */
const SCALARS: ReadonlyMap<string, DataType> = new Map(
  ([
    ["Bit", "BOOL"],
    ["Word [Signed]", "INT16"],
    ["Word [Unsigned]/Bit String [16-bit]", "UINT16"],
    ["Word [Unsigned]", "UINT16"],
    ["Bit String [16-bit]", "UINT16"],
    ["Double Word [Signed]", "INT32"],
    ["Double Word [Unsigned]/Bit String [32-bit]", "UINT32"],
    ["Double Word [Unsigned]", "UINT32"],
    ["Bit String [32-bit]", "UINT32"],
    ["FLOAT [Single Precision]", "FLOAT32"],
    ["FLOAT [Double Precision]", "FLOAT64"],
  ] as const).map(([gx, type]) => [squash(gx), type]),
);

const TIMERS = new Set(
  [
    "Timer",
    "Counter",
    "Retentive Timer",
    "Long Timer",
    "Long Counter",
    "Long Retentive Timer",
  ].map(squash),
);

/** A GX Works3 data type as a tag type and length, or why it has none. */
export function labelType(text: string): { type: DataType; length: number | null } | {
  refused: string;
} {
  const t = text.trim();
  if (t === "") return { refused: "is empty: the label needs a data type" };
  if (/\(\s*-?\d+\s*\.\.\s*-?\d+\s*(,\s*-?\d+\s*\.\.\s*-?\d+\s*)*\)\s*$/.test(t)) {
    return {
      refused: `${t} is an array; a JSScada tag holds one value: make a label per element ` +
        "(or per device) to read",
    };
  }
  const scalar = SCALARS.get(squash(t));
  if (scalar) return { type: scalar, length: null };
  const string = /^String\s*\(\s*(\d+)\s*\)$/i.exec(t);
  if (string) {
    const chars = Number(string[1]);
    // GX Works3 keeps n characters and a NUL, two bytes to a word.
    const words = Math.ceil((chars + 1) / 2);
    if (chars < 1 || words > MAX_STRING_WORDS) {
      return { refused: `${t} does not fit a STRING tag (1 to ${MAX_STRING_WORDS} words)` };
    }
    return { type: "STRING", length: words };
  }
  if (/^String\s*\[\s*Unicode\s*\]/i.test(t)) {
    return {
      refused: `${t} holds UTF-16 characters; JSScada's STRING holds one byte per character, ` +
        "so use a String(n) label",
    };
  }
  if (/^Time$/i.test(t)) {
    return {
      refused: "Time has no JSScada tag type; assign a Double Word [Signed] label to the same " +
        "device to read its milliseconds",
    };
  }
  if (TIMERS.has(squash(t))) {
    return {
      refused: `${t} is a structure of contact, coil and current value; import its devices ` +
        "(TS, TN, CS, CN …) as Bit and Word labels",
    };
  }
  return {
    refused: `${t} has no JSScada tag type (a structure, function block or type JSScada does ` +
      "not read); Bit, Word, Double Word, FLOAT and String(n) labels become tags",
  };
}

/** Why a GX Works device assignment is not one JSScada can read, or undefined. */
function assignmentProblem(device: string): string | undefined {
  const d = device.toUpperCase();
  if (/^K\d+[A-Z]/.test(d)) {
    return `${device} is a digit-specified bit device; JSScada reads whole words or single ` +
      "bits: give a word device (D…) or a single bit instead";
  }
  if (/^U[0-9A-F]+\\/.test(d) || d.includes("\\")) {
    return `${device} is module buffer memory or a module access device, which the MC ` +
      "protocol reads through its own commands; JSScada does not read it";
  }
  if (d.startsWith("%")) {
    return `${device} is an IEC address; assign the label to a MELSEC device such as D100 or M0`;
  }
  if (/\dZ\d+$/.test(d)) {
    return `${device} is index-modified; JSScada reads fixed devices`;
  }
  return undefined;
}

/** The device an address starts with (`D` for `D100.5`), or undefined for a name JSScada does not know. */
export function deviceOf(address: string): DeviceInfo | undefined {
  const s = address.trim().toUpperCase();
  const name = DEVICE_NAMES.find((n) => s.startsWith(n) && /^[0-9A-F]/.test(s.slice(n.length)));
  return name && DEVICES.get(name);
}

/** The kind of point an address names: a bit of a word (`D100.5`) is a bit. */
function deviceKind(address: string): "bit" | "word" | undefined {
  const info = deviceOf(address);
  if (!info) return undefined;
  return address.includes(".") ? "bit" : info.kind;
}

/** A tag code from a label name or device: upper case, other characters as `_`, then checked. */
export function deriveCode(source: string, prefix = ""): string | { refused: string } {
  const code = (prefix + source.trim()).toUpperCase().replace(/[^A-Z0-9_.-]/g, "_");
  if (!/[A-Z0-9]/.test(code.slice(prefix.length))) {
    return {
      refused: `${source.trim()} gives no tag code (codes are A–Z, 0–9, _, - and .): rename it ` +
        "in GX Works",
    };
  }
  if (!CODE.test(code)) {
    return {
      refused: `gives the tag code ${code}, which has ${code.length} characters; ` +
        "JSScada tag codes have at most 64",
    };
  }
  return code;
}

const firstLine = (s: string) => s.split(/\r?\n/)[0].trim();
const clip = (s: string, max: number) => s.length > max ? s.slice(0, max) : s;

/**
 * Converts a GX Works export to tag rows. Never throws for bad input: an
 * unreadable file, a missing column or a row without a mapping is an issue
 * naming the row (as a spreadsheet numbers it) and the column heading.
 */
export function convertGxWorks(bytes: Uint8Array, options: GxConvertOptions): GxConversion {
  const { file } = options;
  const text = decodeGxText(bytes, file);
  const empty = { rows: [], records: 0, skipped: 0, columns: null };
  if (typeof text !== "string") return { ...empty, issues: [text] };
  const spec = SPECS[options.kind];
  const table = readTable(text, file, spec);
  if (Array.isArray(table)) return { ...empty, issues: table };
  const heading = (name: string) => table.records[table.header].cells[table.at.get(name)!].trim();
  const labels = options.kind === "gxworks3-labels";
  const columns: GxColumns = labels
    ? {
      code: heading(LABEL),
      name: heading(LABEL),
      description: table.at.has(COMMENT) ? heading(COMMENT) : null,
      address: heading(ASSIGN),
      dataType: heading(DATA_TYPE),
    }
    : {
      code: heading(DEVICE),
      name: heading(COMMENT),
      description: heading(COMMENT),
      address: heading(DEVICE),
      dataType: null,
    };
  const prefix = (options.prefix ?? "").trim().toUpperCase();
  const rows: GxTagRow[] = [];
  const issues: CsvIssue[] = [];
  const codes = new Map<string, number>();
  let records = 0;
  let skipped = 0;
  for (const record of table.records.slice(table.header + 1)) {
    if (record.cells.every((c) => c.trim() === "")) continue;
    records++;
    const cell = (name: string) => {
      const at = table.at.get(name);
      return at === undefined ? "" : record.cells[at] ?? "";
    };
    const issue = (column: string, message: string) =>
      issues.push(csvIssue(file, record.row, record.line, column, message));
    const comment = cell(COMMENT).trim();
    let source: string;
    let address: string;
    let type: { type: DataType; length: number | null };
    let name: string;
    if (labels) {
      source = cell(LABEL).trim();
      if (source === "") {
        issue(columns.code, "is empty: the label needs a name");
        continue;
      }
      const cls = cell(CLASS).trim().toUpperCase().replace(/\s+/g, "_");
      if (cls === "VAR_GLOBAL_CONSTANT") {
        issue(
          heading(CLASS),
          `${source} is VAR_GLOBAL_CONSTANT: a constant lives in the program, not in a device ` +
            "JSScada can read",
        );
        continue;
      }
      if (cls !== "" && !cls.startsWith("VAR_GLOBAL")) {
        issue(
          heading(CLASS),
          `${source} is ${cls}: only global labels (VAR_GLOBAL, VAR_GLOBAL_RETAIN) are ` +
            "assigned to devices",
        );
        continue;
      }
      const mapped = labelType(cell(DATA_TYPE));
      address = cell(ASSIGN).trim();
      if ("refused" in mapped) {
        issue(columns.dataType!, mapped.refused);
        continue;
      }
      if (address === "") {
        issue(
          columns.address,
          `${source} has no device: JSScada reads devices; assign the label to a device in ` +
            "GX Works3",
        );
        continue;
      }
      type = mapped;
      name = source;
    } else {
      address = cell(DEVICE).trim();
      source = address;
      if (address === "") {
        issue(columns.address, "is empty: the comment needs its device");
        continue;
      }
      if (comment === "") {
        skipped++;
        continue;
      }
      const kind = deviceKind(address);
      if (kind === undefined && !assignmentProblem(address)) {
        const timer = /^[TC]\d+$/i.test(address);
        issue(
          columns.address,
          timer
            ? `${address} is a whole ${
              address[0].toUpperCase() === "T" ? "timer" : "counter"
            }; JSScada reads its contact (${address[0].toUpperCase()}S…) or current value ` +
              `(${address[0].toUpperCase()}N…): comment that device instead`
            : `${address} is not a device JSScada reads`,
        );
        continue;
      }
      type = { type: kind === "bit" ? "BOOL" : options.wordType ?? "INT16", length: null };
      name = firstLine(comment);
    }
    const problem = assignmentProblem(address);
    if (problem) {
      issue(columns.address, problem);
      continue;
    }
    const code = deriveCode(source, prefix);
    if (typeof code !== "string") {
      issue(columns.code, code.refused);
      continue;
    }
    const first = codes.get(code);
    if (first !== undefined) {
      issue(
        columns.code,
        `${source} gives the tag code ${code}, as row ${first} does; rename one of them`,
      );
      continue;
    }
    codes.set(code, record.row);
    rows.push({
      row: record.row,
      line: record.line,
      code,
      name: clip(name || source, MAX_NAME),
      description: clip(comment, MAX_DESCRIPTION),
      address: address.toUpperCase(),
      dataType: type.type,
      length: type.length,
    });
  }
  return { rows, issues, records, skipped, columns };
}
