/**
 * Test support for the WebSocket: a raw upgrade request (to see the HTTP
 * status a refused upgrade gets, which a WebSocket client hides) and a client
 * that collects frames and waits for the one it needs. Not used in
 * production code.
 */

/** Sends a WebSocket upgrade over plain TCP; resolves with the status code, and closes. */
export async function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const buf = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

/** A WebSocket client that keeps every frame and can wait for one. */
export class TestWsClient {
  readonly socket: WebSocket;
  // deno-lint-ignore no-explicit-any
  readonly frames: any[] = [];
  // deno-lint-ignore no-explicit-any
  #waiters: { test: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  readonly closed: Promise<CloseEvent>;

  private constructor(url: string) {
    this.socket = new WebSocket(url);
    this.closed = new Promise((resolve) => this.socket.addEventListener("close", resolve));
    this.socket.addEventListener("message", (e) => {
      const frame = JSON.parse(e.data);
      this.frames.push(frame);
      for (const w of [...this.#waiters]) {
        if (w.test(frame)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
  }

  /** Connects; resolves once open. */
  static async open(url: string): Promise<TestWsClient> {
    const client = new TestWsClient(url);
    await new Promise<void>((resolve, reject) => {
      client.socket.addEventListener("open", () => resolve());
      client.socket.addEventListener("error", () => reject(new Error(`cannot open ${url}`)));
    });
    return client;
  }

  /** Sends a message (objects as JSON). */
  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next frame (after those already received) that passes `test`, within `ms`. */
  // deno-lint-ignore no-explicit-any
  next(test: (f: any) => boolean, ms = 5000): Promise<any> {
    // deno-lint-ignore no-explicit-any
    const found = Promise.withResolvers<any>();
    const timer = setTimeout(() => found.reject(new Error(`no matching frame in ${ms} ms`)), ms);
    this.#waiters.push({ test, resolve: found.resolve });
    return found.promise.finally(() => clearTimeout(timer));
  }

  /** The first frame so far (or the next) of `type`. */
  // deno-lint-ignore no-explicit-any
  async first(type: string, ms = 5000): Promise<any> {
    return this.frames.find((f) => f.type === type) ?? await this.next((f) => f.type === type, ms);
  }

  /** Closes and waits for the close to finish. */
  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }
}
