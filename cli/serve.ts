/**
 * `jsscada serve`: runs the gateway on the embedded default — the sample
 * plant's fixture PLCs in-process on loopback.
 */
import { parseArgs } from "node:util";
import { startFixturePlant } from "../fixtures/fixture_plant.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";
import type { CommandIo } from "./plc.ts";

const USAGE = `usage: jsscada serve [options]
  --no-fixture     do not start the built-in fixture PLCs of the sample plant`;

/** Runs until SIGINT or SIGTERM; resolves to the exit status. */
export async function runServe(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "no-fixture": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const plant = values["no-fixture"]
    ? undefined
    : await startFixturePlant(generateSamplePlant().profile);
  for (const plc of plant?.plcs ?? []) {
    io.stdout(`fixture PLC ${plc.code} listening on ${plc.hostname}:${plc.port} (ascii+binary)`);
  }
  const stop = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => stop.resolve();
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  await stop.promise;
  for (const s of signals) Deno.removeSignalListener(s, onSignal);
  await plant?.close();
  return 0;
}
