/**
 * The WebSocket hub: fans the live cache's changes out to the /ws clients.
 *
 * - Changes collect in one batch (tag id → newest sample). Flushes are at
 *   least `flushMs` (100 ms) apart, so each client gets at most one values
 *   frame per 100 ms, holding only tags that changed. They come at the phase
 *   of the period that makes arrived values wait least (ws_phase.ts: the
 *   FIXED groups tick on an epoch-aligned grid, so their reads finish at
 *   similar offsets every period); until that is learnt, `gatherMs` after
 *   the first change of a quiet spell, so one tick's reads share a frame.
 * - Each sample is encoded once per flush, and a whole-plant subscriber gets
 *   the same frame string as every other, so fan-out costs one send each.
 * - A client whose socket has more than `maxBufferedBytes` queued gets no
 *   frame; it is owed the newest sample of each changed tag instead (bounded
 *   by its subscription), older owed values are replaced and counted in
 *   `jsscada_ws_replaced_updates_total`, and it catches up once drained. Past
 *   `closeBufferedBytes` it is closed (1008).
 * - A status frame goes out every `statusMs`; alarm transitions are pushed as
 *   they happen with the active list.
 */
import { type Clock, systemClock } from "../actors/clock.ts";
import type { AlarmTransition } from "../alarms/state.ts";
import type { Sample } from "../model/sample.ts";
import type { LivePlant } from "./live_port.ts";
import { FlushPhase } from "./ws_phase.ts";
import { WsClient, type WsSocket, type WsUser } from "./ws_client.ts";
import { alarmsFrame, Encoder, statusFrame } from "./ws_frames.ts";
import { type ClientMessage, parseClientMessage, valuesFrame } from "./ws_protocol.ts";

/** How the hub runs; every field has a default. */
export interface WsHubOptions {
  readonly clock?: Clock;
  /** Least time between two values frames to a client, ms. Default 100. */
  readonly flushMs?: number;
  /** Wait after the first change before flushing while the phase is not known yet, ms. Default 20. */
  readonly gatherMs?: number;
  /** Status frame period, ms. Default 1000. */
  readonly statusMs?: number;
  /** Above this many queued bytes a client is skipped and owed values instead. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Above this many queued bytes a client is closed (1008). Default 64 MiB. */
  readonly closeBufferedBytes?: number;
  /** Most alarm transitions kept for one alarms frame (the oldest go). Default 1,000. */
  readonly maxTransitions?: number;
  /**
   * Add `a` (when the gateway got the value, ms since the epoch) to each item
   * of a values frame, so a client can measure the fan-out delay apart from
   * the PLC read (benchmarks). Default false.
   */
  readonly arrivalStamps?: boolean;
}

const EMPTY: ReadonlyMap<number, Sample> = new Map();
/**
 * A new flush phase up to this much earlier than the last flush's is not
 * worth skipping a period for: the flush comes a little late instead.
 */
const PHASE_SLACK_MS = 10;

/** The hub; see the module comment. Always {@link close} it. */
export class WsHub {
  readonly #plant: LivePlant;
  readonly #clock: Clock;
  readonly #flushMs: number;
  readonly #gatherMs: number;
  readonly #statusMs: number;
  readonly #maxBuffered: number;
  readonly #closeBuffered: number;
  readonly #maxTransitions: number;
  readonly #clients = new Set<WsClient>();
  #batch = new Map<number, Sample>();
  /** When the batch's first change arrived (for the send-latency metric). */
  #batchSince: number | undefined;
  /** When each batched change arrived, with `arrivalStamps`. */
  #arrivals: Map<number, number> | undefined;
  #interested = false;
  #flushTimer: unknown;
  readonly #phase: FlushPhase;
  /** When the last flush was due (timers fire a little late; spacing counts from the schedule). */
  #lastFlush = Number.NEGATIVE_INFINITY;
  #statusTimer: unknown;
  #alarmTimer: unknown;
  #transitions: AlarmTransition[] = [];
  #closed = false;
  readonly #offLive: () => void;
  readonly #offAlarms: () => void;

