/**
 * The Sparkplug publisher's thread: a Deno Worker that runs
 * {@link startSparkplug} and speaks the messages of worker_messages.ts. DCMD
 * writes and log lines go to the main thread as messages. Started by
 * worker_client.ts with `new URL("./worker.ts", import.meta.url)`, so it is
 * found in a `deno compile` binary too (deno.json's compile task includes it).
 */
/// <reference lib="deno.worker" />
import { type SparkplugPublisher, startSparkplug, type WriteOutcome } from "./publisher.ts";
import { decodeFlagged, FLAG_LIVE, type SampleBatch } from "../model/sample_batch.ts";
import type {
  FromSparkplugWorker,
  SparkplugPortMessage,
  ToSparkplugWorker,
} from "./worker_messages.ts";

const post = (m: FromSparkplugWorker) => self.postMessage(m);
let publisher: SparkplugPublisher | undefined;
let nextWrite = 1;
const ports = new Set<MessagePort>();

/** Every live sample of a columnar batch to the publisher; a malformed batch is logged, not fatal. */
function onBatch(batch: SampleBatch): void {
  try {
    publisher?.onSamples(decodeFlagged(batch, FLAG_LIVE));
  } catch (err) {
    post({ type: "log", level: "error", message: `Sparkplug: ${(err as Error).message}` });
  }
}

const writes = new Map<
  number,
  { resolve: (o: WriteOutcome[]) => void; reject: (e: Error) => void }
>();

self.onmessage = async (e: MessageEvent<ToSparkplugWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "start":
      try {
        publisher = await startSparkplug({
          ...m.options,
          log: (level, message) => post({ type: "log", level, message }),
          write: m.options.settings.commands
            ? (items) =>
              new Promise<WriteOutcome[]>((resolve, reject) => {
                const id = nextWrite++;
                writes.set(id, { resolve, reject });
                post({ type: "write", id, items });
              })
            : undefined,
        });
        post({ type: "started" });
      } catch (err) {
        post({ type: "startFailed", error: (err as Error).message });
      }
      return;
    case "samples":
      publisher?.onSamples(m.samples);
      return;
    case "batch":
      onBatch(m.batch);
      return;
    case "port": {
      const port = m.port;
      ports.add(port);
      port.onmessage = (ev: MessageEvent<SparkplugPortMessage>) => {
        if (ev.data.type === "samples") onBatch(ev.data.batch);
        else {
          ports.delete(port);
          port.close();
        }
      };
      return;
    }
    case "plant":
      publisher?.onPlant(m.plant);
      return;
    case "plcState":
      publisher?.onPlcState(m.plcId, m.failed);
      return;
    case "figures":
      publisher?.onGatewayFigures(m.figures);
      return;
    case "status":
      if (publisher) post({ type: "status", id: m.id, status: publisher.status() });
      return;
    case "stop":
      for (const port of ports) port.close();
      ports.clear();
      await publisher?.stop();
      for (const w of writes.values()) w.reject(new Error("the publisher stopped"));
      writes.clear();
      post({ type: "stopped", id: m.id });
      return;
    case "writeResult":
    case "writeError": {
      const w = writes.get(m.id);
      writes.delete(m.id);
      if (m.type === "writeResult") w?.resolve(m.outcomes);
      else w?.reject(new Error(m.error));
      return;
    }
  }
};
