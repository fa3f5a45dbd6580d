/**
 * The role matrix, over every route in the OpenAPI document: each caller
 * (anonymous, viewer, operator, admin), with anonymous read off and on, gets
 * the route's success status (200/201/204) when its role suffices, 401 when
 * anonymous, 403 otherwise. A route without a row here fails the test, so a
 * new route cannot be forgotten.
 */
import assert from "node:assert/strict";
import type { Role } from "../store/mod.ts";
import { alarmRoutes } from "./alarms.ts";
import type { Access } from "./auth_middleware.ts";
import type { RouteModule } from "./context.ts";
import { type FakePlant, liveTestApp } from "./live_testing.ts";
import { opsRoutes } from "./ops.ts";
import { plcOpsRoutes } from "./plc_ops.ts";
import { FixturePlc } from "../fixtures/plc_server.ts";
import { runtimeRoutes } from "./runtime_routes.ts";
import { valueRoutes } from "./values.ts";
import { type Caller, type CallOptions, TEST_PASSWORD, type TestApp } from "./testing.ts";

/** The live API's route modules, as the gateway serves them (over a fake plant). */
const LIVE: RouteModule<FakePlant>[] = [valueRoutes, runtimeRoutes, alarmRoutes, plcOpsRoutes];
const ROOT: RouteModule<FakePlant>[] = [opsRoutes];

/** Per caller: one alarm to acknowledge and one to unshelve, so each allowed call finds work. */
const CALLER_ALARMS = ["anonymous", "viewer", "operator", "admin"] as const;
const alarmPath = (key: string, action: string) =>
  `/api/v1/alarms/${encodeURIComponent(key)}/${action}`;

/** Ids of records each request may act on, created fresh in every app. */
interface World {
  readonly t: TestApp;
  readonly plant: FakePlant;
  readonly ids: Record<string, number>;
  close(): Promise<void>;
}

const liveApp = (anonymousRead: boolean) =>
  liveTestApp({ options: { anonymousRead }, routes: LIVE, rootRoutes: ROOT });

async function world(anonymousRead: boolean): Promise<World> {
  const { t, plant } = await liveApp(anonymousRead);
  const s = t.store;
  const line = s.lines.create({ code: "LINE99", name: "Spare line" });
  // Every spare record is a leaf (nothing references it), so deleting it succeeds.
  const process = s.processes.create({ code: "P99", name: "Spare", lineId: 1 });
  // A fixture PLC answers the remote-operation route's loopback test.
  const plcServer = new FixturePlc({ port: 0 }).listen();
  const plc = s.plcs.create({
    code: "PLCSPARE000099",
    name: "Spare PLC",
    processId: 1,
    host: "127.0.0.1",
    port: plcServer.port,
  });
  const group = s.groups.create({
    code: "G99",
    name: "Spare",
    plcId: 1,
    mode: "FIXED",
    intervalMs: 100,
  });
  const tag = s.tags.create({
    code: "T99",
    name: "Spare",
    plcId: 1,
    groupId: 1,
    address: "D900",
    dataType: "INT16",
  });
  const rule = s.alarmRules.create({ tagId: 1, kind: "HI", limit: 1, severity: 1, message: "x" });
  const other = await s.users.create({ name: "other", role: "viewer", password: TEST_PASSWORD });
  s.groups.create({
    code: "REST1",
    name: "On request",
    plcId: 1,
    mode: "HANDSHAKE",
    trigger: "rest",
  });
  const info = { message: "test alarm", severity: 500, source: "test" };
  for (const caller of CALLER_ALARMS) {
    plant.alarms.raiseSystem(`test:${caller}:raised`, info);
    plant.alarms.raiseSystem(`test:${caller}:shelved`, info);
    plant.alarms.shelve(`test:${caller}:shelved`, "setup", "test", Date.now() + 60_000);
  }
  return {
    t,
    plant,
    close: async () => {
      plant.close();
      t.close();
      await plcServer.close();
    },
    ids: {
      lines: line.id,
      processes: process.id,
      plcs: plc.id,
      groups: group.id,
      tags: tag.id,
      "alarm-rules": rule.id,
      users: other.id,
      audit: 1,
    },
  };
}

type Build = (w: World, caller: Caller) => { path?: string; options?: CallOptions };

const CSV = { "Content-Type": "text/csv" };
const userIdOf = (w: World, caller: Caller) =>
  caller === "anonymous" ? 1 : w.t.users[caller].user.id;
const id = (resource: string): Build => (w) => ({ path: `/api/v1/${resource}/${w.ids[resource]}` });
const withBody = (body: unknown): Build => () => ({ options: { body } });

