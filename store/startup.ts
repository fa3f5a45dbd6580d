/**
 * First-start helpers: load the sample plant into an empty store (from the
 * generator in memory, so a compiled binary needs no source files), and make
 * sure an admin exists — from JSSCADA_ADMIN_PASSWORD, or with a generated
 * password that the caller prints once.
 */
import { samplePlantCsv } from "../fixtures/sample_plant/generate.ts";
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
  /** Set when no JSSCADA_ADMIN_PASSWORD was given: print it once, it is not stored. */
  readonly generatedPassword?: string;
}

/**
 * On a store without any admin, creates user `admin` with the password in
 * `env.JSSCADA_ADMIN_PASSWORD`, or with a generated one that it returns (an
 * existing user named admin is made admin with that password). Does nothing
 * when an admin exists. ConfigError when the given password is too short.
 */
export async function ensureAdmin(
  store: Store,
  env: Readonly<Record<string, string | undefined>>,
): Promise<EnsureAdminResult> {
  if (store.users.countAdmins() > 0) return { created: false };
  const given = env.JSSCADA_ADMIN_PASSWORD;
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
