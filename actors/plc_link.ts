/**
 * The read capability a plc actor lends its pollers. Reads go straight from
 * the poller to the PLC's socket pool (no actor message per block, so 40
 * block reads cost 40 pool requests and nothing more), behind a gate that the
 * plc actor sets: open when connected, closed while the PLC is failed (reads
 * fail at once with PlcError `closed`, so a poller never waits a timeout per
 * block on a dead PLC), wait during the first connect. Each read reports one
 * outcome back to the plc actor, which applies the failure rule (attempts)
 * and decides about backoff; the link carries its verdict (`failed`) back to
 * the readers, so a poller knows whether a failed read means bad-comm or a
 * silent retry. Expected failures are results, never rejections; only bugs
 * reject.
 */
import { CLIENT_1E } from "../protocol/client1e_mc.ts";
import { speaks1E } from "../protocol/series.ts";
import { udpConnect } from "../protocol/udp_transport.ts";
import type { PlcConfig } from "../model/config.ts";
import type {
  McRequest,
  RandomReadRequest,
  ReadWordsRequest,
  ResponseFor,
} from "../protocol/commands.ts";
import { type Address, DEVICES } from "../protocol/devices.ts";
import { PlcError, type PlcErrorCode } from "../protocol/errors.ts";
import type { ReadBlock } from "../protocol/planner.ts";
import { PlcPool, type PoolRequestOptions, type PoolStats } from "../protocol/pool.ts";
import type { Clock } from "./clock.ts";

/** What the runtime needs of a socket pool; {@link PlcPool} is the real one, tests inject fakes. */
export interface PoolPort {
  request<R extends McRequest>(req: R, options?: PoolRequestOptions): Promise<ResponseFor<R>>;
  readonly stats: PoolStats;
  close(): Promise<void>;
}

/** Makes the pool for one PLC (the plc actor calls it each time it starts). */
export type CreatePool = (plc: PlcConfig) => PoolPort;

/** Times a UDP request whose answer was lost is sent again. */
const UDP_RETRIES = 2;

/**
 * The production pool factory: TCP sockets (or UDP, per the PLC's transport)
 * to its host and port, speaking 3E/4E, or 1E for an FX3.
 */
export function createTcpPool(plc: PlcConfig): PoolPort {
  return new PlcPool({
    ...(speaks1E(plc.series) ? { client: CLIENT_1E } : {}),
    host: plc.host,
    port: plc.port,
    frame: plc.frame,
    route: { network: plc.network, pc: plc.pc, moduleIo: plc.moduleIo, station: plc.station },
    timeoutMs: plc.timeoutMs,
    size: plc.poolSize,
    type: plc.frameType,
    pipelineDepth: plc.pipelineDepth,
    extended: plc.series === "iQ-R",
    ...(plc.series ? { series: plc.series } : {}),
    ...(plc.xyNotation ? { xyNotation: plc.xyNotation } : {}),
    ...(plc.transport === "udp" ? { connect: udpConnect, retries: UDP_RETRIES } : {}),
  });
}

/** Failures that say the PLC cannot be reached (as opposed to refusing a request). */
const TRANSPORT: ReadonlySet<PlcErrorCode> = new Set(["timeout", "refused", "closed", "protocol"]);

/** Whether a failure means the PLC is unreachable: the plc actor backs off on these. */
export function isTransportFailure(e: PlcError): boolean {
  return TRANSPORT.has(e.code);
}

/** The request that reads one planned block: a batch read (0401), or a random read (0403) of double words. */
export function blockRequest(
  b: ReadBlock,
): ReadWordsRequest | RandomReadRequest {
  return b.kind === "dwords"
    ? { command: "randomRead", words: [], dwords: b.dwords ?? [] }
    : { command: "readWords", head: { device: b.device, address: b.start }, points: b.points };
}

/**
 * A block's answer as the words extractValues expects: a batch read's words
 * as they are, a random read's double words as two words each, low word first.
 */
