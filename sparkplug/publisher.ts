/**
 * The Sparkplug B edge node publisher: JSScada's samples → an MQTT broker, as
 * the Sparkplug B 3.0 specification asks. The edge node is the gateway, one
 * device per PLC (model.ts); the session machine (session.ts) decides when
 * the node is born; this facade does the effects: MQTT connection with the
 * NDEATH Will (bdSeq persisted, bdseq.ts), NBIRTH/DBIRTH, DDATA by exception
 * (exception.ts) batched per sample batch and device, seq 0–255, DDEATH and
 * DBIRTH as PLCs fail and answer, rebirth on NCMD and on configuration
 * changes, DCMD writes through an injected port, and store and forward
 * (spool.ts, inflight.ts) while the broker or the primary host is away.
 *
 * Everything that crosses the facade is plain data, so that it runs the
 * same inside a Deno Worker (worker.ts).
 */
import mqtt, { type MqttClient } from "mqtt";
import { Buffer } from "node:buffer";
import { createActor, fromPromise } from "xstate";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { type Clock, systemClock } from "../actors/clock.ts";
import { BdSeqStore } from "./bdseq.ts";
import { decodePayload, encodePayload, type SpMetric } from "./codec.ts";
import { planCommand, type WritePort } from "./commands.ts";
import { type GatewayFigures, isRebirthRequest, NodeMetrics } from "./node_metrics.ts";
import { ExceptionFilter } from "./exception.ts";
import { Inflight } from "./inflight.ts";
import {
  birthMetric,
  buildModel,
  dataMetric,
  type DeviceModel,
  type SparkplugModel,
} from "./model.ts";
import {
  DEFAULT_TUNING,
  type SparkplugLog,
  type SparkplugOptions,
  type SparkplugStatus,
  type SparkplugTuning,
  withoutCredentials,
} from "./publisher_options.ts";
import { sessionMachine, type SessionMode, sessionMode } from "./session.ts";
import type { SparkplugSettings } from "./settings.ts";
import { mqttClientOptions } from "./mqtt_options.ts";
import { replaySpool } from "./replay.ts";
import { Spool } from "./spool.ts";
import { parseIncoming, parseStatePayload, stateTopic, Topics } from "./topics.ts";
import { join } from "node:path";

export type { WriteItem, WriteOutcome, WritePort } from "./commands.ts";
export type { GatewayFigures } from "./node_metrics.ts";
export type {
  SparkplugLog,
  SparkplugOptions,
  SparkplugStatus,
  SparkplugTuning,
} from "./publisher_options.ts";

/**
 * Starts the publisher: opens the spool and the bdSeq file under `dataDir`,
 * then connects in the background (the returned promise does not wait for
 * the broker). Throws when the data directory cannot be used.
 */
export async function startSparkplug(options: SparkplugOptions): Promise<SparkplugPublisher> {
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const log = options.log ?? (() => {});
  const spool = await Spool.open(options.dataDir, {
    maxBytes: tuning.spoolMaxBytes,
    log: (level, message) => log(level, message),
  });
  const bdseq = await BdSeqStore.open(join(options.dataDir, "sparkplug"));
  const p = new SparkplugPublisher(options, tuning, log, spool, bdseq);
  p.start();
  return p;
}

