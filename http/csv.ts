/**
 * CSV import and export over REST, for plant engineers who keep their tags in
 * a spreadsheet. Import takes one file (`POST /import/{resource}`, text/csv or
 * multipart) or several at once (`POST /import`, multipart), with
 * `?dryRun=true` and `?mode=merge|replace`, and answers with the store's
 * import report. Status: a dry run is always 200 (the report is the answer:
 * `ok` says whether it would apply); a real import is 200 when applied and
 * 400 when it found problems (nothing was written), its body the report plus
 * `error` and `message`, so it reads as every other 400. Export returns one
 * file as text/csv (an attachment) or all six as JSON.
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
import { CsvChecker, exceedsRowLimit } from "../store/csv_check.ts";
import { ConfigError } from "../store/errors.ts";
import { booleanField, rule } from "../store/validation.ts";
import { access } from "./auth_middleware.ts";
import type { ApiApp, AppEnv, RouteContext } from "./context.ts";
import { errorResponses, HttpError } from "./errors.ts";
import {
  type CsvFiles,
  type CsvUploads,
  decodeUploads,
  readCsvFilesBytes,
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
  const reply = (c: Context<AppEnv>, report: ImportReport) => {
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
