/**
 * Lost samples, counted by reason. Store and forward loses a sample only in a
 * few ways, each with its own reason, so that /metrics can publish one
 * counter with a `reason` label and an operator can tell a slow historian
 * from a full disk: `buffer_full` (the ring buffer overflowed), `journal_full`
 * (the journal reached its size limit), `disk_low` (free space below the
 * watermark: the journal stopped spilling), `disk_full` (the disk refused a
 * write), `journal_error` (another journal write error). All plain data: it
 * crosses threads in status messages.
 */

/** Why samples were lost. */
export type LossReason =
  | "buffer_full"
  | "journal_full"
  | "disk_low"
  | "disk_full"
  | "journal_error";

/** Every loss reason, in a fixed order (metrics, REST). */
export const LOSS_REASONS: readonly LossReason[] = [
  "buffer_full",
  "journal_full",
  "disk_low",
  "disk_full",
  "journal_error",
];

/** Samples lost per reason, since start. */
export type LossCounts = { readonly [R in LossReason]: number };

/** Zero losses. */
export const NO_LOSSES: LossCounts = {
  buffer_full: 0,
  journal_full: 0,
  disk_low: 0,
  disk_full: 0,
  journal_error: 0,
};

/** The reasons a journal refuses samples itself (the rest are counted by the writer and buffer). */
export type JournalDropReason = "journal_full" | "disk_low" | "disk_full";

/** `counts` plus `n` samples lost for `reason`. */
export function addLoss(counts: LossCounts, reason: LossReason, n: number): LossCounts {
  return n > 0 ? { ...counts, [reason]: counts[reason] + n } : counts;
}

/** The total over every reason. */
export function totalLost(counts: LossCounts): number {
  let n = 0;
  for (const r of LOSS_REASONS) n += counts[r];
  return n;
}

/**
 * A run of losses, for the system alarm: from the first lost sample until
 * samples are kept again (written to the sink or fsynced in the journal with
 * nothing lost). `reason` is the latest reason seen; `lost` counts every
 * sample lost in the run.
 */
export interface LossEpisode {
  readonly reason: LossReason;
  /** When the run began, ms since the epoch (the writer's clock). */
  readonly since: number;
  /** Samples lost since then. */
  readonly lost: number;
  /** Extra words for the alarm: the error, the free space. */
  readonly detail: string | null;
}

/** The episode after `n` samples were lost for `reason` at `now` (a new one when none is open). */
export function extendEpisode(
  episode: LossEpisode | null,
  reason: LossReason,
  n: number,
  now: number,
  detail: string | null = null,
): LossEpisode | null {
  if (n <= 0) return episode;
  return {
    reason,
    since: episode?.since ?? now,
    lost: (episode?.lost ?? 0) + n,
    detail: detail ?? (episode?.reason === reason ? episode.detail : null),
  };
}
