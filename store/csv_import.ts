/**
 * CSV import of the plant: one or several files (lines, processes, PLCs,
 * groups, tags, alarm rules) applied all-or-nothing in one transaction, in
 * dependency order, with references by code. Every row is validated by the
 * same rules as the API, against in-memory Maps of the plant (no SELECT per
 * row), and every problem is reported with its file, row, line and column.
 * A dry run does the same work and rolls it back. Modes: `merge` upserts by
 * code (alarm rules by tag and kind); `replace` also deletes the records that
 * are not in the file, children before parents.
 */
import { plural, type Resource } from "./config_resource.ts";
import type { Lookup } from "./core.ts";
import { StoreUnavailableError } from "./errors.ts";
import {
  cellValue,
  type CodeResource,
  CSV_COLUMNS,
  CSV_RESOURCES,
  csvFileName,
  type CsvIssue,
  csvIssue,
  type CsvResource,
  type CsvRow,
  readCsv,
  STORE_RESOURCE,
} from "./csv_format.ts";
import type { Store } from "./store.ts";

/** How an import treats records that are not in the file. */
export type ImportMode = "merge" | "replace";

/** Options of {@link importCsv}. */
export interface ImportOptions {
  /** `merge` (default) keeps records missing from the file; `replace` deletes them. */
  readonly mode?: ImportMode;
  /** Validate everything and report, but write nothing. */
  readonly dryRun?: boolean;
  /** Who imports, for the audit log. */
  readonly actor?: string | null;
  /** For the audit log: where the rows came from, when not a CSV file (a GX Works export). */
  readonly source?: Readonly<Record<string, string>>;
  /** Called every `progressEvery` rows of a file and at its end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Default 1,000. */
  readonly progressEvery?: number;
}

/** Where a long import is. */
export interface ImportProgress {
  readonly file: string;
  readonly rows: number;
  readonly total: number;
}

/** What an import did (or, in a dry run, would do) to one resource. */
export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** The outcome of an import: `ok` is false when there are issues, and then nothing was written. */
export interface ImportReport {
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly mode: ImportMode;
  /** Per CSV resource that was in the import. */
  readonly counts: Partial<Record<CsvResource, ImportCounts>>;
  /** Every problem found, in file order. */
  readonly issues: CsvIssue[];
}

type AnyRecord = { id: number } & Record<string, unknown>;
type AnyResource = Resource<AnyRecord, unknown, unknown, unknown>;

const REF_LABEL: Record<CodeResource, string> = {
  lines: "line",
  processes: "process",
  plcs: "PLC",
  groups: "polling group",
  tags: "tag",
};

/** Records of one resource by id and by import key (code; for alarm rules tag id + kind). */
class Known {
  readonly byId = new Map<number, AnyRecord>();
  readonly byKey = new Map<string, AnyRecord>();
  constructor(readonly key: (r: AnyRecord) => string, records: AnyRecord[]) {
    for (const r of records) this.add(r);
  }
  add(r: AnyRecord): void {
    this.byId.set(r.id, r);
    this.byKey.set(this.key(r), r);
  }
  remove(r: AnyRecord): void {
    this.byId.delete(r.id);
    this.byKey.delete(this.key(r));
  }
}

const ruleKey = (tagId: unknown, kind: unknown) => `${tagId}\u0000${kind}`;
/** Stands in for a reference that did not resolve, so the row's other fields still get checked. */
const NO_ID = Number.MAX_SAFE_INTEGER;
class Rollback extends Error {}

/** One import run inside the store's transaction. */
class Importer {
  readonly issues: CsvIssue[] = [];
  readonly counts: Partial<Record<CsvResource, ImportCounts>> = {};
  readonly #resources: Record<CsvResource, AnyResource>;
  readonly #known: Record<CsvResource, Known>;
  readonly #lookup: Lookup;
  /** Codes of rows that failed: references to them are not reported again. */
  readonly #failed = new Map<CsvResource, Set<string>>();
  /** Files that could not be read at all. */
  readonly #broken = new Set<CsvResource>();
  /** Keys of every row in each file (replace keeps these). */
  readonly #inFile = new Map<CsvResource, Set<string>>();
  readonly #updated: { resource: CsvResource; before: AnyRecord; after: AnyRecord; row: CsvRow }[] =
    [];

