/**
 * Users and their roles (viewer < operator < admin). Passwords are stored as
 * scrypt hashes with a per-user salt and never leave this module; records and
 * audit entries carry the name and role only. The last admin can be neither
 * deleted nor demoted, so the plant never locks itself out.
 */
import { z } from "@hono/zod-openapi";
import type { Db } from "./db.ts";
import { writeAudit } from "./audit.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import {
  DEFAULT_SCRYPT,
  hashPassword,
  randomSecret,
  type ScryptParams,
  verifyPassword as verifyHash,
} from "./secrets.ts";
import { type HashLane, PASSWORD_HASHING } from "./hash_lane.ts";
import { equalsWhere, searchWhere, Table, type Where } from "./table.ts";
import type { MutationOptions } from "./config_resource.ts";
import { optionalText, type Page, pagingShape, parseInput, rule } from "./validation.ts";

/** Roles, lowest first: viewer reads, operator also runs the plant, admin also configures. */
export const ROLES = ["viewer", "operator", "admin"] as const;
/** A user's role. */
export type Role = typeof ROLES[number];

/** True when `role` includes the rights of `needed` (admin ⊇ operator ⊇ viewer). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A user as the API shows it (never the password hash). */
export interface User {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  /** ISO 8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

const NAME_MESSAGE = "must be 1 to 64 characters of letters, digits, _, ., @ and -";
/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;

const fields = {
  name: z.string(rule(NAME_MESSAGE)).regex(/^[A-Za-z0-9_.@-]{1,64}$/, NAME_MESSAGE)
    .openapi({ example: "engineer1" }),
  role: z.enum(ROLES, rule("must be viewer, operator or admin")),
  password: z.string(rule(`must be ${MIN_PASSWORD_LENGTH} to 200 characters`))
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(200, "must be at most 200 characters"),
};

/** A user in API responses. */
export const UserSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("User");
/** The body that creates a user. */
export const UserCreateSchema = z.strictObject(fields).openapi("UserCreate");
/** The body of a PATCH: new name, role or password. */
export const UserPatchSchema = z.strictObject(fields).partial().openapi("UserPatch");
/** List filters: by role; `q` searches the name. */
export const UserListQuerySchema = z.object({
  ...pagingShape(["id", "name", "role", "createdAt"] as const, "name"),
  role: z.enum(ROLES).optional(),
  q: optionalText(64).optional(),
}).openapi("UserListQuery");

/** The fields a user is created with. */
export type UserCreate = z.input<typeof UserCreateSchema>;
/** A partial change to a user. */
export type UserPatch = z.input<typeof UserPatchSchema>;
/** What `users.list` accepts. */
export type UserListQuery = z.input<typeof UserListQuerySchema>;

interface UserRow {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

/** The users table's typed access, shared with tokens and sessions. */
export function usersTable(db: Db): Table<UserRow> {
  return new Table<UserRow>(db, "users", {
    name: "text",
    role: "text",
    passwordHash: "text",
    createdAt: "int",
    updatedAt: "int",
  });
}

/** The public record of a users-table row. */
export function toUser(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

/** The users of one store. */
export class Users {
  readonly #db: Db;
  readonly #table: Table<UserRow>;
  readonly #scrypt: ScryptParams;
  readonly #lane: HashLane;
  // A hash of nothing anyone knows: verifying against it when the user does not
  // exist costs as much as a real check, so timing does not reveal user names.
  #dummyHash: Promise<string> | undefined;

  /** `lane` bounds how many scrypt calls run at once (one per process by default). */
  constructor(db: Db, scrypt: ScryptParams = DEFAULT_SCRYPT, lane: HashLane = PASSWORD_HASHING) {
    this.#db = db;
    this.#table = usersTable(db);
    this.#scrypt = scrypt;
    this.#lane = lane;
  }

  #hash(password: string): Promise<string> {
    return this.#lane.run(() => hashPassword(password, this.#scrypt));
  }

  #verify(password: string, hash: string): Promise<boolean> {
    return this.#lane.run(() => verifyHash(password, hash));
  }

  #row(id: number): UserRow {
    const r = this.#table.find(id);
    if (!r) throw new NotFoundError(`no user with id ${id}`);
    return r;
  }

