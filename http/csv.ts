/**
 * CSV import and export over REST, for plant engineers who keep their tags in
 * a spreadsheet. Import takes one file (`POST /import/{resource}`, text/csv or
 * multipart) or several at once (`POST /import`, multipart), with
 * `?dryRun=true` and `?mode=merge|replace`, and answers with the store's
 * import report. Status: a dry run is always 200 (the report is the answer:
 * `ok` says whether it would apply); a real import is 200 when applied and
 * 400 when it found problems (nothing was written), its body the report plus
 * `error` and `message`, so it reads as every other 400. Export returns one
 * file as text/csv (an attachment) or all six as JSON. `POST
 * /import/gxworks/{kind}` takes a GX Works label or device comment export
 * and merges its tags into one PLC and polling group the same way.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  CSV_RESOURCES,
  csvFileName,
  type CsvResource,
  csvResourceOf,
  exportAllCsv,
  exportCsv,
  importCsv,
  type ImportReport,
  IssueSchema,
} from "../store/mod.ts";
import { CsvChecker, exceedsRowLimit, joinChunks } from "../store/csv_check.ts";
import { ConfigError } from "../store/errors.ts";
import { decodeGxText, GX_KINDS, GX_WORD_TYPES, type GxKind } from "../store/gxworks_convert.ts";
import { type GxImportReport, importGxWorks } from "../store/gxworks_import.ts";
import { booleanField, optionalText, rule } from "../store/validation.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import {
  type CsvFiles,
  type CsvUploads,
  decodeUploads,
  readCsvFilesBytes,
  readGxUpload,
  readOneCsvBytes,
} from "./csv_upload.ts";
import { jsonResponse } from "./schemas.ts";

const RESOURCE_MESSAGE = `must be one of ${CSV_RESOURCES.join(", ")}`;

/** The `{resource}` path parameter: which CSV file. */
export const CsvResourceParamSchema = z.object({
  resource: z.enum(CSV_RESOURCES, rule(RESOURCE_MESSAGE))
    .openapi({ param: { name: "resource", in: "path" }, example: "tags" }),
});

/** The query of an import. */
export const ImportQuerySchema = z.object({
  dryRun: booleanField().optional().openapi({
    description: "check everything and report, write nothing",
  }),
  mode: z.enum(["merge", "replace"], rule("must be merge or replace")).default("merge")
    .openapi({ description: "replace also deletes the records the files leave out" }),
});

/** A problem in a CSV file, by file, data row, file line and column. */
export const CsvIssueSchema = IssueSchema.extend({
  file: z.string().openapi({ example: "tags.csv" }),
  row: z.number().int().nullable().openapi({ description: "data row from 1; null: whole file" }),
  line: z.number().int().nullable().openapi({ description: "file line where the row starts" }),
  column: z.string().nullable().openapi({ example: "address" }),
}).openapi("CsvIssue");

/** What an import did (or would do) to one resource. */
export const ImportCountsSchema = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  unchanged: z.number().int(),
}).openapi("ImportCounts");

/** The store's import report. */
export const ImportReportSchema = z.object({
  ok: z.boolean().openapi({ description: "false when there are issues; then nothing was written" }),
  dryRun: z.boolean(),
  mode: z.enum(["merge", "replace"]),
  counts: z.object(
    Object.fromEntries(CSV_RESOURCES.map((r) => [r, ImportCountsSchema.optional()])),
  ),
  issues: z.array(CsvIssueSchema),
}).openapi("ImportReport");

/** A refused (not dry-run) import: the report plus the error fields every 400 has. */
export const ImportFailureSchema = ImportReportSchema.extend({
  error: z.literal("validation"),
  message: z.string().openapi({ example: "2 problems; nothing was written" }),
}).openapi("ImportFailure");

