/**
 * Console hygiene: what an operator sees on a normal start is JSScada's own
 * lines, not Deno's warnings — no "Ignored build scripts" box when the npm
 * packages are fetched into an empty cache (oracledb's install script is
 * denied on purpose: thin mode needs no native build), and no Deno.serve
 * "legacy behavior" warning when a request's signal is looked at (a body
 * without Content-Type makes zod-openapi clone the request).
 */
import assert from "node:assert/strict";
import { REPO_ROOT, ServeProcess } from "./testing.ts";

const WARNINGS = /Ignored build scripts|legacy behavior|Warning|warning:/;

Deno.test("a first run with an empty Deno cache prints no warning box", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "jsscada_deno_dir_" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "help"],
      cwd: REPO_ROOT,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    const stderr = text.decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.match(text.decode(out.stdout), /usage: jsscada/);
    assert.ok(/Download/.test(stderr), "the cache was empty: packages were fetched");
    assert.doesNotMatch(stderr, WARNINGS);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("a normal start and requests without Content-Type print no Deno warning", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada_e2e_console_" });
  const serve = new ServeProcess([
    "--demo",
    "--fixture-ports",
    "any",
    "--port",
    "0",
    "--data-dir",
    dataDir,
  ]);
  try {
    const url = (await serve.waitForOutput(/JSScada is serving (\S+)/, 60_000))[1];
    for (const path of ["/api/v1/auth/login", "/api/v1/tags"]) {
      const r = await fetch(`${url}${path}`, { method: "POST", body: new Uint8Array([120]) });
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
      await r.body?.cancel();
    }
    for (const path of ["/health", "/ready", "/login"]) {
      const r = await fetch(`${url}${path}`);
      assert.equal(r.status, 200, path);
      await r.body?.cancel();
    }
  } finally {
    await serve.stop("SIGTERM");
    await Deno.remove(dataDir, { recursive: true });
  }
  assert.doesNotMatch(serve.output, WARNINGS, serve.output);
});
