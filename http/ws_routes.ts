/**
 * GET /ws: the WebSocket upgrade. The caller authenticates as for REST — the
 * session cookie, an `Authorization: Bearer` header, or `?token=<api token>`
 * (browsers cannot set headers on a WebSocket) — and is refused with 401
 * before the upgrade unless anonymous read is on. A browser's Origin must
 * match the Host (or a configured CORS origin), which stops cross-site
 * WebSocket hijacking with the cookie. Open connections are bounded per
 * address and per user (ws_limits.ts). The hub (ws_hub.ts) does the rest.
 *
 * The socket itself comes from Deno.upgradeWebSocket, or — when the server
 * runs on node:http (ws_node_server.ts) — from the server's own accept
 * function passed in the request's env under {@link WS_ACCEPT}: that one
 * refuses an oversized frame from its header, before buffering it, which
 * Deno's WebSocket cannot do (it reads a whole frame, up to 64 MiB, first).
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Store, User } from "../store/mod.ts";
import { clientAddress, SESSION_COOKIE, unauthorized } from "./auth_middleware.ts";
import type { AppEnv, ResolvedOptions, RouteModule } from "./context.ts";
import { HttpError } from "./errors.ts";
import { apiRateLimit } from "./hardening.ts";
import type { LivePlant } from "./live_port.ts";
import type { WsClient, WsUser } from "./ws_client.ts";
import type { WsHub } from "./ws_hub.ts";
import { type WsConnectionLimitOptions, WsConnectionLimits } from "./ws_limits.ts";

/** The key under which a server that upgrades sockets itself puts its {@link AcceptWebSocket} in the env. */
export const WS_ACCEPT = "jsscadaAcceptWebSocket";

/**
 * Accepts an admitted upgrade (the route has checked origin, caller, rate and
 * connection limits): the server completes the handshake and attaches the
 * socket to the hub; `release` must be called when it closes. Returns the
 * Response the route answers with (the server does not send it).
 */
export type AcceptWebSocket = (user: WsUser, release: () => void) => Response;

/** Where the WebSocket is served. */
export const WS_PATH = "/ws";

/**
 * Whether a browser's `Origin` may open the socket: no Origin (not a
 * browser), the same host as the request, or a configured CORS origin.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** The caller of an upgrade request: token (query or header), else session cookie, else null. */
function caller(c: Context<AppEnv>, store: Store): User | null {
  const header = c.req.header("Authorization");
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (header !== undefined && !match) {
    throw unauthorized('the Authorization header must read "Bearer <token>"');
  }
  const token = match?.[1] ?? c.req.query("token");
  if (token !== undefined) {
    const found = store.tokens.verify(token);
    if (!found) throw unauthorized("the API token is unknown, revoked or expired");
    return found.user;
  }
  const sessionId = getCookie(c, SESSION_COOKIE);
  return (sessionId && store.sessions.verify(sessionId)?.user) || null;
}

/** Checks the upgrade request; throws the HTTP error that refuses it. */
function admit(c: Context<AppEnv>, store: Store, options: ResolvedOptions): User | null {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(426, "GET /ws is a WebSocket endpoint: send Upgrade: websocket", {
      code: "upgrade_required",
      headers: { Upgrade: "websocket" },
    });
  }
  const origin = c.req.header("Origin");
  const host = (options.trustProxy ? c.req.header("X-Forwarded-Host") : undefined) ??
    c.req.header("Host");
  if (!originAllowed(origin, host, options.corsOrigins)) {
    throw new HttpError(403, `a page from ${origin} may not open this WebSocket`, {
      code: "forbidden_origin",
    });
  }
  const user = caller(c, store);
  if (!user && !options.anonymousRead) {
    throw unauthorized(
      "log in (the session cookie is sent with the upgrade) or add ?token=<api token>",
    );
  }
  return user;
}

/**
 * The /ws route module (register with `rootRoutes`), serving clients through
 * `hub`; `limits` bounds open connections per address and per user.
 */
export function wsRoutes(
  hub: Pick<WsHub, "attach" | "receive" | "detach">,
  limits: WsConnectionLimitOptions | WsConnectionLimits = {},
): RouteModule<LivePlant> {
  const open = limits instanceof WsConnectionLimits ? limits : new WsConnectionLimits(limits);
  return (app, { store, options }) => {
    const limiter = apiRateLimit(options);
    const upgrade = (c: Context<AppEnv>) => {
      const user = admit(c, store, options);
      const admission = open.admit(clientAddress(c, options.trustProxy), user?.name ?? null);
      if (!admission.ok) throw new HttpError(429, admission.message);
      const wsUser = user && { name: user.name, role: user.role };
      const accept = (c.env as Record<string, unknown> | undefined)?.[WS_ACCEPT];
      if (typeof accept === "function") {
        return (accept as AcceptWebSocket)(wsUser, admission.release);
      }
      let upgraded;
      try {
        upgraded = Deno.upgradeWebSocket(c.req.raw);
      } catch (e) {
        admission.release();
        throw e;
      }
      const { socket, response } = upgraded;
      let client: WsClient | undefined;
      socket.onopen = () => {
        client = hub.attach(socket, wsUser);
      };
      socket.onmessage = (e) => {
        if (client) hub.receive(client, e.data);
      };
      socket.onclose = () => {
        admission.release();
        if (client) hub.detach(client);
      };
      socket.onerror = () => {/* a close event follows */};
      return response;
    };
    if (limiter) app.get(WS_PATH, limiter, upgrade);
    else app.get(WS_PATH, upgrade);
  };
}
