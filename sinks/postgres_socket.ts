/**
 * The socket factory the PostgreSQL sink hands npm:postgres: a plain
 * `node:net` connection with Nagle's algorithm off (TCP_NODELAY). npm:postgres
 * never sets it, and a COPY ends with a 5-byte CopyDone written right after
 * the data; with Nagle on, that small write waits for the server's delayed
 * ACK (≈ 40 ms), which made every COPY cost ≈ 45 ms here (5,000 values/s).
 *
 * The socket is returned while it is still connecting, as npm:postgres's own
 * socket would be: its first writes are queued until the connection is up,
 * and a refused or failed connection reaches npm:postgres as the socket's
 * 'error' and 'close' events, so its connect timeout, reconnects and pool
 * bookkeeping work unchanged (a rejected factory would leave the pool's
 * connection stuck in "connecting"). TLS is negotiated on this socket.
 */
import net from "node:net";

/** The parts of npm:postgres's parsed options that the factory reads. */
export interface SocketTarget {
  /** Hosts, from the URL. */
  readonly host: readonly string[];
  /** Ports, one per host (or one for all). */
  readonly port: readonly number[];
  /** A Unix socket path, when the URL named one (`?host=/run/postgresql`). */
  readonly path?: string | false;
}

/**
 * A factory for npm:postgres's `socket` option: each call starts a
 * connection to the next host of the URL in turn (as npm:postgres does with
 * several hosts), or to the Unix socket path, with TCP_NODELAY set.
 */
export function noDelaySockets(): (target: SocketTarget) => net.Socket {
  let next = 0;
  return (target) => {
    if (target.path) return net.connect({ path: target.path });
    const i = next++ % Math.max(1, target.host.length);
    const host = target.host[i] ?? "localhost";
    const port = target.port[i] ?? target.port[0] ?? 5432;
    const socket = net.connect({ host, port });
    socket.once("connect", () => socket.setNoDelay(true));
    // npm:postgres reads these on its own sockets (TLS servername, messages).
    Object.assign(socket, { host, port });
    return socket;
  };
}
