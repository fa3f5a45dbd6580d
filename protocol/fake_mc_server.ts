/**
 * A tiny MC protocol server for the client and pool tests: device memory in
 * words, both frame codes, and scripted faults (stall, close mid-frame,
 * garbage, end code, delay, duplicate response) so every failure path of the
 * socket client can be provoked on 127.0.0.1. Not the fixture PLC: no
 * profiles, no signals, nothing a plant would use.
 */
import { acceptLoop } from "./accept_loop.ts";
import type { McRequest, McResponse } from "./commands.ts";
import { type DeviceName, DEVICES } from "./devices.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";

/** What the server does with one request instead of (or before) answering it. */
export type Fault =
  | { kind: "stall" }
  | { kind: "closeMidFrame" }
  | { kind: "garbage" }
  | { kind: "endCode"; endCode: number }
  | { kind: "delay"; ms: number }
  | { kind: "duplicate" };

/** A running fake server; `close()` ends every connection, timer and the listener. */
export class FakeMcServer {
  /** Faults to apply, one per request, in arrival order; empty means answer normally. */
  readonly faults: Fault[] = [];
  /** Connections accepted so far. */
  connections = 0;
  /** Accepts that failed for one connection (a client that reset first). */
  acceptErrors = 0;
  /** Requests received so far. */
  requests = 0;
  /** Most requests seen outstanding on one connection at once (1 for a well-behaved client). */
  maxOutstanding = 0;
  /** Most connections with a request outstanding at once. */
  maxBusyConnections = 0;

  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #memory = new Map<string, Uint16Array>();
  #busyConnections = 0;
  #closed = false;

  private constructor(listener: Deno.TcpListener) {
    this.#listener = listener;
    this.#track(this.#accept());
  }

  /** Starts a server on 127.0.0.1 (port 0 picks a free one). */
  static start(port = 0): FakeMcServer {
    return new FakeMcServer(Deno.listen({ hostname: "127.0.0.1", port }));
  }

  /** The port it listens on. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** The word memory of a device (bit devices hold 16 points a word). */
  memory(device: string): Uint16Array {
    let m = this.#memory.get(device);
    if (!m) this.#memory.set(device, m = new Uint16Array(0x10000));
    return m;
  }

