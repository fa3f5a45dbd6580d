/**
 * A pool of socket clients to one PLC (five by default, as the earlier Python
 * JSScada used), opened lazily as load needs them. Each request goes to an
 * idle client; when all are busy it waits in a bounded FIFO queue. A full
 * queue is back-pressure (PlcError `busy`), a request that waited too long is
 * dropped unsent (PlcError `timeout`), so a poller never piles up stale reads.
 * The sockets are {@link PlcClient}s (3E/4E) unless the options name another
 * kind of client (1E for FX3: protocol/client1e_mc.ts).
 */
import {
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  PlcClient,
  type RequestOptions,
} from "./client.ts";
import { checkRequest, type McRequest, type ResponseFor } from "./commands.ts";
import { PlcError } from "./errors.ts";
import {
  abortedError,
  closedError,
  describeRequest,
  emptyFailures,
  type FailureCounts,
} from "./failures.ts";

/** Default number of sockets per PLC. */
export const DEFAULT_POOL_SIZE = 5;
/** Default number of requests that may wait for a free socket. */
export const DEFAULT_MAX_QUEUE = 100;
/** Default longest wait for a free socket before a request is dropped unsent. */
export const DEFAULT_MAX_QUEUE_AGE_MS = DEFAULT_TIMEOUT_MS;
/** Weight of the newest round trip in the moving average. */
const RTT_EWMA_ALPHA = 0.2;

/** What the pool needs of one socket client: {@link PlcClient}, or the 1E client's adapter. */
export interface PoolClient {
  request(req: McRequest, options: RequestOptions): Promise<unknown>;
  readonly connected: boolean;
  /** Round trip of the last answered request, ms. */
  readonly lastRttMs: number | undefined;
  close(): Promise<void>;
}

/** A kind of socket client: how to make one and how to check a request before it is queued. */
export interface PoolClientKind {
  create(options: ClientOptions): PoolClient;
  /** Throws RangeError for a request the client's frames cannot carry (nothing is sent). */
  check(req: McRequest, options: ClientOptions): void;
}

/** The 3E/4E socket client, the pool's default. */
export const MC_CLIENT: PoolClientKind = {
  create: (options) => new PlcClient(options),
  check: (req, options) =>
    checkRequest(req, options.frame, options.extended === true, options.series),
};

/** The client options, shared by every socket, plus the pool's own. */
export interface PoolOptions extends ClientOptions {
  /** The kind of socket client (default {@link MC_CLIENT}: 3E/4E frames). */
  readonly client?: PoolClientKind;
  /** Most sockets to the PLC. */
  readonly size?: number;
  /** Most requests waiting for a free socket; one more is rejected with `busy`. */
  readonly maxQueue?: number;
  /** Longest wait for a free socket; a request that waited longer is rejected unsent. */
  readonly maxQueueAgeMs?: number;
}

/** Per-call options of {@link PlcPool.request}. */
export interface PoolRequestOptions extends RequestOptions {
  /**
   * Goes to the head of the queue for a free socket, ahead of every queued
   * read (an operator's write must not wait behind a slow group's reads).
   */
  readonly urgent?: boolean;
}

/** A snapshot of the pool's counters, for metrics and the admin pages. */
export interface PoolStats {
  readonly size: number;
  /** Socket clients created so far (at most `size`; the first at construction). */
  readonly clients: number;
  /** Sockets with an open connection. */
  readonly connected: number;
  /** Requests handed to a socket and not yet settled. */
  readonly inFlight: number;
  /** Requests waiting for a free socket. */
  readonly queued: number;
  /** Requests accepted (past the limit checks). */
  readonly requests: number;
  /** Failed requests by PlcError code, including `busy` and queue-age `timeout`. */
  readonly failures: FailureCounts;
  readonly lastRttMs: number | undefined;
  /** Exponentially weighted moving average of round trips (α = 0.2). */
  readonly rttEwmaMs: number | undefined;
}

