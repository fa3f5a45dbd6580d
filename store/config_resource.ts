/**
 * The one generic implementation of a plant resource's operations — list,
 * get, create, update (PATCH), delete with cascade — shared by lines,
 * processes, PLCs, groups, tags and alarm rules. A resource module supplies
 * its schemas and rules as a `ResourceSpec`; this module runs them in a
 * transaction, queues change events and writes audit entries.
 */
import type { z } from "@hono/zod-openapi";
import type { ConfigResource } from "../model/change.ts";
import { writeAudit } from "./audit.ts";
import type { CascadeDeleter, Core, Lookup, OnDeleted } from "./core.ts";
import { ConfigError, ConflictError, type Issue, NotFoundError } from "./errors.ts";
import type { Paging, Table, Where } from "./table.ts";
import { type Page, parseInput, tryParse } from "./validation.ts";

/** Who makes a change, for the audit log (a user name; omitted means JSScada itself). */
export interface MutationOptions {
  readonly actor?: string | null;
}

/** Options of a delete: `cascade` also deletes the records that reference this one. */
export interface DeleteOptions extends MutationOptions {
  readonly cascade?: boolean;
}

/** Records of another resource that reference a record of this one. */
export interface Dependent {
  readonly resource: ConfigResource;
  /** For messages, singular and plural: `["tag", "tags"]`. */
  readonly label: readonly [string, string];
  /** `SELECT id FROM … WHERE parent_id = ?`. */
  readonly sql: string;
}

/** What a resource module tells the generic implementation. */
export interface ResourceSpec<
  R extends { id: number },
  CS extends z.ZodType<Omit<R, "id">>,
  PS extends z.ZodType<Partial<Omit<R, "id">>>,
  QS extends z.ZodType<Paging>,
> {
  readonly resource: ConfigResource;
  /** Singular, for messages: `PLC`, `polling group`. */
  readonly label: string;
  readonly table: Table<R>;
  readonly createSchema: CS;
  readonly patchSchema: PS;
  readonly listQuerySchema: QS;
  /** SQL conditions of a parsed list query's filters. */
  readonly filters: (query: z.output<QS>) => Where[];
  /** A record's name in messages: `PLC PLCPRESS010001`, `the HI rule of tag OVEN01_TEMP`. */
  readonly describe: (record: Omit<R, "id">, lookup: Lookup) => string;
  /** The existing record that `data` would duplicate, with the path of the clashing field. */
  readonly duplicate: (data: Omit<R, "id">) => { record: R; path: string } | undefined;
  /** Rules of one record against what it references (refs must exist, cross-field rules). */
  readonly check: (data: Omit<R, "id">, lookup: Lookup) => Issue[];
  /** After an update: rules that the records referencing it must still meet. */
  readonly checkDependents?: (before: R, after: R) => Issue[];
  /** Records that reference this one, in the order a cascade deletes them. */
  readonly dependents: readonly Dependent[];
}

/** The operations every plant resource offers. */
export interface ResourceApi<R extends { id: number }, C, P, Q> {
  /** A page of records matching the query's filters, sorted; ConfigError for bad query values. */
  list(query?: Q): Page<R>;
  /** One record; NotFoundError if there is none with this id. */
  get(id: number): R;
  /** One record, or undefined. */
  find(id: number): R | undefined;
  /** Every record, in id (creation) order. */
  all(): R[];
  /** Validates and creates a record: ConfigError (rules), ConflictError (duplicates). */
  create(input: C, options?: MutationOptions): R;
  /** Applies a partial change, then validates the whole record as create does. */
  update(id: number, patch: P, options?: MutationOptions): R;
  /** Deletes a record; ConflictError if others reference it, unless `cascade`. */
  delete(id: number, options?: DeleteOptions): void;
}

/** What the CSV importer uses besides the public operations. */
export interface ResourceInternals<R extends { id: number }> {
  readonly label: string;
  readonly resource: ConfigResource;
  readonly table: Table<R>;
  /** Describes a record for messages. */
  describe(record: Omit<R, "id">, lookup: Lookup): string;
  /** Rules that records referencing an updated one must still meet. */
  checkDependents(before: R, after: R): Issue[];
  /** Parses and checks a full record without writing; issues use field names. */
  validate(input: unknown, lookup: Lookup): { data: Omit<R, "id"> } | { issues: Issue[] };
  /** True when `data` equals the record's fields. */
  same(record: R, data: Omit<R, "id">): boolean;
  /** Writes an already validated record (insert or overwrite) and queues its change event. */
  write(data: Omit<R, "id">, existing?: R): R;
  /** Deletes one record and, with cascade, what references it. */
  deleteRecord(id: number, cascade: boolean, onDeleted?: OnDeleted): void;
  /** Records of other resources that reference it: label → count. */
  dependentCounts(id: number): [readonly [string, string], number][];
}

/** A plant resource: the public operations plus what the importer needs. */
export type Resource<R extends { id: number }, C, P, Q> =
  & ResourceApi<R, C, P, Q>
  & { readonly internals: ResourceInternals<R> };

/** A `getByCode` for a table with a `code` column: NotFoundError naming the code. */
export function codeGetter<R extends { id: number; code: string }>(
  table: Table<R>,
  label: string,
): (code: string) => R {
  return (code) => {
    const r = table.findBy("code", code);
    if (!r) throw new NotFoundError(`no ${label} with code ${code}`, "code");
    return r;
  };
}