  /** Closes every open connection but keeps listening. */
  dropConnections(): void {
    for (const c of this.#conns) c.close();
    this.#conns.clear();
  }

  /** Stops listening, closes all connections and timers, and waits for its tasks. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#listener.close();
      this.dropConnections();
      for (const t of this.#timers) clearTimeout(t);
      this.#timers.clear();
    }
    await Promise.all(this.#tasks);
  }

  #track(p: Promise<void>): void {
    this.#tasks.add(p);
    p.finally(() => this.#tasks.delete(p));
  }

  /** Accepts until closed; a client that resets before it is accepted is skipped. */
  async #accept(): Promise<void> {
    await acceptLoop(this.#listener, {
      isOpen: () => !this.#closed,
      onError: () => this.acceptErrors++,
      onConnection: (conn) => {
        try {
          conn.setNoDelay(true); // pipelined answers go out back to back
        } catch { /* the client already left */ }
        this.connections++;
        this.#conns.add(conn);
        this.#track(this.#serve(conn));
      },
    });
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const splitter = new FrameSplitter("request");
    const buf = new Uint8Array(16 * 1024);
    let outstanding = 0;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        for (const frame of splitter.push(buf.subarray(0, n))) {
          this.requests++;
          outstanding++;
          if (outstanding === 1) this.#busyConnections++;
          this.maxOutstanding = Math.max(this.maxOutstanding, outstanding);
          this.maxBusyConnections = Math.max(this.maxBusyConnections, this.#busyConnections);
          const done = () => {
            outstanding--;
            if (outstanding === 0) this.#busyConnections--;
          };
          this.#answer(conn, frame, this.faults.shift(), done);
        }
      }
    } catch {
      // connection closed or reset
    } finally {
      if (outstanding > 0) this.#busyConnections--;
      this.#conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  #answer(conn: Deno.Conn, frame: Uint8Array, fault: Fault | undefined, done: () => void): void {
    const d = decodeRequest(frame);
    let out: Uint8Array;
    const { route, command, subcommand, type, serial } = d;
    const code = d.frame;
    if (!d.ok) {
      out = encodeErrorResponse(code, route, d.endCode, command, subcommand, type, serial);
    } else if (fault?.kind === "endCode") {
      out = encodeErrorResponse(code, route, fault.endCode, command, subcommand, type, serial);
    } else out = encodeResponse(code, route, this.#execute(d.request), type, serial);
    const send = (bytes: Uint8Array) => {
      done();
      this.#track(conn.write(bytes).then(() => {}, () => {}));
    };
    switch (fault?.kind) {
      case "stall":
        return;
      case "closeMidFrame":
        done();
        this.#track(
          conn.write(out.subarray(0, out.length >> 1)).then(() => {}, () => {}).then(
            () => conn.close(),
          ).catch(() => {}),
        );
        return;
      case "garbage":
        return send(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
      case "duplicate": {
        const two = new Uint8Array(out.length * 2);
        two.set(out);
        two.set(out, out.length);
        return send(two);
      }
      case "delay": {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          send(out);
        }, fault.ms);
        this.#timers.add(t);
        return;
      }
      default:
        return send(out);
    }
  }

  #execute(req: McRequest): McResponse {
    switch (req.command) {
      case "readWords": {
        const { m, at } = this.#wordsOf(req.head.device, req.head.address);
        return { command: "readWords", words: m.slice(at, at + req.points) };
      }
      case "writeWords": {
        const { m, at } = this.#wordsOf(req.head.device, req.head.address);
        for (let i = 0; i < req.words.length; i++) m[at + i] = req.words[i];
        return { command: "writeWords" };
      }
      case "readBits": {
        const m = this.memory(req.head.device);
        const bits = Array.from({ length: req.points }, (_, i) => {
          const p = req.head.address + i;
          return ((m[p >> 4] >> (p & 15)) & 1) === 1;
        });
        return { command: "readBits", bits };
      }
      case "writeBits": {
        const m = this.memory(req.head.device);
        for (let i = 0; i < req.bits.length; i++) {
          const p = req.head.address + i;
          if (req.bits[i]) m[p >> 4] |= 1 << (p & 15);
          else m[p >> 4] &= ~(1 << (p & 15));
        }
        return { command: "writeBits" };
      }
      case "randomRead": {
        const words = Uint16Array.from(req.words, (r) => {
          const { m, at } = this.#wordsOf(r.device, r.address);
          return m[at];
        });
        const dwords = req.dwords.map((r) => {
          const { m, at } = this.#wordsOf(r.device, r.address);
          return m[at] + m[at + 1] * 0x10000;
        });
        return { command: "randomRead", words, dwords };
      }
      case "cpuModel":
        return { command: "cpuModel", model: "Q03UDVCPU", modelCode: 0x0366 };
      case "randomWriteWords":
        for (const w of req.words) {
          const { m, at } = this.#wordsOf(w.device, w.address);
          m[at] = w.value;
        }
        for (const w of req.dwords) {
          const m = this.memory(w.device);
          m[w.address] = w.value & 0xffff;
          m[w.address + 1] = w.value >>> 16;
        }
        return { command: "randomWriteWords" };
      case "randomWriteBits": {
        for (const b of req.bits) {
          const m = this.memory(b.device);
          if (b.value) m[b.address >> 4] |= 1 << (b.address & 15);
          else m[b.address >> 4] &= ~(1 << (b.address & 15));
        }
        return { command: "randomWriteBits" };
      }
      case "loopback":
        return { command: "loopback", data: req.data };
      default:
        return { command: req.command };
    }
  }

  /** Word memory and word index of a head device (bit devices: 16 points a word). */
  #wordsOf(device: string, address: number): { m: Uint16Array; at: number } {
    const bit = DEVICES.get(device as DeviceName)?.kind === "bit";
    return { m: this.memory(device), at: bit ? address >> 4 : address };
  }
}
