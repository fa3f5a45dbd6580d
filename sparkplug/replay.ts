/**
 * Store and forward, the forward half: the spool's samples published again,
 * oldest first, flagged historical, paced behind live data. The pace is a
 * rate (values per second) and a bound on the bytes the MQTT connection may
 * hold unsent, so a replay never starves live DDATA nor fills memory; a
 * batch leaves the spool (commit) only once it has been handed to the
 * connection, and whatever the broker may not have confirmed goes back to
 * the spool through the unconfirmed window (inflight.ts).
 */
import type { Sample } from "../model/sample.ts";
import type { Clock } from "../actors/clock.ts";
import type { SparkplugLog, SparkplugTuning } from "./publisher_options.ts";
import type { Spool } from "./spool.ts";

/** What a replay needs of the publisher. */
export interface ReplayPort {
  readonly spool: Spool;
  readonly clock: Clock;
  readonly tuning: Pick<
    SparkplugTuning,
    "replayBatch" | "replayValuesPerSecond" | "maxUnsentBytes"
  >;
  readonly log: SparkplugLog;
  /** Whether the node is born and not stopping: the replay ends when this turns false. */
  online(): boolean;
  /** Bytes written to the MQTT connection and not yet sent. */
  unsentBytes(): number;
  /** Publishes one batch as historical DDATA (one per device). */
  publishHistorical(samples: readonly Sample[]): void;
}

/** How often a replay held back by unsent bytes looks again, ms. */
const DRAIN_POLL_MS = 20;

/** Replays the spool while the node stays online; resolves with the values sent. */
export async function replaySpool(port: ReplayPort): Promise<number> {
  const { spool, clock, tuning } = port;
  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
  const t0 = clock.now();
  let sent = 0;
  port.log("info", "Sparkplug: replaying the spool");
  while (port.online()) {
    const batch = await spool.read(tuning.replayBatch);
    if (!batch || !port.online()) break;
    while (port.unsentBytes() > tuning.maxUnsentBytes / 2 && port.online()) {
      await sleep(DRAIN_POLL_MS);
    }
    if (!port.online()) break;
    port.publishHistorical(batch.samples);
    await spool.commit(batch);
    sent += batch.samples.length;
    await sleep(Math.max(1, batch.samples.length / tuning.replayValuesPerSecond * 1000));
  }
  const s = (clock.now() - t0) / 1000;
  port.log("info", `Sparkplug: replayed ${sent} values in ${s.toFixed(1)} s`);
  return sent;
}
