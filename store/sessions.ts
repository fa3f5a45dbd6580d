/**
 * Login sessions behind the browser's session cookie. The cookie carries a
 * random id; the store keeps its SHA-256, the user and the expiry, so a
 * stolen database holds no usable session.
 */
import type { Db } from "./db.ts";
import { ConfigError, StoreUnavailableError } from "./errors.ts";
import { randomSecret, sha256 } from "./secrets.ts";
import { toUser, type User, usersTable } from "./users.ts";

/** How long a session lasts unless the caller says otherwise: 8 hours (one shift). */
export const DEFAULT_SESSION_TTL_MS = 8 * 3600_000;

/** A verified session. */
export interface SessionInfo {
  readonly user: User;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** The sessions of one store. */
export class Sessions {
  readonly #db: Db;
  readonly #users: ReturnType<typeof usersTable>;

  constructor(db: Db) {
    this.#db = db;
    this.#users = usersTable(db);
  }

  /**
   * Starts a session; `id` is the cookie value, returned this once and never
   * stored. Throws StoreUnavailableError when the database cannot write.
   */
  create(
    userId: number,
    ttlMs: number = DEFAULT_SESSION_TTL_MS,
  ): { id: string; expiresAt: string } {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) {
      throw ConfigError.of("ttlMs", "must be at least 1 ms");
    }
    if (!this.#users.find(userId)) throw ConfigError.of("userId", `no user with id ${userId}`);
    const id = randomSecret(32);
    const now = this.#db.now();
    const expiresAt = now + ttlMs;
    this.#db.run(
      "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
      sha256(id),
      userId,
      now,
      expiresAt,
    );
    return { id, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The session's user, or null when the id is unknown or expired (an expired one is deleted). */
  verify(id: string): SessionInfo | null {
    if (typeof id !== "string" || id === "") return null;
    const hash = sha256(id);
    const row = this.#db.get<{ userId: number; expiresAt: number }>(
      "SELECT user_id AS userId, expires_at AS expiresAt FROM sessions WHERE id_hash = ?",
      hash,
    );
    if (!row) return null;
    if (row.expiresAt <= this.#db.now()) {
      try {
        this.#db.run("DELETE FROM sessions WHERE id_hash = ?", hash);
      } catch (e) {
        // A full disk must not turn reads into errors: purgeExpired removes it later.
        if (!(e instanceof StoreUnavailableError)) throw e;
      }
      return null;
    }
    const user = this.#users.find(row.userId);
    return user ? { user: toUser(user), expiresAt: new Date(row.expiresAt).toISOString() } : null;
  }

  /** Ends a session (logout); true when it existed. */
  delete(id: string): boolean {
    return this.#db.run("DELETE FROM sessions WHERE id_hash = ?", sha256(String(id))).changes > 0;
  }

  /** Ends every session of a user; returns how many. */
  deleteForUser(userId: number): number {
    return this.#db.run("DELETE FROM sessions WHERE user_id = ?", userId).changes;
  }

  /** Deletes expired sessions; returns how many. */
  purgeExpired(): number {
    return this.#db.run("DELETE FROM sessions WHERE expires_at <= ?", this.#db.now()).changes;
  }
}
