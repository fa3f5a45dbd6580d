/**
 * The journal's two settings as `serve` reads them: its size limit and the
 * free space it leaves on the disk, each from a flag first and an
 * environment variable second, in bytes or with a unit (`512MiB`, `2GB`,
 * `1G`). Errors name the flag and the text, like every serve setting.
 */
import { DEFAULT_JOURNAL_MAX_BYTES, DEFAULT_JOURNAL_MIN_FREE_BYTES } from "./journal.ts";

/** The journal's settings from the command line and the environment. */
export interface JournalSettings {
  /** Bound on the journal's size on disk, bytes. */
  readonly journalMaxBytes: number;
  /** Free space the journal leaves on its file system, bytes (0: no check). */
  readonly journalMinFreeBytes: number;
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * A size in bytes from `text`: a whole number, optionally with a unit (B, K,
 * KB, KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB; one letter means the binary
 * unit). Undefined when the text is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Reads the journal settings: `maxBytes` from `--journal-max-bytes` or
 * JSSCADA_JOURNAL_MAX_BYTES (default 1 GiB, at least 1 MiB), `minFreeBytes`
 * from `--journal-min-free-bytes` or JSSCADA_JOURNAL_MIN_FREE_BYTES
 * (default 256 MiB; 0 turns the check off). Throws an Error whose message
 * names the flag.
 */
export function readJournalSettings(
  flags: { readonly maxBytes?: string; readonly minFreeBytes?: string },
  env: (name: string) => string | undefined,
): JournalSettings {
  const size = (flag: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined || text.trim() === "") return fallback;
    const n = parseByteSize(text);
    if (n === undefined || n < min) {
      throw new Error(
        `${flag} must be a size in bytes${min > 0 ? ` of at least ${min}` : ""}, ` +
          `such as 1073741824 or 1GiB, not "${text}"`,
      );
    }
    return n;
  };
  return {
    journalMaxBytes: size(
      "--journal-max-bytes",
      flags.maxBytes ?? env("JSSCADA_JOURNAL_MAX_BYTES"),
      DEFAULT_JOURNAL_MAX_BYTES,
      1024 ** 2,
    ),
    journalMinFreeBytes: size(
      "--journal-min-free-bytes",
      flags.minFreeBytes ?? env("JSSCADA_JOURNAL_MIN_FREE_BYTES"),
      DEFAULT_JOURNAL_MIN_FREE_BYTES,
      0,
    ),
  };
}
