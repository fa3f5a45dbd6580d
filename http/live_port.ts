/**
 * What the live API (values, trends, runtime control, alarms, ops endpoints
 * and the WebSocket) needs of the running plant: the gateway satisfies it,
 * and tests hand in a light fake (http/live_testing.ts). Every command goes
 * to the module that owns it — the runtime starts, stops and triggers; the
 * alarm engine acknowledges and shelves — so the routes only translate HTTP.
 */
import type { BufferStats } from "../actors/buffer.ts";
import type { JournalStats } from "../actors/journal_port.ts";
import type { LiveCache } from "../actors/live_cache.ts";
import type { Runtime } from "../actors/runtime.ts";
import type { WriterStatus } from "../actors/writer_status.ts";
import type { AlarmEngine } from "../alarms/engine.ts";
import type { PlantIndex } from "../gateway/plant_index.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { HistorySource, Sink } from "../sinks/sink.ts";

/**
 * The runtime's control surface. Group commands may answer asynchronously
 * (the data plane applies them in its worker and resolves once its status
 * shows them); routes await them.
 */
export type RuntimeControl =
  & Pick<Runtime, "status" | "trigger" | "write">
  & {
    [K in "startGroup" | "stopGroup"]: (groupId: number) => void | Promise<void>;
  }
  & { [K in "startAll" | "stopAll"]: () => void | Promise<void> };

/** The alarm engine's operator surface. */
export type AlarmControl = Pick<
  AlarmEngine,
  "active" | "get" | "acknowledge" | "shelve" | "unshelve" | "subscribe" | "counts"
>;

/** The running plant, as the live API sees it. */
export interface LivePlant {
  readonly runtime: RuntimeControl;
  /** The newest sample per tag, and its change notifications. */
  readonly live: Pick<LiveCache, "get" | "snapshot" | "onChange">;
  readonly alarms: AlarmControl;
  /** The historian: health for /ready, and trend queries where the sink has them. */
  readonly sink: Pick<Sink, "kind" | "health"> & Partial<Pick<HistorySource, "history">>;
  readonly buffer: { stats(): BufferStats };
  readonly journal: { stats(): JournalStats };
  readonly metrics: Metrics;
  /** Tags, groups and PLCs by id and code. */
  readonly index: PlantIndex;
  /** The writer's status, while it runs. */
  writerStatus(): WriterStatus | undefined;
}
