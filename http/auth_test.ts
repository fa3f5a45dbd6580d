import assert from "node:assert/strict";
import { LoopLagProbe } from "../observability/loop_lag.ts";
import { PASSWORD_HASHING } from "../store/hash_lane.ts";
import { CSRF_HEADER, CSRF_VALUE, SESSION_COOKIE } from "./auth_middleware.ts";
import { type Answer, parse, TEST_PASSWORD, type TestApp, testApp } from "./testing.ts";

const JSON_TYPE = { "Content-Type": "application/json" };

function peer(address: string) {
  return { remoteAddr: { hostname: address, port: 40000, transport: "tcp" } };
}

/** POST /auth/login from `address`; the answer and the session cookie it set. */
async function login(
  t: TestApp,
  name: string,
  password: string,
  address = "10.0.0.5",
  headers = {},
) {
  const res = await t.app.request(
    "/api/v1/auth/login",
    {
      method: "POST",
      headers: { ...JSON_TYPE, ...headers },
      body: JSON.stringify({ name, password }),
    },
    peer(address),
  );
  const setCookie = res.headers.get("Set-Cookie") ?? "";
  const cookie = setCookie.split(";")[0];
  return {
    status: res.status,
    headers: res.headers,
    body: await parse(res) as Answer["body"],
    setCookie,
    cookie,
  };
}

async function withCookie(
  t: TestApp,
  method: string,
  path: string,
  cookie: string,
  init: RequestInit = {},
) {
  const res = await t.app.request(path, {
    ...init,
    method,
    headers: { Cookie: cookie, ...init.headers as Record<string, string> },
  });
  return { status: res.status, headers: res.headers, body: await parse(res) as Answer["body"] };
}

Deno.test("login sets an HttpOnly, SameSite=Strict session cookie and returns the user without hash", async () => {
  using t = await testApp();
  const answer = await login(t, "operator1", TEST_PASSWORD);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, {
    user: t.users.operator.user,
    via: "session",
    expiresAt: "2024-05-01T16:00:00.000Z",
  });
  assert.ok(!JSON.stringify(answer.body).includes("scrypt"));
  assert.match(
    answer.setCookie,
    new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict$`),
  );
  const me = await withCookie(t, "GET", "/api/v1/auth/me", answer.cookie);
  assert.equal(me.status, 200);
  assert.equal(me.body.user.name, "operator1");
  assert.equal(me.body.via, "session");
});

Deno.test("secureCookies marks the cookie Secure and sends HSTS", async () => {
  using t = await testApp({ options: { secureCookies: true } });
  const answer = await login(t, "viewer1", TEST_PASSWORD);
  assert.match(answer.setCookie, /; Secure/);
  assert.equal(answer.headers.get("Strict-Transport-Security"), "max-age=15552000");
  using plain = await testApp();
  const insecure = await login(plain, "viewer1", TEST_PASSWORD);
  assert.doesNotMatch(insecure.setCookie, /Secure/);
  assert.equal(insecure.headers.get("Strict-Transport-Security"), null);
});

Deno.test("wrong credentials answer 401 and are audited without the password", async () => {
  using t = await testApp();
  const wrong = await login(t, "admin1", "not the password");
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.message, "wrong user name or password");
  assert.equal(wrong.setCookie, "");
  const nobody = await login(t, "ghost", TEST_PASSWORD);
  assert.equal(nobody.status, 401);
  assert.equal(nobody.body.message, "wrong user name or password");
  const audit = await t.call("GET", "/api/v1/audit?action=login_failed&order=asc");
  assert.deepEqual(audit.body.items.map((e: { after: unknown }) => e.after), [
    { name: "admin1", address: "10.0.0.5" },
    { name: "ghost", address: "10.0.0.5" },
  ]);
  assert.ok(!JSON.stringify(audit.body).includes("not the password"));
  const invalid = await t.call("POST", "/api/v1/auth/login", {
    as: "anonymous",
    body: { name: "" },
  });
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.body.issues, [
    { path: "name", message: "must not be empty" },
    { path: "password", message: "is required" },
  ]);
});

Deno.test("a cookie-authenticated change needs the X-Requested-With header", async () => {
  using t = await testApp();
  const { cookie } = await login(t, "admin1", TEST_PASSWORD);
  const body = JSON.stringify({ code: "LINE02", name: "Paint line" });
  const forged = await withCookie(t, "POST", "/api/v1/lines", cookie, { body, headers: JSON_TYPE });
  assert.equal(forged.status, 403);
  assert.equal(forged.body.error, "csrf");
  // What an HTML form on another site on the same host could send: multipart CSV.
  const data = new FormData();
  data.append("file", new File(["code,name\nEVIL,Evil\n"], "lines.csv"));
  const formPost = await withCookie(t, "POST", "/api/v1/import/lines?mode=replace", cookie, {
    body: data,
  });
  assert.equal(formPost.status, 403);
  assert.equal((await t.call("GET", "/api/v1/lines")).body.total, 1);

  const ok = await withCookie(t, "POST", "/api/v1/lines", cookie, {
    body,
    headers: { ...JSON_TYPE, [CSRF_HEADER]: CSRF_VALUE },
  });
  assert.equal(ok.status, 201);
  const audit = await t.call("GET", "/api/v1/audit?resource=lines&action=create");
  assert.equal(audit.body.items[0].user, "admin1");
  // Reads need no header.
  assert.equal((await withCookie(t, "GET", "/api/v1/lines", cookie)).status, 200);
});

Deno.test("logout ends the session and clears the cookie; login and logout are audited", async () => {
  using t = await testApp();
  const { cookie } = await login(t, "viewer1", TEST_PASSWORD);
  const noHeader = await withCookie(t, "POST", "/api/v1/auth/logout", cookie);
  assert.equal(noHeader.status, 403);
  const out = await withCookie(t, "POST", "/api/v1/auth/logout", cookie, {
    headers: { [CSRF_HEADER]: CSRF_VALUE },
  });
  assert.equal(out.status, 204);
  assert.match(
    out.headers.get("Set-Cookie")!,
    new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`),
  );
  assert.equal((await withCookie(t, "GET", "/api/v1/auth/me", cookie)).status, 401);
  assert.equal((await withCookie(t, "GET", "/api/v1/lines", cookie)).status, 401);
  const audit = await t.call("GET", "/api/v1/audit?resource=sessions&order=asc");
  assert.deepEqual(
    audit.body.items.map((e: { user: string; action: string }) => [e.user, e.action]),
    [
      ["viewer1", "login"],
      ["viewer1", "logout"],
    ],
  );
  // Logging out without a session is harmless.
  assert.equal((await t.call("POST", "/api/v1/auth/logout", { as: "anonymous" })).status, 204);
});

