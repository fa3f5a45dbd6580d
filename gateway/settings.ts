/**
 * Production settings of `jsscada serve`, from flags first and environment
 * variables second (docs/configuration.md lists them): data directory, bind
 * address and port, TLS, the historian sink, logging, anonymous read, and
 * the demo mode that `deno task start` uses.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { type SinkConfig, sinkConfigFromEnv } from "../sinks/factory.ts";
import {
  readSparkplugSettings,
  SPARKPLUG_FLAGS,
  SPARKPLUG_USAGE,
  type SparkplugSettings,
} from "../sparkplug/settings.ts";
import { type JournalSettings, readJournalSettings } from "../actors/journal_settings.ts";
import {
  HARDENING_FLAGS,
  HARDENING_USAGE,
  type HardeningSettings,
  readHardeningSettings,
} from "../http/hardening_settings.ts";

/** Everything `serve` needs to start. */
export interface ServeSettings {
  readonly dataDir: string;
  readonly hostname: string;
  readonly port: number;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly sink: SinkConfig;
  /** Load the sample plant into an empty store and start its fixture PLCs. */
  readonly demo: boolean;
  readonly fixturePorts: "profile" | "any";
  readonly anonymousRead: boolean;
  readonly logLevel: "debug" | "info" | "warning" | "error";
  readonly consoleLog: boolean;
  /** GET /metrics needs `Authorization: Bearer <metricsToken>` when set. */
  readonly metricsToken: string | undefined;
  /** API requests per minute per client; 0 turns rate limiting off. */
  readonly rateLimitPerMinute: number;
  /** Origins allowed to call the API and open the WebSocket from their pages. */
  readonly corsOrigins: readonly string[];
  /** Behind a reverse proxy: client address from X-Forwarded-For, host from X-Forwarded-Host. */
  readonly trustProxy: boolean;
  /** CSV import row limit and WebSocket connection bounds (http/hardening_settings.ts). */
  readonly hardening: HardeningSettings;
  /** Sparkplug B publishing (docs/sparkplug.md); undefined without --mqtt-url. */
  readonly sparkplug?: SparkplugSettings;
  /** Acquisition worker threads; undefined = the default for the cores and PLCs there are. */
  readonly acquisitionWorkers: number | undefined;
  /** Bound on the disk journal's size, bytes (`Journal.open({ maxBytes })`). */
  readonly journalMaxBytes: JournalSettings["journalMaxBytes"];
  /** Free space the journal leaves on its disk, bytes (`Journal.open({ minFreeBytes })`). */
  readonly journalMinFreeBytes: JournalSettings["journalMinFreeBytes"];
}

/** The `serve --help` text. */
export const SERVE_USAGE = `usage: jsscada serve [options]

  --data-dir DIR        data directory (config.db, history.db, journal/, logs/)
                        [JSSCADA_DATA_DIR, default ./data]
  --host ADDR           address to listen on [JSSCADA_HOST, default 127.0.0.1;
                        0.0.0.0 for every interface]
  --port N              HTTP port [JSSCADA_PORT, default 8080]
  --tls-cert FILE       serve HTTPS with this PEM certificate … [JSSCADA_TLS_CERT]
  --tls-key FILE        … and this PEM key [JSSCADA_TLS_KEY]
  --sink KIND           historian: sqlite | postgres | oracle [JSSCADA_SINK, default sqlite]
                        (docs/historian.md), set up by these variables:
    sqlite              JSSCADA_SQLITE_PATH  history file [default DIR/history.db]
                        JSSCADA_RETENTION_DAYS  keep this many days of history [default 90]
                        JSSCADA_HISTORY_MIN_FREE_MB  disk guard: while less is free, delete
                        the oldest day early, never the last 24 h [default 1024; 0 = off]
    postgres            JSSCADA_PG_URL  postgres://user:password@host:5432/database
                        JSSCADA_PG_TABLE  [default jsscada_history]
                        JSSCADA_PG_COPY=true  write batches by binary COPY (opt-in)
    oracle              JSSCADA_ORACLE_USER, JSSCADA_ORACLE_PASSWORD,
                        JSSCADA_ORACLE_CONNECT_STRING (host:1521/service),
                        JSSCADA_ORACLE_TABLE [default JSSCADA_HISTORY]
  --journal-max-bytes N while the historian is down, samples wait in DIR/journal/ up to this
                        size (bytes, or 512MiB, 4GiB) [JSSCADA_JOURNAL_MAX_BYTES, default
                        1GiB, about 25 minutes of the sample plant]
  --journal-min-free-bytes N
                        below this much free disk the journal stops writing and counts the
                        samples it drops (bytes or with a unit; 0 = off)
                        [JSSCADA_JOURNAL_MIN_FREE_BYTES, default 256MiB]
  --demo                load the sample plant into an empty store and run its
                        fixture PLCs in a worker thread on 127.0.0.1:5001-5004
  --acquisition-workers N
                        threads that poll the PLCs [JSSCADA_ACQUISITION_WORKERS; default
                        one per two cores, at most one per PLC, at least 1]
  --fixture-ports any   with --demo: fixture PLCs on free ports instead
  --anonymous-read      let unauthenticated clients read (wall-mounted dashboards)
                        [JSSCADA_ANONYMOUS_READ=true]
  --metrics-token T     GET /metrics needs "Authorization: Bearer T" [JSSCADA_METRICS_TOKEN;
                        default: /metrics is open]
  --rate-limit N        API requests per minute per client, 0 for no limit
                        [JSSCADA_RATE_LIMIT, default 600]
  --cors-origins LIST   comma-separated origins whose pages may call the API and open the
                        WebSocket [JSSCADA_CORS_ORIGINS, default none]
  --trust-proxy         behind a reverse proxy: take the client address from
                        X-Forwarded-For [JSSCADA_TRUST_PROXY=true]
${HARDENING_USAGE}
${SPARKPLUG_USAGE}
  --log-level LEVEL     debug | info | warning | error [JSSCADA_LOG_LEVEL, default info]
  --quiet               no console log (the log files are still written)
  -h, --help            this text

  JSSCADA_ADMIN_PASSWORD  the password of the user "admin" that the first start creates
                        (otherwise a generated one is printed once)`;

