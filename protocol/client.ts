/**
 * The socket client: one connection to one PLC. In 3E frames one request is
 * in flight at a time (3E frames carry no request id, so a response is
 * matched to the only request outstanding). In 4E frames up to
 * `pipelineDepth` requests are in flight, each answer matched by its serial
 * number; a request that timed out keeps its serial reserved, and its late
 * answer is dropped instead of forcing a reconnect. Concurrent calls are
 * served in call order. Every expected failure is a PlcError; whenever the
 * byte stream may be out of step (3E timeout or abort, garbled or unsolicited
 * frame, peer close) the socket is torn down and the next request opens a
 * fresh one.
 */
import { decodeResponse, encodeRequest, type McRequest, type ResponseFor } from "./commands.ts";
import { PlcError } from "./errors.ts";
import {
  abortedError,
  closedError,
  emptyFailures,
  type FailureCounts,
  ioError,
  responseTimeoutError,
} from "./failures.ts";
import {
  checkRoute,
  DEFAULT_MONITORING_TIMER,
  DEFAULT_ROUTE,
  type FrameCode,
  type FrameOptions,
  type FrameType,
  type Route,
} from "./frame.ts";
import { serialOf, setSerial } from "./frame4e.ts";
import type { Series, XyNotation } from "./devices.ts";
import { FifoLock } from "./fifo_lock.ts";
import { FrameSplitter } from "./stream.ts";
import { type ByteConn, type Connect, connectWithin, tcpConnect } from "./transport.ts";

/** Default time a request may wait for its complete response. */
export const DEFAULT_TIMEOUT_MS = 1000;
/** Default time opening a connection may take. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/** Where the client connects and how it frames requests. */
export interface ClientOptions {
  readonly host: string;
  readonly port: number;
  readonly frame: FrameCode;
  /** Route header fields; defaults to the directly connected CPU (00/FF/03FF/00). */
  readonly route?: Route;
  /** PLC-side monitoring timer in 250 ms units; defaults to 16 (4 s). */
  readonly monitoringTimer?: number;
  /** Default time from sending a request to its complete response. */
  readonly timeoutMs?: number;
  /** Time allowed to open a connection (a failure to connect in time is `timeout`). */
  readonly connectTimeoutMs?: number;
  /** The transport port; defaults to TCP with Nagle's algorithm off. */
  readonly connect?: Connect;
  /** 3E (default) or 4E frames. */
  readonly type?: FrameType;
  /**
   * iQ-R subcommands (0002/0003) with the extended device specification, as
   * an iQ-R CPU needs for its own devices (LTN, LZ, RD…); default false.
   */
  readonly extended?: boolean;
  /**
   * The CPU series (default Q). iQ-F (FX5): ASCII X/Y numbers per
   * {@link xyNotation}, halved ASCII batch limits, no iQ-R devices or DX/DY.
   */
  readonly series?: Series;
  /** iQ-F with ASCII frames: X/Y numbers as octal (default) or hexadecimal digits. */
  readonly xyNotation?: XyNotation;
  /**
   * Most requests in flight on the socket at once (default 1). More than 1
   * needs 4E frames, whose serial numbers match answers to requests.
   */
  readonly pipelineDepth?: number;
  /**
   * Times a request that timed out is sent again (default 0), each on a
   * fresh socket in 3E. Meant for UDP, where a datagram may simply be lost.
   */
  readonly retries?: number;
}

/** Most 4E requests that may have timed out without their late answer arriving before the socket is dropped. */
const MIN_LATE_LIMIT = 2;

/** Per-call options of {@link PlcClient.request}. */
export interface RequestOptions {
  /** Aborting rejects the call with PlcError `aborted` (tearing the socket down if it was sent). */
  readonly signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
}

/** A snapshot of a client's counters, for metrics and the admin pages. */
export interface ClientStats {
  /** Requests that got past encoding (succeeded, failed or in flight). */
  readonly requests: number;
  /** Failed requests by PlcError code. */
  readonly failures: FailureCounts;
  /** Round-trip time of the last successful request, from write to decoded response. */
  readonly lastRttMs: number | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Connections opened so far. */
  readonly connects: number;
  readonly connected: boolean;
  /** A request is on the wire or connecting. */
  readonly busy: boolean;
  /** Calls waiting for their turn on this socket. */
  readonly waiting: number;
  /** Requests on the wire now (at most the pipelining depth). */
  readonly inFlight: number;
  /** 4E answers that arrived after their request timed out or was aborted, and were dropped. */
  readonly lateAnswers: number;
  /** Requests sent again after a timeout (see {@link ClientOptions.retries}). */
  readonly retried: number;
}

