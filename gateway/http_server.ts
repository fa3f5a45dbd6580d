/**
 * The HTTP server of the gateway: node:http on the configured address (and
 * TLS when configured), with WebSocket frames bounded before they are read. The Hono app comes from http/: the configuration
 * API, the live API (values, runtime, alarms), the operations endpoints
 * (/health, /ready, /metrics) and the WebSocket hub at /ws. This module only
 * composes them and binds the app to a socket.
 */
import { alarmRoutes } from "../http/alarms.ts";
import type { LivePlant } from "../http/live_port.ts";
import { createApp, type RouteModule } from "../http/mod.ts";
import { opsRoutes } from "../http/ops.ts";
import { plcOpsRoutes } from "../http/plc_ops.ts";
import { runtimeRoutes } from "../http/runtime_routes.ts";
import { uiRoutes } from "../http/ui_routes.ts";
import { valueRoutes } from "../http/values.ts";
import { WsHub, type WsHubOptions } from "../http/ws_hub.ts";
import { serveWithGuardedWebSocket } from "../http/ws_node_server.ts";
import { wsRoutes } from "../http/ws_routes.ts";
import { historianInfo } from "../sinks/factory.ts";
import type { Gateway } from "./gateway.ts";
import type { ServeSettings } from "./settings.ts";

/** The live API's route modules under /api/v1, in the order the reference lists them. */
export const LIVE_ROUTES: readonly RouteModule<LivePlant>[] = [
  valueRoutes,
  runtimeRoutes,
  alarmRoutes,
];

/** A listening server. */
export interface HttpServer {
  /** The address to open in a browser, e.g. `http://localhost:8080`. */
  readonly url: string;
  readonly port: number;
  /** The WebSocket hub (its client count, for tests and benchmarks). */
  readonly hub: WsHub;
  /** Closes the WebSockets, stops accepting, lets open requests finish (bounded), closes. */
  shutdown(): Promise<void>;
}

/** What the server needs of the settings; the hardening ones have defaults. */
export type HttpSettings =
  & Pick<ServeSettings, "hostname" | "port" | "tls" | "anonymousRead">
  & Partial<
    Pick<
      ServeSettings,
      | "metricsToken"
      | "rateLimitPerMinute"
      | "corsOrigins"
      | "trustProxy"
      | "sink"
      | "hardening"
    >
  >;

/** Serves the gateway's app; resolves once listening. */
export async function startHttpServer(
  gateway: Gateway,
  settings: HttpSettings,
  routes: readonly RouteModule<Gateway>[] = [],
  hubOptions: WsHubOptions = {},
): Promise<HttpServer> {
  const hub = new WsHub(gateway, hubOptions);
  const rate = settings.rateLimitPerMinute;
  const app = createApp<Gateway>({
    store: gateway.store,
    metrics: gateway.metrics,
    runtime: gateway,
    routes: [...LIVE_ROUTES, plcOpsRoutes, ...routes],
    rootRoutes: [
      opsRoutes,
      wsRoutes(hub, {
        ...(settings.hardening ? { maxPerAddress: settings.hardening.wsMaxPerAddress } : {}),
        ...(settings.hardening ? { maxPerUser: settings.hardening.wsMaxPerUser } : {}),
      }),
      uiRoutes,
    ],
    options: {
      anonymousRead: settings.anonymousRead,
      secureCookies: settings.tls !== undefined,
      metricsToken: settings.metricsToken,
      rateLimit: rate === 0 ? false : { limit: rate ?? 600 },
      corsOrigins: settings.corsOrigins ?? [],
      trustProxy: settings.trustProxy ?? false,
      ...(settings.sink ? { historian: historianInfo(settings.sink) } : {}),
      ...(settings.hardening ? { importMaxRows: settings.hardening.importMaxRows } : {}),
    },
  });
  try {
    const tls = settings.tls
      ? {
        cert: await Deno.readTextFile(settings.tls.cert),
        key: await Deno.readTextFile(settings.tls.key),
      }
      : undefined;
    // node:http with npm:ws for /ws: oversized WebSocket frames are refused at their header
    // instead of being buffered whole (http/ws_node_server.ts says why).
    const server = await serveWithGuardedWebSocket({
      hostname: settings.hostname,
      port: settings.port,
      ...(tls ? { tls } : {}),
      fetch: app.fetch,
      hub,
    });
    const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(server.hostname)
      ? "localhost"
      : server.hostname;
    return {
      url: `${settings.tls ? "https" : "http"}://${host}:${server.port}`,
      port: server.port,
      hub,
      shutdown: async () => {
        hub.close();
        await server.shutdown();
      },
    };
  } catch (e) {
    hub.close();
    throw e;
  }
}
