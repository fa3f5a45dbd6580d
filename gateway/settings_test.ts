import assert from "node:assert/strict";
import { readServeSettings, type ServeSettings, SettingsError } from "./settings.ts";

const read = (args: string[], env: Record<string, string> = {}) =>
  readServeSettings(args, (name) => env[name]) as ServeSettings;

Deno.test("serve binds to loopback on 8080 with /metrics open and 600 API requests per minute by default", () => {
  const s = read([]);
  assert.equal(s.hostname, "127.0.0.1");
  assert.equal(s.port, 8080);
  assert.equal(s.tls, undefined);
  assert.equal(s.metricsToken, undefined);
  assert.equal(s.rateLimitPerMinute, 600);
  assert.deepEqual(s.corsOrigins, []);
  assert.equal(s.trustProxy, false);
});

Deno.test("hardening settings come from flags first and the environment second", () => {
  const env = {
    JSSCADA_METRICS_TOKEN: "from-env",
    JSSCADA_RATE_LIMIT: "100",
    JSSCADA_CORS_ORIGINS: "http://mes.plant.local, https://andon.plant.local:8443",
    JSSCADA_TRUST_PROXY: "true",
  };
  const fromEnv = read([], env);
  assert.equal(fromEnv.metricsToken, "from-env");
  assert.equal(fromEnv.rateLimitPerMinute, 100);
  assert.deepEqual(fromEnv.corsOrigins, [
    "http://mes.plant.local",
    "https://andon.plant.local:8443",
  ]);
  assert.equal(fromEnv.trustProxy, true);
  const fromFlags = read(
    ["--metrics-token", "flag", "--rate-limit", "0", "--host", "0.0.0.0"],
    env,
  );
  assert.equal(fromFlags.metricsToken, "flag");
  assert.equal(fromFlags.rateLimitPerMinute, 0);
  assert.equal(fromFlags.hostname, "0.0.0.0");
});

Deno.test("bad hardening settings are refused with a sentence naming the flag", () => {
  assert.throws(() => read(["--rate-limit", "-1"]), SettingsError);
  assert.throws(() => read(["--rate-limit", "lots"]), /--rate-limit/);
  assert.throws(() => read(["--cors-origins", "mes.plant.local"]), /--cors-origins/);
  assert.throws(() => read(["--tls-cert", "c.pem"]), /--tls-cert and --tls-key go together/);
});
