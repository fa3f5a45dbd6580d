/**
 * GET /ws: the WebSocket upgrade. The caller authenticates as for REST — the
 * session cookie, an `Authorization: Bearer` header, or `?token=<api token>`
 * (browsers cannot set headers on a WebSocket) — and is refused with 401
 * before the upgrade unless anonymous read is on. A browser's Origin must
 * match the Host (or a configured CORS origin), which stops cross-site
 * WebSocket hijacking with the cookie. The hub (ws_hub.ts) does the rest.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Store, User } from "../store/mod.ts";
import { SESSION_COOKIE, unauthorized } from "./auth_middleware.ts";
import type { AppEnv, ResolvedOptions, RouteModule } from "./context.ts";
import { HttpError } from "./errors.ts";
import { apiRateLimit } from "./hardening.ts";
import type { LivePlant } from "./live_port.ts";
import type { WsClient } from "./ws_client.ts";
import type { WsHub } from "./ws_hub.ts";

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

/** The /ws route module (register with `rootRoutes`), serving clients through `hub`. */
export function wsRoutes(
  hub: Pick<WsHub, "attach" | "receive" | "detach">,
): RouteModule<LivePlant> {
  return (app, { store, options }) => {
    const limiter = apiRateLimit(options);
    const upgrade = (c: Context<AppEnv>) => {
      const user = admit(c, store, options);
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
      let client: WsClient | undefined;
      socket.onopen = () => {
        client = hub.attach(socket, user && { name: user.name, role: user.role });
      };
      socket.onmessage = (e) => {
        if (client) hub.receive(client, e.data);
      };
      socket.onclose = () => {
        if (client) hub.detach(client);
      };
      socket.onerror = () => {/* a close event follows */};
      return response;
    };
    if (limiter) app.get(WS_PATH, limiter, upgrade);
    else app.get(WS_PATH, upgrade);
  };
}