export function blockWords(
  b: ReadBlock,
  res: ResponseFor<ReadWordsRequest> | ResponseFor<RandomReadRequest>,
): Uint16Array {
  if (res.command === "readWords") return res.words;
  const out = new Uint16Array(b.points);
  res.dwords.forEach((v, i) => {
    out[2 * i] = v & 0xffff;
    out[2 * i + 1] = (v >>> 16) & 0xffff;
  });
  return out;
}

/** How reads pass: `open`, `wait` (first connect under way), `closed` (fail fast). */
export type Gate = "open" | "wait" | "closed";

/** One read of a group's blocks: words per block, or the failure of that block. */
export interface BlockReads {
  /** `words[k]` answers block k; undefined when it failed. */
  readonly words: readonly (Uint16Array | undefined)[];
  /** `errors[k]`: why block k failed. */
  readonly errors: readonly (PlcError | undefined)[];
  /** The failure that cut the read short (a transport failure), else the first one. */
  readonly error: PlcError | undefined;
  readonly failed: number;
  /** Clock time when the read was started and when it ended. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /**
   * Whether the PLC stood declared failed when the read ended (after its
   * outcome was counted): failed blocks are then bad-comm; otherwise a
   * transport failure is a retry and the tags keep their previous values.
   */
  readonly plcFailed: boolean;
}

/** What each read tells the plc actor. */
export interface LinkOutcome {
  readonly ok: boolean;
  /** The deciding failure (see {@link BlockReads.error}). */
  readonly error?: PlcError;
  readonly requests: number;
  readonly failed: number;
  readonly ms: number;
}

/** Per-read options. */
export interface LinkReadOptions {
  /** Per-request timeout, also the longest wait at a `wait` gate; default the PLC's timeoutMs. */
  readonly timeoutMs?: number;
  /** Aborts the read (the poller stopped); nothing is reported then. */
  readonly signal?: AbortSignal;
}

/** Outcome of a probe (a CPU model read; on an FX3, the 1E model name read). */
export interface ProbeResult {
  readonly ok: boolean;
  readonly model?: string;
  readonly error?: PlcError;
  readonly ms: number;
}

/**
 * The link to one PLC, shared by its plc actor (which attaches the pool and
 * sets the gate) and its pollers (which read). It outlives a restart of the
 * plc actor, so pollers need no restart when only the connection restarts.
 */
export class PlcLink {
  readonly label: string;
  #pool: PoolPort | undefined;
  #gate: Gate = "closed";
  #reason = "not started";
  #waiters = new Set<() => void>();
  #listeners = new Set<(o: LinkOutcome) => void>();
  #closing = new Set<Promise<void>>();
  #fastFailures = 0;
  #failed = false;
  /** Cutters of the reads under way, aborted when the gate closes. */
  #inflight = new Set<AbortController>();

  /** `plc` gives the label and default timeout; `clock` times reads and gate waits. */
  constructor(readonly plc: PlcConfig, readonly clock: Clock) {
    this.label = `PLC ${plc.code} (${plc.host}:${plc.port})`;
  }

  /** The gate as the plc actor last set it. */
  get gate(): Gate {
    return this.#gate;
  }

  /** The attached pool's counters, if a pool is attached. */
  get poolStats(): PoolStats | undefined {
    return this.#pool?.stats;
  }

  /** Whether the plc actor declared the PLC failed (see {@link BlockReads.plcFailed}). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Records the plc actor's verdict: the PLC is failed (true) or answering (false). */
  setFailed(failed: boolean): void {
    this.#failed = failed;
  }

  /** Reads refused at a closed gate without touching the network. */
  get fastFailures(): number {
    return this.#fastFailures;
  }

