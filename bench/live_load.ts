/**
 * A load process of the live API benchmarks (started by live_rig.ts): many
 * WebSocket clients subscribed to the whole plant, or many REST clients, in
 * this one process; it prints one JSON line (LoadReport) at the end.
 *
 *   deno run -A bench/live_load.ts --mode ws --base http://127.0.0.1:8080 --token jss_… \
 *     --clients 500 --warmup 3 --seconds 10
 *   deno run -A bench/live_load.ts --mode rest --path /api/v1/runtime --clients 50 …
 *
 * WebSocket latency is, per value received, the receipt time minus the
 * value's `a` (when the gateway got it; bench/live_child.ts turns these
 * stamps on), and separately minus its `t` (its poll time: the tick it was
 * read on), all from the same wall clock of this machine; each client's
 * first values frame (the snapshot after subscribe) is left out. REST latency is request start to the last
 * byte of the body. `--pace-ms N` makes each REST client send one request
 * every N ms instead of back to back.
 */
import { parseArgs } from "node:util";
import { processCpuSeconds } from "./gateway_rig.ts";

const BUCKETS = 100_000; // 0.1 ms each: up to 10 s, the last one is "more"

interface Recorder {
  histogram: Uint32Array;
  fromPoll: Uint32Array;
  count: number;
  messages: number;
  bytes: number;
  errors: number;
  recording: boolean;
}

function bucket(ms: number): number {
  return Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms * 10)));
}

function record(r: Recorder, ms: number): void {
  r.histogram[bucket(ms)]++;
  r.count++;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function wsLoad(base: string, token: string, clients: number, r: Recorder) {
  const url = `${base.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(token)}`;
  const sockets: WebSocket[] = [];
  let connected = 0;
  for (let i = 0; i < clients; i += 50) {
    const batch = Array.from(
      { length: Math.min(50, clients - i) },
      () =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          let snapshotSeen = false;
          sockets.push(ws);
          ws.onopen = () => {
            connected++;
            ws.send(JSON.stringify({ type: "subscribe", all: true }));
            resolve();
          };
          ws.onerror = () => {
            r.errors++;
            resolve();
          };
          ws.onmessage = (e) => {
            const at = now();
            const data = e.data as string;
            if (!data.startsWith('{"type":"values"')) return;
            if (!snapshotSeen) {
              snapshotSeen = true;
              return;
            }
            if (!r.recording) return;
            r.messages++;
            r.bytes += data.length;
            for (const item of JSON.parse(data).items) {
              if (item.a === undefined) continue;
              record(r, at - item.a);
              r.fromPoll[bucket(at - item.t)]++;
            }
          };
        }),
    );
    await Promise.all(batch);
  }
  return {
    connected: () => connected,
    close: async () => {
      await Promise.all(sockets.map((ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.onclose = () => resolve();
          ws.close();
        })
      ));
    },
  };
}

function restLoad(
  base: string,
  token: string,
  path: string,
  clients: number,
  paceMs: number,
  r: Recorder,
) {
  let stop = false;
  const headers = { Authorization: `Bearer ${token}` };
  const loops = Array.from({ length: clients }, async (_, i) => {
    if (paceMs > 0) await sleep((i * paceMs) / clients);
    while (!stop) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}${path}`, { headers });
        const body = await res.arrayBuffer();
        if (res.status !== 200) r.errors++;
        if (r.recording) {
          record(r, performance.now() - t0);
          r.messages++;
          r.bytes += body.byteLength;
        }
      } catch {
        r.errors++;
      }
      if (paceMs > 0) await sleep(Math.max(0, paceMs - (performance.now() - t0)));
    }
  });
  return {
    connected: () => clients,
    close: async () => {
      stop = true;
      await Promise.all(loops);
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      mode: { type: "string" },
      base: { type: "string" },
      token: { type: "string" },
      path: { type: "string" },
      clients: { type: "string" },
      warmup: { type: "string" },
      seconds: { type: "string" },
      "pace-ms": { type: "string" },
    },
  });
  const clients = Number(values.clients ?? 1);
  const r: Recorder = {
    histogram: new Uint32Array(BUCKETS),
    fromPoll: new Uint32Array(BUCKETS),
    count: 0,
    messages: 0,
    bytes: 0,
    errors: 0,
    recording: false,
  };
  const load = values.mode === "ws"
    ? await wsLoad(values.base!, values.token!, clients, r)
    : restLoad(
      values.base!,
      values.token!,
      values.path ?? "/api/v1/values",
      clients,
      Number(values["pace-ms"] ?? 0),
      r,
    );
  await sleep(Number(values.warmup ?? 3) * 1000);
  const cpu0 = await processCpuSeconds(Deno.pid);
  const t0 = performance.now();
  r.recording = true;
  await sleep(Number(values.seconds ?? 10) * 1000);
  r.recording = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = (await processCpuSeconds(Deno.pid)) - cpu0;
  const connected = load.connected();
  await load.close();
  console.log(JSON.stringify({
    histogram: [...r.histogram],
    fromPoll: values.mode === "ws" ? [...r.fromPoll] : undefined,
    count: r.count,
    seconds,
    messages: r.messages,
    bytes: r.bytes,
    cpuSeconds,
    errors: r.errors,
    connected,
  }));
  Deno.exit(0);
}
