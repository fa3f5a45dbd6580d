/**
 * `serve --help` promises every setting: each flag that `readServeSettings`
 * parses and each JSSCADA_* variable the program reads. These tests read the
 * source rather than a list, so a flag or variable added later without a
 * line in the help text fails here.
 */
import assert from "node:assert/strict";
import { SERVE_USAGE } from "./settings.ts";
import { variablesRead } from "./testing_settings_source.ts";

const ROOT = new URL("../", import.meta.url);

/** The long option names in readServeSettings' parseArgs table (settings.ts source). */
function flagsParsed(): string[] {
  const text = Deno.readTextFileSync(new URL("gateway/settings.ts", ROOT));
  const table = text.match(/parseArgs\(\{[\s\S]*?options:\s*\{([\s\S]*?)\n\s*\},\n/);
  assert.ok(table, "settings.ts: no parseArgs options table found");
  const keys = (body: string) =>
    [...body.matchAll(/^\s*"?([a-z][a-z0-9-]*)"?\s*:\s*\{\s*type:/gm)].map((m) => m[1]);
  const flags = keys(table[1]);
  // Option tables spread in from other modules (`...SPARKPLUG_FLAGS`): read theirs too.
  for (const [, name] of table[1].matchAll(/\.\.\.([A-Z_][A-Z0-9_]*)/g)) {
    const from = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)]
      .find((m) => new RegExp(`\\b${name}\\b`).test(m[1]));
    assert.ok(from, `settings.ts: where does ${name} come from?`);
    const source = Deno.readTextFileSync(new URL(from[2], new URL("gateway/settings.ts", ROOT)));
    const def = source.match(new RegExp(`${name}\\s*=\\s*\\{([\\s\\S]*?)\\n\\}`));
    assert.ok(def, `${from[2]}: no table ${name}`);
    flags.push(...keys(def[1]));
  }
  assert.ok(flags.length >= 10, `settings.ts: only ${flags.length} options found`);
  return flags;
}

Deno.test("serve --help names every JSSCADA_* variable the program reads", async () => {
  const vars = await variablesRead();
  assert.ok(vars.has("JSSCADA_DATA_DIR") && vars.has("JSSCADA_ADMIN_PASSWORD"), "scan works");
  const missing = [...vars].filter(([name]) => !new RegExp(`\\b${name}\\b`).test(SERVE_USAGE))
    .map(([name, file]) => `${name} (read in ${file})`);
  assert.deepEqual(missing, [], "variables missing from SERVE_USAGE in gateway/settings.ts");
});

Deno.test("serve --help names no JSSCADA_* variable that the program does not read", async () => {
  const vars = await variablesRead();
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
