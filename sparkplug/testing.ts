/**
 * Test support for the Sparkplug publisher: Debian's mosquitto started on a
 * free loopback port with a temporary configuration (stop and restart on the
 * same port for outage tests), and a subscriber that decodes everything under
 * `spBv1.0/#` with protobufjs loading the vendored official .proto directly,
 * independently of the publisher's own codec. Not used in production code.
 */
import mqtt, { type MqttClient } from "mqtt";
import protobuf from "protobufjs";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

/** Where mosquitto is, or undefined when it is not installed. */
export function mosquittoPath(): string | undefined {
  for (const p of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Says loudly that the broker tests were skipped; returns whether mosquitto is there. */
export function haveMosquitto(): boolean {
  if (mosquittoPath()) return true;
  console.error(
    "\n*** SPARKPLUG BROKER TESTS SKIPPED: mosquitto is not installed " +
      "(apt-get install mosquitto; .ci/run installs it) ***\n",
  );
  return false;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A mosquitto of the test's own, on 127.0.0.1:port. */
export class Mosquitto {
  #child: Deno.ChildProcess | undefined;

  /** The TLS listener's port, when started with `tls`. */
  tlsPort: number | undefined;

  private constructor(readonly port: number, readonly dir: string) {}

  /** The broker URL. */
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /**
   * Starts mosquitto with persistence (sessions and queued QoS 0 messages of
   * persistent subscribers survive a restart) in a temporary directory.
   */
  static async start(options: { tls?: boolean } = {}): Promise<Mosquitto> {
    const dir = await Deno.makeTempDir({ prefix: "jsscada_mosquitto_" });
    // Started as root, mosquitto drops to the user "mosquitto": let it write its persistence file.
    await Deno.chmod(dir, 0o777);
    const m = new Mosquitto(freePort(), dir);
    await Deno.writeTextFile(
      `${dir}/mosquitto.conf`,
      [
        `listener ${m.port} 127.0.0.1`,
        "allow_anonymous true",
        "persistence true",
        `persistence_location ${dir}/`,
        "queue_qos0_messages true",
        "max_queued_messages 1000000",
        "max_inflight_messages 0",
        "log_dest none",
        ...(options.tls ? await tlsListener(m) : []),
        "",
      ].join("\n"),
    );
    await m.restart();
    return m;
  }

  /** Starts the broker process (again) on the same port and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("mosquitto is running");
    this.#child = new Deno.Command(mosquittoPath()!, {
      args: ["-c", `${this.dir}/mosquitto.conf`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const c = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
        c.close();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Stops the broker (SIGTERM: it saves its persistence file and closes every connection). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    child.kill("SIGTERM");
    await child.stderr.cancel();
    await child.status;
  }

  /** For unload handlers, which cannot wait: SIGTERM, and its directory removed. */
  stopSync(): void {
    try {
      this.#child?.kill("SIGTERM");
    } catch { /* gone */ }
    this.#child = undefined;
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone */ }
  }

  /** Stops the broker and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/**
 * A second listener with TLS: a throw-away CA and a server certificate for
 * 127.0.0.1 made with openssl in the broker's directory (`ca.pem` there is
 * what a client trusts).
 */
async function tlsListener(m: Mosquitto): Promise<string[]> {
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: m.dir,
      stdout: "null",
      stderr: "piped",
    })
      .output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=JSScada test CA",
  );
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  await Deno.writeTextFile(`${m.dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1\n");
  await openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
  for (const f of ["ca.pem", "server.pem", "server.key"]) await Deno.chmod(`${m.dir}/${f}`, 0o644);
  m.tlsPort = freePort();
  return [
    `listener ${m.tlsPort} 127.0.0.1`,
    `cafile ${m.dir}/ca.pem`,
    `certfile ${m.dir}/server.pem`,
    `keyfile ${m.dir}/server.key`,
  ];
}

/** Whether openssl is there to make test certificates. */
export function haveOpenssl(): boolean {
  return ["/usr/bin/openssl", "/usr/local/bin/openssl"].some((p) => existsSync(p));
}

const PROTO = fileURLToPath(new URL("./vendor/sparkplug_b.proto", import.meta.url));
const root = protobuf.loadSync(PROTO);
/** The official Payload type, loaded by protobufjs from the vendored .proto. */
export const ProtoPayload = root.lookupType("org.eclipse.tahu.protobuf.Payload");
/** The official DataType enum: name → number. */
export const PROTO_DATA_TYPES = root.lookupEnum("org.eclipse.tahu.protobuf.DataType").values;

/** A decoded metric as the official definition reads it (field names in camelCase). */
export interface DecodedMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isHistorical?: boolean;
  isNull?: boolean;
  intValue?: number;
  longValue?: number;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
  properties?: { keys: string[]; values: (DecodedMetric & { type?: number })[] };
}

/** One message seen by the subscriber. */
export interface Seen {
  readonly topic: string;
  /** The message type: NBIRTH, DDATA, STATE … */
  readonly type: string;
  readonly device: string | undefined;
  /** The decoded payload (Sparkplug messages) or the JSON (STATE). */
  readonly payload: { timestamp?: number; seq?: number; metrics?: DecodedMetric[] };
  readonly raw: Uint8Array;
}

/** Decodes a Sparkplug payload with the official definition. */
export function decodeOfficial(bytes: Uint8Array): Seen["payload"] {
  return ProtoPayload.toObject(ProtoPayload.decode(bytes), {
    longs: Number,
    defaults: false,
  }) as Seen["payload"];
}

/** Encodes a payload with the official definition (commands from a "host application"). */
export function encodeOfficial(payload: Record<string, unknown>): Buffer {
  const err = ProtoPayload.verify(payload);
  if (err) throw new Error(err);
  return Buffer.from(ProtoPayload.encode(ProtoPayload.fromObject(payload)).finish());
}

/** The metric's value from whichever value field it uses, or null for is_null. */
export function valueOf(m: DecodedMetric): unknown {
  if (m.isNull) return null;
  return m.intValue ?? m.longValue ?? m.floatValue ?? m.doubleValue ?? m.booleanValue ??
    m.stringValue;
}

/**
 * A host-application-like subscriber on `spBv1.0/#` that records and decodes
 * every message. With `persistent`, its session (QoS 1 subscription) lives
 * on across its own and the broker's restarts, so nothing is missed.
 */
export class Subscriber {
  readonly seen: Seen[] = [];
  #waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload) => {
      const parts = topic.split("/");
      const type = parts[1] === "STATE" ? "STATE" : parts[2];
      const raw = new Uint8Array(payload);
      const decoded = type === "STATE"
        ? JSON.parse(new TextDecoder().decode(raw) || "{}")
        : decodeOfficial(raw);
      this.seen.push({ topic, type, device: parts[4], payload: decoded, raw });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Connects and subscribes; resolves once the subscription is granted. */
  static async connect(url: string, persistent = false): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, {
      clientId: `jsscada_test_sub_${crypto.randomUUID().slice(0, 8)}`,
      clean: !persistent,
      reconnectPeriod: 100,
      connectTimeout: 5_000,
      protocolVersion: 4,
    });
    client.on("error", () => {});
    if (Deno.env.get("SPB_DEBUG")) {
      for (const ev of ["connect", "close", "reconnect"] as const) {
        client.on(
          ev,
          (...a: unknown[]) =>
            console.log(Date.now() % 100_000, `subscriber ${ev}`, JSON.stringify(a[0] ?? "")),
        );
      }
    }
    const s = new Subscriber(client);
    await client.subscribeAsync("spBv1.0/#", { qos: persistent ? 1 : 0 });
    return s;
  }

  /** Messages of one type. */
  of(type: string): Seen[] {
    return this.seen.filter((m) => m.type === type);
  }

  /** Waits until `pred` holds over what was seen (checked on each message), or fails after `ms`. */
  async waitFor(what: string, pred: (seen: Seen[]) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.seen)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (${this.seen.length} seen)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Publishes bytes (e.g. an NCMD, a STATE). */
  async publish(topic: string, payload: Buffer | string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  /** Disconnects. */
  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
