import assert from "node:assert/strict";
import { readSparkplugSettings } from "./settings.ts";
import { readServeSettings } from "../gateway/settings.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("without an MQTT URL nothing is published", () => {
  assert.equal(readSparkplugSettings({}, env({})), undefined);
  const s = readServeSettings([], env({}));
  assert.ok(s !== "help");
  assert.equal(s.sparkplug, undefined);
});

Deno.test("Sparkplug settings come from flags first, the environment second, with defaults", () => {
  const s = readSparkplugSettings(
    { "mqtt-url": "mqtt://broker:1883", "sparkplug-commands": true },
    env({ JSSCADA_SPARKPLUG_GROUP: "Plant A", JSSCADA_MQTT_USERNAME: "gw" }),
    () => "server-7.plant.local",
  )!;
  assert.equal(s.url, "mqtt://broker:1883");
  assert.equal(s.group, "Plant A");
  assert.equal(s.node, "server-7.plant.local", "node ID defaults to the host name");
  assert.equal(s.username, "gw");
  assert.equal(s.commands, true);
  assert.equal(s.primaryHost, undefined);
  const d = readSparkplugSettings(
    {},
    env({ JSSCADA_MQTT_URL: "mqtts://b:8883", JSSCADA_SPARKPLUG_PRIMARY_HOST: "scada" }),
    () => "h",
  )!;
  assert.equal(d.group, "JSScada");
  assert.equal(d.primaryHost, "scada");
  assert.equal(d.commands, false);
  const viaServe = readServeSettings(
    ["--mqtt-url", "mqtt://b", "--sparkplug-node", "gw1"],
    env({}),
  );
  assert.ok(viaServe !== "help");
  assert.equal(viaServe.sparkplug?.node, "gw1");
});

Deno.test("bad Sparkplug settings are refused with a sentence naming the flag", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ "mqtt-url": "http://broker" }, /--mqtt-url must start with mqtt:\/\/ or mqtts:\/\//],
    [{ "mqtt-url": "not a url" }, /--mqtt-url: "not a url" is not a URL/],
    [{ "mqtt-url": "mqtt://b", "sparkplug-group": "a/b" }, /--sparkplug-group: .*"\/"/],
    [{ "mqtt-url": "mqtt://b", "sparkplug-node": "n+1" }, /--sparkplug-node: .*"\+"/],
    [{ "mqtt-url": "mqtt://b", "sparkplug-node": "" }, /--sparkplug-node: .*must not be empty/],
    [{ "mqtt-url": "mqtt://b", "sparkplug-primary-host": "#" }, /--sparkplug-primary-host/],
    [{ "mqtt-url": "mqtt://b", "mqtt-ca": "ca.pem" }, /need an mqtts:\/\/ URL/],
    [{ "mqtt-url": "mqtts://b", "mqtt-cert": "c.pem" }, /--mqtt-cert and --mqtt-key go together/],
  ];
  for (const [values, re] of bad) {
    assert.throws(() => readSparkplugSettings(values, env({}), () => "h"), re);
  }
  assert.throws(
    () => readServeSettings(["--mqtt-url", "mqtt://b", "--sparkplug-group", "x#"], env({})),
    /--sparkplug-group/,
  );
});
