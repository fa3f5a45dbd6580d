/**
 * The HTTP server of the gateway: Deno.serve on the configured address (and
 * TLS when configured). The Hono app comes from http/; this module only
 * binds it to a socket.
 */
import { createApp, type RouteModule } from "../http/mod.ts";
import type { Gateway } from "./gateway.ts";
import type { ServeSettings } from "./settings.ts";

/** A listening server. */
export interface HttpServer {
  /** The address to open in a browser, e.g. `http://localhost:8080`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets open requests finish (bounded), closes. */
  shutdown(): Promise<void>;
}

/** Serves the gateway's app; resolves once listening. */
export async function startHttpServer(
  gateway: Gateway,
  settings: Pick<ServeSettings, "hostname" | "port" | "tls" | "anonymousRead">,
  routes: readonly RouteModule<Gateway>[] = [],
): Promise<HttpServer> {
  const app = createApp<Gateway>({
    store: gateway.store,
    metrics: gateway.metrics,
    runtime: gateway,
    routes,
    options: { anonymousRead: settings.anonymousRead, secureCookies: settings.tls !== undefined },
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const tls = settings.tls
    ? {
      cert: await Deno.readTextFile(settings.tls.cert),
      key: await Deno.readTextFile(settings.tls.key),
    }
    : {};
  const server = Deno.serve({
    hostname: settings.hostname,
    port: settings.port,
    ...tls,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, app.fetch);
  const addr = await listening.promise;
  const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(addr.hostname)
    ? "localhost"
    : addr.hostname;
  return {
    url: `${settings.tls ? "https" : "http"}://${host}:${addr.port}`,
    port: addr.port,
    shutdown: () => server.shutdown(),
  };
}
