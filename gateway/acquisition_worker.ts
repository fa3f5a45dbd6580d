/**
 * The acquisition worker: a thread of its own that runs the runtime actors
 * (PLC links and pools, pollers, handshakes, sample building, deadband) for
 * the PLCs the main thread assigned to it. Every poll's samples leave as one
 * columnar batch to the main thread (live cache and alarms: every sample) and
 * one to the historian worker (what the deadband keeps), so neither HTTP work
 * nor a busy historian can cost a tick here. Commands and configuration
 * changes arrive as messages (gateway/worker_messages.ts).
 */
import { systemClock } from "../actors/clock.ts";
import { Runtime } from "../actors/runtime.ts";
import type { ConfigChange } from "../model/change.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import {
  cloneBatch,
  encodeBatch,
  FLAG_LIVE,
  FLAG_STORED,
  type SampleBatch,
} from "../model/sample_batch.ts";
import { answer } from "./worker_link.ts";
import type { FromAcquisition, ToAcquisition, ToHistorianPort } from "./worker_messages.ts";
import { workerScope } from "./worker_scope.ts";

/** This worker's scope, typed (also pulls this module into its starters' type-check). */
export type AcquisitionWorkerScope = typeof scope;

const scope = workerScope<ToAcquisition, FromAcquisition>();
const post = (m: FromAcquisition, transfer?: Transferable[]) => scope.postMessage(m, transfer);

let runtime: Runtime | undefined;
let plant: PlantConfig | undefined;
let historian: MessagePort | undefined;
/** The Sparkplug publisher's port, when it runs (gets every live sample). */
let northbound: MessagePort | undefined;
/** Batches for the historian while it has no port (it is restarting). */
let waiting: HistorianBatch[] = [];
const listeners = new Set<(changes: readonly ConfigChange[]) => void>();
let statusTimer: ReturnType<typeof setInterval> | undefined;

/**
 * One poll's hand-off: the poller gives the live port every sample, then the
 * sink the ones the deadband keeps (a subset, synchronously after). Both are
 * collected and sent once the poll's synchronous work is done.
 */
let live: Sample[] = [];
let liveSet = new Set<Sample>();
let stored = new Set<Sample>();
let extra: Sample[] = [];
let flushQueued = false;

function queueFlush(): void {
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(flush);
}

function flush(): void {
  flushQueued = false;
  const all = extra.length > 0 ? [...live, ...extra] : live;
  let storedCount = 0;
  if (all.length > 0) {
    const keep = stored;
    // Encoded once; the historian and the Sparkplug publisher get copies of
    // the buffer and take the samples their flag marks.
    const batch = encodeBatch(all, (i) => {
      const flags = i < live.length
        ? FLAG_LIVE | (keep.has(all[i]) ? FLAG_STORED : 0)
        : FLAG_STORED;
      if (flags & FLAG_STORED) storedCount++;
      return flags;
    });
    if (northbound) {
      const copy = cloneBatch(batch);
      northbound.postMessage({ type: "samples", batch: copy } satisfies ToHistorianPort, [
        copy.buffer,
      ]);
    }
    if (storedCount > 0) sendToHistorian({ batch: cloneBatch(batch), stored: storedCount });
    post({ type: "samples", batch }, [batch.buffer]);
  }
  live = [];
  liveSet = new Set();
  stored = new Set();
  extra = [];
}

/** A batch for the historian and how many of its samples carry FLAG_STORED. */
interface HistorianBatch {
  readonly batch: SampleBatch;
  readonly stored: number;
}

function sendToHistorian(h: HistorianBatch): void {
  if (!historian) {
    waiting.push(h);
    // Bounded: about 100,000 samples wait for a restarting historian; older ones go.
    let n = waiting.reduce((a, b) => a + b.stored, 0);
    while (n > 100_000 && waiting.length > 1) n -= waiting.shift()!.stored;
    return;
  }
  historian.postMessage({ type: "samples", batch: h.batch } satisfies ToHistorianPort, [
    h.batch.buffer,
  ]);
}

function attachHistorian(port: MessagePort): void {
  historian?.close();
  historian = port;
  const held = waiting;
  waiting = [];
  for (const s of held) sendToHistorian(s);
}

function postStatus(): void {
  if (runtime) post({ type: "status", status: runtime.status() });
}

async function start(m: Extract<ToAcquisition, { type: "init" }>): Promise<void> {
  plant = m.plant;
  runtime = await Runtime.start({
    loadPlant: () => plant!,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    sink: {
      push(samples) {
        for (const s of samples) {
          if (liveSet.has(s)) stored.add(s);
          else extra.push(s);
        }
        queueFlush();
      },
    },
    live: {
      update(samples) {
        for (const s of samples) {
          live.push(s);
          liveSet.add(s);
        }
        queueFlush();
      },
    },
    clock: systemClock,
    ...(m.settings.heartbeatMs !== undefined ? { heartbeatMs: m.settings.heartbeatMs } : {}),
  });
  for (const id of m.stopped) runtime.stopGroup(id);
  runtime.on((event) => post({ type: "event", event }));
  statusTimer = setInterval(postStatus, m.settings.statusIntervalMs ?? 200);
  postStatus();
}

async function shutdown(): Promise<unknown> {
  clearInterval(statusTimer);
  const report = runtime ? await runtime.shutdown() : { ms: 0, clean: true };
  flush();
  postStatus();
  historian?.postMessage({ type: "end" } satisfies ToHistorianPort);
  northbound?.postMessage({ type: "end" } satisfies ToHistorianPort);
  northbound?.close();
  northbound = undefined;
  historian?.close();
  historian = undefined;
  return report;
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case "init":
      answer(post, m.id, () => start(m));
      break;
    case "historian":
      attachHistorian(m.port);
      break;
    case "northbound":
      northbound?.close();
      northbound = m.port;
      break;
    case "config":
      plant = m.plant;
      for (const l of listeners) l(m.changes);
      break;
    case "group.start":
    case "group.stop":
    case "all.start":
    case "all.stop":
      answer(post, m.id, () => {
        if (m.type === "group.start") runtime?.startGroup(m.groupId);
        else if (m.type === "group.stop") runtime?.stopGroup(m.groupId);
        else if (m.type === "all.start") runtime?.startAll();
        else runtime?.stopAll();
        postStatus();
      });
      break;
    case "trigger":
      answer(post, m.id, () => {
        if (!runtime) throw new Error("the runtime is starting");
        return runtime.trigger(m.groupId, m.timeoutMs);
      });
      break;
    case "call":
      answer(post, m.id, () => {
        const fn = runtime && (runtime as unknown as Record<string, unknown>)[m.method];
        if (typeof fn !== "function") throw new Error(`the runtime has no method ${m.method}`);
        return (fn as (...a: unknown[]) => unknown).apply(runtime, m.args);
      });
      break;
    case "shutdown":
      answer(post, m.id, shutdown);
      break;
    case "crash":
      setTimeout(() => {
        throw new Error(m.reason);
      });
      break;
  }
};
