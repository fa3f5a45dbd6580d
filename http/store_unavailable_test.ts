import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { capStoreSize, clearWriteFaults, makeStoreReadOnly } from "../store/write_faults.ts";
import { OPENAPI_PATH } from "./openapi.ts";
import { type Answer, TEST_PASSWORD, testApp } from "./testing.ts";

/** Collects the error records of `jsscada.http` while `fn` runs. */
async function capturingErrors(fn: () => Promise<void>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => void records.push(r) },
    loggers: [
      { category: ["jsscada", "http"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  try {
    await fn();
  } finally {
    await reset();
  }
  return records.filter((r) => r.level === "error" || r.level === "fatal");
}

function assertStoreUnavailable(answer: Answer, message: RegExp): void {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.equal(answer.body.error, "store_unavailable");
  assert.match(answer.body.message, message);
  assert.match(answer.body.message, /free disk space/);
  assert.equal(answer.headers.get("Retry-After"), "30");
}

Deno.test("a CRUD POST on a full configuration database answers 503 saying so, never 500, and logs it once", async () => {
  using t = await testApp();
  capStoreSize(t.store);
  const statuses: number[] = [];
  let refused: Answer | undefined;
  const errors = await capturingErrors(async () => {
    for (let i = 0; i < 500 && !refused; i++) {
      const answer = await t.call("POST", "/api/v1/lines", {
        body: { code: `FULL${i}`, name: `Line ${i} ${"x".repeat(150)}` },
      });
      statuses.push(answer.status);
      if (answer.status !== 201) refused = answer;
    }
  });
  assert.ok(refused, "500 lines fit under the cap");
  assert.ok(!statuses.includes(500));
  assertStoreUnavailable(refused, /^the configuration database cannot write: the disk is full/);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].properties.path, "/api/v1/lines");
  assert.match(String(errors[0].properties.message), /database or disk is full/);
  // Reads still answer; once space is free the same write succeeds.
  assert.equal((await t.call("GET", "/api/v1/lines?limit=1", { as: "viewer" })).status, 200);
  clearWriteFaults(t.store);
  assert.equal(
    (await t.call("POST", "/api/v1/lines", { body: { code: "AFTER", name: "after" } })).status,
    201,
  );
});

Deno.test("PATCH and DELETE on a read-only configuration database answer 503 naming the cause", async () => {
  using t = await testApp();
  const line = (await t.call("POST", "/api/v1/lines", { body: { code: "RO", name: "ro" } })).body;
  makeStoreReadOnly(t.store);
  assertStoreUnavailable(
    await t.call("PATCH", `/api/v1/lines/${line.id}`, { body: { name: "renamed" } }),
    /read-only/,
  );
  assertStoreUnavailable(await t.call("DELETE", `/api/v1/lines/${line.id}`), /read-only/);
  // Token-authenticated reads keep working (the token's last-use time cannot be saved).
  t.clock.advance(120_000);
  assert.equal((await t.call("GET", `/api/v1/lines/${line.id}`, { as: "viewer" })).body.name, "ro");
});

Deno.test("login answers 503 saying the session could not be saved when the database cannot write", async () => {
  using t = await testApp();
  makeStoreReadOnly(t.store);
  let answer: Answer | undefined;
  const errors = await capturingErrors(async () => {
    answer = await t.call("POST", "/api/v1/auth/login", {
      as: "anonymous",
      body: { name: "operator1", password: TEST_PASSWORD },
    });
  });
  assertStoreUnavailable(answer!, /login session could not be saved: .*read-only/);
  assert.equal(answer!.headers.get("Set-Cookie"), null);
  assert.equal(errors.length, 1);
  clearWriteFaults(t.store);
  const ok = await t.call("POST", "/api/v1/auth/login", {
    as: "anonymous",
    body: { name: "operator1", password: TEST_PASSWORD },
  });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get("Set-Cookie") ?? "", /HttpOnly/);
});

Deno.test("login on a full disk answers 503 (never 500) and leaves no session without its audit entry", async () => {
  using t = await testApp({ options: { loginRateLimit: false } });
  capStoreSize(t.store);
  let refused: Answer | undefined;
  let logins = 0;
  for (let i = 0; i < 300 && !refused; i++) {
    const answer = await t.call("POST", "/api/v1/auth/login", {
      as: "anonymous",
      body: { name: "viewer1", password: TEST_PASSWORD },
    });
    if (answer.status === 200) logins++;
    else refused = answer;
  }
  assert.ok(refused, "300 logins fit under the cap");
  assertStoreUnavailable(refused, /login session could not be saved: .*disk is full/);
  assert.equal(t.store.audit.list({ action: "login", limit: 1 }).total, logins);
});

Deno.test("a wrong password on a read-only database still says why the attempt could not be audited", async () => {
  using t = await testApp();
  makeStoreReadOnly(t.store);
  const answer = await t.call("POST", "/api/v1/auth/login", {
    as: "anonymous",
    body: { name: "operator1", password: "not the password" },
  });
  assertStoreUnavailable(answer, /^wrong user name or password, and the failed login could not/);
});

Deno.test("the OpenAPI document lists 503 for configuration changes and login", async () => {
  using t = await testApp();
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  for (
    const [path, method] of [
      ["/api/v1/lines", "post"],
      ["/api/v1/tags/{id}", "patch"],
      ["/api/v1/plcs/{id}", "delete"],
      ["/api/v1/auth/login", "post"],
    ]
  ) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path}`);
    assert.match(op.responses["503"]?.description ?? "", /cannot write/, `${method} ${path}`);
  }
});

Deno.test("a CSV import on a full configuration database answers 503 and writes nothing", async () => {
  using t = await testApp();
  const before = t.store.lines.list({ limit: 1 }).total;
  const rows = Array.from({ length: 300 }, (_, i) => `IMP${i},Line ${i} ${"y".repeat(150)}`);
  capStoreSize(t.store);
  const answer = await t.call("POST", "/api/v1/import/lines", {
    body: ["code,name", ...rows].join("\n"),
    headers: { "Content-Type": "text/csv" },
  });
  assertStoreUnavailable(answer, /disk is full/);
  assert.equal(t.store.lines.list({ limit: 1 }).total, before);
});
