import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ALARM_ACTIONS, ALARM_STATES } from "../alarms/state.ts";
import { QUALITIES } from "../model/sample.ts";
import { TEST_PASSWORD, testApp } from "./testing.ts";
import { UI_ASSETS, UI_PAGES, uiRoutes } from "./ui_routes.ts";

const UI_DIR = fileURLToPath(new URL("../ui/", import.meta.url));

/** The app with the UI routes, as the server builds it. */
function uiApp(options: { anonymousRead?: boolean } = {}) {
  return testApp({ rootRoutes: [uiRoutes], options });
}

/** A session cookie of the admin test user (POST /auth/login). */
async function sessionCookie(app: Awaited<ReturnType<typeof uiApp>>["app"]): Promise<string> {
  const res = await app.request("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "admin1", password: TEST_PASSWORD }),
  });
  await res.body?.cancel();
  assert.equal(res.status, 200);
  const cookie = res.headers.get("Set-Cookie")!;
  return cookie.split(";")[0];
}

/** Every file below ui/, as a path relative to it. */
async function uiFiles(dir = UI_DIR): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await uiFiles(path));
    // Tests beside the UI modules (x_test.ts) are not served.
    else if (!entry.name.endsWith("_test.ts")) {
      out.push(relative(UI_DIR, path).replaceAll("\\", "/"));
    }
  }
  return out.sort();
}

/** The start tags of an HTML document: name and attributes (lower-case names). */
function startTags(html: string): { name: string; attrs: Map<string, string> }[] {
  const tags = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, "");
  for (
    const m of withoutComments.matchAll(
      /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g,
    )
  ) {
    const attrs = new Map<string, string>();
    for (
      const a of m[2].matchAll(/([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)
    ) {
      attrs.set(a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? "");
    }
    tags.push({ name: m[1].toLowerCase(), attrs });
  }
  return tags;
}

Deno.test("/ sends the browser to the monitor", async () => {
  using t = await uiApp();
  const res = await t.app.request("/");
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "/monitor");
});

Deno.test("every page is HTML with the strict CSP, an ETag and no-cache", async () => {
  using t = await uiApp();
  const cookie = await sessionCookie(t.app);
  for (const path of UI_PAGES.keys()) {
    const res = await t.app.request(path, { headers: { Cookie: cookie } });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8", path);
    assert.match(res.headers.get("Content-Security-Policy")!, /default-src 'self'/, path);
    assert.doesNotMatch(res.headers.get("Content-Security-Policy")!, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get("Cache-Control"), "no-cache", path);
    assert.match(res.headers.get("ETag")!, /^"[\w-]{22}"$/, path);
    assert.match(await res.text(), /^<!doctype html>/i, path);
  }
});

Deno.test("monitor and admin without a session redirect to the login page and back", async () => {
  using t = await uiApp();
  for (const path of ["/monitor", "/admin"]) {
    const res = await t.app.request(`${path}?x=1`);
    assert.equal(res.status, 302, path);
    assert.equal(res.headers.get("Location"), `/login?next=${encodeURIComponent(`${path}?x=1`)}`);
  }
  const stale = await t.app.request("/monitor", { headers: { Cookie: "jsscada_session=nope" } });
  assert.equal(stale.status, 302, "an unknown session is no session");
  const login = await t.app.request("/login");
  assert.equal(login.status, 200);
  await login.body?.cancel();
});

