/**
 * `jsscada serve`: runs the gateway — configuration store, PLC runtime,
 * historian, alarms, REST/WebSocket API and UI — until SIGINT or SIGTERM,
 * then shuts down gracefully (pollers stop, the writer flushes or spills to
 * the journal, sockets close) within 5 s.
 */
import { join } from "node:path";
import { startGateway } from "../gateway/gateway.ts";
import { startHttpServer } from "../gateway/http_server.ts";
import { readServeSettings, SERVE_USAGE, SettingsError } from "../gateway/settings.ts";
import { logs, setupLogging } from "../observability/logging.ts";
import type { CommandIo } from "./plc.ts";

/** Said instead of the first admin password when the server could not listen. */
export const UNSHOWN_PASSWORD =
  "the first admin user was created, but its password is not shown because the server did not " +
  'start; once it does, run "jsscada users reset-password admin" to get one';

/** Runs until SIGINT or SIGTERM; resolves to the exit status. */
export async function runServe(args: string[], io: CommandIo): Promise<number> {
  let settings;
  try {
    settings = readServeSettings(args, (name) => Deno.env.get(name));
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    io.stderr(`${e.message}\n${SERVE_USAGE}`);
    return 2;
  }
  if (settings === "help") {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  const logging = await setupLogging({
    dir: join(settings.dataDir, "logs"),
    level: settings.logLevel,
    console: settings.consoleLog ? settings.logLevel : false,
  });
  try {
    // The gateway prints the generated first admin password; hold it until the
    // server listens, so a start that fails does not show it among error lines.
    const held: string[] = [];
    let gateway;
    try {
      gateway = await startGateway({
        dataDir: settings.dataDir,
        sink: settings.sink,
        samplePlant: settings.demo,
        fixture: settings.demo ? settings.fixturePorts : false,
        ...(settings.acquisitionWorkers ? { acquisitionWorkers: settings.acquisitionWorkers } : {}),
        ...(settings.journalMaxBytes !== undefined
          ? { journalMaxBytes: settings.journalMaxBytes }
          : {}),
        ...(settings.journalMinFreeBytes !== undefined
          ? { journalMinFreeBytes: settings.journalMinFreeBytes }
          : {}),
        ...(settings.sparkplug ? { sparkplug: settings.sparkplug } : {}),
        print: (line) => held.push(line),
      });
    } catch (e) {
      io.stderr(`JSScada could not start: ${e instanceof Error ? e.message : String(e)}`);
      if (held.length) io.stderr(UNSHOWN_PASSWORD);
      return 1;
    }
    let server;
    try {
      server = await startHttpServer(gateway, settings);
    } catch (e) {
      io.stderr(`JSScada could not listen: ${e instanceof Error ? e.message : String(e)}`);
      if (held.length) io.stderr(UNSHOWN_PASSWORD);
      await gateway.stop();
      return 1;
    }
    io.stdout(`JSScada is serving ${server.url} (data in ${settings.dataDir}); Ctrl+C stops it`);
    for (const line of held) io.stdout(line);

    const stop = Promise.withResolvers<Deno.Signal>();
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const handlers = signals.map((s) => [s, () => stop.resolve(s)] as const);
    for (const [s, h] of handlers) Deno.addSignalListener(s, h);
    const signal = await stop.promise;
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);

    const t0 = performance.now();
    logs.system.info("{signal}: shutting down", { signal });
    await server.shutdown();
    const report = await gateway.stop();
    const ms = Math.round(performance.now() - t0);
    logs.system.info("stopped in {ms} ms ({clean})", {
      ms,
      clean: report.clean ? "clean" : "a step missed its deadline",
    });
    return report.clean ? 0 : 1;
  } finally {
    await logging.close();
  }
}