  constructor(store: Store, readonly options: ImportOptions) {
    this.#resources = {
      lines: store.lines,
      processes: store.processes,
      plcs: store.plcs,
      groups: store.groups,
      tags: store.tags,
      alarms: store.alarmRules,
    } as unknown as Record<CsvResource, AnyResource>;
    const all = (r: CsvResource) => this.#resources[r].all();
    const byCode = (r: AnyRecord) => String(r.code);
    this.#known = {
      lines: new Known(byCode, all("lines")),
      processes: new Known(byCode, all("processes")),
      plcs: new Known(byCode, all("plcs")),
      groups: new Known(byCode, all("groups")),
      tags: new Known(byCode, all("tags")),
      alarms: new Known((r) => ruleKey(r.tagId, r.kind), all("alarms")),
    };
    const find = (r: CodeResource) => (id: number) => this.#known[r].byId.get(id) as never;
    this.#lookup = {
      line: find("lines"),
      process: find("processes"),
      plc: find("plcs"),
      group: find("groups"),
      tag: find("tags"),
    };
  }

  /** Validates and writes every row of one file. */
  importFile(resource: CsvResource, text: string): void {
    const file = csvFileName(resource);
    const counts: ImportCounts = { rows: 0, created: 0, updated: 0, deleted: 0, unchanged: 0 };
    this.counts[resource] = counts;
    this.#failed.set(resource, new Set());
    this.#inFile.set(resource, new Set());
    const parsed = readCsv(text, file);
    const headerIssues = "issue" in parsed
      ? [parsed.issue]
      : checkHeader(file, parsed.header, resource);
    if ("issue" in parsed || headerIssues.length) {
      this.issues.push(...headerIssues);
      this.#broken.add(resource);
      return;
    }
    counts.rows = parsed.rows.length;
    const every = Math.max(1, this.options.progressEvery ?? 1000);
    const seen = new Map<string, number>();
    for (const row of parsed.rows) {
      if (row.row % every === 0) {
        this.options.onProgress?.({ file, rows: row.row, total: counts.rows });
      }
      try {
        this.#importRow(resource, parsed.header, row, seen, counts);
      } catch (e) {
        // A database that cannot write is not a problem of the row: the import fails whole (503).
        if (e instanceof StoreUnavailableError) throw e;
        this.#issue(resource, row, null, `could not be stored: ${(e as Error).message}`);
      }
    }
    this.options.onProgress?.({ file, rows: counts.rows, total: counts.rows });
  }

  #issue(resource: CsvResource, row: CsvRow, column: string | null, message: string): void {
    this.issues.push(csvIssue(csvFileName(resource), row.row, row.line, column, message));
  }

  #importRow(
    resource: CsvResource,
    header: readonly string[],
    row: CsvRow,
    seen: Map<string, number>,
    counts: ImportCounts,
  ): void {
    if (row.cells.length !== header.length) {
      const message = `has ${row.cells.length} fields; the header has ${header.length}`;
      return this.#issue(resource, row, null, message);
    }
    const columns = CSV_COLUMNS[resource];
    const input: Record<string, unknown> = {};
    const cell: Record<string, string> = {};
    const unresolved = new Set<string>();
    let quiet = false;
    for (const col of columns) {
      const at = header.indexOf(col.name);
      if (at < 0) continue;
      cell[col.name] = row.cells[at];
      const value = cellValue(col, row.cells[at]);
      input[col.field] = value;
      if (col.kind !== "ref" || value === undefined) continue;
      const target = this.#known[col.ref!].byKey.get(String(value));
      if (target) {
        input[col.field] = target.id;
        continue;
      }
      input[col.field] = NO_ID;
      unresolved.add(col.field);
      // A reference to a row that failed, or into a file that could not be read, was reported there.
      if (this.#failed.get(col.ref!)?.has(String(value)) || this.#broken.has(col.ref!)) {
        quiet = true;
      } else this.#issue(resource, row, col.name, `no ${REF_LABEL[col.ref!]} with code ${value}`);
    }

    const rule = resource === "alarms";
    const key = rule ? ruleKey(input.tagId, input.kind) : String(input.code ?? "");
    this.#inFile.get(resource)!.add(key);
    const fileKey = rule ? ruleKey(cell.tag, input.kind) : key;
    const first = seen.get(fileKey);
    if (first !== undefined && (rule ? input.kind : input.code) !== undefined) {
      return this.#issue(
        resource,
        row,
        rule ? "kind" : "code",
        rule
          ? `tag ${cell.tag} already has a ${input.kind} rule in row ${first}`
          : `duplicate of row ${first}`,
      );
    }
    seen.set(fileKey, row.row);

    const api = this.#resources[resource].internals;
    const result = api.validate(input, this.#lookup);
    const problems = "issues" in result
      ? result.issues.filter((i) => !unresolved.has(i.path.split(".")[0]))
      : [];
    for (const i of problems) this.#issue(resource, row, columnOf(resource, i.path), i.message);
    if (!("data" in result) || unresolved.size || quiet) {
      if (!rule) this.#failed.get(resource)!.add(key);
      return;
    }
    const known = this.#known[resource];
    const existing = known.byKey.get(key);
    if (existing && api.same(existing, result.data)) {
      counts.unchanged++;
      return;
    }
    const written = api.write(result.data, existing) as AnyRecord;
    if (existing) {
      known.remove(existing);
      this.#updated.push({ resource, before: existing, after: written, row });
      counts.updated++;
    } else {
      counts.created++;
    }
    known.add(written);
  }

  /** Replace mode: deletes what the files left out, children before parents. */
  deleteMissing(resources: readonly CsvResource[]): void {
    for (const resource of [...resources].reverse()) {
      if (this.#broken.has(resource)) continue;
      const keep = this.#inFile.get(resource)!;
      const known = this.#known[resource];
      const api = this.#resources[resource].internals;
      for (const record of [...known.byId.values()]) {
        if (keep.has(known.key(record))) continue;
        const dependents = api.dependentCounts(record.id);
        if (dependents.length) {
          this.issues.push(csvIssue(
            csvFileName(resource),
            null,
            null,
            null,
            `${api.describe(record, this.#lookup)} is not in the file, but replace cannot delete ` +
              `it: it still has ${dependents.map(([label, n]) => plural(n, label)).join(" and ")}`,
          ));
          continue;
        }
        api.deleteRecord(record.id, false);
        known.remove(record);
        this.counts[resource]!.deleted++;
      }
    }
  }

  /** Rules that records referencing an updated one must still meet, on the final state. */
  checkUpdated(): void {
    for (const { resource, before, after, row } of this.#updated) {
      const api = this.#resources[resource].internals;
      for (const i of api.checkDependents(before, after)) {
        this.#issue(resource, row, columnOf(resource, i.path), i.message);
      }
    }
  }
}