/** The `{kind}` path parameter of a GX Works import. */
export const GxKindParamSchema = z.object({
  kind: z.enum(GX_KINDS, rule(`must be one of ${GX_KINDS.join(", ")}`)).openapi({
    param: { name: "kind", in: "path" },
    example: "gxworks3-labels",
    description: "gxworks3-labels: a GX Works3 global label export (CSV or Unicode text); " +
      "gxworks2-comments: a GX Works2 device comment export (CSV)",
  }),
});

/** The query of a GX Works import: where the tags go, and how. */
export const GxImportQuerySchema = z.object({
  plc: z.string(rule("is required: the code of the PLC the tags are read from"))
    .min(1, "is required: the code of the PLC the tags are read from")
    .openapi({ example: "PLCPRESS010001" }),
  group: z.string(rule("is required: the code of the polling group that reads the tags"))
    .min(1, "is required: the code of the polling group that reads the tags")
    .openapi({ example: "PRESS_STATUS" }),
  wordType: z.enum(GX_WORD_TYPES, rule(`must be one of ${GX_WORD_TYPES.join(", ")}`)).optional()
    .openapi({ description: "device comments: the type of word devices (default INT16)" }),
  prefix: optionalText(32).optional().openapi({
    description: "put in front of every derived tag code (upper-cased)",
    example: "PRESS1_",
  }),
  dryRun: booleanField().optional().openapi({
    description: "check everything and report, write nothing",
  }),
});

/** What the GX Works file held. */
export const GxSourceSchema = z.object({
  kind: z.enum(GX_KINDS),
  file: z.string().openapi({ example: "labels.csv" }),
  records: z.number().int().openapi({ description: "data rows read" }),
  skipped: z.number().int().openapi({
    description: "device comments left out because their comment is empty",
  }),
  tags: z.number().int().openapi({ description: "rows that became tags" }),
}).openapi("GxSource");

/** The report of a GX Works import: issues name the exported file's rows and column headings. */
export const GxImportReportSchema = ImportReportSchema.extend({ source: GxSourceSchema })
  .openapi("GxImportReport");

/** A refused (not dry-run) GX Works import. */
export const GxImportFailureSchema = GxImportReportSchema.extend({
  error: z.literal("validation"),
  message: z.string().openapi({ example: "2 problems; nothing was written" }),
}).openapi("GxImportFailure");

/** Every CSV file of the plant, by file name. */
export const CsvExportSchema = z.object({
  files: z.record(z.string(), z.string()).openapi({
    example: { "lines.csv": "code,name\nLINE01,Body line\n" },
  }),
}).openapi("CsvExport");

const TAG = "CSV import and export";

const UPLOAD_DESCRIPTION = "Checks every row with the same rules as the API and writes all or " +
  "nothing in one transaction. A dry run answers 200 with the report (`ok` false when it found " +
  "problems); a real import answers 200 when applied, 400 with the report when refused.";

const fileField = { type: "string", contentMediaType: "text/csv" } as const;

