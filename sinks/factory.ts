/**
 * Chooses and builds the historian sink from a config object, and reads that
 * object from the environment (JSSCADA_SINK and friends, docs/historian.md),
 * so that the CLI's flags and the environment end in one place. Each sink's
 * module (and its npm driver) loads only when that sink is chosen.
 */
import { ConfigError } from "../store/errors.ts";
import type { HistorySource, Sink } from "./sink.ts";
import type { OracleSinkOptions } from "./oracle.ts";
import type { PostgresSinkOptions } from "./postgres.ts";
import type { SqliteSinkOptions } from "./sqlite.ts";

/** Which sink, with its settings. */
export type SinkConfig =
  | ({ readonly kind: "sqlite" } & SqliteSinkOptions)
  | ({ readonly kind: "postgres" } & PostgresSinkOptions)
  | ({ readonly kind: "oracle" } & OracleSinkOptions);

/**
 * History kept by default, days: a quarter of a year covers shift, monthly and
 * quarterly reports and most quality investigations, while the plant's
 * long-term archive is the central PostgreSQL/Oracle historian.
 */
export const DEFAULT_RETENTION_DAYS = 90;

/**
 * Free space the SQLite history leaves on its disk by default, MiB: above
 * the journal's own free-space watermark, so that history makes room before
 * the journal, logs and config.db run out of disk.
 */
export const DEFAULT_HISTORY_MIN_FREE_MB = 1024;

/**
 * What the operator should know of the historian's housekeeping, as plain
 * data for the runtime page: its kind, and for SQLite the retention in days
 * and the disk guard in MiB (null: kept by the database's own rules).
 */
export interface HistorianInfo {
  readonly kind: SinkConfig["kind"];
  readonly retentionDays: number | null;
  readonly minFreeMb: number | null;
}

/** The {@link HistorianInfo} of a sink config (no secrets: no URL, user or password). */
export function historianInfo(config: SinkConfig): HistorianInfo {
  if (config.kind !== "sqlite") return { kind: config.kind, retentionDays: null, minFreeMb: null };
  return {
    kind: "sqlite",
    retentionDays: config.retentionDays ?? null,
    minFreeMb: config.minFreeBytes ? Math.round(config.minFreeBytes / 2 ** 20) : null,
  };
}

/** The sink kinds. */
export const SINK_KINDS = ["sqlite", "postgres", "oracle"] as const;

/**
 * Builds the configured sink. SQLite opens its file now (and rejects when it
 * cannot); PostgreSQL and Oracle connect on first use, so the gateway starts
 * (and journals) while their database is down.
 */
export async function createSink(config: SinkConfig): Promise<Sink & Partial<HistorySource>> {
  switch (config.kind) {
    case "sqlite": {
      const { kind: _, ...options } = config;
      const { SqliteSink } = await import("./sqlite.ts");
      return await SqliteSink.open(options);
    }
    case "postgres": {
      const { kind: _, ...options } = config;
      const { PostgresSink } = await import("./postgres.ts");
      return new PostgresSink(options);
    }
    case "oracle": {
      const { kind: _, ...options } = config;
      const { OracleSink } = await import("./oracle.ts");
      return new OracleSink(options);
    }
    default:
      throw ConfigError.of(
        "sink",
        `unknown sink kind ${JSON.stringify((config as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * The sink config from environment variables:
 * JSSCADA_SINK (sqlite | postgres | oracle, default sqlite);
 * sqlite: JSSCADA_SQLITE_PATH (default `defaultSqlitePath`),
 * JSSCADA_RETENTION_DAYS (default DEFAULT_RETENTION_DAYS),
 * JSSCADA_HISTORY_MIN_FREE_MB (disk guard, default DEFAULT_HISTORY_MIN_FREE_MB, 0 = off);
 * postgres: JSSCADA_PG_URL (required), JSSCADA_PG_TABLE, JSSCADA_PG_COPY (true: binary COPY);
 * oracle: JSSCADA_ORACLE_USER, JSSCADA_ORACLE_PASSWORD,
 * JSSCADA_ORACLE_CONNECT_STRING (required), JSSCADA_ORACLE_TABLE.
 * Throws a ConfigError naming the variable that is missing or wrong.
 */
export function sinkConfigFromEnv(
  env: (name: string) => string | undefined,
  defaultSqlitePath: string,
): SinkConfig {
  const get = (name: string) => {
    const v = env(name)?.trim();
    return v === "" ? undefined : v;
  };
  const need = (name: string) => {
    const v = get(name);
    if (v === undefined) throw ConfigError.of(name, "must be set for this sink");
    return v;
  };
  const kind = get("JSSCADA_SINK") ?? "sqlite";
  switch (kind) {
    case "sqlite": {
      const retentionDays = Number(get("JSSCADA_RETENTION_DAYS") ?? DEFAULT_RETENTION_DAYS);
      if (!(Number.isInteger(retentionDays) && retentionDays > 0)) {
        throw ConfigError.of("JSSCADA_RETENTION_DAYS", "must be a whole number of days ≥ 1");
      }
      const minFreeMb = Number(get("JSSCADA_HISTORY_MIN_FREE_MB") ?? DEFAULT_HISTORY_MIN_FREE_MB);
      if (!(Number.isInteger(minFreeMb) && minFreeMb >= 0)) {
        throw ConfigError.of("JSSCADA_HISTORY_MIN_FREE_MB", "must be a whole number of MiB ≥ 0");
      }
      return {
        kind,
        path: get("JSSCADA_SQLITE_PATH") ?? defaultSqlitePath,
        retentionDays,
        minFreeBytes: minFreeMb * 2 ** 20,
      };
    }
    case "postgres": {
      const table = get("JSSCADA_PG_TABLE");
      const copy = get("JSSCADA_PG_COPY");
      if (copy !== undefined && copy !== "true" && copy !== "false") {
        throw ConfigError.of("JSSCADA_PG_COPY", `must be true or false, not "${copy}"`);
      }
      return {
        kind,
        url: need("JSSCADA_PG_URL"),
        ...(table === undefined ? {} : { table }),
        ...(copy === undefined ? {} : { copy: copy === "true" }),
      };
    }
    case "oracle": {
      const table = get("JSSCADA_ORACLE_TABLE");
      return {
        kind,
        user: need("JSSCADA_ORACLE_USER"),
        password: need("JSSCADA_ORACLE_PASSWORD"),
        connectString: need("JSSCADA_ORACLE_CONNECT_STRING"),
        ...(table === undefined ? {} : { table }),
      };
    }
    default:
      throw ConfigError.of(
        "JSSCADA_SINK",
        `must be one of ${SINK_KINDS.join(", ")}, not ${JSON.stringify(kind)}`,
      );
  }
}
