/**
 * The messages between the main thread and the Sparkplug worker (worker.ts):
 * plain structured-cloneable data only, so the publisher runs off the main
 * thread and its ports (write, log) cross as request/answer messages.
 */
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { SampleBatch } from "../model/sample_batch.ts";
import type {
  GatewayFigures,
  SparkplugStatus,
  SparkplugTuning,
  WriteItem,
  WriteOutcome,
} from "./publisher.ts";
import type { SparkplugSettings } from "./settings.ts";

/** What the worker needs to start the publisher (the ports stay on the main thread). */
export interface SparkplugWorkerStart {
  readonly settings: SparkplugSettings;
  readonly dataDir: string;
  readonly plant: PlantConfig;
  readonly tuning?: Partial<SparkplugTuning>;
}

/** Main thread → worker. */
export type ToSparkplugWorker =
  | { readonly type: "start"; readonly options: SparkplugWorkerStart }
  | { readonly type: "samples"; readonly samples: readonly Sample[] }
  /** One poll's samples in columnar form (buffer transferred); the live ones are used. */
  | { readonly type: "batch"; readonly batch: SampleBatch }
  /**
   * A port (transferred) on which an acquisition worker sends
   * {@link SparkplugPortMessage}s straight to this worker, past the main thread.
   */
  | { readonly type: "port"; readonly port: MessagePort }
  | { readonly type: "plant"; readonly plant: PlantConfig }
  | { readonly type: "plcState"; readonly plcId: number; readonly failed: boolean }
  | { readonly type: "figures"; readonly figures: GatewayFigures }
  | { readonly type: "status"; readonly id: number }
  | { readonly type: "stop"; readonly id: number }
  | { readonly type: "writeResult"; readonly id: number; readonly outcomes: WriteOutcome[] }
  | { readonly type: "writeError"; readonly id: number; readonly error: string };

/** What arrives on a port given with `{ type: "port" }` (the historian port's shape). */
export type SparkplugPortMessage =
  | { readonly type: "samples"; readonly batch: SampleBatch }
  /** The sender stopped: nothing follows on this port. */
  | { readonly type: "end" };

/** Worker → main thread. */
export type FromSparkplugWorker =
  | { readonly type: "started" }
  | { readonly type: "startFailed"; readonly error: string }
  | { readonly type: "status"; readonly id: number; readonly status: SparkplugStatus }
  | { readonly type: "stopped"; readonly id: number }
  | { readonly type: "write"; readonly id: number; readonly items: WriteItem[] }
  | {
    readonly type: "log";
    readonly level: "debug" | "info" | "warning" | "error";
    readonly message: string;
  };
