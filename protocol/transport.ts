/**
 * The transport port of the socket client: the few byte-stream operations it
 * needs and the function that opens one. Injected so that tests, the fixture
 * PLC and the actors can run the client over fakes; `tcpConnect` is the real
 * thing (Deno TCP with Nagle's algorithm off).
 */
import { PlcError } from "./errors.ts";

/** A connected byte stream: the subset of `Deno.Conn` the client uses. */
export interface ByteConn {
  /** Reads into `p`; resolves to the byte count, or null at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; resolves to the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
  /** Closes the stream; a pending read then ends (rejects or resolves null). */
  close(): void;
}

/** Where and how to connect; `signal` asks the transport to give up connecting. */
export interface ConnectRequest {
  readonly hostname: string;
  readonly port: number;
  readonly signal?: AbortSignal;
}

/**
 * Opens a byte stream to a PLC. Failures are thrown as the transport's own
 * errors (for TCP, `Deno.errors.*`); the client maps them to PlcError.
 */
export type Connect = (request: ConnectRequest) => Promise<ByteConn>;

/**
 * Opens a TCP connection with `TCP_NODELAY` set: MC protocol traffic is one
 * small request waiting for one small response, which Nagle's algorithm
 * would delay by up to 40 ms each.
 */
export async function tcpConnect({ hostname, port, signal }: ConnectRequest): Promise<ByteConn> {
  const conn = await Deno.connect({ hostname, port, transport: "tcp", signal });
  try {
    conn.setNoDelay(true);
  } catch (e) {
    conn.close();
    throw e;
  }
  return conn;
}

/** What {@link connectWithin} opens and how long it may take. */
export interface ConnectWithinOptions {
  readonly hostname: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Opens a connection through `connect`, giving up after `timeoutMs` or when
 * `signal` aborts; a connection that opens after that is closed, not leaked.
 * Failures are PlcError: `timeout`, `aborted`, or `refused` for every other
 * connect failure (refused, unreachable, unknown host: no connection could be
 * opened). A missing network permission (`Deno.errors.NotCapable`) is
 * rethrown: it is a deployment bug, not a PLC fault.
 */
export async function connectWithin(
  connect: Connect,
  { hostname, port, timeoutMs, signal }: ConnectWithinOptions,
): Promise<ByteConn> {
  const label = `${hostname}:${port}`;
  const ac = new AbortController();
  let timedOut = false;
  const onAbort = () => ac.abort();
  if (signal?.aborted) ac.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error("connect abandoned"));
    if (ac.signal.aborted) fail();
    ac.signal.addEventListener("abort", fail, { once: true });
    timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, timeoutMs);
  });
  let attempt: Promise<ByteConn>;
  try {
    attempt = connect({ hostname, port, signal: ac.signal });
  } catch (e) {
    attempt = Promise.reject(e);
  }
  try {
    return await Promise.race([attempt, gaveUp]);
  } catch (e) {
    attempt.then(closeQuietly, () => {});
    if (timedOut) {
      throw new PlcError("timeout", `connecting to ${label} took longer than ${timeoutMs} ms`);
    }
    if (ac.signal.aborted) throw new PlcError("aborted", `connecting to ${label} was aborted`);
    if (e instanceof Deno.errors.NotCapable) throw e;
    const why = e instanceof Error ? e.message : String(e);
    if (e instanceof Deno.errors.TimedOut) {
      throw new PlcError("timeout", `connecting to ${label} timed out: ${why}`, { cause: e });
    }
    throw new PlcError("refused", `cannot connect to ${label}: ${why}`, { cause: e });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    gaveUp.catch(() => {});
  }
}

function closeQuietly(conn: ByteConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
