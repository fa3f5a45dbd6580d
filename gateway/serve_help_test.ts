/**
 * `serve --help` promises every setting: each flag that `readServeSettings`
 * parses and each JSSCADA_* variable the program reads. These tests read the
 * source rather than a list, so a flag or variable added later without a
 * line in the help text fails here.
 */
import assert from "node:assert/strict";
import { SERVE_USAGE } from "./settings.ts";

const ROOT = new URL("../", import.meta.url);

/**
 * Program files: .ts outside tests, test helpers, benchmarks, e2e and tools.
 * Other commands' own files (cli/*.ts but serve.ts) are left out: their
 * variables belong to their own --help, not to serve's.
 */
function programFiles(dir: URL = ROOT, rel = ""): string[] {
  const skipDirs = new Set([".tools", ".git", "bench", "e2e", "dist", "data", "node_modules"]);
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = rel + entry.name;
    if (entry.isDirectory) {
      if (!skipDirs.has(entry.name) && !entry.name.startsWith(".")) {
        out.push(...programFiles(new URL(`${entry.name}/`, dir), `${path}/`));
      }
    } else if (
      entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts") &&
      !entry.name.startsWith("testing") && !(rel === "cli/" && entry.name !== "serve.ts")
    ) {
      out.push(path);
    }
  }
  return out.sort();
}

/** Every JSSCADA_* name the program reads, with the first file that reads it. */
function variablesRead(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of programFiles()) {
    const text = Deno.readTextFileSync(new URL(file, ROOT));
    for (const [name] of text.matchAll(/\bJSSCADA_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!found.has(name)) found.set(name, file);
    }
  }
  return found;
}

/** The long option names in readServeSettings' parseArgs table (settings.ts source). */
function flagsParsed(): string[] {
  const text = Deno.readTextFileSync(new URL("gateway/settings.ts", ROOT));
  const table = text.match(/parseArgs\(\{[\s\S]*?options:\s*\{([\s\S]*?)\n\s*\},\n/);
  assert.ok(table, "settings.ts: no parseArgs options table found");
  const flags = [...table[1].matchAll(/^\s*"?([a-z][a-z0-9-]*)"?\s*:\s*\{\s*type:/gm)]
    .map((m) => m[1]);
  assert.ok(flags.length >= 10, `settings.ts: only ${flags.length} options found`);
  return flags;
}

Deno.test("serve --help names every JSSCADA_* variable the program reads", () => {
  const vars = variablesRead();
  assert.ok(vars.has("JSSCADA_DATA_DIR") && vars.has("JSSCADA_ADMIN_PASSWORD"), "scan works");
  const missing = [...vars].filter(([name]) => !new RegExp(`\\b${name}\\b`).test(SERVE_USAGE))
    .map(([name, file]) => `${name} (read in ${file})`);
  assert.deepEqual(missing, [], "variables missing from SERVE_USAGE in gateway/settings.ts");
});

Deno.test("serve --help names no JSSCADA_* variable that the program does not read", () => {
  const vars = variablesRead();
  const named = [...SERVE_USAGE.matchAll(/\bJSSCADA_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]);
  assert.deepEqual(named.filter((n) => !vars.has(n)), []);
});

Deno.test("serve --help lists every flag that serve parses, and only those", () => {
  const flags = flagsParsed();
  const listed = new Set(
    [...SERVE_USAGE.matchAll(/(?:^|[\s,])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]),
  );
  assert.deepEqual(flags.filter((f) => !listed.has(f)), [], "flags missing from SERVE_USAGE");
  assert.deepEqual([...listed].filter((f) => !flags.includes(f)), [], "flags that do not exist");
});

Deno.test("jsscada serve --help prints the help text and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", "serve", "--help"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(stdout.trimEnd(), SERVE_USAGE);
});
