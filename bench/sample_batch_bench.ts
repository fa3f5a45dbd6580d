/**
 * What it costs to move samples between threads: 1,000,000 samples in
 * batches of 350 (one poll of a large group) sent to a worker that rebuilds
 * them, as columnar batches with a transferred buffer (model/sample_batch.ts)
 * against a structured clone of one object per sample. Each iteration sends
 * the million and waits for the worker's count, so it includes the encoding,
 * the transfer, the decoding and the wake-ups on both sides.
 *
 *   deno bench -A bench/sample_batch_bench.ts
 */
import type { Sample } from "../model/sample.ts";
import { encodeBatch } from "../model/sample_batch.ts";

const TOTAL = 1_000_000;
const BATCH = 350;

const samples: Sample[] = Array.from({ length: BATCH }, (_, i) => ({
  tagId: 1000 + i,
  ts: 1_796_000_000_000 + i,
  value: i % 7 === 0 ? i % 2 === 0 : i * 0.25,
  quality: "good",
}));

const worker = new Worker(new URL("./sample_batch_echo.ts", import.meta.url), { type: "module" });
let waiting: ((n: number) => void) | undefined;
worker.onmessage = (e: MessageEvent<number>) => waiting?.(e.data);

function roundTrip(send: () => void): Promise<number> {
  return new Promise((resolve) => {
    waiting = resolve;
    for (let n = 0; n < TOTAL; n += BATCH) send();
    worker.postMessage({ kind: "done" });
  });
}

Deno.bench("columnar batches, buffer transferred: 1M samples", { group: "cross" }, async () => {
  await roundTrip(() => {
    const batch = encodeBatch(samples);
    worker.postMessage({ kind: "batch", batch }, [batch.buffer]);
  });
});

Deno.bench("structured clone of sample objects: 1M samples", { group: "cross" }, async () => {
  await roundTrip(() => worker.postMessage({ kind: "objects", samples }));
});

globalThis.addEventListener("unload", () => worker.terminate());
