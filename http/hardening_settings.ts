/**
 * The serve settings of the HTTP hardening limits that an operator may need
 * to change: the CSV import row limit and the WebSocket connection bounds.
 * Flags first, then environment variables; `serve --help` shows
 * {@link HARDENING_USAGE}.
 */

/** The limits, resolved. */
export interface HardeningSettings {
  /** Most data rows per CSV file in one import (AppOptions.importMaxRows). */
  readonly importMaxRows: number;
  /** Open WebSocket connections per client address (wsRoutes limits). */
  readonly wsMaxPerAddress: number;
  /** Open WebSocket connections per user. */
  readonly wsMaxPerUser: number;
}

/** The flags `serve` accepts for these limits, for node:util parseArgs. */
export const HARDENING_FLAGS = {
  "import-max-rows": { type: "string" },
  "ws-max-per-address": { type: "string" },
  "ws-max-per-user": { type: "string" },
} as const;

/** The `serve --help` lines for these limits. */
export const HARDENING_USAGE =
  `  --import-max-rows N   most data rows per CSV file in one import (413 above it)
                        [JSSCADA_IMPORT_MAX_ROWS, default 200000]
  --ws-max-per-address N  open WebSocket connections per client address
                        [JSSCADA_WS_MAX_PER_ADDRESS, default 50]
  --ws-max-per-user N   open WebSocket connections per user [JSSCADA_WS_MAX_PER_USER, default 100]`;

/** Flag values as parseArgs returns them for {@link HARDENING_FLAGS}. */
export interface HardeningFlagValues {
  readonly "import-max-rows"?: string;
  readonly "ws-max-per-address"?: string;
  readonly "ws-max-per-user"?: string;
}

function positive(
  flag: string,
  variable: string,
  text: string | undefined,
  fallback: number,
): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) {
    throw new Error(`--${flag} (${variable}) must be a whole number from 1, not "${text}"`);
  }
  return n;
}

/** Reads the limits; throws an Error naming the flag and variable of a bad value. */
export function readHardeningSettings(
  values: HardeningFlagValues,
  env: (name: string) => string | undefined,
): HardeningSettings {
  return {
    importMaxRows: positive(
      "import-max-rows",
      "JSSCADA_IMPORT_MAX_ROWS",
      values["import-max-rows"] ?? env("JSSCADA_IMPORT_MAX_ROWS"),
      200_000,
    ),
    wsMaxPerAddress: positive(
      "ws-max-per-address",
      "JSSCADA_WS_MAX_PER_ADDRESS",
      values["ws-max-per-address"] ?? env("JSSCADA_WS_MAX_PER_ADDRESS"),
      50,
    ),
    wsMaxPerUser: positive(
      "ws-max-per-user",
      "JSSCADA_WS_MAX_PER_USER",
      values["ws-max-per-user"] ?? env("JSSCADA_WS_MAX_PER_USER"),
      100,
    ),
  };
}
