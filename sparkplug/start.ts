/**
 * The one call `serve` makes for Sparkplug: starts the publisher's worker
 * when `--mqtt-url` is set and does nothing otherwise. The worker client is
 * loaded only then, so a gateway without a broker loads none of it.
 */
import type { SparkplugSettings } from "./settings.ts";
import type { SparkplugWorkerHandle, SparkplugWorkerOptions } from "./worker_client.ts";

/** {@link SparkplugWorkerOptions} with the settings that may be absent. */
export type SparkplugStartOptions = Omit<SparkplugWorkerOptions, "settings"> & {
  readonly settings: SparkplugSettings | undefined;
};

/** The running publisher's handle, or undefined when no MQTT URL is configured. */
export async function startSparkplugIfConfigured(
  options: SparkplugStartOptions,
): Promise<SparkplugWorkerHandle | undefined> {
  const { settings } = options;
  if (!settings) return undefined;
  const { startSparkplugWorker } = await import("./worker_client.ts");
  return startSparkplugWorker({ ...options, settings });
}
