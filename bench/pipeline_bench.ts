/**
 * Reads per second on ONE socket against the fixture PLC in another process
 * over loopback: 3E (one request in flight) against 4E at pipelining depth
 * 1, 2, 4 and 8, and UDP against TCP. Each iteration is 200 reads of 64 words
 * with enough concurrent callers to fill the pipeline, so reads/s = 200 ×
 * iter/s. The fixture runs with a simulated scan time (default 0; set
 * JSSCADA_BENCH_SCAN_MS, e.g. 2, to see what pipelining hides behind a CPU's
 * scan). Target: 4E at depth 4 ≥ 2× 3E's single-socket rate.
 *
 *   deno bench -A bench/pipeline_bench.ts
 *   JSSCADA_BENCH_SCAN_MS=2 deno bench -A bench/pipeline_bench.ts
 */
import { PlcClient } from "../protocol/client.ts";
import type { ReadWordsRequest } from "../protocol/commands.ts";
import { udpConnect } from "../protocol/udp_transport.ts";

const scanMs = Deno.env.get("JSSCADA_BENCH_SCAN_MS") ?? "0";
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("../main.ts", import.meta.url).pathname,
    "fixture-plc",
    "--port",
    "0",
    "--udp",
    "--scan-time",
    scanMs,
  ],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let port = 0;
for (let text = ""; port === 0;) {
  const { value, done } = await reader.read();
  if (done) throw new Error(`the fixture PLC exited before listening: ${text}`);
  text += value;
  port = Number(text.match(/listening on 127\.0\.0\.1:(\d+)/)?.[1] ?? 0);
}
(async () => {
  while (!(await reader.read()).done);
})();

const READ: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 0 },
  points: 64,
};
const base = { host: "127.0.0.1", port, frame: "binary" as const, timeoutMs: 5000 };
const clients: Record<string, PlcClient> = {
  "3E tcp": new PlcClient(base),
  "3E udp": new PlcClient({ ...base, connect: udpConnect, retries: 2 }),
  "4E tcp depth 1": new PlcClient({ ...base, type: "4E" }),
  "4E tcp depth 2": new PlcClient({ ...base, type: "4E", pipelineDepth: 2 }),
  "4E tcp depth 4": new PlcClient({ ...base, type: "4E", pipelineDepth: 4 }),
  "4E tcp depth 8": new PlcClient({ ...base, type: "4E", pipelineDepth: 8 }),
  "4E udp depth 4": new PlcClient({
    ...base,
    type: "4E",
    pipelineDepth: 4,
    connect: udpConnect,
    retries: 2,
  }),
};

/** 200 reads from 8 concurrent callers: the client queues what its depth cannot take. */
async function reads200(client: PlcClient): Promise<void> {
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 25; i++) await client.request(READ);
  }));
}

for (const [name, client] of Object.entries(clients)) {
  const group = name.includes("udp") && !name.startsWith("4E udp") ? "transport" : "pipelining";
  Deno.bench(
    `200 reads of 64 words, one socket, ${name}`,
    { group, baseline: name === "3E tcp" },
    async () => {
      await reads200(client);
    },
  );
  if (name === "3E tcp") {
    Deno.bench("200 reads of 64 words, one socket, 3E tcp (transport)", {
      group: "transport",
      baseline: true,
    }, async () => {
      await reads200(client);
    });
  }
}

globalThis.addEventListener("unload", () => {
  for (const c of Object.values(clients)) c.close();
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
});
