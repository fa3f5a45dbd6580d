/**
 * The messages that cross between the main thread and the data-plane
 * workers (acquisition, historian, fixture PLCs). Every message is plain,
 * structured-cloneable data; samples travel as transferable columnar batches
 * (model/sample_batch.ts). Requests that want an answer carry an `id`; the
 * answer is a {@link Reply} with the same id.
 */
import type { BufferStats } from "../actors/buffer.ts";
import type { RuntimeEvent } from "../actors/events.ts";
import type { JournalStats } from "../actors/journal_port.ts";
import type { SupervisionStatus } from "../actors/supervisor.ts";
import type { WriterStatus } from "../actors/writer_status.ts";
import type { SinkConfig } from "../sinks/factory.ts";
import type { RuntimeStatus, ShutdownReport } from "../actors/runtime.ts";
import type { ConfigChange } from "../model/change.ts";
import type { PlantConfig } from "../model/config.ts";
import type { SampleBatch } from "../model/sample_batch.ts";

/** The answer to a request. */
export type Reply =
  | { readonly type: "reply"; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: "reply"; readonly id: number; readonly ok: false; readonly error: string };

/** Tuning an acquisition worker's runtime is started with. */
export interface AcquisitionSettings {
  readonly heartbeatMs?: number;
  /** How often the worker posts its status, ms (default 200). */
  readonly statusIntervalMs?: number;
}

/** Main → acquisition worker. */
export type ToAcquisition =
  | {
    readonly type: "init";
    readonly id: number;
    readonly name: string;
    readonly plant: PlantConfig;
    /** Stopped groups (they stay stopped across a worker restart). */
    readonly stopped: readonly number[];
    readonly settings: AcquisitionSettings;
  }
  /** The port to the historian worker (at start and after the historian restarted). */
  | { readonly type: "historian"; readonly port: MessagePort }
  /** A port to the Sparkplug publisher: every live sample goes there too. */
  | { readonly type: "northbound"; readonly port: MessagePort }
  | {
    readonly type: "config";
    readonly changes: readonly ConfigChange[];
    readonly plant: PlantConfig;
  }
  /** Group commands: answered once applied, after a status that shows them. */
  | { readonly type: "group.start" | "group.stop"; readonly id: number; readonly groupId: number }
  | { readonly type: "all.start" | "all.stop"; readonly id: number }
  | {
    readonly type: "trigger";
    readonly id: number;
    readonly groupId: number;
    readonly timeoutMs: number;
  }
  | {
    readonly type: "call";
    readonly id: number;
    readonly method: string;
    readonly args: unknown[];
  }
  | { readonly type: "shutdown"; readonly id: number }
  /** Fault injection (tests, drills): the worker dies of an uncaught error. */
  | { readonly type: "crash"; readonly reason: string };

/** Acquisition worker → main. */
export type FromAcquisition =
  /** Every sample of one poll (flags say which go to the historian). */
  | { readonly type: "samples"; readonly batch: SampleBatch }
  | { readonly type: "event"; readonly event: RuntimeEvent }
  | { readonly type: "status"; readonly status: RuntimeStatus }
  | Reply;

/** Acquisition worker → historian worker, over their own MessageChannel. */
export type ToHistorianPort =
  | { readonly type: "samples"; readonly batch: SampleBatch }
  /** The sender stopped: nothing follows on this port. */
  | { readonly type: "end" };

/** What a shutdown reply carries. */
export type StoppedReply = ShutdownReport;

/** How the historian worker opens its sink, journal and buffer. */
export interface HistorianSettings {
  readonly sink: SinkConfig;
  readonly journalDir: string;
  readonly journalMaxBytes?: number;
  readonly journalMinFreeBytes?: number;
  readonly bufferCapacity?: number;
  /** How often the worker posts its status, ms (default 200). */
  readonly statusIntervalMs?: number;
}

/** The historian's state as the main thread mirrors it. */
export interface HistorianStatus {
  readonly sinkKind: string;
  readonly buffer: BufferStats;
  readonly journal: JournalStats;
  readonly writer: WriterStatus | undefined;
  readonly writerSupervision: SupervisionStatus | undefined;
}

/** Main → historian worker. */
export type ToHistorian =
  | { readonly type: "init"; readonly id: number; readonly settings: HistorianSettings }
  /** A new acquisition worker's port. */
  | { readonly type: "attach"; readonly port: MessagePort }
  | {
    readonly type: "query";
    readonly id: number;
    readonly method: "history" | "samples" | "health";
    readonly args: unknown[];
  }
  | { readonly type: "shutdown"; readonly id: number }
  /** Fault injection (tests, drills): the worker dies of an uncaught error. */
  | { readonly type: "crash"; readonly reason: string };

/** Historian worker → main. */
export type FromHistorian =
  | { readonly type: "status"; readonly status: HistorianStatus }
  /** A line for the main thread's logs (the worker has no log files of its own). */
  | {
    readonly type: "log";
    readonly level: "info" | "warn" | "error";
    readonly category: "journal" | "historian" | "writer";
    readonly message: string;
    readonly properties: Record<string, unknown>;
  }
  | Reply;
