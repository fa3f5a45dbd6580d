/**
 * The MQTT CONNECT the Sparkplug B specification asks of an edge node:
 * a clean session, MQTT 3.1.1, the NDEATH as the Will (QoS 1, not retained,
 * carrying the bdSeq of this CONNECT), no automatic reconnect (the session
 * machine decides, with its backoff) and no client-side queue for QoS 0 data
 * (the spool holds it). Credentials and TLS files come from the settings.
 */
import type { IClientOptions } from "mqtt";
import { Buffer } from "node:buffer";
import type { SparkplugTuning } from "./publisher_options.ts";
import type { SparkplugSettings } from "./settings.ts";

/** The client options for one CONNECT; `will` is the encoded NDEATH for its bdSeq. */
export async function mqttClientOptions(
  settings: SparkplugSettings,
  tuning: Pick<SparkplugTuning, "keepaliveS" | "connectTimeoutMs">,
  will: { readonly topic: string; readonly payload: Uint8Array },
): Promise<IClientOptions> {
  const opts: IClientOptions = {
    clientId: `jsscada_${settings.group}_${settings.node}`.slice(0, 128),
    clean: true,
    keepalive: tuning.keepaliveS,
    reschedulePings: false,
    reconnectPeriod: 0,
    connectTimeout: tuning.connectTimeoutMs,
    protocolVersion: 4,
    // QoS 0 data is never queued by the client while disconnected: the spool holds it.
    queueQoSZero: false,
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: false },
  };
  if (settings.username !== undefined) opts.username = settings.username;
  if (settings.password !== undefined) opts.password = settings.password;
  if (settings.caFile) opts.ca = await Deno.readTextFile(settings.caFile);
  if (settings.certFile) opts.cert = await Deno.readTextFile(settings.certFile);
  if (settings.keyFile) opts.key = await Deno.readTextFile(settings.keyFile);
  return opts;
}