/** A setting that cannot be used, with the flag or variable it came from. */
export class SettingsError extends Error {}

/** Reads the settings; throws SettingsError with a sentence naming the flag or variable. */
export function readServeSettings(
  args: string[],
  env: (name: string) => string | undefined,
): ServeSettings | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "data-dir": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        sink: { type: "string" },
        demo: { type: "boolean" },
        "fixture-ports": { type: "string" },
        "anonymous-read": { type: "boolean" },
        "metrics-token": { type: "string" },
        "rate-limit": { type: "string" },
        "cors-origins": { type: "string" },
        "trust-proxy": { type: "boolean" },
        "acquisition-workers": { type: "string" },
        "journal-max-bytes": { type: "string" },
        "journal-min-free-bytes": { type: "string" },
        "log-level": { type: "string" },
        quiet: { type: "boolean" },
        ...SPARKPLUG_FLAGS,
        ...HARDENING_FLAGS,
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
  if (values.help) return "help";
  const dataDir = values["data-dir"] ?? env("JSSCADA_DATA_DIR") ?? "data";
  const portText = values.port ?? env("JSSCADA_PORT") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(`--port must be 0 to 65535, not "${portText}"`);
  }
  const cert = values["tls-cert"] ?? env("JSSCADA_TLS_CERT");
  const key = values["tls-key"] ?? env("JSSCADA_TLS_KEY");
  if ((cert === undefined) !== (key === undefined)) {
    throw new SettingsError("--tls-cert and --tls-key go together");
  }
  const fixturePorts = values["fixture-ports"] ?? "profile";
  if (fixturePorts !== "profile" && fixturePorts !== "any") {
    throw new SettingsError(`--fixture-ports must be profile or any, not "${fixturePorts}"`);
  }
  const logLevel = values["log-level"] ?? env("JSSCADA_LOG_LEVEL") ?? "info";
  if (!["debug", "info", "warning", "error"].includes(logLevel)) {
    throw new SettingsError(`--log-level must be debug, info, warning or error`);
  }
  const rateText = values["rate-limit"] ?? env("JSSCADA_RATE_LIMIT") ?? "600";
  const rateLimitPerMinute = Number(rateText);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 0) {
    throw new SettingsError(`--rate-limit must be a whole number from 0, not "${rateText}"`);
  }
  const corsOrigins = (values["cors-origins"] ?? env("JSSCADA_CORS_ORIGINS") ?? "").split(",")
    .map((o) => o.trim()).filter((o) => o !== "");
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new SettingsError(
        `--cors-origins: "${origin}" is not an origin such as http://mes.plant.local:8080`,
      );
    }
  }
  const workersText = values["acquisition-workers"] ?? env("JSSCADA_ACQUISITION_WORKERS");
  const acquisitionWorkers = workersText === undefined ? undefined : Number(workersText);
  if (
    acquisitionWorkers !== undefined &&
    (!Number.isInteger(acquisitionWorkers) || acquisitionWorkers < 1 || acquisitionWorkers > 64)
  ) {
    throw new SettingsError(`--acquisition-workers must be 1 to 64, not "${workersText}"`);
  }
  let journal: JournalSettings;
  try {
    journal = readJournalSettings({
      maxBytes: values["journal-max-bytes"],
      minFreeBytes: values["journal-min-free-bytes"],
    }, env);
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
  let hardening: HardeningSettings;
  try {
    hardening = readHardeningSettings(values, env);
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
  let sparkplug: SparkplugSettings | undefined;
  try {
    sparkplug = readSparkplugSettings(values, env);
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
  const sinkEnv = (name: string) => name === "JSSCADA_SINK" ? values.sink ?? env(name) : env(name);
  let sink: SinkConfig;
  try {
    sink = sinkConfigFromEnv(sinkEnv, join(dataDir, "history.db"));
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
  return {
    dataDir,
    hostname: values.host ?? env("JSSCADA_HOST") ?? "127.0.0.1",
    port,
    tls: cert && key ? { cert, key } : undefined,
    sink,
    demo: values.demo ?? false,
    fixturePorts,
    anonymousRead: values["anonymous-read"] ?? env("JSSCADA_ANONYMOUS_READ") === "true",
    logLevel: logLevel as ServeSettings["logLevel"],
    consoleLog: !values.quiet,
    metricsToken: values["metrics-token"] ?? (env("JSSCADA_METRICS_TOKEN") || undefined),
    rateLimitPerMinute,
    corsOrigins,
    trustProxy: values["trust-proxy"] ?? env("JSSCADA_TRUST_PROXY") === "true",
    hardening,
    sparkplug,
    acquisitionWorkers,
    ...journal,
  };
}