Deno.test("a session expires after its time to live", async () => {
  using t = await testApp();
  const { cookie } = await login(t, "viewer1", TEST_PASSWORD);
  t.clock.advance(8 * 3600_000 - 1);
  assert.equal((await withCookie(t, "GET", "/api/v1/lines", cookie)).status, 200);
  t.clock.advance(1);
  const expired = await withCookie(t, "GET", "/api/v1/lines", cookie);
  assert.equal(expired.status, 401);
  assert.equal(expired.headers.get("WWW-Authenticate"), 'Bearer realm="jsscada"');
});

Deno.test("a bearer token authenticates until it is deleted", async () => {
  using t = await testApp();
  const created = await t.call("POST", "/api/v1/tokens", {
    as: "operator",
    body: { name: "historian export", userId: t.users.operator.user.id },
  });
  assert.equal(created.status, 201);
  const token = created.body.token as string;
  assert.match(token, /^jss_/);
  const bearer = { Authorization: `Bearer ${token}` };
  const me = await t.app.request("/api/v1/auth/me", { headers: bearer });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).via, "token");
  // Token requests need no CSRF header.
  const write = await t.app.request("/api/v1/auth/logout", { method: "POST", headers: bearer });
  assert.equal(write.status, 204);
  assert.equal(
    (await t.call("DELETE", `/api/v1/tokens/${created.body.id}`, { as: "operator" })).status,
    204,
  );
  const revoked = await t.app.request("/api/v1/lines", { headers: bearer });
  assert.equal(revoked.status, 401);
  assert.equal((await revoked.json()).message, "the API token is unknown, revoked or expired");
  for (const header of ["Basic YWRtaW46eA==", "Bearer", `Bearer ${token} extra`, "jss_abc"]) {
    const res = await t.app.request("/api/v1/lines", { headers: { Authorization: header } });
    assert.equal(res.status, 401, header);
    await res.body?.cancel();
  }
});

Deno.test("failed logins are limited per user name and address: 429 with Retry-After", async () => {
  using t = await testApp();
  for (let i = 0; i < 5; i++) {
    assert.equal((await login(t, "admin1", "guess " + i, "10.0.1.1")).status, 401);
  }
  const blocked = await login(t, "ADMIN1", TEST_PASSWORD, "10.0.1.1");
  assert.equal(blocked.status, 429);
  assert.equal(blocked.headers.get("Retry-After"), "300");
  assert.equal(blocked.body.error, "too_many_requests");
  // Other users from that address, and that user from another address, are not affected.
  assert.equal((await login(t, "viewer1", TEST_PASSWORD, "10.0.1.1")).status, 200);
  assert.equal((await login(t, "admin1", TEST_PASSWORD, "10.0.1.2")).status, 200);
  t.clock.advance(5 * 60_000);
  assert.equal((await login(t, "admin1", TEST_PASSWORD, "10.0.1.1")).status, 200);
});

