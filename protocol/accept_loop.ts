/**
 * The accept loop every JSScada TCP listener uses. Deno's `accept()` throws for
 * a single connection that went away before it was accepted (a client that
 * connects and resets: `NotConnected`, `ConnectionReset`, `ConnectionAborted`)
 * and when the process runs out of file descriptors; none of those end the
 * listener, so the loop keeps accepting. It ends only when the listener is
 * closed (or `isOpen` says it should stop).
 */

/** The part of `Deno.Listener` the loop needs. */
export interface Acceptor<C> {
  accept(): Promise<C>;
}

/** What to do with accepted connections and errors. */
export interface AcceptLoopOptions<C> {
  /** Called with every accepted connection; must not throw (it is the caller's server). */
  onConnection(conn: C): void;
  /** False once the owner closed the listener: the loop ends at the next error. */
  isOpen(): boolean;
  /** Told about every per-connection accept error the loop survived (for counters and logs). */
  onError?(error: unknown): void;
  /** Pause after an error that is not about one connection (e.g. out of file descriptors), ms. */
  backoffMs?: number;
}

/** Accept errors that concern one connection only: accept the next one at once. */
function perConnection(e: unknown): boolean {
  return e instanceof Deno.errors.NotConnected || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.ConnectionAborted;
}

/** Errors that mean the listener itself is gone. */
function listenerGone(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted;
}

/**
 * Accepts connections until the listener is closed, surviving per-connection
 * failures. Resolves (never rejects) when the loop ends.
 */
export async function acceptLoop<C>(
  listener: Acceptor<C>,
  options: AcceptLoopOptions<C>,
): Promise<void> {
  const backoffMs = options.backoffMs ?? 20;
  while (options.isOpen()) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (e) {
      if (!options.isOpen() || listenerGone(e)) return;
      options.onError?.(e);
      if (!perConnection(e)) await new Promise((r) => setTimeout(r, backoffMs));
      continue;
    }
    options.onConnection(conn);
  }
}