Deno.test("with anonymous read on, the pages are served without a session", async () => {
  using t = await uiApp({ anonymousRead: true });
  const res = await t.app.request("/monitor");
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("every asset is served with its content type and revalidates with 304", async () => {
  using t = await uiApp();
  const types: Record<string, RegExp> = {
    js: /^text\/javascript; charset=utf-8$/,
    css: /^text\/css; charset=utf-8$/,
    svg: /^image\/svg\+xml$/,
  };
  for (const [path, asset] of UI_ASSETS) {
    const res = await t.app.request(path);
    assert.equal(res.status, 200, path);
    const ext = path.split(".").pop()!;
    assert.match(res.headers.get("Content-Type")!, types[ext], path);
    assert.equal(await res.text(), asset.body, path);
    const etag = res.headers.get("ETag")!;
    const again = await t.app.request(path, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304, path);
    assert.equal(again.headers.get("ETag"), etag);
    assert.equal(await again.text(), "");
  }
});

Deno.test("uPlot is served from the npm package, script and stylesheet", async () => {
  using t = await uiApp();
  const js = await (await t.app.request("/ui/vendor/uplot.js")).text();
  assert.match(js, /uPlot/);
  assert.ok(js.length > 20_000, "the minified library, not a stub");
  const css = await (await t.app.request("/ui/vendor/uplot.css")).text();
  assert.match(css, /\.uplot/);
});

Deno.test("an unknown /ui/ file is the app's JSON 404, not a page", async () => {
  using t = await uiApp();
  const res = await t.app.request("/ui/js/nope.js");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error, "not_found");
});

Deno.test("every file under ui/ is served, and every served file exists under ui/", async () => {
  const files = await uiFiles();
  const served = [...UI_ASSETS.keys()].filter((p) => !p.startsWith("/ui/vendor/"))
    .map((p) => p.slice("/ui/".length));
  const pages = [...UI_PAGES.keys()].map((p) => `${p.slice(1)}.html`);
  assert.deepEqual(files, [...served, ...pages].sort());
});

Deno.test("the pages have no inline script, style, style attribute or event handler", () => {
  for (const [path, page] of UI_PAGES) {
    const html = page.body;
    assert.doesNotMatch(html, /<style[\s>]/i, `${path}: <style>`);
    assert.doesNotMatch(html, /javascript:/i, `${path}: javascript: URL`);
    const tags = startTags(html);
    assert.ok(tags.length > 10, `${path} parsed`);
    for (const { name, attrs } of tags) {
      for (const attr of attrs.keys()) {
        assert.notEqual(attr, "style", `${path}: <${name} style>`);
        assert.ok(!attr.startsWith("on"), `${path}: <${name} ${attr}>`);
      }
      if (name === "script") assert.ok(attrs.get("src"), `${path}: inline <script>`);
    }
    // Script bodies: every <script> element is empty.
    for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
      assert.equal(m[1].trim(), "", `${path}: inline script text`);
    }
  }
});

Deno.test("everything a page links to is served, and from this origin", () => {
  for (const [path, page] of UI_PAGES) {
    for (const { name, attrs } of startTags(page.body)) {
      const url = name === "script" ? attrs.get("src") : name === "link" ? attrs.get("href") : null;
      if (!url) continue;
      assert.ok(url.startsWith("/ui/"), `${path}: ${url} is not this server's`);
      assert.ok(UI_ASSETS.has(url), `${path}: ${url} is not served`);
    }
  }
});

Deno.test("every page has a lang, unique ids and a label for each field", () => {
  for (const [path, page] of UI_PAGES) {
    const html = page.body;
    const tags = startTags(html);
    const ids = tags.map((t) => t.attrs.get("id")).filter((id): id is string => !!id);
    assert.equal(new Set(ids).size, ids.length, `${path}: duplicate ids`);
    assert.ok(tags.find((t) => t.name === "html")?.attrs.get("lang"), `${path}: <html lang>`);
    const labelFor = new Set(tags.filter((t) => t.name === "label").map((t) => t.attrs.get("for")));
    const labelSpans = [...html.matchAll(/<label\b[\s\S]*?<\/label>/g)]
      .map((m) => [m.index, m.index + m[0].length]);
    for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
      const [field] = startTags(m[0]);
      const id = field.attrs.get("id");
      const labelled = (id !== undefined && labelFor.has(id)) ||
        field.attrs.has("aria-label") ||
        labelSpans.some(([from, to]) => m.index > from && m.index < to);
      assert.ok(labelled, `${path}: ${m[0]} has no label`);
    }
  }
});

