/**
 * The audit log: who changed what, when, with the record before and after.
 * Store mutations write their entries in the same transaction as the change
 * itself (so an entry exists exactly when the change does); the HTTP layer
 * adds its own (logins, logouts) through `record`.
 */
import { z } from "@hono/zod-openapi";
import type { Db } from "./db.ts";
import { NotFoundError } from "./errors.ts";
import { equalsWhere, Table, type Where } from "./table.ts";
import { optionalText, type Page, pagingShape, parseInput } from "./validation.ts";

/** One audit entry. */
export interface AuditEntry {
  readonly id: number;
  /** When, as an ISO 8601 time. */
  readonly at: string;
  /** Who: a user name, or null for JSScada itself (start-up, CLI). */
  readonly user: string | null;
  /** What: `create`, `update`, `delete`, `import`, `login` … */
  readonly action: string;
  /** Which kind of record: `tags`, `users` … */
  readonly resource: string;
  readonly resourceId: string | null;
  /** The record before the change (null for a create). */
  readonly before: unknown;
  /** The record after the change (null for a delete). */
  readonly after: unknown;
}

/** What a caller passes to write an entry. */
export interface AuditInput {
  readonly user?: string | null;
  readonly action: string;
  readonly resource: string;
  readonly resourceId?: string | number | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** An audit entry in API responses. */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string().openapi({ example: "2024-05-01T08:00:00.000Z" }),
  user: z.string().nullable(),
  action: z.string().openapi({ example: "update" }),
  resource: z.string().openapi({ example: "tags" }),
  resourceId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
}).openapi("AuditEntry");

/** Filters of the audit list: user, resource, action, record, time range; newest first by default. */
export const AuditListQuerySchema = z.object({
  ...pagingShape(["at", "id"] as const, "at"),
  order: z.enum(["asc", "desc"]).default("desc"),
  user: optionalText(200).optional(),
  resource: optionalText(64).optional(),
  action: optionalText(64).optional(),
  resourceId: optionalText(64).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "inclusive" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "exclusive" }),
}).openapi("AuditListQuery");

/** What `audit.list` accepts. */
export type AuditListQuery = z.input<typeof AuditListQuerySchema>;

interface AuditRow {
  id: number;
  at: number;
  userName: string | null;
  action: string;
  resource: string;
  resourceId: string | null;
  before: string | null;
  after: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Writes one entry inside the caller's transaction; returns its id. */
export function writeAudit(db: Db, input: AuditInput): number {
  return db.run(
    `INSERT INTO audit_log (at, user_name, action, resource, resource_id, before, after)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    db.now(),
    input.user ?? null,
    input.action,
    input.resource,
    input.resourceId === undefined || input.resourceId === null ? null : String(input.resourceId),
    json(input.before),
    json(input.after),
  ).lastInsertRowid;
}

/** The audit log of one store. */
export class AuditLog {
  readonly #db: Db;
  readonly #table: Table<AuditRow>;

  constructor(db: Db) {
    this.#db = db;
    this.#table = new Table<AuditRow>(db, "audit_log", {
      at: "int",
      userName: "text",
      action: "text",
      resource: "text",
      resourceId: "text",
      before: "text",
      after: "text",
    });
  }

  #entry(r: AuditRow): AuditEntry {
    return {
      id: r.id,
      at: new Date(r.at).toISOString(),
      user: r.userName,
      action: r.action,
      resource: r.resource,
      resourceId: r.resourceId,
      before: r.before === null ? null : JSON.parse(r.before),
      after: r.after === null ? null : JSON.parse(r.after),
    };
  }

  /** Writes an entry (its own transaction unless one is open); returns it. */
  record(input: AuditInput): AuditEntry {
    return this.#db.transaction(() => this.get(writeAudit(this.#db, input)));
  }

  /** One entry; NotFoundError if there is none with this id. */
  get(id: number): AuditEntry {
    const row = this.#table.find(id);
    if (!row) throw new NotFoundError(`no audit entry with id ${id}`);
    return this.#entry(row);
  }

  /** A page of entries matching the filters (ConfigError for bad filter values). */
  list(query: AuditListQuery = {}): Page<AuditEntry> {
    const q = parseInput(AuditListQuerySchema, query);
    const where: Where[] = [];
    if (q.user !== undefined) where.push(equalsWhere("userName", q.user));
    if (q.resource !== undefined) where.push(equalsWhere("resource", q.resource));
    if (q.action !== undefined) where.push(equalsWhere("action", q.action));
    if (q.resourceId !== undefined) where.push(equalsWhere("resourceId", q.resourceId));
    if (q.from !== undefined) where.push({ sql: `"at" >= ?`, params: [Date.parse(q.from)] });
    if (q.to !== undefined) where.push({ sql: `"at" < ?`, params: [Date.parse(q.to)] });
    const page = this.#table.page(q, where);
    return { ...page, items: page.items.map((r) => this.#entry(r)) };
  }

  /** Deletes entries older than `beforeMs` (ms since the epoch); returns how many. */
  purgeBefore(beforeMs: number): number {
    return this.#db.transaction(() =>
      this.#db.run(`DELETE FROM audit_log WHERE "at" < ?`, beforeMs).changes
    );
  }
}