Deno.test("30 parallel logins, the right password as the 25th: none beyond the limit of 5 succeeds", async () => {
  using t = await testApp();
  const answers = await Promise.all(
    Array.from(
      { length: 30 },
      (_, i) => login(t, "admin1", i === 24 ? TEST_PASSWORD : `guess ${i}`, "10.0.1.7"),
    ),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(","));
  assert.equal(statuses.filter((s) => s === 429).length, 25, statuses.join(","));
  assert.equal(statuses[24], 429);
});

Deno.test("failed logins are limited per client address over all user names", async () => {
  using t = await testApp();
  for (let i = 0; i < 19; i++) {
    assert.equal((await login(t, `user${i}`, "x", "10.0.2.1")).status, 401);
  }
  // A success takes its own attempt back, so it does not use up the budget.
  assert.equal((await login(t, "viewer1", TEST_PASSWORD, "10.0.2.1")).status, 200);
  assert.equal((await login(t, "other", "x", "10.0.2.1")).status, 401);
  const blocked = await login(t, "viewer1", TEST_PASSWORD, "10.0.2.1");
  assert.equal(blocked.status, 429);
  assert.match(blocked.body.message, /from this address/);
  assert.equal((await login(t, "viewer1", TEST_PASSWORD, "10.0.2.2")).status, 200);
});

Deno.test("an attack on the admin from many addresses slows the name down but cannot lock the admin out", async () => {
  using t = await testApp();
  // The real admin logged in from the control room before.
  assert.equal((await login(t, "admin1", TEST_PASSWORD, "10.9.0.1")).status, 200);
  for (let i = 0; i < 40; i++) {
    await login(t, "admin1", `guess ${i}`, `192.0.2.${i}`);
  }
  // Attackers' addresses now get one try per 30 s for that name.
  assert.equal((await login(t, "admin1", "again", "192.0.2.1")).status, 401);
  const slowed = await login(t, "admin1", "again", "192.0.2.1");
  assert.equal(slowed.status, 429);
  assert.equal(slowed.headers.get("Retry-After"), "30");
  // The admin's known address is exempt; a new address of the admin still gets its own slot.
  assert.equal((await login(t, "admin1", TEST_PASSWORD, "10.9.0.1")).status, 200);
  assert.equal((await login(t, "admin1", TEST_PASSWORD, "10.9.0.2")).status, 200);
});

Deno.test("X-Forwarded-For counts only with trustProxy", async () => {
  using direct = await testApp();
  for (let i = 0; i < 20; i++) {
    await login(direct, `u${i}`, "x", "10.0.3.1", { "X-Forwarded-For": `192.168.0.${i}` });
  }
  assert.equal((await login(direct, "viewer1", TEST_PASSWORD, "10.0.3.1")).status, 429);

  using proxied = await testApp({ options: { trustProxy: true } });
  for (let i = 0; i < 20; i++) {
    await login(proxied, `u${i}`, "x", "10.0.3.1", {
      "X-Forwarded-For": `1.2.3.4, 192.168.0.${i}`,
    });
  }
  assert.equal(
    (await login(proxied, "viewer1", TEST_PASSWORD, "10.0.3.1", {
      "X-Forwarded-For": "192.168.0.9",
    })).status,
    200,
  );
  const audit = await proxied.call("GET", "/api/v1/audit?action=login");
  assert.equal(audit.body.items[0].after.address, "192.168.0.9");
});

Deno.test("GET /auth/me answers 401 to anonymous callers, even with anonymous read", async () => {
  using t = await testApp({ options: { anonymousRead: true } });
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: "anonymous" })).status, 401);
  assert.equal((await t.call("GET", "/api/v1/lines", { as: "anonymous" })).status, 200);
});

Deno.test("50 parallel wrong-password logins from 50 addresses: every check runs in the one hashing lane", async () => {
  using t = await testApp();
  const probe = new LoopLagProbe().start();
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => login(t, "admin1", `guess ${i}`, `10.0.50.${i}`)),
  );
  const lag = probe.stop();
  assert.ok(answers.every((a) => a.status === 401), answers.map((a) => a.status).join(","));
  assert.equal(PASSWORD_HASHING.peak, 1, "never two scrypt calls at once");
  console.log(`50 parallel wrong logins: longest event-loop gap ${lag.maxGapMs.toFixed(1)} ms`);
});