/** The running publisher; see the module comment. Made by {@link startSparkplug}. */
export class SparkplugPublisher {
  readonly #settings: SparkplugSettings;
  readonly #clock: Clock;
  readonly #write: WritePort | undefined;
  readonly #log: SparkplugLog;
  readonly #tuning: SparkplugTuning;
  readonly #spool: Spool;
  readonly #bdseq: BdSeqStore;
  readonly #topics: Topics;
  readonly #inflight: Inflight;
  readonly #filter: ExceptionFilter;
  readonly #actor;
  #plant: PlantConfig;
  #model: SparkplugModel;
  #deadband = new Map<number, number | null>();
  readonly #current = new Map<number, Sample>();
  readonly #failed = new Set<number>();
  readonly #born = new Set<number>();
  #client: MqttClient | undefined;
  #bdSeq: number | undefined;
  /** Whether a CONNECT with the current bdSeq's Will went out. */
  #bdSeqSent = false;
  #seq = 0;
  #lastSeq = 0;
  #lastStateTs: number | undefined;
  #stopping = false;
  #disconnectedSince: number | undefined;
  /** Born in this session: set by the birth, cleared when the session leaves `online`. */
  #online = false;
  #stopped: Promise<void> | undefined;
  #replaying: Promise<void> | undefined;
  #statusTimer: unknown;
  #confirmTimer: unknown;
  readonly #nodeMetrics = new NodeMetrics();
  readonly #n = {
    births: 0,
    messages: 0,
    values: 0,
    historicalValues: 0,
    skipped: 0,
    deferred: 0,
    spoolDropped: 0,
    written: 0,
    refused: 0,
    ignored: 0,
  };

  /** Use {@link startSparkplug}. */
  constructor(
    options: SparkplugOptions,
    tuning: SparkplugTuning,
    log: SparkplugLog,
    spool: Spool,
    bdseq: BdSeqStore,
  ) {
    this.#settings = options.settings;
    this.#clock = options.clock ?? systemClock;
    this.#disconnectedSince = this.#clock.now();
    this.#write = options.write;
    this.#log = log;
    this.#tuning = tuning;
    this.#spool = spool;
    this.#bdseq = bdseq;
    this.#topics = new Topics(options.settings.group, options.settings.node);
    this.#inflight = new Inflight(tuning.maxInflight);
    this.#plant = options.plant;
    this.#model = buildModel(options.plant);
    this.#indexDeadbands(options.plant);
    this.#filter = new ExceptionFilter(
      (tagId) => this.#deadband.get(tagId) ?? null,
      tuning.heartbeatMs,
    );
    const machine = sessionMachine.provide({
      actors: { connect: fromPromise(() => this.#connect()) },
      actions: {
        birth: () => this.#birth(),
        leaveOnline: () => this.#leaveOnline(),
        dropSession: () => this.#dropSession(),
      },
    });
    this.#actor = createActor(machine, {
      input: { primaryHost: options.settings.primaryHost, backoffMs: tuning.backoffMs },
      clock: this.#clock,
    });
    this.#actor.subscribe({
      error: (e) => this.#log("error", `Sparkplug session failed: ${String(e)}`),
    });
  }

  /** Starts the session machine and the node-metrics timer (called by {@link startSparkplug}). */
  start(): void {
    this.#actor.start();
    this.#armStatusTimer();
    this.#armConfirmTimer();
  }

  /** The session's mode now. */
  get mode(): SessionMode {
    if (this.#stopping) return "stopped";
    return this.#online ? "online" : sessionMode(this.#actor.getSnapshot().value);
  }

  /**
   * One batch of samples (one poll of one group). Each tag's deadband picks
   * what is reported; what is kept goes out as one DDATA per device when the
   * node is born, or to the spool when it is not.
   */
  onSamples(samples: readonly Sample[]): void {
    if (this.#stopping) return;
    const byDevice = new Map<DeviceModel, Sample[]>();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      const entry = this.#model.byTag.get(s.tagId);
      if (!entry) continue;
      this.#current.set(s.tagId, s);
      if (!this.#filter.keep(s)) continue;
      let list = byDevice.get(entry.device);
      if (!list) byDevice.set(entry.device, list = []);
      list.push(s);
    }
    if (byDevice.size === 0) return;
    if (this.mode === "online" && this.#client) {
      if (this.#unsentBytes() > this.#tuning.maxUnsentBytes) {
        const held = [...byDevice.values()].flat();
        this.#n.deferred += held.length;
        this.#toSpool(held);
        return;
      }
      for (const [device, list] of byDevice) {
        if (this.#born.has(device.plcId)) this.#publishData(device, list, false);
        else this.#n.skipped += list.length;
      }
    } else {
      this.#toSpool([...byDevice.values()].flat());
    }
  }

  /** A configuration change: devices whose metrics changed are re-born, removed ones get DDEATH. */
  onPlant(plant: PlantConfig): void {
    const old = this.#model;
    this.#plant = plant;
    this.#model = buildModel(plant);
    this.#indexDeadbands(plant);
    for (const tagId of [...this.#current.keys()]) {
      if (!this.#model.byTag.has(tagId)) this.#current.delete(tagId);
    }
    if (this.mode !== "online") return;
    for (const [plcId, device] of old.devices) {
      const now = this.#model.devices.get(plcId);
      if (this.#born.has(plcId) && (!now || now.signature !== device.signature)) {
        this.#deviceDeath(device);
      }
    }
    for (const [plcId, device] of this.#model.devices) {
      if (!this.#born.has(plcId) && !this.#failed.has(plcId)) this.#deviceBirth(device);
    }
  }

  /** A PLC failed (DDEATH) or answers again (DBIRTH with its current values). */
  onPlcState(plcId: number, failed: boolean): void {
    if (failed) this.#failed.add(plcId);
    else this.#failed.delete(plcId);
    if (this.mode !== "online") return;
    const device = this.#model.devices.get(plcId);
    if (!device) return;
    if (failed && this.#born.has(plcId)) this.#deviceDeath(device);
    else if (!failed && !this.#born.has(plcId)) this.#deviceBirth(device);
  }

  /** The gateway's figures for the node metrics (published as NDATA when they change). */
  onGatewayFigures(figures: GatewayFigures): void {
    this.#nodeMetrics.set(figures);
  }

  /** State and counters now, plain data. */
  status(): SparkplugStatus {
    const mode = this.mode;
    const spool = this.#spool.stats();
    return {
      mode,
      url: withoutCredentials(this.#settings.url),
      connected: mode === "online" || mode === "holding",
      disconnectedSince: mode === "online" || mode === "holding"
        ? undefined
        : this.#disconnectedSince ?? this.#clock.now(),
      online: mode === "online",
      bdSeq: this.#bdSeq,
      seq: this.#lastSeq,
      lastError: this.#actor.getSnapshot().context.lastError,
      births: this.#n.births,
      devicesBorn: this.#born.size,
      published: {
        messages: this.#n.messages,
        values: this.#n.values,
        historicalValues: this.#n.historicalValues,
      },
      spool: {
        bytes: spool.bytes,
        maxBytes: spool.maxBytes,
        pending: this.#spool.hasPending(),
        appendedValues: spool.appendedValues,
        replayedValues: spool.replayedValues,
        pendingValues: spool.pendingValues,
        droppedValues: spool.droppedValues,
      },
      inflightValues: this.#inflight.size,
      forgottenValues: this.#inflight.forgotten,
      skippedValues: this.#n.skipped,
      deferredValues: this.#n.deferred,
      unsentBytes: this.#unsentBytes(),
      commands: { written: this.#n.written, refused: this.#n.refused, ignored: this.#n.ignored },
    };
  }

  /**
   * Graceful stop: an NDEATH (QoS 1, so its PUBACK also proves every earlier
   * DDATA arrived), DISCONNECT, then the spool is closed. Data the broker may
   * not have is spooled for the next start.
   */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    const wasOnline = this.mode === "online";
    this.#stopping = true;
    this.#clock.clearTimeout(this.#statusTimer);
    this.#clock.clearTimeout(this.#confirmTimer);
    this.#actor.send({ type: "STOP" });
    this.#actor.stop();
    this.#stopped = this.#finish(wasOnline);
    return this.#stopped;
  }

  async #finish(wasOnline: boolean): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      if (wasOnline && client.connected) {
        try {
          await withTimeout(
            client.publishAsync(
              this.#topics.nodeTopic("NDEATH"),
              Buffer.from(this.#deathPayload()),
              {
                qos: 1,
                retain: false,
              },
            ),
            2_000,
            "NDEATH was not acknowledged",
          );
          this.#inflight.confirm(true);
        } catch (e) {
          this.#log("warning", `Sparkplug: ${(e as Error).message}; unconfirmed data spooled`);
        }
      }
      await withTimeout(client.endAsync(), 2_000, "DISCONNECT timed out").catch(() =>
        client.end(true)
      );
    }
    this.#toSpool(this.#inflight.takeAll());
    await this.#replaying?.catch(() => {});
    await this.#spool.close();
  }

  // ---- session effects ----

  async #connect(): Promise<void> {
    this.#discardClient();
    // A new bdSeq for each CONNECT packet sent; an attempt that never reached
    // the broker (refused, unreachable) sent none, so its number is used again.
    const bdSeq = this.#bdSeq !== undefined && !this.#bdSeqSent
      ? this.#bdSeq
      : await this.#bdseq.take();
    if (this.#stopping) throw new Error("stopping");
    const s = this.#settings;
    const opts = await mqttClientOptions(s, this.#tuning, {
      topic: this.#topics.nodeTopic("NDEATH"),
      payload: this.#deathPayload(bdSeq),
    });
    const client = mqtt.connect(s.url, opts);
    this.#bdSeq = bdSeq;
    this.#bdSeqSent = false;
    // mqtt.js queues the CONNECT at once; it leaves when the TCP (or TLS) connection is up.
    const stream = client.stream as unknown as { once?: (ev: string, fn: () => void) => void };
    stream.once?.("connect", () => this.#bdSeqSent = true);
    stream.once?.("secureConnect", () => this.#bdSeqSent = true);
    client.once("connect", () => this.#bdSeqSent = true);
    this.#lastStateTs = undefined;
    client.on("error", (e) => this.#log("debug", `MQTT: ${e.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("close", () => reject(new Error(`could not connect to ${s.url}`)));
        client.once("error", (e) => reject(e));
      });
      if (this.#stopping) throw new Error("stopping");
      client.on("message", (topic, payload) => this.#onMessage(client, topic, payload));
      client.on("packetsend", (p) => {
        if (client === this.#client && p.cmd === "pingreq") this.#inflight.markPing();
      });
      client.on("packetreceive", (p) => {
        if (client === this.#client && p.cmd === "pingresp") this.#inflight.confirm();
      });
      this.#client = client;
      const filters = this.#topics.commandFilters();
      if (s.primaryHost) filters.push(stateTopic(s.primaryHost));
      await client.subscribeAsync(filters, { qos: 1 });
      client.on("close", () => {
        if (client !== this.#client) return;
        this.#disconnectedSince = this.#clock.now();
        if (!this.#stopping) {
          this.#log(
            "warning",
            `Sparkplug: lost the connection to ${s.url}; data goes to the spool`,
          );
        }
        this.#actor.send({ type: "CLOSED", reason: `connection to ${s.url} closed` });
      });
      if (!client.connected) throw new Error(`connection to ${s.url} closed`);
    } catch (e) {
      if (this.#client === client) this.#client = undefined;
      client.end(true);
      throw e;
    }
    this.#disconnectedSince = undefined;
    this.#log("info", `Sparkplug: connected to ${s.url} with bdSeq ${bdSeq}`);
  }

  #discardClient(): void {
    const c = this.#client;
    this.#client = undefined;
    this.#disconnectedSince ??= this.#clock.now();
    c?.end(true);
  }

  #birth(): void {
    const client = this.#client;
    if (!client) return;
    const now = this.#clock.now();
    this.#seq = 0;
    this.#online = true;
    this.#born.clear();
    this.#refreshSpoolFigures();
    const metrics = this.#nodeMetrics.birth(this.#bdSeq ?? 0, now);
    this.#publish(this.#topics.nodeTopic("NBIRTH"), { timestamp: now, metrics }, 0);
    this.#n.births++;
    for (const device of this.#model.devices.values()) {
      if (!this.#failed.has(device.plcId)) this.#deviceBirth(device);
    }
    this.#log("info", `Sparkplug: born (NBIRTH bdSeq ${this.#bdSeq}, ${this.#born.size} devices)`);
    this.#startReplay();
  }

  #leaveOnline(): void {
    this.#online = false;
    this.#born.clear();
    if (this.#stopping) return;
    this.#toSpool(this.#inflight.takeAll());
  }

  #dropSession(): void {
    const client = this.#client;
    this.#log("warning", "Sparkplug: the primary host went offline; NDEATH and reconnect");
    if (!client) return;
    client.publish(this.#topics.nodeTopic("NDEATH"), Buffer.from(this.#deathPayload()), {
      qos: 0,
      retain: false,
    });
    client.end(false, {}, () => {});
  }

  // ---- messages ----

  #deathPayload(bdSeq = this.#bdSeq ?? 0): Uint8Array {
    return encodePayload({
      timestamp: this.#clock.now(),
      metrics: [{ name: "bdSeq", datatype: "Int64", value: bdSeq }],
    });
  }

  #nextSeq(): number {
    const s = this.#seq;
    this.#seq = (s + 1) & 0xff;
    this.#lastSeq = s;
    return s;
  }

  #publish(
    topic: string,
    payload: { timestamp: number; metrics: SpMetric[] },
    values: number,
  ): void {
    const client = this.#client!;
    const bytes = encodePayload({ ...payload, seq: this.#nextSeq() });
    client.publish(topic, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      qos: 0,
      retain: false,
    });
    this.#n.messages++;
    this.#n.values += values;
  }

  #deviceBirth(device: DeviceModel): void {
    const now = this.#clock.now();
    const metrics = device.metrics.map((m) => {
      const cur = this.#current.get(m.tagId);
      this.#filter.reset(m.tagId, cur);
      return cur
        ? birthMetric(m, cur.value, cur.quality, cur.ts)
        : birthMetric(m, null, "stale", now);
    });
    this.#publish(
      this.#topics.deviceTopic("DBIRTH", device.deviceId),
      { timestamp: now, metrics },
      metrics.length,
    );
    this.#born.add(device.plcId);
  }

  #deviceDeath(device: DeviceModel): void {
    this.#publish(this.#topics.deviceTopic("DDEATH", device.deviceId), {
      timestamp: this.#clock.now(),
      metrics: [],
    }, 0);
    this.#born.delete(device.plcId);
  }

  #publishData(device: DeviceModel, samples: readonly Sample[], historical: boolean): void {
    const metrics: SpMetric[] = [];
    const sent: Sample[] = [];
    for (const s of samples) {
      const entry = this.#model.byTag.get(s.tagId);
      if (!entry || entry.device.plcId !== device.plcId) continue;
      metrics.push(dataMetric(entry.metric, s.value, s.quality, s.ts, historical));
      sent.push(s);
    }
    if (metrics.length === 0) return;
    this.#publish(
      this.#topics.deviceTopic("DDATA", device.deviceId),
      { timestamp: this.#clock.now(), metrics },
      metrics.length,
    );
    if (historical) this.#n.historicalValues += metrics.length;
    this.#inflight.add(sent);
  }

  #onMessage(client: MqttClient, topic: string, payload: Uint8Array): void {
    if (client !== this.#client) return;
    const t = parseIncoming(this.#topics, topic);
    try {
      if (t.kind === "STATE") this.#onState(t.hostId, payload);
      else if (t.kind === "NCMD") this.#onNodeCommand(payload);
      else if (t.kind === "DCMD") this.#onDeviceCommand(t.deviceId, payload);
    } catch (e) {
      this.#log("warning", `Sparkplug: ${topic}: ${(e as Error).message}`);
    }
  }

  #onState(hostId: string, payload: Uint8Array): void {
    if (hostId !== this.#settings.primaryHost) return;
    const state = parseStatePayload(payload);
    if (!state) {
      this.#log("warning", `Sparkplug: STATE of ${hostId} is not {"online", "timestamp"} JSON`);
      return;
    }
    if (this.#lastStateTs !== undefined && state.timestamp < this.#lastStateTs) return;
    this.#lastStateTs = state.timestamp;
    this.#log(
      "info",
      `Sparkplug: primary host ${hostId} is ${state.online ? "online" : "offline"}`,
    );
    this.#actor.send({ type: "HOST", online: state.online });
  }

  #onNodeCommand(payload: Uint8Array): void {
    const p = decodePayload(payload);
    for (const m of p.metrics) {
      if (isRebirthRequest(m)) {
        this.#log("info", "Sparkplug: rebirth requested (NCMD)");
        if (this.mode === "online") this.#birth();
      }
    }
  }

  #onDeviceCommand(deviceId: string, payload: Uint8Array): void {
    const device = this.#model.byDeviceId.get(deviceId);
    if (!device) {
      this.#n.ignored++;
      this.#log("warning", `Sparkplug: DCMD for unknown device ${deviceId} ignored`);
      return;
    }
    const write = this.#settings.commands ? this.#write : undefined;
    const plan = planCommand(device, payload, write !== undefined);
    if (plan.ignored > 0) {
      this.#n.ignored += plan.ignored;
      this.#log("info", `Sparkplug: DCMD for ${deviceId} ignored (--sparkplug-commands is off)`);
    }
    for (const reason of plan.refused) {
      this.#n.refused++;
      this.#log("warning", `Sparkplug: DCMD refused: ${reason}`);
    }
    if (!write || plan.items.length === 0) return;
    write(plan.items).then((outcomes) => {
      for (const o of outcomes) {
        if (o.ok) this.#n.written++;
        else {
          this.#n.refused++;
          this.#log("warning", `Sparkplug: DCMD write to tag ${o.tagId} refused: ${o.reason}`);
        }
      }
    }, (e) => {
      this.#n.refused += plan.items.length;
      this.#log("warning", `Sparkplug: DCMD write failed: ${(e as Error).message}`);
    });
  }

  // ---- store and forward ----

  #toSpool(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    this.#spool.append(samples).then((dropped) => {
      if (dropped > 0) this.#n.spoolDropped += dropped;
    }, (e) => this.#log("error", `Sparkplug spool: append failed: ${(e as Error).message}`));
  }

  /** Bytes written to the MQTT connection and not yet sent. */
  #unsentBytes(): number {
    const stream = this.#client?.stream as unknown as { writableLength?: number } | undefined;
    return stream?.writableLength ?? 0;
  }

  #startReplay(): void {
    if (this.#replaying || !this.#spool.hasPending()) return;
    this.#replaying = replaySpool({
      spool: this.#spool,
      clock: this.#clock,
      tuning: this.#tuning,
      log: this.#log,
      online: () => this.mode === "online" && !this.#stopping,
      unsentBytes: () => this.#unsentBytes(),
      publishHistorical: (samples) => this.#publishHistorical(samples),
    }).then(
      () => {},
      (e) => this.#log("error", `Sparkplug spool: replay failed: ${(e as Error).message}`),
    ).finally(() => this.#replaying = undefined);
  }

  /** Historical DDATA for one replayed batch; samples of devices not born are skipped. */
  #publishHistorical(samples: readonly Sample[]): void {
    const byDevice = new Map<DeviceModel, Sample[]>();
    for (const s of samples) {
      const entry = this.#model.byTag.get(s.tagId);
      if (!entry || !this.#born.has(entry.device.plcId)) {
        this.#n.skipped++;
        continue;
      }
      let list = byDevice.get(entry.device);
      if (!list) byDevice.set(entry.device, list = []);
      list.push(s);
    }
    for (const [device, list] of byDevice) this.#publishData(device, list, true);
  }

  // ---- node metrics ----

  #indexDeadbands(plant: PlantConfig): void {
    this.#deadband = new Map(plant.tags.map((t) => [t.id, t.deadband]));
  }

  #refreshSpoolFigures(): void {
    const st = this.#spool.stats();
    this.#nodeMetrics.set({ spoolBytes: st.bytes, droppedValues: st.droppedValues });
  }

  #armStatusTimer(): void {
    this.#statusTimer = this.#clock.setTimeout(() => {
      if (this.#stopping) return;
      this.#publishFigures();
      this.#armStatusTimer();
    }, this.#tuning.statusIntervalMs);
  }

  /** Every `confirmMs`: a PINGREQ when sent data waits for confirmation and none is in flight. */
  #armConfirmTimer(): void {
    this.#confirmTimer = this.#clock.setTimeout(() => {
      if (this.#stopping) return;
      const client = this.#client;
      if (this.#online && this.#spool.hasPending()) this.#startReplay();
      if (this.#online && client?.connected && this.#inflight.size > 0 && !this.#inflight.pinging) {
        client.sendPing();
      }
      this.#armConfirmTimer();
    }, this.#tuning.confirmMs);
  }

  #publishFigures(): void {
    this.#refreshSpoolFigures();
    if (this.mode !== "online" || !this.#client) return;
    const now = this.#clock.now();
    const metrics = this.#nodeMetrics.changed(now);
    if (metrics.length) {
      this.#publish(this.#topics.nodeTopic("NDATA"), { timestamp: now, metrics }, 0);
    }
  }

  /** The plant the publisher models now. */
  get plant(): PlantConfig {
    return this.#plant;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(message)), ms)),
  ]).finally(() => clearTimeout(timer));
}