  /** Gives the link a pool; an earlier one is closed. */
  attach(pool: PoolPort): void {
    if (this.#pool && this.#pool !== pool) this.#close(this.#pool);
    this.#pool = pool;
  }

  /** Closes the gate and closes the pool in the background ({@link settled} awaits it). */
  detach(reason = "disconnected"): void {
    this.setGate("closed", reason);
    if (this.#pool) this.#close(this.#pool);
    this.#pool = undefined;
  }

  /** No pool attached and none still closing: a retired link can be forgotten. */
  get idle(): boolean {
    return this.#pool === undefined && this.#closing.size === 0;
  }

  /** Resolves when every pool this link closed has finished closing. */
  async settled(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all([...this.#closing]);
  }

  /** Sets the gate (the plc actor's job); `reason` goes into fail-fast errors. */
  setGate(gate: Gate, reason = ""): void {
    this.#gate = gate;
    this.#reason = reason;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
    if (gate === "closed") {
      // Reads still queued behind stalled sockets (other groups', longer timeouts) fail now.
      const why = this.#closedError(reason || "no pool");
      for (const c of this.#inflight) c.abort(why);
      this.#inflight.clear();
    }
  }

  /** Subscribes to read outcomes; returns the unsubscribe function. */
  onOutcome(listener: (o: LinkOutcome) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A cheap request that tells whether the PLC answers: CPU model read,
   * bypassing the gate (on an FX3 the 1E PLC model name read, 15H). An end
   * code counts as answering.
   */
  async probe(timeoutMs: number): Promise<ProbeResult> {
    const t0 = this.clock.now();
    const pool = this.#pool;
    if (!pool) return { ok: false, error: this.#closedError("no pool"), ms: 0 };
    try {
      const res = await pool.request({ command: "cpuModel" }, { timeoutMs });
      return { ok: true, model: res.model, ms: this.clock.now() - t0 };
    } catch (e) {
      if (!(e instanceof PlcError)) throw e;
      return { ok: e.code === "endCode", error: e, ms: this.clock.now() - t0 };
    }
  }

  /**
   * Reads blocks in parallel over the pool's sockets (batch reads, or random
   * reads of double words for `dwords` blocks). The first transport
   * failure aborts the rest (they report the same failure), so a stalled
   * PLC costs one timeout per read, not one per block.
   */
  async readBlocks(
    blocks: readonly ReadBlock[],
    options: LinkReadOptions = {},
  ): Promise<BlockReads> {
    const startedAt = this.clock.now();
    const n = blocks.length;
    const words = new Array<Uint16Array | undefined>(n).fill(undefined);
    const errors = new Array<PlcError | undefined>(n).fill(undefined);
    if (n === 0) {
      return {
        words,
        errors,
        error: undefined,
        failed: 0,
        startedAt,
        finishedAt: startedAt,
        plcFailed: this.#failed,
      };
    }
    const timeoutMs = options.timeoutMs ?? this.plc.timeoutMs;
    const refused = await this.#pass(timeoutMs, options.signal);
    if (refused) {
      errors.fill(refused);
      return {
        words,
        errors,
        error: refused,
        failed: n,
        startedAt,
        finishedAt: this.clock.now(),
        plcFailed: this.#failed,
      };
    }
    const pool = this.#pool!;
    const cutter = new AbortController();
    this.#inflight.add(cutter);
    const outer = options.signal;
    const onAbort = () => cutter.abort();
    outer?.addEventListener("abort", onAbort, { once: true });
    let cut: PlcError | undefined;
    try {
      await Promise.all(blocks.map(async (b, k) => {
        try {
          const res = await pool.request(blockRequest(b), { signal: cutter.signal, timeoutMs });
          words[k] = blockWords(b, res);
        } catch (e) {
          if (!(e instanceof PlcError)) {
            cutter.abort();
            throw e;
          }
          errors[k] = e;
          if (!cut && isTransportFailure(e) && !outer?.aborted) {
            cut = e;
            cutter.abort();
          }
        }
      }));
    } finally {
      outer?.removeEventListener("abort", onAbort);
      this.#inflight.delete(cutter);
    }
    if (!cut && !outer?.aborted && cutter.signal.reason instanceof PlcError) {
      cut = cutter.signal.reason; // the gate closed while the read waited
    }
    let failed = 0, first: PlcError | undefined;
    for (let k = 0; k < n; k++) {
      if (cut && errors[k]?.code === "aborted") errors[k] = cut;
      if (errors[k]) {
        failed++;
        first ??= errors[k];
      }
    }
    const error = cut ?? first;
    const finishedAt = this.clock.now();
    if (!outer?.aborted) {
      this.#report({ ok: failed === 0, error, requests: n, failed, ms: finishedAt - startedAt });
    }
    return { words, errors, error, failed, startedAt, finishedAt, plcFailed: this.#failed };
  }

  /**
   * Sets or clears one bit: a bit device point by a bit-unit write, a bit of
   * a word device (`D500.1`) by reading the word and writing it back (another
   * writer of that word between the two requests would be overwritten).
   * Returns the failure, or undefined on success.
   */
  async writeBit(
    address: Address,
    value: boolean,
    options: LinkReadOptions = {},
  ): Promise<PlcError | undefined> {
    const t0 = this.clock.now();
    const timeoutMs = options.timeoutMs ?? this.plc.timeoutMs;
    const refused = await this.#pass(timeoutMs, options.signal);
    if (refused) return refused;
    const pool = this.#pool!;
    const head = { device: address.device, address: address.address };
    const opts = { timeoutMs, signal: options.signal };
    let requests = 1;
    try {
      if (DEVICES.get(address.device)?.kind === "bit") {
        await pool.request({ command: "writeBits", head, bits: [value] }, opts);
      } else {
        const bit = 1 << (address.bit ?? 0);
        const [word] = (await pool.request({ command: "readWords", head, points: 1 }, opts)).words;
        requests++;
        const next = value ? word | bit : word & ~bit & 0xffff;
        await pool.request({ command: "writeWords", head, words: [next] }, opts);
      }
      this.#report({ ok: true, requests, failed: 0, ms: this.clock.now() - t0 });
      return undefined;
    } catch (e) {
      if (!(e instanceof PlcError)) throw e;
      if (!options.signal?.aborted) {
        this.#report({ ok: false, error: e, requests, failed: 1, ms: this.clock.now() - t0 });
      }
      return e;
    }
  }

  /**
   * One request ahead of every queued read (an operator's write or its
   * read-back): refused at once while the gate is closed, waiting at most
   * the PLC's timeout for a free socket and for the reply. Returns the
   * response or the failure (also reported as an outcome).
   */
  async urgent<R extends McRequest>(
    req: R,
    options: LinkReadOptions = {},
  ): Promise<ResponseFor<R> | PlcError> {
    const t0 = this.clock.now();
    const timeoutMs = options.timeoutMs ?? this.plc.timeoutMs;
    const refused = await this.#pass(timeoutMs, options.signal);
    if (refused) return refused;
    try {
      const res = await this.#pool!.request(req, {
        timeoutMs,
        signal: options.signal,
        urgent: true,
      });
      this.#report({ ok: true, requests: 1, failed: 0, ms: this.clock.now() - t0 });
      return res;
    } catch (e) {
      if (!(e instanceof PlcError)) throw e;
      if (!options.signal?.aborted) {
        this.#report({ ok: false, error: e, requests: 1, failed: 1, ms: this.clock.now() - t0 });
      }
      return e;
    }
  }

  #report(o: LinkOutcome): void {
    for (const l of this.#listeners) l(o);
  }

  #closedError(why: string): PlcError {
    return new PlcError("closed", `${this.label} is not connected (${why}); the read was not sent`);
  }

  /** Waits at a `wait` gate; returns the failure when the read may not go ahead. */
  async #pass(timeoutMs: number, signal: AbortSignal | undefined): Promise<PlcError | undefined> {
    if (this.#gate === "wait") {
      const deadline = this.clock.now() + timeoutMs;
      while (this.#gate === "wait" && !signal?.aborted && this.clock.now() < deadline) {
        await this.#gateChange(deadline - this.clock.now(), signal);
      }
      if (signal?.aborted) {
        return new PlcError("aborted", `the read from ${this.label} was aborted`);
      }
      if (this.#gate === "wait") {
        return new PlcError("timeout", `${this.label} did not connect within ${timeoutMs} ms`);
      }
    }
    if (this.#gate === "closed" || !this.#pool) {
      this.#fastFailures++;
      return this.#closedError(this.#reason || "no pool");
    }
    return undefined;
  }

  #gateChange(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
  }

  #close(pool: PoolPort): void {
    const p = pool.close().catch(() => {}).finally(() => this.#closing.delete(p));
    this.#closing.add(p);
  }
}
