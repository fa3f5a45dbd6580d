/**
 * The HTTP server of the gateway: Deno.serve on the configured address (and
 * TLS when configured). The Hono app comes from http/; this module only
 * binds it to a socket.
 */
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
): Promise<HttpServer> {
  const handler = (_req: Request) => new Response(`JSScada: ${gateway.runtime.status().state}\n`);
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
  }, handler);
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