/** The request on the wire and how to settle it. */
interface InFlight {
  readonly req: McRequest;
  /** The 4E serial number (0 in 3E). */
  readonly serial: number;
  readonly sentAt: number;
  resolve(res: unknown): void;
  reject(err: unknown): void;
}

/** One open connection; dropped as a whole on teardown. */
interface Session {
  readonly conn: ByteConn;
  readonly splitter: FrameSplitter;
  /** Requests on the wire by serial number (3E: only serial 0). */
  readonly inflight: Map<number, InFlight>;
  /** 4E serial numbers whose request gave up (timeout, abort) while its answer may still come. */
  readonly late: Set<number>;
  closed: boolean;
}

/**
 * One MC protocol connection to a PLC, opened lazily and reopened after any
 * teardown. `request` never rejects with anything but PlcError, except a
 * RangeError for a request that breaks the protocol's limits (nothing is
 * sent then).
 */
export class PlcClient {
  readonly #host: string;
  readonly #port: number;
  readonly #frameOptions: FrameOptions;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #connect: Connect;
  readonly #label: string;
  readonly #fourE: boolean;
  readonly #depth: number;
  readonly #lock: FifoLock;
  #nextSerial = 0;
  #lateAnswers = 0;
  readonly #retries: number;
  #retried = 0;

  #session: Session | undefined;
  #connecting: AbortController | undefined;
  #opening: Promise<Session> | undefined;
  readonly #loops = new Set<Promise<void>>();
  #closed = false;

  #requests = 0;
  readonly #failures = emptyFailures();
  #lastRttMs: number | undefined;
  #bytesIn = 0;
  #bytesOut = 0;
  #connects = 0;

