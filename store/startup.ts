/**
 * First-start helpers: load the sample plant into an empty store (from the
 * generator in memory, so a compiled binary needs no source files), and make
 * sure an admin exists — from JSSCADA_ADMIN_PASSWORD, or with a generated
 * password that the caller prints once; and reset a user's password (the
 * `jsscada users reset-password` command).
 */
import { samplePlantCsv } from "../fixtures/sample_plant/generate.ts";
import { logs } from "../observability/logging.ts";
import { CSV_RESOURCES, csvFileName, type CsvResource } from "./csv_format.ts";
import { importCsv, type ImportReport } from "./csv_import.ts";
import { ConfigError, formatIssues } from "./errors.ts";
import { randomSecret } from "./secrets.ts";
import type { Store } from "./store.ts";

/** The sample plant's six CSV texts, by resource. */
export function samplePlantFiles(): Record<CsvResource, string> {
  const texts = samplePlantCsv();
  return Object.fromEntries(CSV_RESOURCES.map((r) => [r, texts[csvFileName(r)]])) as Record<
    CsvResource,
    string
  >;
}

/**
 * Loads the sample plant (4 PLCs, 10 groups, 3,491 tags) when the store holds
 * no plant configuration; otherwise leaves it alone. Returns the import
 * report when it loaded.
 */
export function ensureSamplePlant(store: Store): { loaded: boolean; report?: ImportReport } {
  if (!store.isEmpty()) return { loaded: false };
  const report = importCsv(store, samplePlantFiles(), { mode: "merge" });
  if (!report.ok) {
    throw new Error(`the sample plant does not import: ${formatIssues(report.issues.slice(0, 5))}`);
  }
  return { loaded: true, report };
}

/** The user name of the first-start admin. */
export const FIRST_ADMIN = "admin";

/** What {@link ensureAdmin} did. */
export interface EnsureAdminResult {
  /** True when it created (or promoted) the admin. */
  readonly created: boolean;
  readonly name?: string;
  /**
   * Set when no JSSCADA_ADMIN_PASSWORD was given: it is not stored anywhere,
   * so print it once — after the HTTP server listens, so that a start that
   * fails does not bury it among error lines.
   */
  readonly generatedPassword?: string;
  /** JSSCADA_ADMIN_PASSWORD was set but an admin existed, so it was not used (and a warning logged). */
  readonly ignoredAdminPassword?: boolean;
}

/** The warning when JSSCADA_ADMIN_PASSWORD is set but an admin already exists. */
export const IGNORED_ADMIN_PASSWORD_WARNING =
  "JSSCADA_ADMIN_PASSWORD is set but ignored: an admin user already exists. It only sets the " +
  'first admin\'s password; to set a new one, run "jsscada users reset-password NAME".';

/**
 * On a store without any admin, creates user `admin` with the password in
 * `env.JSSCADA_ADMIN_PASSWORD`, or with a generated one that it returns (an
 * existing user named admin is made admin with that password). When an admin
 * exists it changes nothing, and warns (system log) if the variable is set
 * anyway. ConfigError when the given password is too short.
 */
export async function ensureAdmin(
  store: Store,
  env: Readonly<Record<string, string | undefined>>,
): Promise<EnsureAdminResult> {
  const given = env.JSSCADA_ADMIN_PASSWORD;
  if (store.users.countAdmins() > 0) {
    if (!given) return { created: false };
    logs.system.warn(IGNORED_ADMIN_PASSWORD_WARNING);
    return { created: false, ignoredAdminPassword: true };
  }
  const password = given || randomSecret(18);
  try {
    const existing = store.users.list({ q: FIRST_ADMIN }).items.find((u) =>
      u.name.toLowerCase() === FIRST_ADMIN
    );
    if (existing) await store.users.update(existing.id, { role: "admin", password });
    else await store.users.create({ name: FIRST_ADMIN, role: "admin", password });
  } catch (e) {
    if (e instanceof ConfigError && e.issues.some((i) => i.path === "password")) {
      const issue = e.issues.find((i) => i.path === "password")!;
      throw ConfigError.of("JSSCADA_ADMIN_PASSWORD", issue.message);
    }
    throw e;
  }
  return given
    ? { created: true, name: FIRST_ADMIN }
    : { created: true, name: FIRST_ADMIN, generatedPassword: password };
}

/** What {@link resetPassword} did. */
export interface ResetPasswordResult {
  readonly name: string;
  /** Set when the password was generated: show it to the operator once. */
  readonly generatedPassword?: string;
}

/**
 * Sets a new password for user `name` (case-insensitive): `password` when
 * given, else a random one that it returns. Ends the user's sessions and
 * writes an audit entry by `actor`. NotFoundError for an unknown user,
 * ConfigError (path `password`) for a too-short password.
 */
export async function resetPassword(
  store: Store,
  name: string,
  password?: string,
  actor = "cli",
): Promise<ResetPasswordResult> {
  const user = store.users.getByName(name);
  const chosen = password || randomSecret(18);
  await store.users.update(user.id, { password: chosen }, { actor });
  return password ? { name: user.name } : { name: user.name, generatedPassword: chosen };
}