/** The CSV routes. */
export function csvRoutes(api: ApiApp, { store, options }: RouteContext): void {
  const admin = access("admin", options.anonymousRead);
  const read = access("read", options.anonymousRead);

  const checker = new CsvChecker();
  const maxRows = options.importMaxRows;
  const tooManyRows = (file: string) =>
    new HttpError(
      413,
      `${file} has more than ${maxRows.toLocaleString("en-US")} data rows, the import limit ` +
        "(importMaxRows); split it into several files",
    );
  const reply = <R extends ImportReport>(c: Context<AppEnv>, report: R) => {
    if (report.ok || report.dryRun) return c.json(report, 200);
    const n = report.issues.length;
    const message = `${n} problem${n === 1 ? "" : "s"}; nothing was written`;
    return c.json({ error: "validation" as const, message, ...report }, 400);
  };
  const apply = (c: Context<AppEnv>, files: CsvFiles, query: z.output<typeof ImportQuerySchema>) =>
    importCsv(store, files, {
      mode: query.mode,
      dryRun: query.dryRun === true,
      actor: c.get("user")?.name ?? null,
    });
  /**
   * Decoding, the row limit and validation run in a worker on a snapshot of
   * the store (csv_check.ts), so a big file does not hold this thread; a
   * dry run ends there. A real import that passed is then applied here, in
   * the store's own transaction (validated again, against the live store).
   * An in-memory store (tests) has no file to snapshot: it is checked here.
   */
  const answer = async (
    c: Context<AppEnv>,
    uploads: CsvUploads,
    query: z.output<typeof ImportQuerySchema>,
    fieldOf: (resource: CsvResource) => string,
  ) => {
    const dryRun = query.dryRun === true;
    if (store.path === ":memory:") {
      const files = await decodeUploads(uploads, fieldOf);
      for (const [resource, text] of Object.entries(files) as [CsvResource, string][]) {
        if (exceedsRowLimit(text, maxRows)) throw tooManyRows(csvFileName(resource));
      }
      return reply(c, apply(c, files, query));
    }
    const kept: CsvUploads | undefined = dryRun ? undefined : Object.fromEntries(
      Object.entries(uploads).map(([r, chunks]) => [r, chunks!.map((b) => b.slice(0))]),
    );
    const result = await checker.check({
      dbPath: store.path,
      files: uploads,
      mode: query.mode,
      maxRows,
    });
    switch (result.kind) {
      case "too_many_rows":
        throw tooManyRows(result.file);
      case "not_utf8":
        throw ConfigError.of(
          fieldOf(csvResourceOf(result.file)!),
          `${result.message}; save the file as "CSV UTF-8" (Excel) or convert it to UTF-8`,
        );
      case "failed":
        throw new Error(`the CSV check failed: ${result.message}`);
    }
    if (dryRun) return reply(c, result.report);
    if (!result.report.ok) return reply(c, { ...result.report, dryRun: false });
    return reply(c, apply(c, await decodeUploads(kept!, fieldOf), query));
  };
  const responses = {
    200: jsonResponse(ImportReportSchema, "applied, or the dry run's report"),
    400: jsonResponse(ImportFailureSchema, "refused: every problem by file, row and column"),
    ...errorResponses(401, 403, 413, 415),
  };

  api.openapi(
    createRoute({
      method: "post",
      path: "/import/{resource}",
      tags: [TAG],
      operationId: "importCsv",
      summary: "Import one CSV file",
      description: UPLOAD_DESCRIPTION,
      ...admin,
      request: {
        params: CsvResourceParamSchema,
        query: ImportQuerySchema,
        body: {
          required: true,
          content: {
            "text/csv": { schema: { type: "string" } },
            "multipart/form-data": {
              schema: { type: "object", properties: { file: fileField }, required: ["file"] },
            },
          },
        },
      },
      responses,
    }),
    async (c) => {
      const { resource } = c.req.valid("param");
      const bytes = await readOneCsvBytes(c, resource);
      const field = c.req.header("Content-Type")?.toLowerCase().startsWith("multipart/")
        ? "file"
        : "body";
      return await answer(c, { [resource]: bytes }, c.req.valid("query"), () => field);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/import",
      tags: [TAG],
      operationId: "importCsvFiles",
      summary: "Import several CSV files together (all or nothing)",
      description: `${UPLOAD_DESCRIPTION} Fields are named after the files: ${
        CSV_RESOURCES.join(", ")
      } (or carry files named lines.csv …); they are applied in that order.`,
      ...admin,
      request: {
        query: ImportQuerySchema,
        body: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: Object.fromEntries(CSV_RESOURCES.map((r) => [r, fileField])),
              },
            },
          },
        },
      },
      responses,
    }),
    async (c) => await answer(c, await readCsvFilesBytes(c), c.req.valid("query"), (r) => r),
  );

  /**
   * A GX Works import: like {@link answer}, the conversion and dry run run
   * in the check worker on a snapshot, and a real import that passed is
   * applied here (converted and validated again, against the live store).
   */
  const answerGx = async (
    c: Context<AppEnv>,
    kind: GxKind,
    query: z.output<typeof GxImportQuerySchema>,
  ) => {
    const upload = await readGxUpload(c);
    const options = {
      kind,
      file: upload.name ?? `${kind}.csv`,
      plc: query.plc,
      group: query.group,
      wordType: query.wordType,
      prefix: query.prefix,
    };
    const dryRun = query.dryRun === true;
    const applyGx = (bytes: ArrayBuffer[]): GxImportReport =>
      importGxWorks(store, new Uint8Array(joinChunks(bytes)), {
        ...options,
        dryRun,
        actor: c.get("user")?.name ?? null,
      });
    if (store.path === ":memory:") {
      const bytes = new Uint8Array(joinChunks(upload.bytes));
      const text = decodeGxText(bytes, options.file);
      if (typeof text === "string" && exceedsRowLimit(text, maxRows)) {
        throw tooManyRows(options.file);
      }
      return reply(c, applyGx(upload.bytes));
    }
    const kept = dryRun ? undefined : upload.bytes.map((b) => b.slice(0));
    const result = await checker.checkGx({
      kind: "gxworks",
      dbPath: store.path,
      bytes: upload.bytes,
      options,
      maxRows,
    });
    if (result.kind === "too_many_rows") throw tooManyRows(result.file);
    if (result.kind === "failed") throw new Error(`the GX Works check failed: ${result.message}`);
    if (dryRun) return reply(c, result.report);
    if (!result.report.ok) return reply(c, { ...result.report, dryRun: false });
    return reply(c, applyGx(kept!));
  };

  api.openapi(
    createRoute({
      method: "post",
      path: "/import/gxworks/{kind}",
      tags: [TAG],
      operationId: "importGxWorks",
      summary: "Import tags from a GX Works label or device comment export",
      description: "Converts a GX Works3 global label export or a GX Works2 device comment " +
        "export into tags of one PLC and polling group (docs/gxworks_import.md) and merges " +
        "them by code with the same checks as a tags.csv import; issues name the exported " +
        "file's row (counted as a spreadsheet shows it) and column heading. A dry run answers " +
        "200 with the report; a real import answers 200 when applied, 400 with the report " +
        "when refused.",
      ...admin,
      request: {
        params: GxKindParamSchema,
        query: GxImportQuerySchema,
        body: {
          required: true,
          content: {
            "text/csv": { schema: { type: "string" } },
            "text/tab-separated-values": { schema: { type: "string" } },
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", format: "binary" } },
                required: ["file"],
              },
            },
          },
        },
      },
      responses: {
        200: jsonResponse(GxImportReportSchema, "applied, or the dry run's report"),
        400: jsonResponse(GxImportFailureSchema, "refused: every problem by row and column"),
        ...errorResponses(401, 403, 413, 415),
      },
    }),
    async (c) => await answerGx(c, c.req.valid("param").kind, c.req.valid("query")),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/export/{resource}",
      tags: [TAG],
      operationId: "exportCsv",
      summary: "Export one CSV file",
      ...read,
      request: { params: CsvResourceParamSchema },
      responses: {
        200: {
          description: "the file, rows in creation order",
          content: { "text/csv": { schema: z.string() } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    (c) => {
      const { resource } = c.req.valid("param");
      return c.body(exportCsv(store, resource), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFileName(resource)}"`,
      });
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/export",
      tags: [TAG],
      operationId: "exportCsvFiles",
      summary: "Export every CSV file of the plant from one snapshot",
      ...read,
      responses: {
        200: jsonResponse(CsvExportSchema, "file name → CSV text"),
        ...errorResponses(401, 403),
      },
    }),
    (c) => c.json({ files: exportAllCsv(store) }, 200),
  );
}
