/**
 * API tokens for scripts and other systems (`Authorization: Bearer …`). A
 * token is shown once, when it is created; the store keeps only its SHA-256,
 * and finds a presented token by that hash.
 */
import { z } from "@hono/zod-openapi";
import type { MutationOptions } from "./config_resource.ts";
import type { Db } from "./db.ts";
import { writeAudit } from "./audit.ts";
import { ConfigError, NotFoundError, StoreUnavailableError } from "./errors.ts";
import { randomSecret, sha256 } from "./secrets.ts";
import { equalsWhere, Table, type Where } from "./table.ts";
import { toUser, type User, usersTable } from "./users.ts";
import {
  idField,
  type Page,
  pagingShape,
  parseInput,
  queryInt,
  requiredText,
} from "./validation.ts";

/** Every token starts with this, so logs and secret scanners can recognise one. */
export const TOKEN_PREFIX = "jss_";

/** A token as the API shows it (never the token or its hash). */
export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly userId: number;
  /** ISO 8601 times; lastUsedAt is updated at most once a minute. */
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
}

/** A token in API responses. */
export const ApiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  userId: z.number().int(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
}).openapi("ApiToken");
/** The body that creates a token: a name, its user, and optionally when it expires. */
export const ApiTokenCreateSchema = z.strictObject({
  name: requiredText(200).openapi({ example: "historian export script" }),
  userId: idField("a user"),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional()
    .openapi({ example: "2030-01-01T00:00:00Z" }),
}).openapi("ApiTokenCreate");
/** List filters: by user. */
export const ApiTokenListQuerySchema = z.object({
  ...pagingShape(["id", "name", "createdAt", "lastUsedAt", "expiresAt"] as const, "id"),
  userId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
}).openapi("ApiTokenListQuery");

/** The fields a token is created with. */
export type ApiTokenCreate = z.input<typeof ApiTokenCreateSchema>;
/** What `tokens.list` accepts. */
export type ApiTokenListQuery = z.input<typeof ApiTokenListQuerySchema>;

interface TokenRow {
  id: number;
  name: string;
  userId: number;
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    userId: r.userId,
    createdAt: iso(r.createdAt)!,
    lastUsedAt: iso(r.lastUsedAt),
    expiresAt: iso(r.expiresAt),
  };
}

/** The API tokens of one store. */
export class Tokens {
  readonly #db: Db;
  readonly #table: Table<TokenRow>;
  readonly #users: ReturnType<typeof usersTable>;

  constructor(db: Db) {
    this.#db = db;
    this.#users = usersTable(db);
    this.#table = new Table<TokenRow>(db, "api_tokens", {
      name: "text",
      userId: "int",
      tokenHash: "text",
      createdAt: "int",
      lastUsedAt: "int",
      expiresAt: "int",
    });
  }

  /** Creates a token; `token` is the secret, returned this once and never stored. */
  create(
    input: ApiTokenCreate,
    options: MutationOptions = {},
  ): { token: string; record: ApiToken } {
    const data = parseInput(ApiTokenCreateSchema, input);
    const token = TOKEN_PREFIX + randomSecret(32);
    return this.#db.transaction(() => {
      if (!this.#users.find(data.userId)) {
        throw ConfigError.of("userId", `no user with id ${data.userId}`);
      }
      const expiresAt = data.expiresAt ? Date.parse(data.expiresAt) : null;
      const now = this.#db.now();
      if (expiresAt !== null && expiresAt <= now) {
        throw ConfigError.of("expiresAt", "must be in the future");
      }
      const record = toToken(this.#table.insert({
        name: data.name,
        userId: data.userId,
        tokenHash: sha256(token),
        createdAt: now,
        lastUsedAt: null,
        expiresAt,
      }));
      writeAudit(this.#db, {
        user: options.actor ?? null,
        action: "create",
        resource: "tokens",
        resourceId: record.id,
        after: record,
      });
      return { token, record };
    });
  }

  /** A page of tokens. */
  list(query: ApiTokenListQuery = {}): Page<ApiToken> {
    const q = parseInput(ApiTokenListQuerySchema, query);
    const where: Where[] = q.userId === undefined ? [] : [equalsWhere("userId", q.userId)];
    const page = this.#table.page(q, where);
    return { ...page, items: page.items.map(toToken) };
  }

  /** One token; NotFoundError if none. */
  get(id: number): ApiToken {
    const r = this.#table.find(id);
    if (!r) throw new NotFoundError(`no API token with id ${id}`);
    return toToken(r);
  }

  /** Revokes a token. */
  delete(id: number, options: MutationOptions = {}): void {
    this.#db.transaction(() => {
      const before = this.get(id);
      this.#table.delete(id);
      writeAudit(this.#db, {
        user: options.actor ?? null,
        action: "delete",
        resource: "tokens",
        resourceId: id,
        before,
      });
    });
  }

  /** The user and token behind a presented token, or null (unknown, malformed or expired). */
  verify(presented: string): { user: User; token: ApiToken } | null {
    if (typeof presented !== "string" || !presented.startsWith(TOKEN_PREFIX)) return null;
    const row = this.#table.findBy("tokenHash", sha256(presented));
    const now = this.#db.now();
    if (!row || (row.expiresAt !== null && row.expiresAt <= now)) return null;
    const user = this.#users.find(row.userId);
    if (!user) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt >= 60_000) {
      try {
        this.#db.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, row.id);
        row.lastUsedAt = now;
      } catch (e) {
        // "Last used" is a hint: a full disk must not lock token holders out of reads.
        if (!(e instanceof StoreUnavailableError)) throw e;
      }
    }
    return { user: toUser(user), token: toToken(row) };
  }
}
