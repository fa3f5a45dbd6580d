/**
 * File modes of SQLite databases: JSScada's databases hold plant history and
 * password hashes, so they are created owner-only (0600) before SQLite opens
 * them, and an existing file (from a version that left it 0644) is tightened.
 * SQLite creates the `-wal` and `-shm` files with the database file's mode,
 * so they follow. Where the platform has no POSIX modes (Windows) this does
 * nothing.
 */

/** Owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `path` with mode 0600 when missing, and sets 0600 when it exists (":memory:" is left alone). */
export function makePrivateFile(path: string): void {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return;
  if (Deno.build.os === "windows") return;
  Deno.openSync(path, { create: true, write: true, mode: PRIVATE_FILE_MODE }).close();
  try {
    Deno.chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    // Someone else's file (a read-only copy): SQLite decides whether it can be opened.
    if (!(err instanceof Deno.errors.PermissionDenied)) throw err;
  }
}
