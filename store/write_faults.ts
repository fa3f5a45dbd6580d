/**
 * Deterministic "cannot write" faults on an open store, for tests and drills
 * of the disk-full behaviour without filling a real disk: a size cap makes
 * every write that needs a new page fail with SQLITE_FULL ("database or disk
 * is full"), `query_only` makes every write fail with SQLITE_READONLY (as on
 * a file system remounted read-only). Both act on the store's own connection
 * and are undone by {@link clearWriteFaults}.
 */
import { type Store, storeConnection } from "./store.ts";

/** The largest page count SQLite accepts for `max_page_count`. */
const NO_CAP = 0xfffffffe;

/**
 * Caps the database at its current size: writes that fit in free space of
 * existing pages still succeed, the first one that needs a new page fails
 * with SQLITE_FULL, and so does the same write again. Returns the cap (pages).
 */
export function capStoreSize(store: Store): number {
  const db = storeConnection(store);
  const row = db.get<{ page_count: number }>("PRAGMA page_count");
  const pages = Number(row?.page_count ?? 0);
  db.sqlite.exec(`PRAGMA max_page_count = ${pages}`);
  return pages;
}

/** Refuses every write with SQLITE_READONLY ("attempt to write a readonly database"). */
export function makeStoreReadOnly(store: Store): void {
  storeConnection(store).sqlite.exec("PRAGMA query_only = ON");
}

/** Lifts {@link capStoreSize} and {@link makeStoreReadOnly}: writes work again. */
export function clearWriteFaults(store: Store): void {
  const db = storeConnection(store).sqlite;
  db.exec("PRAGMA query_only = OFF");
  db.exec(`PRAGMA max_page_count = ${NO_CAP}`);
}