/** The CSV column of a record field path (`plcId` → `plc`), or null. */
function columnOf(resource: CsvResource, path: string): string | null {
  const field = path.split(".")[0];
  return CSV_COLUMNS[resource].find((c) => c.field === field)?.name ?? null;
}

/**
 * Imports CSV texts (file resource → text). Never throws for bad input: every
 * problem is in the report, and when there is one nothing is written. One
 * batch of change events follows a successful, non-dry-run import.
 */
export function importCsv(
  store: Store,
  files: Partial<Record<CsvResource, string>>,
  options: ImportOptions = {},
): ImportReport {
  const mode = options.mode ?? "merge";
  const dryRun = options.dryRun === true;
  const present = CSV_RESOURCES.filter((r) => typeof files[r] === "string");
  let importer: Importer | undefined;
  try {
    store.transaction(() => {
      importer = new Importer(store, options);
      for (const resource of present) importer.importFile(resource, files[resource]!);
      if (mode === "replace") importer.deleteMissing(present);
      importer.checkUpdated();
      if (importer.issues.length || dryRun) throw new Rollback();
      for (const resource of present) {
        store.audit.record({
          user: options.actor ?? null,
          action: "import",
          resource: STORE_RESOURCE[resource],
          after: { mode, ...importer.counts[resource], ...options.source },
        });
      }
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  const issues = importer!.issues;
  const order = (i: CsvIssue) => CSV_RESOURCES.findIndex((r) => csvFileName(r) === i.file);
  issues.sort((a, b) => order(a) - order(b) || (a.row ?? Infinity) - (b.row ?? Infinity));
  return { ok: issues.length === 0, dryRun, mode, counts: importer!.counts, issues };
}

/** Header problems: unknown, duplicated or missing columns. */
function checkHeader(file: string, header: readonly string[], resource: CsvResource): CsvIssue[] {
  const columns = CSV_COLUMNS[resource];
  const names = new Set(columns.map((c) => c.name));
  const issues: CsvIssue[] = [];
  const expected = columns.map((c) => c.name).join(", ");
  header.forEach((h, i) => {
    if (!names.has(h)) {
      issues.push(csvIssue(file, null, 1, h, `is not a column of ${file} (columns: ${expected})`));
    } else if (header.indexOf(h) !== i) {
      issues.push(csvIssue(file, null, 1, h, "appears twice in the header"));
    }
  });
  for (const c of columns) {
    if (!c.optional && !header.includes(c.name)) {
      issues.push(csvIssue(file, null, 1, c.name, "is missing from the header"));
    }
  }
  return issues;
}
