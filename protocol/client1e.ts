/**
 * The 1E socket client for FX3 CPUs (FX3U-ENET, FX3U-ENET-ADP): one request
 * in flight per connection (1E frames carry no serial number and no length
 * field, so an answer is read to the size its request implies). Every
 * expected failure is a PlcError; a timeout, a garbled answer or a peer close
 * drops the socket, and the next request opens a fresh one. TCP by default,
 * UDP with `connect: udpConnect`.
 */
import { PlcError } from "./errors.ts";
import { closedError, emptyFailures, type FailureCounts, ioError } from "./failures.ts";
import { FifoLock } from "./fifo_lock.ts";
import type { FrameCode } from "./frame.ts";
import {
  decodeResponse1E,
  describe1E,
  encodeRequest1E,
  type Request1E,
  type Response1E,
  responseSize1E,
} from "./frame1e.ts";
import { type ByteConn, type Connect, connectWithin, tcpConnect } from "./transport.ts";

/** Where a 1E client connects and how it frames requests. */
export interface Client1EOptions {
  readonly host: string;
  readonly port: number;
  readonly frame: FrameCode;
  /** PC number (default FF: the station connected to). */
  readonly pc?: number;
  /** Monitoring timer in 250 ms units (default 16). */
  readonly monitoringTimer?: number;
  /** Time from sending a request to its complete answer (default 1,000 ms). */
  readonly timeoutMs?: number;
  /** Time to open a connection (default 3,000 ms). */
  readonly connectTimeoutMs?: number;
  /** Transport; TCP by default. */
  readonly connect?: Connect;
  /** Times a timed-out request is sent again on a fresh socket (default 0). */
  readonly retries?: number;
}

interface Session {
  readonly conn: ByteConn;
  pending: Uint8Array;
  inflight:
    | { req: Request1E; sentAt: number; resolve(r: Response1E): void; reject(e: unknown): void }
    | undefined;
  closed: boolean;
  loop?: Promise<void>;
}

/** One 1E connection to an FX CPU, opened lazily and reopened after a teardown. */
export class Plc1EClient {
  readonly #o: Client1EOptions;
  readonly #label: string;
  readonly #lock = new FifoLock();
  #session: Session | undefined;
  #closed = false;
  #requests = 0;
  #lastRttMs: number | undefined;
  readonly #failures = emptyFailures();

  /** Validates the options (RangeError); opens nothing yet. */
  constructor(options: Client1EOptions) {
    this.#o = options;
    this.#label = `${options.host}:${options.port}`;
    const r = options.retries ?? 0;
    if (!Number.isInteger(r) || r < 0 || r > 10) throw new RangeError("retries must be 0 to 10");
  }