const PLANT_CREATE: Record<string, unknown> = {
  lines: { code: "LINE77", name: "New" },
  processes: { code: "P77", name: "New", lineId: 1 },
  plcs: { code: "PLCNEW00000077", name: "New", processId: 1, host: "10.0.0.77", port: 5077 },
  groups: { code: "G77", name: "New", plcId: 1, mode: "FIXED", intervalMs: 100 },
  tags: { code: "T77", name: "New", plcId: 1, groupId: 1, address: "D777", dataType: "INT16" },
  "alarm-rules": { tagId: 1, kind: "LO", limit: 0, severity: 1, message: "low" },
};

/** Who may call each route, and how to build a request that succeeds when allowed. */
const MATRIX: Record<string, { access: Access; build?: Build }> = {
  "POST /api/v1/auth/login": {
    access: "public",
    build: withBody({ name: "viewer1", password: TEST_PASSWORD }),
  },
  "POST /api/v1/auth/logout": { access: "public" },
  "GET /api/v1/auth/me": { access: "viewer" },
  "POST /api/v1/import/{resource}": {
    access: "admin",
    build: () => ({
      path: "/api/v1/import/lines",
      options: { body: "code,name\nLINE01,Body line\n", headers: CSV },
    }),
  },
  "POST /api/v1/import": {
    access: "admin",
    build: () => {
      const body = new FormData();
      body.append("lines", new File(["code,name\nLINE01,Body line\n"], "lines.csv"));
      return { options: { body } };
    },
  },
  "POST /api/v1/import/gxworks/{kind}": {
    access: "admin",
    build: () => ({
      path: "/api/v1/import/gxworks/gxworks3-labels?plc=PLCPRESS010001&group=PRESS_MOTION",
      options: {
        body: "Label Name,Data Type,Assign (Device/Label),Comment\nGx_Role,Word [Signed],D950,x\n",
        headers: CSV,
      },
    }),
  },
  "GET /api/v1/export/{resource}": {
    access: "read",
    build: () => ({ path: "/api/v1/export/tags" }),
  },
  "GET /api/v1/export": { access: "read" },
  "GET /api/v1/users": { access: "admin" },
  "GET /api/v1/users/{id}": { access: "admin", build: id("users") },
  "POST /api/v1/users": {
    access: "admin",
    build: withBody({ name: "newbie", role: "viewer", password: TEST_PASSWORD }),
  },
  "PATCH /api/v1/users/{id}": {
    access: "admin",
    build: (w) => ({ ...id("users")(w, "admin"), options: { body: { role: "operator" } } }),
  },
  "DELETE /api/v1/users/{id}": { access: "admin", build: id("users") },
  "GET /api/v1/tokens": { access: "viewer" },
  "GET /api/v1/tokens/{id}": {
    access: "viewer",
    build: (w, c) => ({ path: `/api/v1/tokens/${c === "anonymous" ? 1 : w.t.users[c].tokenId}` }),
  },
  "POST /api/v1/tokens": {
    access: "viewer",
    build: (w, c) => ({ options: { body: { name: "script", userId: userIdOf(w, c) } } }),
  },
  "DELETE /api/v1/tokens/{id}": {
    access: "viewer",
    build: (w, c) => ({ path: `/api/v1/tokens/${c === "anonymous" ? 1 : w.t.users[c].tokenId}` }),
  },
  "GET /api/v1/audit": { access: "admin" },
  "GET /api/v1/audit/{id}": { access: "admin", build: id("audit") },
  "GET /health": { access: "public" },
  "GET /ready": { access: "public" },
  "GET /metrics": { access: "public" },
  "GET /api/v1/values": { access: "read" },
  "GET /api/v1/values/{tag}/history": {
    access: "read",
    build: () => ({ path: "/api/v1/values/PRESS01_VEL/history" }),
  },
  "POST /api/v1/tags/{tag}/write": {
    access: "operator",
    build: (w) => {
      w.t.store.tags.update(w.ids.tags, { writable: true });
      return { path: "/api/v1/tags/T99/write", options: { body: { value: 5 } } };
    },
  },
  "POST /api/v1/writes": {
    access: "operator",
    build: (w) => {
      w.t.store.tags.update(w.ids.tags, { writable: true });
      return { options: { body: { items: [{ tag: "T99", value: 5 }] } } };
    },
  },
  "GET /api/v1/runtime": { access: "read" },
  "GET /api/v1/runtime/groups": { access: "read" },
  "GET /api/v1/runtime/groups/{group}": {
    access: "read",
    build: () => ({ path: "/api/v1/runtime/groups/PRESS_MOTION" }),
  },
  "POST /api/v1/runtime/groups/{group}/start": {
    access: "operator",
    build: () => ({ path: "/api/v1/runtime/groups/PRESS_MOTION/start" }),
  },
  "POST /api/v1/runtime/groups/{group}/stop": {
    access: "operator",
    build: () => ({ path: "/api/v1/runtime/groups/PRESS_MOTION/stop" }),
  },
  "POST /api/v1/runtime/groups/{group}/trigger": {
    access: "operator",
    build: () => ({ path: "/api/v1/runtime/groups/REST1/trigger" }),
  },
  "POST /api/v1/runtime/start-all": { access: "operator" },
  "POST /api/v1/plcs/{plc}/operations/{operation}": {
    access: "admin",
    build: () => ({
      path: "/api/v1/plcs/PLCSPARE000099/operations/echo",
      options: { body: {} },
    }),
  },
  "POST /api/v1/runtime/stop-all": { access: "operator" },
  "GET /api/v1/runtime/writer": { access: "read" },
  "GET /api/v1/alarms": { access: "read" },
  "GET /api/v1/alarms/history": { access: "read" },
  "POST /api/v1/alarms/{id}/acknowledge": {
    access: "operator",
    build: (_w, c) => ({ path: alarmPath(`test:${c}:raised`, "acknowledge") }),
  },
  "POST /api/v1/alarms/{id}/shelve": {
    access: "operator",
    build: (_w, c) => ({
      path: alarmPath(`test:${c}:raised`, "shelve"),
      options: { body: { minutes: 30, comment: "maintenance" } },
    }),
  },
  "POST /api/v1/alarms/{id}/unshelve": {
    access: "operator",
    build: (_w, c) => ({ path: alarmPath(`test:${c}:shelved`, "unshelve") }),
  },
};
for (const resource of Object.keys(PLANT_CREATE)) {
  const base = `/api/v1/${resource}`;
  MATRIX[`GET ${base}`] = { access: "read" };
  MATRIX[`GET ${base}/{id}`] = { access: "read", build: id(resource) };
  MATRIX[`POST ${base}`] = { access: "admin", build: withBody(PLANT_CREATE[resource]) };
  MATRIX[`PATCH ${base}/{id}`] = {
    access: "admin",
    build: (w) => ({
      ...id(resource)(w, "admin"),
      options: { body: resource === "alarm-rules" ? { severity: 2 } : { name: "Renamed" } },
    }),
  };
  MATRIX[`DELETE ${base}/{id}`] = { access: "admin", build: id(resource) };
}