  /** A page of users. */
  list(query: UserListQuery = {}): Page<User> {
    const q = parseInput(UserListQuerySchema, query);
    const where: Where[] = [];
    if (q.role) where.push(equalsWhere("role", q.role));
    if (q.q) where.push(searchWhere(["name"], q.q));
    const page = this.#table.page(q, where);
    return { ...page, items: page.items.map(toUser) };
  }

  /** One user; NotFoundError if none. */
  get(id: number): User {
    return toUser(this.#row(id));
  }

  /** One user by name (case-insensitive); NotFoundError if none. */
  getByName(name: string): User {
    const r = this.#table.findBy("name", name);
    if (!r) throw new NotFoundError(`no user named ${name}`, "name");
    return toUser(r);
  }

  /** How many admins there are. */
  countAdmins(): number {
    return this.#table.count([equalsWhere("role", "admin")]);
  }

  /** Creates a user: ConfigError for bad fields, ConflictError for a taken name. */
  async create(input: UserCreate, options: MutationOptions = {}): Promise<User> {
    const data = parseInput(UserCreateSchema, input);
    const passwordHash = await this.#hash(data.password);
    return this.#db.transaction(() => {
      this.#checkName(data.name, undefined);
      const now = this.#db.now();
      const user = toUser(this.#table.insert({
        name: data.name,
        role: data.role,
        passwordHash,
        createdAt: now,
        updatedAt: now,
      }));
      writeAudit(this.#db, {
        user: options.actor ?? null,
        action: "create",
        resource: "users",
        resourceId: user.id,
        after: user,
      });
      return user;
    });
  }

  /** Renames, changes the role or sets a new password (which ends the user's sessions). */
  async update(id: number, patch: UserPatch, options: MutationOptions = {}): Promise<User> {
    const data = parseInput(UserPatchSchema, patch);
    const passwordHash = data.password === undefined ? undefined : await this.#hash(data.password);
    return this.#db.transaction(() => {
      const before = this.#row(id);
      if (data.name !== undefined) this.#checkName(data.name, id);
      if (data.role !== undefined && data.role !== "admin" && before.role === "admin") {
        this.#keepAnAdmin(before);
      }
      const row = this.#table.update(id, {
        name: data.name ?? before.name,
        role: data.role ?? before.role,
        passwordHash: passwordHash ?? before.passwordHash,
        createdAt: before.createdAt,
        updatedAt: this.#db.now(),
      });
      if (passwordHash) this.#db.run("DELETE FROM sessions WHERE user_id = ?", id);
      const after = toUser(row);
      writeAudit(this.#db, {
        user: options.actor ?? null,
        action: "update",
        resource: "users",
        resourceId: id,
        before: toUser(before),
        after: passwordHash ? { ...after, password: "(changed)" } : after,
      });
      return after;
    });
  }

  /** Deletes a user with their tokens and sessions; ConflictError for the last admin. */
  delete(id: number, options: MutationOptions = {}): void {
    this.#db.transaction(() => {
      const before = this.#row(id);
      if (before.role === "admin") this.#keepAnAdmin(before);
      this.#table.delete(id);
      writeAudit(this.#db, {
        user: options.actor ?? null,
        action: "delete",
        resource: "users",
        resourceId: id,
        before: toUser(before),
      });
    });
  }

  /**
   * The user with this name and password, or null. Unknown names cost as much
   * time as wrong passwords, and hashes are compared in constant time.
   */
  async verifyPassword(name: string, password: string): Promise<User | null> {
    const row = typeof name === "string" ? this.#table.findBy("name", name) : undefined;
    // No stored password is longer than 200 characters; don't hash megabytes to find that out.
    const given = typeof password === "string" && password.length <= 200 ? password : undefined;
    if (!row || given === undefined) {
      this.#dummyHash ??= this.#hash(randomSecret());
      await this.#verify(randomSecret(), await this.#dummyHash);
      return null;
    }
    return (await this.#verify(given, row.passwordHash)) ? toUser(row) : null;
  }

  #checkName(name: string, selfId: number | undefined): void {
    const other = this.#table.findBy("name", name);
    if (other && other.id !== selfId) {
      throw new ConflictError(`a user named ${other.name} already exists`, "name");
    }
  }

  #keepAnAdmin(user: UserRow): void {
    if (this.countAdmins() <= 1) {
      throw new ConflictError(
        `${user.name} is the last admin; make another user admin first`,
        "role",
      );
    }
  }
}
