/**
 * The deployment files hold together without a Docker engine: compose.yaml
 * validates against the Compose Specification's JSON schema (the schema
 * dclint ships, checked with ajv) and dclint's rules; every JSSCADA_*
 * variable that compose.yaml, deploy/*.env and .env.example set is one the
 * program reads; each environment's settings are accepted by `serve`; and the
 * Dockerfile passes dockerfile-utils' checks.
 */
import assert from "node:assert/strict";
import { DCLinter } from "dclint";
import { validate as validateDockerfile } from "dockerfile-utils";
import { parse as parseYaml } from "yaml";
import { readServeSettings } from "../gateway/settings.ts";
import { variablesRead } from "../gateway/testing_settings_source.ts";

const ROOT = new URL("../", import.meta.url);
const path = (rel: string) => new URL(rel, ROOT).pathname;
const ENVIRONMENTS = ["development", "staging", "production"] as const;

/**
 * dclint rules changed, and why: build + image is how Compose tags what it
 * builds (the tag an upgrade rolls back to); the port rule cannot read an
 * interface given by `${VAR:-127.0.0.1}` (a test below checks the default);
 * ports are quoted with double quotes, as `deno fmt` writes YAML.
 */
const RULES = {
  "no-build-and-image": 0,
  "no-unbound-port-interfaces": 0,
  "require-quotes-in-ports": [1, { quoteType: "double" }],
};

/** dclint's findings for one Compose file: schema errors ("invalid-schema") and rule findings. */
function lintCompose(file: string): Array<{ rule: string; type: string; message: string }> {
  const config = { rules: RULES, quiet: false, debug: false, exclude: [] };
  const linter = new DCLinter(config as never);
  return linter.lintFiles([file], false)[0].messages;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
function envFile(rel: string): Map<string, string> {
  const vars = new Map<string, string>();
  Deno.readTextFileSync(path(rel)).split("\n").forEach((line, i) => {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) return;
    const m = text.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    assert.ok(m, `${rel}:${i + 1}: not KEY=value: ${line}`);
    vars.set(m[1], m[2]);
  });
  return vars;
}

interface ComposeService {
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
  profiles?: string[];
}

const compose = () =>
  parseYaml(Deno.readTextFileSync(path("compose.yaml"))) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };

/** Compose's `${NAME:-default}` / `${NAME:?message}` / `${NAME}` with `values` (or the default). */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g,
    (_, name: string, op: string | undefined, rest: string | undefined) =>
      values[name] || (op === ":-" ? rest ?? "" : ""),
  );
}

Deno.test("compose.yaml validates against the Compose Specification schema and dclint's rules", () => {
  const findings = lintCompose(path("compose.yaml"));
  assert.deepEqual(findings.map((m) => `${m.type} ${m.rule}: ${m.message}`), []);
});

Deno.test("the Compose check refuses a file that breaks the schema", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_compose_" });
  try {
    const bad = `${dir}/compose.yaml`;
    await Deno.writeTextFile(
      bad,
      Deno.readTextFileSync(path("compose.yaml")).replace("restart: unless-stopped", "restrat: no"),
    );
    const rules = lintCompose(bad).map((m) => m.rule);
    assert.ok(rules.includes("invalid-schema"), rules.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every JSSCADA_* variable the deployment files set is one the program reads", async () => {
  const read = await variablesRead();
  const set: Array<[string, string]> = [];
  for (const [name, service] of Object.entries(compose().services)) {
    for (const key of Object.keys(service.environment ?? {})) {
      set.push([key, `compose.yaml services.${name}.environment`]);
    }
  }
  for (const e of ENVIRONMENTS) {
    for (const key of envFile(`deploy/${e}.env`).keys()) {
      assert.match(key, /^JSSCADA_/, `deploy/${e}.env sets ${key}: only gateway settings go there`);
      set.push([key, `deploy/${e}.env`]);
    }
  }
  for (const key of envFile(".env.example").keys()) set.push([key, ".env.example"]);
  const unknown = set.filter(([key]) => key.startsWith("JSSCADA_") && !read.has(key))
    .map(([key, where]) => `${key} (${where})`);
  assert.deepEqual(unknown, [], "variables no JSScada code reads");
});

Deno.test("every variable compose.yaml interpolates is explained in .env.example", () => {
  const text = Deno.readTextFileSync(path("compose.yaml"));
  const used = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
  const documented = envFile(".env.example");
  assert.deepEqual([...used].filter((v) => !documented.has(v)), []);
});

Deno.test("the gateway service is accepted by serve in each environment, with PostgreSQL as historian", () => {
  const gateway = compose().services.gateway;
  for (const e of ENVIRONMENTS) {
    const values = { POSTGRES_PASSWORD: "pw", GATEWAY_ENV_FILE: `deploy/${e}.env` };
    const files = (gateway.env_file ?? []).map((f) => interpolate(f.path, values));
    assert.deepEqual(files, [`deploy/${e}.env`]);
    const env: Record<string, string> = {
      ...Object.fromEntries(envFile(files[0])),
      ...Object.fromEntries(
        Object.entries(gateway.environment ?? {}).map(([k, v]) => [k, interpolate(v, values)]),
      ),
    };
    const settings = readServeSettings([], (name) => env[name]);
    assert.notEqual(settings, "help");
    if (settings === "help") continue;
    assert.equal(settings.sink.kind, "postgres", e);
    assert.equal(
      settings.sink.kind === "postgres" && settings.sink.url,
      "postgres://jsscada:pw@postgres:5432/jsscada",
    );
  }
});

Deno.test("compose services restart on their own, have health checks, and keep data in volumes", () => {
  const { services, volumes } = compose();
  assert.deepEqual(Object.keys(services).sort(), ["gateway", "mosquitto", "postgres"]);
  for (const [name, s] of Object.entries(services)) {
    assert.equal(s.restart, "unless-stopped", name);
    assert.ok(s.healthcheck?.test?.length, `${name} has a health check`);
    const named = (s.volumes ?? []).map((v) => v.split(":")[0]).filter((v) => !v.startsWith("."));
    assert.ok(named.length > 0 && named.every((v) => v in volumes), `${name} volumes: ${named}`);
  }
  assert.equal(services.gateway.depends_on?.postgres?.condition, "service_healthy");
  const ports = Object.values(services).flatMap((s) =>
    ((s as { ports?: string[] }).ports ?? []).map((p) => interpolate(p, {}))
  );
  assert.deepEqual(ports, ["127.0.0.1:8080:8080", "127.0.0.1:1883:1883"], "loopback by default");
  assert.deepEqual(services.mosquitto.profiles, ["sparkplug"]);
});

Deno.test("the Dockerfile passes dockerfile-utils' checks", () => {
  const diagnostics = validateDockerfile(Deno.readTextFileSync(path("Dockerfile")));
  assert.deepEqual(
    diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
    [],
  );
  const broken = validateDockerfile(
    "FROM debian:bookworm-slim\nMAINTAINER someone\nEXPOSE 8080/xyz\n",
  );
  assert.ok(broken.length >= 2, "the checker finds faults");
});