  /** Requests sent and failures by code. */
  get stats(): { requests: number; failures: FailureCounts; connected: boolean } {
    return {
      requests: this.#requests,
      failures: { ...this.#failures },
      connected: this.#session !== undefined,
    };
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** Round trip of the last answered request, from write to decoded answer, ms. */
  get lastRttMs(): number | undefined {
    return this.#lastRttMs;
  }

  /**
   * Sends one request and resolves to its decoded answer (PlcError on
   * failure). The signal rejects the call with PlcError `aborted`; once the
   * request is on the wire that drops the socket (1E answers cannot be told
   * apart, so a late one must not be read as the next request's).
   */
  async request(
    req: Request1E,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<Response1E> {
    const bytes = encodeRequest1E(req, this.#o);
    const timeoutMs = options.timeoutMs ?? this.#o.timeoutMs ?? 1000;
    const { signal } = options;
    this.#requests++;
    const aborted = (when: string) =>
      new PlcError("aborted", `${describe1E(req)} was aborted ${when}`);
    try {
      if (signal?.aborted) throw aborted("before it was sent");
      await this.#lock.acquire(signal, () => aborted("while it waited for the socket"));
    } catch (e) {
      if (e instanceof PlcError) this.#failures[e.code]++;
      throw e;
    }
    try {
      for (let attempt = 0;; attempt++) {
        try {
          if (this.#closed) throw closedError(this.#label);
          if (signal?.aborted) throw aborted("before it was sent");
          const s = this.#session ?? await this.#open();
          return await this.#exchange(s, req, bytes, timeoutMs, signal, aborted);
        } catch (e) {
          const again = attempt < (this.#o.retries ?? 0) && e instanceof PlcError &&
            e.code === "timeout" && !this.#closed && !signal?.aborted;
          if (!again) throw e;
        }
      }
    } catch (e) {
      if (e instanceof PlcError) this.#failures[e.code]++;
      throw e;
    } finally {
      this.#lock.release();
    }
  }

  /** Closes the connection; the request in flight and later calls reject with `closed`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#lock.rejectWaiting(closedError(this.#label));
    const s = this.#session;
    if (s) this.#teardown(s, closedError(this.#label));
    await s?.loop;
  }

  async #open(): Promise<Session> {
    const conn = await connectWithin(this.#o.connect ?? tcpConnect, {
      hostname: this.#o.host,
      port: this.#o.port,
      timeoutMs: this.#o.connectTimeoutMs ?? 3000,
    });
    if (this.#closed) {
      conn.close();
      throw closedError(this.#label);
    }
    const s: Session = { conn, pending: new Uint8Array(0), inflight: undefined, closed: false };
    s.loop = this.#read(s);
    this.#session = s;
    return s;
  }

  #exchange(
    s: Session,
    req: Request1E,
    bytes: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    aborted: (when: string) => PlcError,
  ): Promise<Response1E> {
    return new Promise((resolve, reject) => {
      const onAbort = () => this.#teardown(s, aborted("after it was sent"));
      const timer = setTimeout(() => {
        this.#teardown(
          s,
          new PlcError(
            "timeout",
            `no complete 1E answer from ${this.#label} within ${timeoutMs} ms to ${
              describe1E(req)
            }`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        s.inflight = undefined;
      };
      s.inflight = {
        req,
        sentAt: performance.now(),
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#write(s, bytes).catch((e) => this.#teardown(s, ioError(e, this.#label, "writing to")));
    });
  }

  async #write(s: Session, bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length && !s.closed) off += await s.conn.write(bytes.subarray(off));
  }

  async #read(s: Session): Promise<void> {
    const buf = new Uint8Array(8192);
    try {
      while (!s.closed) {
        const n = await s.conn.read(buf);
        if (s.closed) return;
        if (n === null) return this.#teardown(s, closedError(this.#label));
        const all = new Uint8Array(s.pending.length + n);
        all.set(s.pending);
        all.set(buf.subarray(0, n), s.pending.length);
        s.pending = all;
        this.#deliver(s);
      }
    } catch (e) {
      if (!s.closed) {
        this.#teardown(s, e instanceof PlcError ? e : ioError(e, this.#label, "reading from"));
      }
    }
  }

  #deliver(s: Session): void {
    const f = s.inflight;
    if (!f) {
      return this.#teardown(s, PlcError.protocol(`unsolicited bytes from ${this.#label}`, 0));
    }
    const frame = this.#o.frame;
    const size = responseSize1E(s.pending, f.req, frame); // PlcError: caught by #read
    if (size === undefined || s.pending.length < size) return;
    if (s.pending.length > size) {
      return this.#teardown(
        s,
        PlcError.protocol(`bytes after the 1E answer from ${this.#label}`, size),
      );
    }
    const whole = s.pending;
    s.pending = new Uint8Array(0);
    try {
      const res = decodeResponse1E(whole, f.req, frame);
      this.#lastRttMs = performance.now() - f.sentAt;
      f.resolve(res);
    } catch (e) {
      if (e instanceof PlcError && e.code === "endCode") return f.reject(e);
      this.#teardown(s, e instanceof PlcError ? e : PlcError.protocol("undecodable 1E answer", 0));
    }
  }

  #teardown(s: Session, err: PlcError): void {
    if (s.closed) return;
    s.closed = true;
    if (this.#session === s) this.#session = undefined;
    try {
      s.conn.close();
    } catch { /* already closed */ }
    s.inflight?.reject(err);
  }
}
