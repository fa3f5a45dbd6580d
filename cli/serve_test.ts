import assert from "node:assert/strict";
import { UNSHOWN_PASSWORD } from "./serve.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** `jsscada serve` in a child process, with JSSCADA_* variables cleared. */
function serve(dataDir: string, port: number) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("JSSCADA_")) env[k] = v;
  }
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "--data-dir", dataDir, "--port", String(port), "--quiet"],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("a busy port does not show the first admin password; the message points to reset-password", async () => {
  const dir = await Deno.makeTempDir();
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const out = await serve(dir, busy.addr.port).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(stderr, /could not listen/);
    assert.ok(stderr.includes(UNSHOWN_PASSWORD), stderr);
    assert.doesNotMatch(stdout + stderr, /with password/);
  } finally {
    busy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the first admin password is printed after the server listens", async () => {
  const dir = await Deno.makeTempDir();
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = serve(dir, port);
  const lines: string[] = [];
  // A start that hangs fails the test instead of holding the suite.
  const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/with password \S+/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    lines.push(...text.split("\n"));
    child.kill("SIGTERM");
    while (!(await reader.read()).done) { /* drain */ }
    const serving = lines.findIndex((l) => l.startsWith("JSScada is serving"));
    const password = lines.findIndex((l) => /created user "admin" with password \S+/.test(l));
    assert.ok(serving >= 0 && password > serving, lines.join("\n"));
  } finally {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch { /* it has exited */ }
    await child.stderr.cancel();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
