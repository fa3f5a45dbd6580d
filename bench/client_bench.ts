/**
 * Client reads per second against the fixture PLC running in another process
 * over loopback (scan time 0), with 1 socket and a pool of 5. Each iteration
 * is 100 requests, so requests/s = 100 × iter/s. Target: ≥ 10,000 requests/s
 * with 5 sockets.
 */
import { PlcClient } from "../protocol/client.ts";
import { PlcPool } from "../protocol/pool.ts";
import type { ReadWordsRequest } from "../protocol/commands.ts";

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("../main.ts", import.meta.url).pathname,
    "fixture-plc",
    "--port",
    "0",
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
// Keep draining the fixture's output so it never blocks on a full pipe.
(async () => {
  while (!(await reader.read()).done);
})();

const small: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 0 },
  points: 64,
};
const large: ReadWordsRequest = { ...small, points: 960 };
const clients = {
  binary1: new PlcClient({ host: "127.0.0.1", port, frame: "binary" }),
  ascii1: new PlcClient({ host: "127.0.0.1", port, frame: "ascii" }),
  binary5: new PlcPool({ host: "127.0.0.1", port, frame: "binary", size: 5 }),
  ascii5: new PlcPool({ host: "127.0.0.1", port, frame: "ascii", size: 5 }),
};

async function hundred(
  target: { request: PlcClient["request"] },
  req: ReadWordsRequest,
  workers: number,
): Promise<void> {
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let i = 0; i < 100 / workers; i++) await target.request(req);
  }));
}

Deno.bench("100 reads of 64 words, 1 socket, binary", { group: "64 words" }, async () => {
  await hundred(clients.binary1, small, 1);
});
Deno.bench("100 reads of 64 words, 1 socket, ascii", { group: "64 words" }, async () => {
  await hundred(clients.ascii1, small, 1);
});
Deno.bench("100 reads of 64 words, 5 sockets, binary", { group: "64 words" }, async () => {
  await hundred(clients.binary5, small, 5);
});
Deno.bench("100 reads of 64 words, 5 sockets, ascii", { group: "64 words" }, async () => {
  await hundred(clients.ascii5, small, 5);
});
Deno.bench("100 reads of 960 words, 5 sockets, binary", { group: "960 words" }, async () => {
  await hundred(clients.binary5, large, 5);
});
Deno.bench("100 reads of 960 words, 5 sockets, ascii", { group: "960 words" }, async () => {
  await hundred(clients.ascii5, large, 5);
});

globalThis.addEventListener("unload", () => {
  for (const c of Object.values(clients)) c.close();
  child.kill("SIGTERM");
});
