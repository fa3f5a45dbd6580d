/**
 * A typed table: maps one record type (camelCase fields, as model/config.ts)
 * to one SQLite table (snake_case columns) and does the plain SQL of
 * get, list with paging, insert, update and delete. Every resource module
 * shares it instead of writing the same statements six times; validation,
 * change events and audit live one level up (config_resource.ts).
 */
import type { Db, Param } from "./db.ts";
import type { Page } from "./validation.ts";

/** How a field is stored: booleans become 0/1. */
export type FieldType = "text" | "int" | "real" | "bool";

/** The fields of a record, without its id, and how each is stored. */
export type FieldTypes<R> = { readonly [K in Exclude<keyof R, "id">]: FieldType };

/** The SQL column of a camelCase field name: `plcId` → `plc_id`. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A quoted SQL identifier. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL condition with its parameters, for list filters. */
export interface Where {
  readonly sql: string;
  readonly params: readonly Param[];
}

/** The paging part of a parsed list query. */
export interface Paging {
  readonly limit: number;
  readonly offset: number;
  /** A field name (already checked against a whitelist). */
  readonly sort: string;
  readonly order: "asc" | "desc";
}

/** One table of records that have an integer `id`. */
export class Table<R extends { id: number }> {
  readonly name: string;
  readonly fields: readonly string[];
  readonly #db: Db;
  readonly #bools: readonly string[];
  readonly #select: string;
  readonly #insert: string;
  readonly #update: string;
  readonly #sortSql: Readonly<Record<string, string>>;

  /**
   * `sortSql`: list sort keys that are not columns, as SQL expressions over
   * the row (e.g. the code of a referenced record, so a list sorts by what it shows).
   */
  constructor(
    db: Db,
    name: string,
    types: FieldTypes<R>,
    sortSql: Readonly<Record<string, string>> = {},
  ) {
    this.#db = db;
    this.#sortSql = sortSql;
    this.name = name;
    this.fields = Object.keys(types);
    const typed = types as Record<string, FieldType>;
    this.#bools = this.fields.filter((f) => typed[f] === "bool");
    const cols = this.fields.map((f) => quote(columnOf(f)));
    this.#select = `SELECT "id", ${
      this.fields.map((f, i) => `${cols[i]} AS ${quote(f)}`).join(", ")
    } FROM ${quote(name)}`;
    this.#insert = `INSERT INTO ${quote(name)} (${cols.join(", ")}) VALUES (${
      cols.map(() => "?").join(", ")
    })`;
    this.#update = `UPDATE ${quote(name)} SET ${
      cols.map((c) => `${c} = ?`).join(", ")
    } WHERE "id" = ?`;
  }

  /** A plain record from a row (booleans restored). */
  #record(row: Record<string, unknown>): R {
    const r: Record<string, unknown> = { id: row.id };
    for (const f of this.fields) r[f] = row[f];
    for (const f of this.#bools) r[f] = row[f] === 1;
    return r as R;
  }

  #values(values: Omit<R, "id">): Param[] {
    const v = values as Record<string, Param>;
    return this.fields.map((f) => v[f]);
  }

  /** The record with this id, or undefined. */
  find(id: number): R | undefined {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = this.#db.get(`${this.#select} WHERE "id" = ?`, id);
    return row ? this.#record(row) : undefined;
  }

  /** The first record whose `field` equals `value`, or undefined. */
  findBy(field: keyof R & string, value: Param): R | undefined {
    const row = this.#db.get(`${this.#select} WHERE ${quote(columnOf(field))} = ? LIMIT 1`, value);
    return row ? this.#record(row) : undefined;
  }

  /** Records matching a condition, in id order. */
  where(where: Where): R[] {
    return this.#db.all(`${this.#select} WHERE ${where.sql} ORDER BY "id"`, ...where.params)
      .map((r) => this.#record(r));
  }

  /** Every record, in id order (the order they were created, which CSV export keeps). */
  all(): R[] {
    return this.#db.all(`${this.#select} ORDER BY "id"`).map((r) => this.#record(r));
  }

  /** How many records match (all when `where` is empty). */
  count(where: readonly Where[] = []): number {
    const sql = `SELECT count(*) AS n FROM ${quote(this.name)}${whereClause(where)}`;
    return this.#db.get<{ n: number }>(sql, ...where.flatMap((w) => w.params))!.n;
  }

  /** One page of the records matching every condition, sorted (ties broken by id). */
  page(paging: Paging, where: readonly Where[] = []): Page<R> {
    const params = where.flatMap((w) => w.params);
    const order = paging.order === "desc" ? "DESC" : "ASC";
    const sortBy = paging.sort === "id"
      ? `"id" ${order}`
      : `${this.#sortSql[paging.sort] ?? quote(columnOf(paging.sort))} ${order}, "id" ${order}`;
    const items = this.#db.all(
      `${this.#select}${whereClause(where)} ORDER BY ${sortBy} LIMIT ? OFFSET ?`,
      ...params,
      paging.limit,
      paging.offset,
    ).map((r) => this.#record(r));
    return { items, total: this.count(where), limit: paging.limit, offset: paging.offset };
  }

  /** Inserts a record; returns it with its new id. */
  insert(values: Omit<R, "id">): R {
    const { lastInsertRowid } = this.#db.run(this.#insert, ...this.#values(values));
    return { id: lastInsertRowid, ...values } as R;
  }

  /** Overwrites every field of a record; returns the new record. */
  update(id: number, values: Omit<R, "id">): R {
    this.#db.run(this.#update, ...this.#values(values), id);
    return { id, ...values } as R;
  }

  /** Deletes a record; true when it existed. */
  delete(id: number): boolean {
    return this.#db.run(`DELETE FROM ${quote(this.name)} WHERE "id" = ?`, id).changes > 0;
  }
}

function whereClause(where: readonly Where[]): string {
  return where.length ? ` WHERE ${where.map((w) => `(${w.sql})`).join(" AND ")}` : "";
}

/** A case-insensitive substring match on any of `fields` (LIKE with % and _ escaped). */
export function searchWhere(fields: readonly string[], text: string): Where {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    sql: fields.map((f) => `${quote(columnOf(f))} LIKE ? ESCAPE '\\'`).join(" OR "),
    params: fields.map(() => pattern),
  };
}

/** Records whose `field` starts with `prefix`. */
export function prefixWhere(field: string, prefix: string): Where {
  return {
    sql: `substr(${quote(columnOf(field))}, 1, ?) = ?`,
    params: [prefix.length, prefix],
  };
}

/** Records whose `field` equals `value`. */
export function equalsWhere(field: string, value: Param): Where {
  return { sql: `${quote(columnOf(field))} = ?`, params: [value] };
}
