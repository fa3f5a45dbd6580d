/**
 * Test helpers for the HTTP layer: an app on an in-memory store (cheap
 * scrypt, settable clock) with the small seed plant, one user and API token
 * per role, and `call()`, which sends a request through `app.request()` (no
 * socket) as one of them and parses the answer.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import assert from "node:assert/strict";
import { exportAllCsv, type Role, type Store, type User } from "../store/mod.ts";
import {
  type SeedPlant,
  seedPlant,
  type TestClock,
  testClock,
  testStore,
} from "../store/testing.ts";
import { type AppDeps, createApp } from "./app.ts";
import type { AppEnv, AppOptions } from "./context.ts";

/** The password of every test user. */
export const TEST_PASSWORD = "correct horse battery";

/** One test user and a bearer token of theirs. */
export interface TestUser {
  readonly user: User;
  readonly token: string;
  readonly tokenId: number;
}

/** Who sends a request: a role's test user (by bearer token), or nobody. */
export type Caller = Role | "anonymous";

/** Options of {@link call}. */
export interface CallOptions {
  /** Who calls (default admin). */
  readonly as?: Caller;
  /** A JSON body (serialized), or a raw string / FormData sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A parsed answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The JSON body, the text of other bodies, or null for none. */
  // deno-lint-ignore no-explicit-any
  readonly body: any;
}

/** An app with its store, seed plant, clock and users. */
export interface TestApp {
  readonly app: OpenAPIHono<AppEnv>;
  readonly store: Store;
  /** The seed plant (undefined with `seed: false`). */
  readonly plant: SeedPlant;
  readonly clock: TestClock;
  readonly users: Readonly<Record<Role, TestUser>>;
  /** Sends one request (see {@link CallOptions}). */
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Closes the store. */
  close(): void;
  [Symbol.dispose](): void;
}

/** What {@link testApp} builds from: app deps without the store, and whether to seed. */
export type TestAppDeps = Partial<Omit<AppDeps, "store">> & {
  readonly options?: AppOptions;
  /** Create the seed plant (default true). */
  readonly seed?: boolean;
};

/** Builds a test app; `deps` may add options, route modules and a runtime. */
export async function testApp(deps: TestAppDeps = {}): Promise<TestApp> {
  const clock = testClock();
  const store = testStore(clock);
  try {
    const plant = deps.seed === false ? undefined as unknown as SeedPlant : seedPlant(store);
    const users = {} as Record<Role, TestUser>;
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = await store.users.create({ name: `${role}1`, role, password: TEST_PASSWORD });
      const { token, record } = store.tokens.create({ name: `${role} script`, userId: user.id });
      users[role] = { user, token, tokenId: record.id };
    }
    const { seed: _, ...appDeps } = deps;
    const app = createApp({
      ...appDeps,
      store,
      options: { now: clock.now, rateLimit: false, ...deps.options },
    });
    const call = (method: string, path: string, options: CallOptions = {}) =>
      send(app, users, method, path, options);
    return {
      app,
      store,
      plant,
      clock,
      users,
      call,
      close: () => store.close(),
      [Symbol.dispose]: () => store.close(),
    };
  } catch (e) {
    store.close();
    throw e;
  }
}

async function send(
  app: OpenAPIHono<AppEnv>,
  users: Readonly<Record<Role, TestUser>>,
  method: string,
  path: string,
  options: CallOptions,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const as = options.as ?? "admin";
  if (as !== "anonymous") headers.Authorization = `Bearer ${users[as].token}`;
  let body: BodyInit | undefined;
  if (
    typeof options.body === "string" || options.body instanceof FormData ||
    options.body instanceof Uint8Array
  ) {
    body = options.body as BodyInit;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await app.request(path, {
    method,
    body,
    headers: { ...headers, ...options.headers },
  });
  return { status: res.status, headers: res.headers, body: await parse(res) };
}

/** A response body: JSON when it says so, text otherwise, null when empty. */
export async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return null;
  return res.headers.get("Content-Type")?.includes("json") ? JSON.parse(text) : text;
}

/**
 * What a refused request must not change: the plant, the users and the tokens
 * (but for `lastUsedAt`, which every authenticated request may stamp).
 */
export function snapshot(t: TestApp): string {
  return JSON.stringify([
    exportAllCsv(t.store),
    t.store.users.list({ limit: 5000 }).items,
    t.store.tokens.list({ limit: 5000 }).items.map(({ lastUsedAt: _, ...token }) => token),
  ]);
}

/** Fails unless the answer is below 500 and, if an error, carries an error code and a message. */
export function checkAnswer(answer: Answer, what: string): void {
  assert.ok(answer.status < 500, `${what} → ${answer.status} ${JSON.stringify(answer.body)}`);
  if (answer.status >= 400) {
    assert.equal(typeof answer.body?.error, "string", `${what}: error code`);
    assert.ok(typeof answer.body?.message === "string" && answer.body.message.length > 0, what);
  }
}

/** A request body exactly as sent: text and Content-Type (none when null). */
export interface RawBody {
  readonly text: string;
  readonly type: string | null;
}

/** Sends a raw body (or FormData) as the admin; a body that is not JSON comes back as text. */
export async function sendAsAdmin(
  t: TestApp,
  method: string,
  path: string,
  body: RawBody | FormData,
): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${t.users.admin.token}` };
  if (!(body instanceof FormData) && body.type) headers["Content-Type"] = body.type;
  const res = await t.app.request(path, {
    method,
    headers,
    body: body instanceof FormData ? body : body.text,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: checkAnswer will say so for an error status.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