  /** Starts listening to the plant's live cache and alarm engine. */
  constructor(plant: LivePlant, options: WsHubOptions = {}) {
    this.#plant = plant;
    this.#clock = options.clock ?? systemClock;
    this.#flushMs = options.flushMs ?? 100;
    this.#gatherMs = Math.min(options.gatherMs ?? 20, this.#flushMs);
    this.#statusMs = options.statusMs ?? 1000;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#closeBuffered = options.closeBufferedBytes ?? 64 * 1024 * 1024;
    this.#maxTransitions = options.maxTransitions ?? 1000;
    this.#arrivals = options.arrivalStamps ? new Map() : undefined;
    this.#phase = new FlushPhase(this.#flushMs);
    this.#offLive = plant.live.onChange((samples) => this.#onChange(samples));
    this.#offAlarms = plant.alarms.subscribe((t) => this.#onAlarms(t));
  }

  /** Clients connected now. */
  get size(): number {
    return this.#clients.size;
  }

  /** Adds a connected socket: greets it with hello, the status and the active alarms. */
  attach(socket: WsSocket, user: WsUser): WsClient {
    const client = new WsClient(socket, user);
    if (this.#closed) {
      socket.close(1001, "server shutting down");
      return client;
    }
    this.#clients.add(client);
    this.#plant.metrics.ws.setClients(this.#clients.size);
    client.send(JSON.stringify({ type: "hello", user, serverTime: this.#clock.now() }));
    client.send(JSON.stringify(statusFrame(this.#plant, this.#clock.now())));
    client.send(this.#alarmsFrame([]));
    this.#statusTimer ??= this.#clock.setTimeout(() => this.#statusTick(), this.#statusMs);
    return client;
  }

  /** Removes a client whose socket closed. */
  detach(client: WsClient): void {
    if (!this.#clients.delete(client)) return;
    this.#plant.metrics.ws.setClients(this.#clients.size);
    this.#refreshInterest();
    if (this.#clients.size === 0 && this.#statusTimer !== undefined) {
      this.#clock.clearTimeout(this.#statusTimer);
      this.#statusTimer = undefined;
    }
  }

  /** Handles one frame from a client. */
  receive(client: WsClient, data: unknown): void {
    if (typeof data !== "string") {
      this.#reply(client, { type: "error", message: "send JSON text frames, not binary ones" });
      return;
    }
    const parsed = parseClientMessage(data);
    if (!parsed.ok) {
      this.#reply(client, { type: "error", message: parsed.error });
      return;
    }
    const m = parsed.message;
    if (m.type === "ping") this.#reply(client, { type: "pong", serverTime: this.#clock.now() });
    else if (m.type === "subscribe") this.#subscribe(client, m);
    else this.#unsubscribe(client, m);
  }

  /** Closes every socket (1001) and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#offLive();
    this.#offAlarms();
    for (const t of [this.#flushTimer, this.#statusTimer, this.#alarmTimer]) {
      if (t !== undefined) this.#clock.clearTimeout(t);
    }
    this.#flushTimer = this.#statusTimer = this.#alarmTimer = undefined;
    for (const c of this.#clients) {
      try {
        c.socket.close(1001, "server shutting down");
      } catch { /* already closing */ }
    }
    this.#clients.clear();
    this.#plant.metrics.ws.setClients(0);
  }

  #subscribe(client: WsClient, m: Extract<ClientMessage, { type: "subscribe" }>): void {
    const { index, live } = this.#plant;
    const problems = this.#unknown(m.tags, m.groups);
    if (!m.all && !m.tags?.length && !m.groups?.length) {
      problems.push('nothing to subscribe to: give "tags", "groups" or "all": true');
    }
    const owed: Sample[] = [];
    if (m.all && !client.all) {
      client.all = true;
      owed.push(...live.snapshot());
    }
    for (const code of m.tags ?? []) {
      const tag = index.tagByCode(code);
      if (!tag || client.tags.has(tag.id)) continue;
      client.tags.add(tag.id);
      const s = live.get(tag.id);
      if (s) owed.push(s);
    }
    for (const code of m.groups ?? []) {
      const group = index.groupByCode(code);
      if (!group || client.groups.has(group.id)) continue;
      client.groups.add(group.id);
      for (const tag of index.tagsOfGroup(group.id)) {
        const s = live.get(tag.id);
        if (s) owed.push(s);
      }
    }
    if (problems.length) this.#reply(client, { type: "error", message: problems.join("; ") });
    for (const s of owed) client.pending.set(s.tagId, s);
    this.#refreshInterest();
    this.#deliver(client, EMPTY, new Encoder(this.#plant, EMPTY));
    if (client.pending.size > 0) this.#scheduleFlush();
  }

  #unsubscribe(client: WsClient, m: Extract<ClientMessage, { type: "unsubscribe" }>): void {
    const { index } = this.#plant;
    const problems = this.#unknown(m.tags, m.groups);
    if (m.all) {
      client.all = false;
      client.tags.clear();
      client.groups.clear();
    }
    for (const code of m.tags ?? []) {
      const tag = index.tagByCode(code);
      if (tag) client.tags.delete(tag.id);
    }
    for (const code of m.groups ?? []) {
      const group = index.groupByCode(code);
      if (group) client.groups.delete(group.id);
    }
    for (const id of [...client.pending.keys()]) {
      const tag = index.tag(id);
      if (!tag || !client.wants(tag)) client.pending.delete(id);
    }
    if (problems.length) this.#reply(client, { type: "error", message: problems.join("; ") });
    this.#refreshInterest();
  }

  /** Sentences naming unknown tag and group codes. */
  #unknown(tags: readonly string[] = [], groups: readonly string[] = []): string[] {
    const { index } = this.#plant;
    const out: string[] = [];
    const badTags = tags.filter((c) => !index.tagByCode(c));
    const badGroups = groups.filter((c) => !index.groupByCode(c));
    if (badTags.length) out.push(`unknown tag code(s): ${badTags.slice(0, 20).join(", ")}`);
    if (badGroups.length) out.push(`unknown polling group code(s): ${badGroups.join(", ")}`);
    return out;
  }

  #refreshInterest(): void {
    let any = false;
    for (const c of this.#clients) if (c.subscribed) any = true;
    this.#interested = any;
    if (!any) {
      this.#batch.clear();
      this.#batchSince = undefined;
      this.#arrivals?.clear();
    }
  }

  /** Small frames (pong, error): dropped for a congested client, so they cannot pile up. */
  #reply(client: WsClient, frame: object): void {
    if (this.#tooSlow(client) || client.congested(this.#maxBuffered)) return;
    client.send(JSON.stringify(frame));
  }

  /** Closes a client past the hard limit; true when it did. */
  #tooSlow(client: WsClient): boolean {
    if (client.socket.bufferedAmount <= this.#closeBuffered) return false;
    try {
      client.socket.close(1008, "too slow: the client does not read its messages");
    } catch { /* already closing */ }
    this.detach(client);
    return true;
  }

  #onChange(samples: readonly Sample[]): void {
    if (this.#closed) return;
    const at = this.#clock.now();
    // Learn the arrival pattern even with nobody subscribed, so the first clients get it right.
    this.#phase.record(at, samples.length);
    if (!this.#interested) return;
    for (const s of samples) this.#batch.set(s.tagId, s);
    this.#batchSince ??= at;
    if (this.#arrivals) { for (const s of samples) this.#arrivals.set(s.tagId, at); }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    const now = this.#clock.now();
    const earliest = Math.max(now, this.#lastFlush + this.#flushMs);
    const phase = this.#phase.phase(now);
    let at = phase === undefined
      ? Math.max(now + this.#gatherMs, earliest)
      : this.#phase.next(earliest, phase);
    if (phase !== undefined && at - earliest > this.#flushMs - PHASE_SLACK_MS) at = earliest;
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.#lastFlush = at;
      this.#flush();
    }, at - now);
  }

  #flush(): void {
    const batch = this.#batch;
    const arrivals = this.#arrivals;
    const since = this.#batchSince;
    this.#batchSince = undefined;
    this.#batch = new Map();
    if (arrivals) this.#arrivals = new Map();
    const encoder = new Encoder(this.#plant, batch, arrivals);
    let owing = false;
    for (const client of [...this.#clients]) {
      if (!client.subscribed && !client.alarmsMissed) continue;
      this.#deliver(client, batch, encoder);
      if (client.pending.size > 0 || client.alarmsMissed) owing = true;
    }
    if (since !== undefined && batch.size > 0) {
      this.#plant.metrics.ws.observeSend((this.#clock.now() - since) / 1000);
    }
    if (owing) this.#scheduleFlush();
  }

  /** Sends a client what it is owed plus its part of `batch`, or owes it if congested. */
  #deliver(client: WsClient, batch: ReadonlyMap<number, Sample>, encoder: Encoder): void {
    if (!client.open || this.#tooSlow(client)) return;
    const { index, metrics } = this.#plant;
    if (client.congested(this.#maxBuffered)) {
      let replaced = 0;
      for (const s of batch.values()) {
        const tag = index.tag(s.tagId);
        if (tag && client.wants(tag) && client.owe(s)) replaced++;
      }
      if (replaced) metrics.ws.replaced.inc(replaced);
      return;
    }
    if (client.alarmsMissed) {
      client.alarmsMissed = false;
      client.send(this.#alarmsFrame([]));
    }
    if (client.pending.size === 0 && client.all) {
      if (batch.size > 0) client.send(encoder.all());
      return;
    }
    let replaced = 0;
    for (const s of batch.values()) {
      const tag = index.tag(s.tagId);
      if (tag && client.wants(tag) && client.owe(s)) replaced++;
    }
    if (replaced) metrics.ws.replaced.inc(replaced);
    if (client.pending.size === 0) return;
    const parts: string[] = [];
    for (const s of client.pending.values()) {
      const text = encoder.item(s);
      if (text !== null) parts.push(text);
    }
    client.pending.clear();
    if (parts.length) client.send(valuesFrame(parts));
  }

  #statusTick(): void {
    this.#statusTimer = undefined;
    if (this.#closed || this.#clients.size === 0) return;
    const frame = JSON.stringify(statusFrame(this.#plant, this.#clock.now()));
    for (const client of [...this.#clients]) {
      if (!this.#tooSlow(client) && !client.congested(this.#maxBuffered)) client.send(frame);
    }
    this.#statusTimer = this.#clock.setTimeout(() => this.#statusTick(), this.#statusMs);
  }

  #alarmsFrame(transitions: readonly AlarmTransition[]): string {
    return alarmsFrame(this.#plant, transitions);
  }

  #onAlarms(transitions: readonly AlarmTransition[]): void {
    if (this.#closed || this.#clients.size === 0) return;
    this.#transitions.push(...transitions);
    const excess = this.#transitions.length - this.#maxTransitions;
    if (excess > 0) this.#transitions.splice(0, excess);
    this.#alarmTimer ??= this.#clock.setTimeout(() => this.#flushAlarms(), 0);
  }

  #flushAlarms(): void {
    this.#alarmTimer = undefined;
    const transitions = this.#transitions;
    this.#transitions = [];
    if (this.#closed || transitions.length === 0) return;
    const frame = this.#alarmsFrame(transitions);
    for (const client of [...this.#clients]) {
      if (this.#tooSlow(client)) continue;
      if (client.congested(this.#maxBuffered)) {
        client.alarmsMissed = true;
        this.#scheduleFlush();
      } else client.send(frame);
    }
  }
}
