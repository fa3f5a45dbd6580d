/**
 * UDP transport for 3E and 4E frames: a connected datagram socket dressed as
 * the client's {@link ByteConn}. Each request is one datagram and each answer
 * one datagram, so the client's frame splitter sees whole frames. There is no
 * connection: "opening" binds a local port, and the client's teardown after a
 * timeout simply takes a new socket, so a late answer to the old one is lost
 * with it instead of being read as the answer to the next request.
 * Built on node:dgram (stable in Deno; Deno's own datagram API is unstable).
 */
import dgram from "node:dgram";
import type { ByteConn, ConnectRequest } from "./transport.ts";

/** Most datagrams held unread; more means the peer floods us, and the oldest go. */
const MAX_QUEUED = 64;

/**
 * Opens a UDP "connection" to `hostname:port`: a socket bound to any local
 * port and connected to the PLC, so only its datagrams are received.
 */
export function udpConnect({ hostname, port, signal }: ConnectRequest): Promise<ByteConn> {
  const sock = dgram.createSocket(hostname.includes(":") ? "udp6" : "udp4");
  return new Promise<ByteConn>((resolve, reject) => {
    const fail = (e: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      try {
        sock.close();
      } catch { /* not open */ }
      reject(e);
    };
    const onAbort = () => fail(signal!.reason ?? new Error("aborted"));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("error", fail);
    sock.connect(port, hostname, () => {
      sock.off("error", fail);
      signal?.removeEventListener("abort", onAbort);
      resolve(new UdpConn(sock));
    });
  });
}

/** A connected datagram socket read as a stream of whole datagrams. */
class UdpConn implements ByteConn {
  readonly #sock: dgram.Socket;
  readonly #queue: Uint8Array[] = [];
  #waiter: ((ok: boolean) => void) | undefined;
  #closed = false;
  #error: unknown;

  constructor(sock: dgram.Socket) {
    this.#sock = sock;
    sock.on("message", (msg: Uint8Array) => {
      if (this.#queue.length >= MAX_QUEUED) this.#queue.shift();
      this.#queue.push(new Uint8Array(msg));
      this.#wake(true);
    });
    sock.on("error", (e: unknown) => {
      this.#error = e;
      this.#wake(false);
    });
  }

  #wake(ok: boolean): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.(ok);
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#queue.length === 0) {
      if (this.#closed) return null;
      if (this.#error) throw this.#error;
      await new Promise<boolean>((r) => this.#waiter = r);
    }
    const d = this.#queue[0];
    const n = Math.min(d.length, p.length);
    p.set(d.subarray(0, n));
    if (n === d.length) this.#queue.shift();
    else this.#queue[0] = d.subarray(n);
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) {
      return Promise.reject(new Deno.errors.BadResource("the UDP socket is closed"));
    }
    return new Promise((resolve, reject) => {
      this.#sock.send(p, (e: unknown) => e ? reject(e) : resolve(p.length));
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#sock.close();
    } catch { /* already closed */ }
    this.#wake(false);
  }
}
