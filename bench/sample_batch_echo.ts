/** The receiving side of bench/sample_batch_bench.ts: rebuilds every batch and counts samples. */
import type { Sample } from "../model/sample.ts";
import { decodeBatch, type SampleBatch } from "../model/sample_batch.ts";

type Message =
  | { kind: "batch"; batch: SampleBatch }
  | { kind: "objects"; samples: Sample[] }
  | { kind: "done" };

const scope = globalThis as unknown as {
  onmessage: (e: MessageEvent<Message>) => void;
  postMessage(n: number): void;
};
let count = 0;
let sum = 0;
scope.onmessage = (e) => {
  const m = e.data;
  if (m.kind === "batch") {
    const { samples } = decodeBatch(m.batch);
    count += samples.length;
    sum += samples[0].ts;
  } else if (m.kind === "objects") {
    count += m.samples.length;
    sum += m.samples[0].ts;
  } else {
    scope.postMessage(count + (sum > 0 ? 0 : 1));
    count = 0;
    sum = 0;
  }
};