  /** Checks route and monitoring timer up front (RangeError), so bad settings fail at startup. */
  constructor(options: ClientOptions) {
    const route = options.route ?? DEFAULT_ROUTE;
    const timer = options.monitoringTimer ?? DEFAULT_MONITORING_TIMER;
    checkRoute(route);
    if (!Number.isInteger(timer) || timer < 0 || timer > 0xffff) {
      throw new RangeError("the monitoring timer must be 0 to 65535 (units of 250 ms)");
    }
    this.#host = options.host;
    this.#port = options.port;
    this.#fourE = options.type === "4E";
    this.#depth = options.pipelineDepth ?? 1;
    if (!Number.isInteger(this.#depth) || this.#depth < 1 || this.#depth > 64) {
      throw new RangeError("pipelineDepth must be a whole number from 1 to 64");
    }
    if (this.#depth > 1 && !this.#fourE) {
      throw new RangeError(
        "pipelineDepth above 1 needs 4E frames: 3E answers carry no serial number to match them",
      );
    }
    this.#lock = new FifoLock(this.#depth);
    this.#retries = options.retries ?? 0;
    if (!Number.isInteger(this.#retries) || this.#retries < 0 || this.#retries > 10) {
      throw new RangeError("retries must be a whole number from 0 to 10");
    }
    this.#frameOptions = {
      frame: options.frame,
      type: this.#fourE ? "4E" : "3E",
      extended: options.extended === true,
      ...(options.series ? { series: options.series } : {}),
      ...(options.xyNotation ? { xyNotation: options.xyNotation } : {}),
      route,
      monitoringTimer: timer,
    };
    this.#timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs");
    this.#connectTimeoutMs = positive(
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      "connectTimeoutMs",
    );
    this.#connect = options.connect ?? tcpConnect;
    this.#label = `${options.host}:${options.port}`;
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** Whether a call holds the socket (connecting or on the wire). */
  get busy(): boolean {
    return this.#lock.held;
  }

  /** Round-trip time of the last successful request, in milliseconds. */
  get lastRttMs(): number | undefined {
    return this.#lastRttMs;
  }

  /** A snapshot of the counters. */
  get stats(): ClientStats {
    return {
      requests: this.#requests,
      failures: { ...this.#failures },
      lastRttMs: this.#lastRttMs,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      connects: this.#connects,
      connected: this.connected,
      busy: this.#lock.held,
      waiting: this.#lock.waiting,
      inFlight: this.#session?.inflight.size ?? 0,
      lateAnswers: this.#lateAnswers,
      retried: this.#retried,
    };
  }

  /**
   * Sends one request and resolves to its decoded response. Calls made while
   * another is outstanding wait their turn (FIFO); `timeoutMs` starts when
   * the request is written, after any wait and connect.
   */
  async request<R extends McRequest>(
    req: R,
    options: RequestOptions = {},
  ): Promise<ResponseFor<R>> {
    const bytes = encodeRequest(req, this.#frameOptions);
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    this.#requests++;
    try {
      if (this.#closed) throw closedError(this.#label);
      if (signal?.aborted) throw abortedError(req, "before it was sent");
      if (!this.#lock.tryAcquire()) {
        await this.#lock.acquire(signal, () => abortedError(req, "while it waited for the socket"));
      }
    } catch (e) {
      this.#count(e);
      throw e;
    }
    try {
      for (let attempt = 0;; attempt++) {
        if (this.#closed) throw closedError(this.#label);
        const session = this.#session ?? await this.#openShared(signal, req);
        try {
          return await this.#exchange(session, req, bytes, timeoutMs, signal) as ResponseFor<R>;
        } catch (e) {
          const again = attempt < this.#retries && e instanceof PlcError &&
            e.code === "timeout" && !this.#closed && !signal?.aborted;
          if (!again) throw e;
          this.#retried++;
        }
      }
    } catch (e) {
      this.#count(e);
      throw e;
    } finally {
      this.#lock.release();
    }
  }

  /**
   * Closes the connection and ends the client: the request on the wire and
   * every waiting call reject with PlcError `closed`, as do later calls.
   * Resolves once the read loops have ended. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const err = closedError(this.#label);
      this.#lock.rejectWaiting(err);
      this.#connecting?.abort();
      if (this.#session) this.#teardown(this.#session, err);
    }
    await Promise.all(this.#loops);
  }

  #count(e: unknown): void {
    if (e instanceof PlcError) this.#failures[e.code]++;
  }

  /**
   * With several holders (4E pipelining) they share one connect, which only
   * close() and the connect timeout can cut short (one caller's abort must
   * not fail the others); with one holder the caller's signal aborts it.
   */
  #openShared(signal: AbortSignal | undefined, req: McRequest): Promise<Session> {
    if (this.#depth === 1) return this.#open(signal, req);
    if (!this.#opening) {
      this.#opening = this.#open(undefined, req).finally(() => this.#opening = undefined);
    }
    return this.#opening;
  }

  /** Opens a connection within connectTimeoutMs; abortable by the call's signal and by close(). */
  async #open(signal: AbortSignal | undefined, req: McRequest): Promise<Session> {
    const ac = new AbortController();
    this.#connecting = ac;
    let conn: ByteConn;
    try {
      conn = await connectWithin(this.#connect, {
        hostname: this.#host,
        port: this.#port,
        timeoutMs: this.#connectTimeoutMs,
        signal: signal ? AbortSignal.any([signal, ac.signal]) : ac.signal,
      });
    } catch (e) {
      if (this.#closed) throw closedError(this.#label);
      if (e instanceof PlcError && e.code === "aborted") {
        throw abortedError(req, "while connecting");
      }
      throw e;
    } finally {
      this.#connecting = undefined;
    }
    if (this.#closed) {
      conn.close();
      throw closedError(this.#label);
    }
    this.#connects++;
    const session: Session = {
      conn,
      splitter: new FrameSplitter("response", this.#frameOptions.frame),
      inflight: new Map(),
      late: new Set(),
      closed: false,
    };
    this.#session = session;
    const loop = this.#readLoop(session);
    this.#loops.add(loop);
    loop.finally(() => this.#loops.delete(loop));
    return session;
  }

  /** Writes the request and waits for the read loop to settle it, a timeout or an abort. */
  #exchange(
    session: Session,
    req: McRequest,
    bytes: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(abortedError(req, "before it was sent"));
    if (session.closed) {
      return Promise.reject(closedError(this.#label, "before the request was sent"));
    }
    const serial = this.#fourE ? this.#takeSerial(session) : 0;
    if (this.#fourE) setSerial(bytes, this.#frameOptions.frame, serial);
    return new Promise((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      // 3E: a request that gives up leaves the stream out of step, so the socket goes.
      // 4E: its serial number stays reserved and its late answer is dropped.
      const giveUp = (err: PlcError) => {
        if (!this.#fourE) return this.#teardown(session, err);
        const f = session.inflight.get(serial);
        if (!f) return;
        session.late.add(serial);
        f.reject(err);
        if (session.late.size > Math.max(MIN_LATE_LIMIT, this.#depth)) {
          this.#teardown(
            session,
            closedError(this.#label, `after ${session.late.size} requests went unanswered`),
          );
        }
      };
      const timer = setTimeout(
        () => giveUp(responseTimeoutError(this.#label, timeoutMs, req)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        if (onAbort) signal!.removeEventListener("abort", onAbort);
        session.inflight.delete(serial);
      };
      session.inflight.set(serial, {
        req,
        serial,
        sentAt: performance.now(),
        resolve: (res) => {
          done();
          resolve(res);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      if (signal) {
        onAbort = () => giveUp(abortedError(req, "after it was sent"));
        signal.addEventListener("abort", onAbort, { once: true });
      }
      this.#bytesOut += bytes.length;
      this.#write(session, bytes).catch((e) => {
        this.#teardown(session, ioError(e, this.#label, "writing to"));
      });
    });
  }

  /** The next 4E serial number not on the wire and not awaiting a late answer. */
  #takeSerial(session: Session): number {
    for (;;) {
      const s = this.#nextSerial;
      this.#nextSerial = (s + 1) & 0xffff;
      if (!session.inflight.has(s) && !session.late.has(s)) return s;
    }
  }

  async #write(session: Session, bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      if (session.closed) return;
      off += await session.conn.write(off === 0 ? bytes : bytes.subarray(off));
    }
  }

  /** The one reader of a connection: feeds the splitter and settles the request in flight. */
  async #readLoop(session: Session): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!session.closed) {
        const n = await session.conn.read(buf);
        if (session.closed) return;
        if (n === null) {
          const held = session.splitter.buffered;
          const mid = held > 0 ? `mid-frame, ${held} bytes into a response` : undefined;
          return this.#teardown(session, closedError(this.#label, mid));
        }
        this.#bytesIn += n;
        // Frames are views of `buf` and are decoded (copied) before the next read.
        const frames = session.splitter.push(buf.subarray(0, n));
        for (let i = 0; i < frames.length && !session.closed; i++) {
          this.#deliver(session, frames[i]);
        }
      }
    } catch (e) {
      if (session.closed) return;
      this.#teardown(session, e instanceof PlcError ? e : ioError(e, this.#label, "reading from"));
    }
  }

  #deliver(session: Session, frame: Uint8Array): void {
    let serial = 0;
    if (this.#fourE) {
      try {
        serial = serialOf(frame, this.#frameOptions.frame);
      } catch (e) {
        this.#teardown(session, e as PlcError); // serialOf throws only PlcError
        return;
      }
    }
    const f = session.inflight.get(serial);
    if (!f) {
      if (session.late.delete(serial)) {
        this.#lateAnswers++; // the answer to a request that gave up: matched and dropped
        return;
      }
      this.#teardown(
        session,
        PlcError.protocol(`unsolicited ${frame.length}-byte frame from ${this.#label}`, 0),
      );
      return;
    }
    let res: unknown;
    try {
      res = decodeResponse(
        frame,
        f.req,
        this.#fourE ? { ...this.#frameOptions, serial } : this.#frameOptions,
      );
    } catch (e) {
      if (e instanceof PlcError && e.code === "endCode") {
        f.reject(e); // the stream is still in step: keep the socket
        return;
      }
      this.#teardown(
        session,
        e instanceof PlcError
          ? e
          : new PlcError("protocol", `undecodable response from ${this.#label}`, { cause: e }),
      );
      return;
    }
    this.#lastRttMs = performance.now() - f.sentAt;
    f.resolve(res);
  }

  /** Drops a connection: closes it and rejects the request in flight with `err`. */
  #teardown(session: Session, err: PlcError): void {
    if (session.closed) return;
    session.closed = true;
    if (this.#session === session) this.#session = undefined;
    try {
      session.conn.close();
    } catch {
      // already closed by the peer side
    }
    for (const f of [...session.inflight.values()]) f.reject(err);
    session.late.clear();
  }
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number`);
  return v;
}
