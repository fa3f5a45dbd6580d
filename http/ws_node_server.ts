/**
 * The gateway's HTTP server on node:http, for one reason: WebSocket frames.
 * Deno.upgradeWebSocket has no maximum message size (denoland/deno#15809):
 * it buffers a whole frame, up to 64 MiB, before the application sees it, so
 * eight clients sending 60 MiB frames cost the server hundreds of MB. Here
 * /ws upgrades are completed by npm:ws with `maxPayload`, which reads a
 * frame's length from its header and refuses it (the connection is cut at
 * once) before the payload is buffered. Every other request goes to the same
 * Hono app through @hono/node-server, with the peer address in the env as
 * Deno.serve gives it, so auth, rate limits and logs work unchanged. The /ws
 * route still decides who may connect (origin, caller, rate and connection
 * limits); it hands the accepted upgrade back through {@link WS_ACCEPT}.
 */
import { getRequestListener } from "@hono/node-server";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
// @ts-types="@types/ws"
import { WebSocketServer } from "ws";
import type { WsClient, WsSocket, WsUser } from "./ws_client.ts";
import type { WsHub } from "./ws_hub.ts";
import { MAX_CLIENT_MESSAGE } from "./ws_protocol.ts";
import { type AcceptWebSocket, WS_ACCEPT } from "./ws_routes.ts";

/** A fetch handler that reads the peer from `env.remoteAddr` (Hono's app.fetch). */
export type FetchHandler = (
  request: Request,
  env: { remoteAddr: Deno.NetAddr } & Record<string, unknown>,
) => Response | Promise<Response>;

/** Options of {@link serveWithGuardedWebSocket}. */
export interface GuardedServeOptions {
  readonly hostname: string;
  readonly port: number;
  /** PEM texts: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The app (createApp(…).fetch). */
  readonly fetch: FetchHandler;
  /** Where accepted sockets go. */
  readonly hub: Pick<WsHub, "attach" | "receive" | "detach">;
  /** Largest client message, bytes; a bigger frame closes its connection. Default 256 KiB. */
  readonly maxPayload?: number;
}

/** A running server. */
export interface GuardedServer {
  readonly hostname: string;
  readonly port: number;
  /** Closes every WebSocket and stops listening. */
  shutdown(): Promise<void>;
}

function peer(socket: { remoteAddress?: string; remotePort?: number }): Deno.NetAddr {
  return {
    transport: "tcp",
    hostname: socket.remoteAddress ?? "unknown",
    port: socket.remotePort ?? 0,
  };
}

/** The upgrade request as a Fetch Request (no body), for the app's /ws route. */
function toRequest(req: IncomingMessage, secure: boolean): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const host = req.headers.host ?? "localhost";
  return new Request(`${secure ? "https" : "http"}://${host}${req.url ?? "/"}`, {
    method: req.method,
    headers,
  });
}

/** Writes a refusal (the app's answer to an upgrade it did not accept) and closes the socket. */
async function refuse(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || "Refused"}`];
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "transfer-encoding") lines.push(`${name}: ${value}`);
  });
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), Buffer.from(body)]));
}

/**
 * A response sent before its request's body was read (a refusal: 401, 403,
 * 413…) says `Connection: close`. node:http then drops the connection with
 * the unread rest of the body in it; a client told nothing would send its
 * next request on that connection and, for a POST, get an error instead of
 * an answer.
 */
function closeIfUnread(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!req.complete && !this.headersSent) this.setHeader("connection", "close");
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    listener(req, res);
  };
}

/**
 * Serves `fetch` on node:http (node:https with `tls`), with /ws upgrades
 * completed by npm:ws under `maxPayload`; resolves once listening.
 */
export async function serveWithGuardedWebSocket(
  options: GuardedServeOptions,
): Promise<GuardedServer> {
  const maxPayload = options.maxPayload ?? MAX_CLIENT_MESSAGE;
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  // overrideGlobalObjects: false keeps Deno's own Request and Response globals (the adapter
  // would otherwise replace them process-wide, and Deno.serve refuses its Response class).
  const listener = getRequestListener(
    (request, env) => options.fetch(request, { remoteAddr: peer(env.incoming.socket) }),
    { overrideGlobalObjects: false },
  );
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, closeIfUnread(listener))
    : createHttpServer(closeIfUnread(listener));
  const secure = options.tls !== undefined;

  server.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    try {
      let admitted: { user: WsUser; release: () => void } | undefined;
      const accept: AcceptWebSocket = (user, release) => {
        admitted = { user, release };
        return new Response(null, { status: 204 });
      };
      const response = await options.fetch(toRequest(req, secure), {
        remoteAddr: peer(req.socket),
        [WS_ACCEPT]: accept,
      });
      const granted = admitted;
      if (!granted) return await refuse(socket, response);
      // A handshake that npm:ws refuses (a bad Sec-WebSocket-Key, say) never reaches the
      // callback: give the admitted place back when its socket closes unattached.
      let attached = false;
      socket.once("close", () => {
        if (!attached) granted.release();
      });
      wss.handleUpgrade(req, socket, head, (ws) => {
        attached = true;
        const client: WsClient = options.hub.attach(ws as unknown as WsSocket, granted.user);
        ws.on("message", (data, isBinary) => {
          options.hub.receive(client, isBinary ? data : data.toString("utf8"));
        });
        // An oversized frame (1009) or a protocol error: cut the connection now instead of
        // reading and discarding the rest of the frame during a closing handshake.
        ws.on("error", () => ws.terminate());
        ws.on("close", () => {
          granted.release();
          options.hub.detach(client);
        });
      });
    } catch {
      socket.destroy();
    }
  });

  const listening = Promise.withResolvers<void>();
  server.once("error", listening.reject);
  server.listen(options.port, options.hostname, () => listening.resolve());
  await listening.promise;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    hostname: options.hostname,
    port,
    shutdown: async () => {
      for (const ws of wss.clients) ws.terminate();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      wss.close();
    },
  };
}
