/**
 * Reads JSScada's source for the settings it takes, for the tests that hold
 * the documentation and the deployment files to it (serve --help,
 * compose.yaml, deploy/*.env): the program's modules and the JSSCADA_*
 * variables they read.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/**
 * The program's own modules: main.ts's module graph (`deno info --json`),
 * plus every worker script a module in it starts through
 * `new URL("./x.ts", import.meta.url)`, and their graphs in turn. Tests,
 * benchmarks and modules nothing imports yet are not the program.
 */
export async function programFiles(): Promise<string[]> {
  const files = new Set<string>();
  const entries = [new URL("main.ts", ROOT).href];
  const seen = new Set<string>();
  while (entries.length > 0) {
    const entry = entries.pop()!;
    if (seen.has(entry)) continue;
    seen.add(entry);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: Array<{ specifier: string }>;
    };
    for (const { specifier } of graph.modules) {
      if (!specifier.startsWith(ROOT.href) || files.has(specifier)) continue;
      files.add(specifier);
      const text = Deno.readTextFileSync(new URL(specifier));
      for (
        const m of text.matchAll(/new URL\(\s*"(\.{1,2}\/[\w/.-]+\.ts)",\s*import\.meta\.url/g)
      ) {
        entries.push(new URL(m[1], specifier).href);
      }
    }
  }
  return [...files].map((f) => f.slice(ROOT.href.length)).sort();
}

/**
 * Every JSSCADA_* name the program reads, with the first file that reads it.
 * Other commands' own files (cli/*.ts but serve.ts, e.g. `users
 * reset-password`) and main.ts's command list are left out: their variables
 * belong to those commands' help.
 */
export async function variablesRead(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const otherCommand = (f: string) =>
    f === "main.ts" || (f.startsWith("cli/") && f !== "cli/serve.ts");
  for (const file of (await programFiles()).filter((f) => !otherCommand(f))) {
    const text = Deno.readTextFileSync(new URL(file, ROOT));
    for (const [name] of text.matchAll(/\bJSSCADA_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!found.has(name)) found.set(name, file);
    }
  }
  return found;
}
