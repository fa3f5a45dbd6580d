/**
 * The historian worker: a thread of its own for the ring buffer, the writer
 * actor, the disk journal and the sink (SQLite runs inline here; PostgreSQL
 * and Oracle talk to their servers from here). Samples arrive as columnar
 * batches on one MessagePort per acquisition worker; the main thread asks
 * for trend queries and health over its own port and mirrors the status this
 * worker posts. Shutdown waits for every acquisition port's last batch, then
 * drains the writer into the sink or the journal.
 */
import { SampleBuffer } from "../actors/buffer.ts";
import { systemClock } from "../actors/clock.ts";
import { errorMessage } from "../actors/events.ts";
import { Journal } from "../actors/journal.ts";
import { Runtime } from "../actors/runtime.ts";
import type { AnyActorRef } from "xstate";
import {
  type WriterEmitted,
  writerMachine,
  type WriterSnapshot,
  writerStatus,
} from "../actors/writer.ts";
import { writerLogRecord } from "../actors/writer_log.ts";
import { decodeFlagged, FLAG_STORED } from "../model/sample_batch.ts";
import { createSink } from "../sinks/factory.ts";
import type { HistorySource, Sink } from "../sinks/sink.ts";
import { answer } from "./worker_link.ts";
import type {
  FromHistorian,
  HistorianSettings,
  HistorianStatus,
  ToHistorian,
  ToHistorianPort,
} from "./worker_messages.ts";
import { workerScope } from "./worker_scope.ts";

/** This worker's scope, typed (also pulls this module into its starters' type-check). */
export type HistorianWorkerScope = typeof scope;

const scope = workerScope<ToHistorian, FromHistorian>();
const post = (m: FromHistorian) => scope.postMessage(m);

/** How long shutdown waits for the acquisition workers' last batches, ms. */
const END_WAIT_MS = 500;

interface Open {
  readonly sink: Sink & Partial<HistorySource>;
  readonly journal: Journal;
  readonly buffer: SampleBuffer;
  readonly runtime: Runtime;
  readonly timer: ReturnType<typeof setInterval>;
}

let open: Open | undefined;
const ports = new Set<MessagePort>();
let allEnded: (() => void) | undefined;
let badBatches = 0;

function log(
  level: "info" | "warn" | "error",
  category: "journal" | "historian" | "writer",
  message: string,
  properties: Record<string, unknown> = {},
): void {
  post({ type: "log", level, category, message, properties: structuredClone(properties) });
}

function attach(port: MessagePort): void {
  ports.add(port);
  port.onmessage = (e: MessageEvent<ToHistorianPort>) => {
    const m = e.data;
    if (m.type === "end") {
      ports.delete(port);
      port.close();
      if (ports.size === 0) allEnded?.();
      return;
    }
    try {
      const samples = decodeFlagged(m.batch, FLAG_STORED);
      if (samples.length > 0) open?.buffer.push(samples);
    } catch (err) {
      // A malformed batch is a bug in the sender; count and say so, never crash the historian.
      if (badBatches++ < 10) {
        log("error", "historian", "dropped a malformed sample batch: {error}", {
          error: errorMessage(err),
        });
      }
    }
  };
}

function status(o: Open): HistorianStatus {
  const w = o.runtime.status().writer;
  const snap = w?.status as WriterSnapshot | undefined;
  return {
    sinkKind: o.sink.kind,
    buffer: o.buffer.stats(),
    journal: o.journal.stats(),
    writer: snap ? writerStatus(snap) : undefined,
    writerSupervision: w?.supervision,
  };
}

async function start(settings: HistorianSettings): Promise<string> {
  const config = settings.sink.kind === "sqlite"
    ? { ...settings.sink, worker: false }
    : settings.sink;
  const sink = await createSink(config);
  let journal: Journal;
  try {
    journal = await Journal.open({
      dir: settings.journalDir,
      ...(settings.journalMaxBytes ? { maxBytes: settings.journalMaxBytes } : {}),
      ...(settings.journalMinFreeBytes !== undefined
        ? { minFreeBytes: settings.journalMinFreeBytes }
        : {}),
      onEvent: (e) => log("warn", "journal", "journal: {event}", { event: e }),
    });
  } catch (e) {
    await sink.close();
    throw e;
  }
  const buffer = new SampleBuffer(settings.bufferCapacity);
  const runtime = await Runtime.start({
    loadPlant: () => ({ lines: [], processes: [], plcs: [], groups: [], tags: [], alarmRules: [] }),
    sink: buffer,
    clock: systemClock,
    writer: { logic: writerMachine, input: { sink, buffer, journal, clock: systemClock } },
  });
  runtime.on((event) => log("warn", "historian", "historian: {type}", { ...event }));
  const timer = setInterval(() => {
    if (!open) return;
    followWriter(open.runtime);
    post({ type: "status", status: status(open) });
  }, settings.statusIntervalMs ?? 200);
  followWriter(runtime);
  const o: Open = { sink, journal, buffer, runtime, timer };
  open = o;
  post({ type: "status", status: status(o) });
  return sink.kind;
}

/** The writer actor whose emitted events are logged (a new one after a restart). */
let followed: unknown;

/** Logs the writer's outage and loss events (writer_log.ts), following restarts. */
function followWriter(runtime: Runtime): void {
  const sup = (runtime.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)
    .writer;
  const child = sup &&
    (sup.getSnapshot().children as Record<string, AnyActorRef | undefined>).child;
  if (!child || child === followed) return;
  followed = child;
  child.on("*", (e: WriterEmitted) => {
    const r = writerLogRecord(e);
    if (r) log(r.level, "writer", r.message, r.properties);
  });
}

async function shutdown(): Promise<unknown> {
  if (ports.size > 0) {
    await new Promise<void>((resolve) => {
      allEnded = resolve;
      setTimeout(resolve, END_WAIT_MS);
    });
  }
  for (const p of ports) p.close();
  ports.clear();
  const o = open;
  if (!o) return { ms: 0, clean: true };
  clearInterval(o.timer);
  const report = await o.runtime.shutdown();
  let clean = report.clean;
  for (const step of [() => o.journal.close(), () => o.sink.close()]) {
    try {
      await step();
    } catch (e) {
      clean = false;
      log("error", "historian", "shutdown step failed: {error}", { error: errorMessage(e) });
    }
  }
  post({ type: "status", status: status(o) });
  open = undefined;
  return { ms: report.ms, clean };
}

async function query(method: "history" | "samples" | "health", args: unknown[]): Promise<unknown> {
  if (!open) throw new Error("the historian is starting");
  const sink = open.sink;
  if (method === "health") return await sink.health();
  const fn = sink[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
  if (!fn) throw new Error(`the ${sink.kind} sink has no ${method} queries`);
  return await fn.apply(sink, args);
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case "init":
      answer(post, m.id, () => start(m.settings));
      break;
    case "attach":
      attach(m.port);
      break;
    case "query":
      answer(post, m.id, () => query(m.method, m.args));
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