function withoutId<R extends { id: number }>(r: R): Omit<R, "id"> {
  const { id: _, ...rest } = r;
  return rest;
}

/** `1 tag`, `1,089 tags`. */
export function plural(n: number, [one, many]: readonly [string, string]): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** Builds a resource's operations from its spec and registers its deleter for cascades. */
export function makeResource<
  R extends { id: number },
  CS extends z.ZodType<Omit<R, "id">>,
  PS extends z.ZodType<Partial<Omit<R, "id">>>,
  QS extends z.ZodType<Paging>,
>(
  core: Core,
  spec: ResourceSpec<R, CS, PS, QS>,
): Resource<R, z.input<CS>, z.input<PS>, z.input<QS>> {
  type C = z.input<CS>;
  type P = z.input<PS>;
  type Q = z.input<QS>;
  const { db } = core;
  const { table } = spec;
  const audit = (
    actor: string | null | undefined,
    action: string,
    id: number,
    before: R | null,
    after: R | null,
  ) =>
    writeAudit(db, {
      user: actor ?? null,
      action,
      resource: spec.resource,
      resourceId: id,
      before,
      after,
    });

  const get = (id: number): R => {
    const r = table.find(id);
    if (!r) throw new NotFoundError(`no ${spec.label} with id ${id}`);
    return r;
  };

  const guard = (data: Omit<R, "id">, selfId: number | undefined) => {
    const issues = spec.check(data, core.lookup);
    if (issues.length) throw new ConfigError(issues);
    const dup = spec.duplicate(data);
    if (dup && dup.record.id !== selfId) {
      throw new ConflictError(
        `${spec.describe(data, core.lookup)} already exists (id ${dup.record.id})`,
        dup.path,
      );
    }
  };

  const dependentCounts = (id: number): [readonly [string, string], number][] =>
    spec.dependents
      .map((d): [readonly [string, string], number] => [d.label, db.all(d.sql, id).length])
      .filter(([, n]) => n > 0);

  const deleteRecord = (id: number, cascade: boolean, onDeleted?: OnDeleted): void => {
    const before = get(id);
    if (!cascade) {
      const counts = dependentCounts(id);
      if (counts.length) {
        throw new ConflictError(
          `${spec.describe(before, core.lookup)} still has ${
            counts.map(([label, n]) => plural(n, label)).join(" and ")
          }; delete them first, or delete with cascade`,
        );
      }
    } else {
      for (const d of spec.dependents) {
        const deleter = core.deleters.get(d.resource)!;
        for (const row of db.all<{ id: number }>(d.sql, id)) {
          deleter.deleteRecord(row.id, true, onDeleted);
        }
      }
    }
    table.delete(id);
    db.changed(spec.resource, id, "deleted");
    onDeleted?.(spec.resource, before);
  };

  const write = (data: Omit<R, "id">, existing?: R): R => {
    if (existing) {
      const after = table.update(existing.id, data);
      db.changed(spec.resource, existing.id, "updated");
      return after;
    }
    const created = table.insert(data);
    db.changed(spec.resource, created.id, "created");
    return created;
  };

  const same = (record: R, data: Omit<R, "id">): boolean => {
    const a = record as Record<string, unknown>;
    const b = data as Record<string, unknown>;
    return table.fields.every((f) => a[f] === b[f]);
  };

  core.deleters.set(spec.resource, { deleteRecord } satisfies CascadeDeleter);

  const api: ResourceApi<R, C, P, Q> = {
    list(query) {
      const q = parseInput(spec.listQuerySchema, query ?? {});
      return table.page(q as Paging, spec.filters(q));
    },
    get,
    find: (id) => table.find(id),
    all: () => table.all(),
    create(input, options = {}) {
      const data = parseInput(spec.createSchema, input);
      return db.transaction(() => {
        guard(data, undefined);
        const created = write(data);
        audit(options.actor, "create", created.id, null, created);
        return created;
      });
    },
    update(id, patch, options = {}) {
      const changes = parseInput(spec.patchSchema, patch) as Record<string, unknown>;
      return db.transaction(() => {
        const before = get(id);
        const merged: Record<string, unknown> = withoutId(before);
        for (const [k, v] of Object.entries(changes)) if (v !== undefined) merged[k] = v;
        const data = parseInput(spec.createSchema, merged);
        guard(data, id);
        if (same(before, data)) return before;
        const after = write(data, before);
        const issues = spec.checkDependents?.(before, after) ?? [];
        if (issues.length) throw new ConfigError(issues);
        audit(options.actor, "update", id, before, after);
        return after;
      });
    },
    delete(id, options = {}) {
      db.transaction(() =>
        deleteRecord(id, options.cascade === true, (resource, record) =>
          writeAudit(db, {
            user: options.actor ?? null,
            action: "delete",
            resource,
            resourceId: record.id,
            before: record,
          }))
      );
    },
  };

  const internals: ResourceInternals<R> = {
    label: spec.label,
    resource: spec.resource,
    table,
    describe: spec.describe,
    checkDependents: (before, after) => spec.checkDependents?.(before, after) ?? [],
    validate(input, lookup) {
      const parsed = tryParse(spec.createSchema, input);
      if (parsed.issues) return { issues: parsed.issues };
      const issues = spec.check(parsed.data, lookup);
      return issues.length ? { issues } : { data: parsed.data };
    },
    same,
    write,
    deleteRecord,
    dependentCounts,
  };
  return { ...api, internals };
}
