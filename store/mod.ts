/**
 * The configuration store's public API in one import, for the HTTP layer,
 * the CLI and the runtime: `openStore`, the resources' zod schemas (shared
 * with the OpenAPI document), the errors, CSV import/export and the
 * first-start helpers.
 */
export {
  configDbPath,
  openDataDirStore,
  openStore,
  type Store,
  type StoreOptions,
} from "./store.ts";
export {
  ConfigError,
  ConflictError,
  formatIssues,
  type Issue,
  NotFoundError,
  rethrowStoreError,
  SchemaVersionError,
  StoreError,
  StoreUnavailableError,
  type StoreUnavailableReason,
  storeWriteFailure,
} from "./errors.ts";
export type { DeleteOptions, MutationOptions, ResourceApi } from "./config_resource.ts";
export { IssueSchema, MAX_PAGE, type Page, pageSchema } from "./validation.ts";
export * from "./lines.ts";
export * from "./processes.ts";
export * from "./plcs.ts";
export * from "./groups.ts";
export * from "./tags.ts";
export * from "./alarm_rules.ts";
export * from "./users.ts";
export * from "./tokens.ts";
export * from "./sessions.ts";
export * from "./audit.ts";
export {
  CSV_COLUMNS,
  CSV_RESOURCES,
  csvFileName,
  type CsvIssue,
  type CsvResource,
  csvResourceOf,
} from "./csv_format.ts";
export {
  type ImportCounts,
  importCsv,
  type ImportMode,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
} from "./csv_import.ts";
export { exportAllCsv, exportCsv } from "./csv_export.ts";
export {
  ensureAdmin,
  type EnsureAdminResult,
  ensureSamplePlant,
  FIRST_ADMIN,
  samplePlantFiles,
} from "./startup.ts";
