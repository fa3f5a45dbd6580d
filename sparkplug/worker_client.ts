/**
 * The main thread's handle on the Sparkplug worker: starts worker.ts, posts
 * samples, configuration and PLC states to it as plain messages, answers its
 * DCMD write requests with the injected write port, forwards its log lines,
 * and stops it (NDEATH, DISCONNECT, spool closed) before terminating it.
 */
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import type { SampleBatch } from "../model/sample_batch.ts";
import type { GatewayFigures, SparkplugLog, SparkplugStatus, WritePort } from "./publisher.ts";
import type {
  FromSparkplugWorker,
  SparkplugWorkerStart,
  ToSparkplugWorker,
} from "./worker_messages.ts";

/** Options of {@link startSparkplugWorker}: the worker's start data plus the main-thread ports. */
export interface SparkplugWorkerOptions extends SparkplugWorkerStart {
  readonly write?: WritePort;
  readonly log?: SparkplugLog;
  /** Called once if the worker dies of an uncaught error (the supervisor restarts it). */
  readonly onCrash?: (error: string) => void;
  /** Longest wait for a status answer or a graceful stop, ms (default 5,000). */
  readonly timeoutMs?: number;
}

/** The running Sparkplug worker, seen from the main thread. */
export interface SparkplugWorkerHandle {
  /** One batch of samples (one poll of one group). */
  onSamples(samples: readonly Sample[]): void;
  /** One poll's samples as a columnar batch; its buffer is transferred (unusable here after). */
  onBatch(batch: SampleBatch): void;
  /**
   * Hands the worker a port (transferred) on which an acquisition worker
   * sends `{ type: "samples", batch }` and finally `{ type: "end" }`.
   */
  attachPort(port: MessagePort): void;
  /** A configuration change. */
  onPlant(plant: PlantConfig): void;
  /** A PLC failed, or answers again. */
  onPlcState(plcId: number, failed: boolean): void;
  /** The gateway's own figures for the node metrics. */
  onGatewayFigures(figures: GatewayFigures): void;
  /** The publisher's status, plain data. */
  status(): Promise<SparkplugStatus>;
  /** Graceful stop (NDEATH before DISCONNECT), then the thread ends. */
  stop(): Promise<void>;
}

/** Starts the Sparkplug worker; resolves once the publisher runs (not when the broker answers). */
export function startSparkplugWorker(
  options: SparkplugWorkerOptions,
): Promise<SparkplugWorkerHandle> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    name: "sparkplug",
  });
  const timeoutMs = options.timeoutMs ?? 5_000;
  const log = options.log ?? (() => {});
  const pending = new Map<number, (m: FromSparkplugWorker) => void>();
  let nextId = 1;
  let closed = false;
  const post = (m: ToSparkplugWorker, transfer: Transferable[] = []) => {
    if (!closed) worker.postMessage(m, transfer);
  };
  const terminate = () => {
    if (closed) return;
    closed = true;
    worker.terminate();
  };
  const request = <T extends FromSparkplugWorker>(make: (id: number) => ToSparkplugWorker) =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(new Error("the Sparkplug worker is not running"));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the Sparkplug worker did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      post(make(id));
    });

  return new Promise((resolve, reject) => {
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const error = e.message || String(e.error);
      terminate();
      reject(new Error(`the Sparkplug worker crashed: ${error}`));
      options.onCrash?.(error);
    };
    worker.onmessage = (e: MessageEvent<FromSparkplugWorker>) => {
      const m = e.data;
      switch (m.type) {
        case "started":
          resolve(handle);
          return;
        case "startFailed":
          terminate();
          reject(new Error(m.error));
          return;
        case "log":
          log(m.level, m.message);
          return;
        case "write": {
          const write = options.write;
          if (!write) {
            post({ type: "writeError", id: m.id, error: "no write port" });
            return;
          }
          write(m.items).then(
            (outcomes) => post({ type: "writeResult", id: m.id, outcomes }),
            (err) => post({ type: "writeError", id: m.id, error: String(err?.message ?? err) }),
          );
          return;
        }
        case "status":
        case "stopped": {
          const p = pending.get(m.id);
          pending.delete(m.id);
          p?.(m);
          return;
        }
      }
    };
    const handle: SparkplugWorkerHandle = {
      onSamples: (samples) => post({ type: "samples", samples }),
      onBatch: (batch) => post({ type: "batch", batch }, [batch.buffer]),
      attachPort: (port) => post({ type: "port", port }, [port]),
      onPlant: (plant) => post({ type: "plant", plant }),
      onPlcState: (plcId, failed) => post({ type: "plcState", plcId, failed }),
      onGatewayFigures: (figures) => post({ type: "figures", figures }),
      status: async () =>
        (await request<Extract<FromSparkplugWorker, { type: "status" }>>((id) => ({
          type: "status",
          id,
        }))).status,
      stop: async () => {
        try {
          await request((id) => ({ type: "stop", id }));
        } finally {
          terminate();
        }
      },
    };
    const { settings, dataDir, plant, tuning } = options;
    post({ type: "start", options: { settings, dataDir, plant, ...(tuning ? { tuning } : {}) } });
  });
}
