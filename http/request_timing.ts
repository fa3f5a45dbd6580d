/**
 * Request durations into the Prometheus histogram, labelled by the matched
 * route pattern (`/api/v1/tags/:id`), never the raw path, so the number of
 * series stays bounded; requests no route matched share `unmatched`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Metrics } from "../observability/metrics.ts";
import type { AppEnv } from "./context.ts";

/** The route pattern that answered: the last matched handler that is not a middleware. */
export function routeLabel(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i].method !== "ALL") return routes[i].path;
  }
  return "unmatched";
}

/** Observes every request's duration and status in `metrics.http`. */
export function requestTiming(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    metrics.http.observe(
      c.req.method,
      routeLabel(c),
      c.res.status,
      (performance.now() - start) / 1000,
    );
  };
}
