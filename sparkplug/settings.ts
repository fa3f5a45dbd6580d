/**
 * The Sparkplug B publisher's settings (`serve` flags and environment; see
 * docs/configuration.md and docs/sparkplug.md). Without `--mqtt-url` the
 * publisher is off and none of its code is loaded. Pure: no MQTT import here.
 */
import { hostname } from "node:os";
import { sparkplugIdProblem } from "./ids.ts";

/** Everything the publisher needs to reach the broker and name itself. */
export interface SparkplugSettings {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly url: string;
  /** PEM files for mqtts: the CA to trust, and an optional client certificate and key. */
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Sparkplug group ID (default `JSScada`). */
  readonly group: string;
  /** Sparkplug edge node ID (default the host name). */
  readonly node: string;
  /** Primary host application ID to follow, if any. */
  readonly primaryHost: string | undefined;
  /** Accept DCMD writes. */
  readonly commands: boolean;
}

/** The flags `serve` accepts for Sparkplug, for node:util parseArgs. */
export const SPARKPLUG_FLAGS = {
  "mqtt-url": { type: "string" },
  "mqtt-ca": { type: "string" },
  "mqtt-cert": { type: "string" },
  "mqtt-key": { type: "string" },
  "sparkplug-group": { type: "string" },
  "sparkplug-node": { type: "string" },
  "sparkplug-primary-host": { type: "string" },
  "sparkplug-commands": { type: "boolean" },
} as const;

/** The `serve --help` lines for Sparkplug. */
export const SPARKPLUG_USAGE =
  `  --mqtt-url URL        publish live data as Sparkplug B to this broker, mqtt:// or mqtts://
                        [JSSCADA_MQTT_URL; JSSCADA_MQTT_USERNAME, JSSCADA_MQTT_PASSWORD;
                        default: no publishing]
  --mqtt-ca FILE        with mqtts: PEM CA certificate to trust [JSSCADA_MQTT_CA]
  --mqtt-cert FILE      with mqtts: client certificate … [JSSCADA_MQTT_CERT]
  --mqtt-key FILE       … and its key [JSSCADA_MQTT_KEY]
  --sparkplug-group ID  Sparkplug group ID [JSSCADA_SPARKPLUG_GROUP, default JSScada]
  --sparkplug-node ID   Sparkplug edge node ID [JSSCADA_SPARKPLUG_NODE, default the host name]
  --sparkplug-primary-host ID
                        hold data (store and forward) while this host application's STATE
                        is offline [JSSCADA_SPARKPLUG_PRIMARY_HOST]
  --sparkplug-commands  accept DCMD writes to tags [JSSCADA_SPARKPLUG_COMMANDS=true]`;

/** Flag values as parseArgs returns them for {@link SPARKPLUG_FLAGS}. */
export interface SparkplugFlagValues {
  readonly "mqtt-url"?: string;
  readonly "mqtt-ca"?: string;
  readonly "mqtt-cert"?: string;
  readonly "mqtt-key"?: string;
  readonly "sparkplug-group"?: string;
  readonly "sparkplug-node"?: string;
  readonly "sparkplug-primary-host"?: string;
  readonly "sparkplug-commands"?: boolean;
}

/**
 * Reads the Sparkplug settings; undefined without an MQTT URL. Throws an
 * Error whose message names the flag or variable that is wrong.
 */
export function readSparkplugSettings(
  values: SparkplugFlagValues,
  env: (name: string) => string | undefined,
  host: () => string = hostname,
): SparkplugSettings | undefined {
  const url = values["mqtt-url"] ?? (env("JSSCADA_MQTT_URL") || undefined);
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--mqtt-url: "${url}" is not a URL such as mqtt://broker.plant.local:1883`);
  }
  if (parsed.protocol !== "mqtt:" && parsed.protocol !== "mqtts:") {
    throw new Error(`--mqtt-url must start with mqtt:// or mqtts://, not "${parsed.protocol}//"`);
  }
  const caFile = values["mqtt-ca"] ?? (env("JSSCADA_MQTT_CA") || undefined);
  const certFile = values["mqtt-cert"] ?? (env("JSSCADA_MQTT_CERT") || undefined);
  const keyFile = values["mqtt-key"] ?? (env("JSSCADA_MQTT_KEY") || undefined);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error("--mqtt-cert and --mqtt-key go together");
  }
  if (parsed.protocol === "mqtt:" && (caFile || certFile)) {
    throw new Error("--mqtt-ca, --mqtt-cert and --mqtt-key need an mqtts:// URL");
  }
  const id = (flag: string, value: string) => {
    const problem = sparkplugIdProblem(value);
    if (problem) throw new Error(`--${flag}: the Sparkplug ID "${value}" ${problem}`);
    return value;
  };
  const group = id(
    "sparkplug-group",
    values["sparkplug-group"] ?? (env("JSSCADA_SPARKPLUG_GROUP") || "JSScada"),
  );
  const node = id(
    "sparkplug-node",
    values["sparkplug-node"] ?? (env("JSSCADA_SPARKPLUG_NODE") || host()),
  );
  const primaryText = values["sparkplug-primary-host"] ??
    (env("JSSCADA_SPARKPLUG_PRIMARY_HOST") || undefined);
  const primaryHost = primaryText === undefined
    ? undefined
    : id("sparkplug-primary-host", primaryText);
  return {
    url,
    caFile,
    certFile,
    keyFile,
    username: env("JSSCADA_MQTT_USERNAME") || undefined,
    password: env("JSSCADA_MQTT_PASSWORD") || undefined,
    group,
    node,
    primaryHost,
    commands: values["sparkplug-commands"] ?? env("JSSCADA_SPARKPLUG_COMMANDS") === "true",
  };
}
