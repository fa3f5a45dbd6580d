/**
 * `jsscada health [--url URL] [--ready]`: asks a running gateway whether it is
 * alive (GET /health) or ready (GET /ready) and exits 0 or 1 — for container
 * health checks and service monitors, with no curl needed.
 */
import { parseArgs } from "node:util";
import type { CommandIo } from "./plc.ts";

/** Runs the check; resolves to the exit status (0 healthy, 1 not, 2 usage). */
export async function runHealth(args: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: "string" },
        ready: { type: "boolean" },
        timeout: { type: "string", default: "3000" },
      },
    }));
  } catch (e) {
    io.stderr(
      `${(e as Error).message}\nusage: jsscada health [--url http://127.0.0.1:8080] [--ready]`,
    );
    return 2;
  }
  const base = values.url ?? `http://127.0.0.1:${Deno.env.get("JSSCADA_PORT") ?? "8080"}`;
  const url = new URL(values.ready ? "/ready" : "/health", base);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(Number(values.timeout)) });
    const body = await res.text();
    (res.ok ? io.stdout : io.stderr)(`${url}: ${res.status} ${body.trim()}`);
    return res.ok ? 0 : 1;
  } catch (e) {
    io.stderr(`${url}: no answer (${e instanceof Error ? e.message : String(e)})`);
    return 1;
  }
}