Deno.test("the scripts never turn text into code or markup", () => {
  const forbidden = [
    /\beval\s*\(/,
    /new\s+Function\b/,
    /\binnerHTML\b/,
    /\bouterHTML\b/,
    /insertAdjacentHTML/,
    /document\.write/,
    /setAttribute\(\s*["']style["']/,
    /setAttribute\(\s*["']on/,
    /setTimeout\(\s*["'`]/,
    /setInterval\(\s*["'`]/,
  ];
  for (const [path, asset] of UI_ASSETS) {
    if (!path.endsWith(".js") || path.startsWith("/ui/vendor/")) continue;
    for (const pattern of forbidden) {
      assert.doesNotMatch(asset.body, pattern, `${path}: ${pattern}`);
    }
  }
});

Deno.test("every module a script imports is served", () => {
  for (const [path, asset] of UI_ASSETS) {
    if (!path.endsWith(".js") || path.startsWith("/ui/vendor/")) continue;
    const specifiers = [...asset.body.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)]
      .map((m) => m[1]);
    for (const spec of specifiers) {
      assert.ok(
        spec.startsWith("./") || spec.startsWith("../"),
        `${path}: ${spec} is not relative`,
      );
      const target = new URL(spec, `http://x${path}`).pathname;
      assert.ok(UI_ASSETS.has(target), `${path} imports ${spec}, which is not served`);
    }
  }
});

/** A dictionary module's table. */
async function dictionary(lang: string): Promise<Record<string, string>> {
  return (await import(`../ui/i18n/${lang}.js`)).default;
}

Deno.test("the English and Korean dictionaries have the same keys and placeholders", async () => {
  const en = await dictionary("en");
  const ko = await dictionary("ko");
  const enKeys = Object.keys(en).sort();
  const koKeys = Object.keys(ko).sort();
  assert.deepEqual(koKeys.filter((k) => !(k in en)), [], "keys only in ko");
  assert.deepEqual(enKeys.filter((k) => !(k in ko)), [], "keys missing in ko");
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of enKeys) {
    assert.equal(typeof en[key], "string", key);
    assert.ok(en[key].trim() && ko[key].trim(), `${key} is empty`);
    assert.deepEqual(placeholders(ko[key]), placeholders(en[key]), `${key}: placeholders differ`);
  }
});

Deno.test("every dictionary key the pages and scripts name exists", async () => {
  const en = await dictionary("en");
  const namespaces = new Set(Object.keys(en).map((k) => k.split(".")[0]));
  const missing = new Set<string>();
  const check = (key: string, where: string) => {
    if (!(key in en)) missing.add(`${key} (${where})`);
  };
  for (const [path, page] of UI_PAGES) {
    for (const m of page.body.matchAll(/data-i18n="([^"]+)"/g)) check(m[1], path);
    for (const m of page.body.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(";")) check(pair.split(":")[1], path);
    }
  }
  for (const [path, asset] of UI_ASSETS) {
    if (!path.startsWith("/ui/js/")) continue;
    for (const m of asset.body.matchAll(/["']([a-z][a-z0-9]*(?:\.[A-Za-z0-9-]+)+)["']/g)) {
      const key = m[1];
      if (!namespaces.has(key.split(".")[0]) || /\.(js|css|csv|html)$/.test(key)) continue;
      check(key, path);
    }
  }
  // Keys built from the server's vocabularies.
  for (const q of QUALITIES) check(`quality.${q}`, "QUALITIES");
  for (const s of ALARM_STATES) check(`alarm.state.${s}`, "ALARM_STATES");
  for (const a of ALARM_ACTIONS) check(`alarm.action.${a}`, "ALARM_ACTIONS");
  for (const s of ["disconnected", "connecting", "connected", "degraded", "failed"]) {
    check(`plc.state.${s}`, "PlcState");
  }
  for (const s of ["stopped", "waiting", "reading", "idle", "misconfigured", "handshake"]) {
    check(`group.state.${s}`, "GroupStatus.state");
  }
  for (const r of ["viewer", "operator", "admin"]) check(`role.${r}`, "ROLES");
  assert.deepEqual([...missing], []);
});

Deno.test("the trend aligns several series on one time axis", async () => {
  const { join: joinSeries } = await import("../ui/js/trend.js");
  const data = joinSeries([
    { xs: [1, 3], ys: [10, 30] },
    { xs: [2, 3], ys: [null, 33] },
  ]);
  assert.deepEqual(data, [[1, 2, 3], [10, undefined, 30], [undefined, null, 33]]);
});