const CALLERS: Caller[] = ["anonymous", "viewer", "operator", "admin"];
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

function allowed(level: Access, caller: Caller, anonymousRead: boolean): boolean {
  if (level === "public") return true;
  if (level === "read" && anonymousRead) return true;
  if (caller === "anonymous") return false;
  return RANK[caller] >= RANK[level === "read" ? "viewer" : level];
}

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly success: number;
  readonly access: Access;
}

async function operations(): Promise<Operation[]> {
  const { t, plant } = await liveApp(false);
  const doc = (await t.call("GET", "/api/openapi.json")).body;
  plant.close();
  t.close();
  const ops: Operation[] = [];
  // deno-lint-ignore no-explicit-any
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      const success = Math.min(...Object.keys(op.responses).map(Number).filter((s) => s < 300));
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        success,
        access: op["x-jsscada-access"],
      });
    }
  }
  return ops;
}

Deno.test("every route in the OpenAPI document has a row in the role matrix, and the doc agrees", async () => {
  const ops = await operations();
  const missing = ops.filter((o) => !MATRIX[o.key]).map((o) => o.key);
  assert.deepEqual(missing, [], "routes without a row in MATRIX");
  const stale = Object.keys(MATRIX).filter((k) => !ops.some((o) => o.key === k));
  assert.deepEqual(stale, [], "rows for routes that no longer exist");
  for (const o of ops) assert.equal(o.access, MATRIX[o.key].access, `x-jsscada-access of ${o.key}`);
});

for (const anonymousRead of [false, true]) {
  Deno.test(`role matrix over every route (anonymous read ${anonymousRead ? "on" : "off"})`, async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const op of await operations()) {
      const row = MATRIX[op.key];
      if (!row) continue;
      const w = await world(anonymousRead);
      try {
        // Lowest role first: refused calls change nothing, so each allowed one finds its record.
        for (const caller of CALLERS) {
          const built = row.build?.(w, caller) ?? {};
          const path = built.path ?? op.path;
          const answer = await w.t.call(op.method.toUpperCase(), path, {
            ...built.options,
            as: caller,
          });
          const expected = allowed(row.access, caller, anonymousRead)
            ? op.success
            : caller === "anonymous"
            ? 401
            : 403;
          checked++;
          if (answer.status !== expected) {
            failures.push(
              `${op.key} as ${caller}: ${answer.status}, expected ${expected} ${
                JSON.stringify(answer.body)
              }`,
            );
          }
        }
      } finally {
        await w.close();
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked >= 4 * 48, `checked ${checked} calls`);
  });
}