interface Queued {
  readonly req: McRequest;
  readonly urgent?: boolean;
  readonly options: RequestOptions;
  readonly deadline: number;
  readonly resolve: (res: unknown) => void;
  readonly reject: (err: unknown) => void;
  readonly onAbort: (() => void) | undefined;
}

/**
 * The sockets to one PLC. `request` behaves like {@link PlcClient.request}
 * (PlcError for every expected failure, RangeError for a request breaking the
 * protocol's limits) and adds queueing across the sockets.
 */
export class PlcPool {
  readonly #options: ClientOptions;
  readonly #kind: PoolClientKind;
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #maxQueueAgeMs: number;
  readonly #label: string;
  /** Requests each socket takes at once (4E pipelining; 1 in 3E). */
  readonly #depth: number;
  readonly #clients: PoolClient[] = [];
  /**
   * Idle request slots (a client appears once per free pipelining slot), most
   * recently used last, so light load stays on few sockets.
   */
  readonly #idle: PoolClient[] = [];
  readonly #queue: Queued[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #inFlight = 0;
  #requests = 0;
  readonly #failures = emptyFailures();
  #lastRttMs: number | undefined;
  #rttEwmaMs: number | undefined;

  /** Validates the options (RangeError); opens nothing until the first request. */
  constructor(options: PoolOptions) {
    const { size, maxQueue, maxQueueAgeMs, client, ...clientOptions } = options;
    this.#kind = client ?? MC_CLIENT;
    this.#size = count(size ?? DEFAULT_POOL_SIZE, "size", 1);
    this.#maxQueue = count(maxQueue ?? DEFAULT_MAX_QUEUE, "maxQueue", 0);
    this.#maxQueueAgeMs = maxQueueAgeMs ?? DEFAULT_MAX_QUEUE_AGE_MS;
    if (!(this.#maxQueueAgeMs > 0)) throw new RangeError("maxQueueAgeMs must be positive");
    this.#options = clientOptions;
    this.#depth = clientOptions.pipelineDepth ?? 1;
    this.#label = `${options.host}:${options.port}`;
    // The first client checks route and timers now, not at the first request; it connects lazily.
    const first = this.#kind.create(clientOptions);
    this.#clients.push(first);
    for (let i = 0; i < this.#depth; i++) this.#idle.push(first);
  }

  /** A snapshot of the counters. */
  get stats(): PoolStats {
    return {
      size: this.#size,
      clients: this.#clients.length,
      connected: this.#clients.reduce((n, c) => n + (c.connected ? 1 : 0), 0),
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      requests: this.#requests,
      failures: { ...this.#failures },
      lastRttMs: this.#lastRttMs,
      rttEwmaMs: this.#rttEwmaMs,
    };
  }

  /**
   * Sends a request on an idle socket, or queues it until one is free. A
   * full queue rejects at once with `busy`; a request queued longer than
   * maxQueueAgeMs rejects with `timeout` without being sent; the signal
   * works while queued and on the wire.
   */
  async request<R extends McRequest>(
    req: R,
    options: PoolRequestOptions = {},
  ): Promise<ResponseFor<R>> {
    this.#kind.check(req, this.#options);
    this.#requests++;
    try {
      if (this.#closed) throw closedError(this.#label, "(the pool is closed)");
      if (options.signal?.aborted) throw abortedError(req, "before it was sent");
      const client = this.#idleClient();
      if (client) return await this.#run(client, req, options) as ResponseFor<R>;
      if (this.#queue.length >= this.#maxQueue) {
        throw new PlcError(
          "busy",
          `all ${this.#size} sockets to ${this.#label} are busy and ${this.#queue.length} ` +
            `requests wait; ${describeRequest(req)} was not sent`,
        );
      }
      return await this.#enqueue(req, options) as ResponseFor<R>;
    } catch (e) {
      if (e instanceof PlcError) this.#failures[e.code]++;
      throw e;
    }
  }

  /**
   * Ends the pool: queued requests reject with PlcError `closed`, every
   * socket is closed (its request on the wire rejects with `closed`), and
   * later calls reject with `closed`. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#disarm();
      const err = closedError(this.#label, "(the pool is closed)");
      for (const q of this.#queue.splice(0)) this.#settleQueued(q).reject(err);
    }
    await Promise.all(this.#clients.map((c) => c.close()));
  }

  #idleClient(): PoolClient | undefined {
    const idle = this.#idle.pop();
    if (idle || this.#clients.length >= this.#size) return idle;
    const client = this.#kind.create(this.#options);
    this.#clients.push(client);
    // The socket's other pipelining slots: used before yet another socket is opened.
    for (let i = 1; i < this.#depth; i++) this.#idle.push(client);
    return client;
  }

  /** Runs a request on `client`, then hands the client to the queue or back to the idle list. */
  async #run(client: PoolClient, req: McRequest, options: RequestOptions): Promise<unknown> {
    this.#inFlight++;
    try {
      const res = await client.request(req, options);
      const rtt = client.lastRttMs;
      if (rtt !== undefined) {
        this.#lastRttMs = rtt;
        this.#rttEwmaMs = this.#rttEwmaMs === undefined
          ? rtt
          : this.#rttEwmaMs + RTT_EWMA_ALPHA * (rtt - this.#rttEwmaMs);
      }
      return res;
    } finally {
      this.#inFlight--;
      this.#handOff(client);
    }
  }

  #handOff(client: PoolClient): void {
    if (this.#closed) return;
    this.#expire();
    const next = this.#queue.shift();
    if (this.#queue.length === 0) this.#disarm();
    if (!next) {
      this.#idle.push(client);
      return;
    }
    const { resolve, reject } = this.#settleQueued(next);
    this.#run(client, next.req, next.options).then(resolve, reject);
  }

  #enqueue(req: McRequest, options: PoolRequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      const onAbort = signal
        ? () => {
          const i = this.#queue.indexOf(entry);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          this.#settleQueued(entry).reject(abortedError(req, "while it waited for a socket"));
          if (this.#queue.length === 0) this.#disarm();
        }
        : undefined;
      const entry: Queued = {
        req,
        urgent: options.urgent,
        options,
        deadline: performance.now() + this.#maxQueueAgeMs,
        resolve,
        reject,
        onAbort,
      };
      if (onAbort) signal!.addEventListener("abort", onAbort, { once: true });
      if (options.urgent) {
        // Urgent entries stay in deadline order among themselves, ahead of the rest.
        let i = 0;
        while (i < this.#queue.length && this.#queue[i].urgent) i++;
        this.#queue.splice(i, 0, entry);
        this.#disarm();
      } else this.#queue.push(entry);
      this.#arm();
    });
  }

  /** Detaches a queue entry from its signal; returns its settle functions. */
  #settleQueued(q: Queued): Queued {
    if (q.onAbort) q.options.signal!.removeEventListener("abort", q.onAbort);
    return q;
  }

  /** Rejects, unsent, every queued request past its deadline. */
  #expire(): void {
    const now = performance.now();
    while (this.#queue.length > 0 && this.#oldest().deadline <= now) {
      const q = this.#oldest();
      this.#queue.splice(this.#queue.indexOf(q), 1);
      this.#settleQueued(q).reject(
        new PlcError(
          "timeout",
          `${describeRequest(q.req)} waited more than ${this.#maxQueueAgeMs} ms ` +
            `in the queue for a free socket to ${this.#label} and was not sent`,
        ),
      );
    }
  }

  /**
   * The entry with the earliest deadline: the head of the urgent entries or
   * of the rest (each part is in deadline order).
   */
  #oldest(): Queued {
    const head = this.#queue[0];
    if (!head.urgent) return head;
    const rest = this.#queue.find((q) => !q.urgent);
    return rest && rest.deadline < head.deadline ? rest : head;
  }

  /** One timer for the whole queue, set for the oldest entry's deadline. */
  #arm(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const delay = Math.max(0, this.#oldest().deadline - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#expire();
      this.#arm();
    }, delay);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function count(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
  return v;
}
