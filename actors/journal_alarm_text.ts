/**
 * The words of the "samples are being lost" system alarm, from the writer's
 * status (plain data, so the main thread can build it from a status message
 * posted by the historian worker). It says what is happening, why, how many
 * samples are gone and since when — e.g. "disk full: the journal cannot
 * write; 218,704 samples lost since 2026-12-06 08:10:00 UTC" — so that an
 * operator knows at once whether to free disk space or look at the writer.
 */
import type { LossReason } from "./journal_loss.ts";

/** The part of the writer's status the alarm text reads. */
export interface LossAlarmInput {
  /** The run of losses going on (`WriterStatus.loss`); null: nothing is being lost. */
  readonly loss: {
    readonly reason: LossReason;
    readonly since: number;
    readonly lost: number;
    readonly detail: string | null;
  } | null;
  /** The journal's sizes (`WriterStatus.journal`), for the bound and the free space. */
  readonly journal?: {
    readonly bytes: number;
    readonly maxBytes: number;
    readonly freeBytes: number | null;
    readonly minFreeBytes: number;
  };
}

/** Bytes for people: `256 MiB`, `1.5 GiB`, `900 B`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = u === 0 || v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
  return `${text} ${units[u]}`;
}

/** A time for the alarm: `2026-12-06 08:10:00 UTC`. */
export function formatSince(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

/** What is happening, for each reason (before "; N samples lost since …"). */
function what(input: LossAlarmInput, reason: LossReason, detail: string | null): string {
  const j = input.journal;
  switch (reason) {
    case "disk_full":
      return "disk full: the journal cannot write";
    case "disk_low":
      return j && j.freeBytes !== null
        ? `disk almost full: ${formatBytes(j.freeBytes)} free, below the ` +
          `${formatBytes(j.minFreeBytes)} the journal keeps free, so it stopped writing`
        : "disk almost full: the journal stopped writing";
    case "journal_full":
      return j
        ? `journal full: it holds ${formatBytes(j.bytes)} of its ${formatBytes(j.maxBytes)} ` +
          "limit and refuses new samples"
        : "journal full: it refuses new samples";
    case "buffer_full":
      return "sample buffer full: the historian writer does not keep up with the pollers";
    case "journal_error":
      return `the journal cannot write${detail ? ` (${detail})` : ""}`;
  }
}

/**
 * The alarm's message while samples are being lost, or null when they are
 * not (then the alarm clears).
 */
export function lossAlarmText(input: LossAlarmInput): string | null {
  const loss = input.loss;
  if (!loss) return null;
  const n = loss.lost.toLocaleString("en-US");
  const noun = loss.lost === 1 ? "sample" : "samples";
  return `${what(input, loss.reason, loss.detail)}; ${n} ${noun} lost since ${
    formatSince(loss.since)
  }`;
}

/** The part of the writer's status the historian alarm reads. */
export interface SinkAlarmInput extends LossAlarmInput {
  /** The sink's kind (`WriterStatus.sink`). */
  readonly sink: string;
  /** `WriterStatus.condition`. */
  readonly condition: string;
  /** `WriterStatus.outage`: since when and why the historian takes no data. */
  readonly outage: { readonly since: number; readonly reason: string } | null;
  /** `WriterStatus.replay.pendingValues`: values waiting in the journal. */
  readonly replay?: { readonly pendingValues: number };
}

/**
 * The "historian refuses writes" alarm's message while the sink is down
 * (condition `degraded`), or null when it is not. It only says that samples
 * go to the journal while they do: when the journal is losing them too, it
 * says so (the loss alarm, {@link lossAlarmText}, gives the count).
 */
export function sinkDownAlarmText(input: SinkAlarmInput): string | null {
  if (input.condition !== "degraded") return null;
  const since = input.outage ? ` since ${formatSince(input.outage.since)}` : "";
  const why = input.outage ? `: ${input.outage.reason}` : "";
  const head = `the ${input.sink} historian refuses writes${since}${why}`;
  if (input.loss && input.loss.reason !== "buffer_full") {
    return `${head}; the journal cannot take the samples either (${
      input.loss.reason.replace("_", " ")
    })`;
  }
  const waiting = input.replay
    ? ` (${input.replay.pendingValues.toLocaleString("en-US")} waiting)`
    : "";
  return `${head}; samples go to the disk journal${waiting}`;
}
