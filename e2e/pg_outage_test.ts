/**
 * A database outage against a real PostgreSQL: the gateway polls the sample
 * plant into PostgreSQL; the server stops for 60 s; halfway through, the
 * gateway itself is stopped and started again on the same data directory;
 * then PostgreSQL comes back. Every sample the pollers produced must be in
 * PostgreSQL exactly once: zero lost, zero duplicated, and the writer's and
 * journal's counters must add up to the same number.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import type { Gateway } from "../gateway/gateway.ts";
import {
  findPostgresBin,
  POSTGRES_MISSING,
  startTestPostgres,
  type TestPostgres,
} from "../sinks/testing_postgres.ts";
import {
  journalSegments,
  prepareDataDir,
  type ProducedTap,
  sleep,
  startE2eGateway,
  startPlant,
  tapProduced,
  waitConnected,
  waitFor,
} from "./testing.ts";

const missing = findPostgresBin() === undefined;
if (missing) console.warn(`\n⚠ e2e/pg_outage_test.ts: ${POSTGRES_MISSING}\n`);

const OUTAGE_MS = 60_000;
/** When, into the outage, the gateway is restarted. */
const RESTART_AT_MS = 30_000;

Deno.test({
  name: "PostgreSQL down for 60 s with a gateway restart in the middle: every sample stored once",
  ignore: missing,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-pg-" });
    let pg: TestPostgres | undefined;
    let gw: Gateway | undefined;
    const plant = await startPlant();
    try {
      pg = await startTestPostgres();
      const url = await pg.createDatabase("jsscada_e2e");
      prepareDataDir(dataDir, plant);
      const sink = { kind: "postgres", url } as const;
      const produced: ProducedTap = { byTag: new Map(), count: 0, notIncreasing: 0 };

      // 1. Healthy: samples reach PostgreSQL.
      gw = await startE2eGateway(dataDir, { sink });
      tapProduced(gw, produced);
      await waitConnected(gw);
      await waitFor(
        "rows written to PostgreSQL",
        () => gw!.writerStatus()!.totals.valuesWritten > 0,
        10_000,
      );
      await sleep(3000);
      const healthy = gw.writerStatus()!;
      assert.equal(healthy.condition, "healthy");

      // 2. PostgreSQL stops; the writer retries, then spills to the journal.
      const tDown = Date.now();
      await pg.stop();
      await waitFor(
        "the writer spilling",
        () => {
          const w = gw!.writerStatus()!;
          return w.condition === "degraded" && w.totals.valuesSpilled > 0;
        },
        20_000,
        100,
      );
      await sleep(tDown + RESTART_AT_MS - Date.now());

      // 3. The gateway restarts in the middle of the outage.
      const a = gw.writerStatus()!;
      const stopA = await gw.stop();
      assert.ok(stopA.clean, "gateway A stopped cleanly");
      assert.ok(stopA.ms < 5000, `gateway A took ${stopA.ms} ms to stop`);
      const aBuffer = gw.buffer.stats(), aJournal = gw.journal.stats();
      gw = undefined;
      const tRestart = Date.now();
      gw = await startE2eGateway(dataDir, { sink });
      tapProduced(gw, produced);
      await waitConnected(gw);
      const restartGap = Date.now() - tRestart;
      await sleep(tDown + OUTAGE_MS - Date.now());
      assert.ok(gw.writerStatus()!.replay.pending, "the journal waits for PostgreSQL");

      // 4. PostgreSQL is back: the journal drains beside live data.
      const tUp = Date.now();
      await pg.start();
      const outageMs = Date.now() - tDown;
      const drained = await waitFor(
        "the journal drained",
        () => {
          const w = gw!.writerStatus()!;
          return !w.replay.pending && w.condition === "healthy" ? w : undefined;
        },
        60_000,
        100,
      );
      const drainMs = Date.now() - tUp;
      await sleep(1000);
      const b = gw.writerStatus()!;
      const stopB = await gw.stop();
      assert.ok(stopB.clean, "gateway B stopped cleanly");
      const bBuffer = gw.buffer.stats(), bJournal = gw.journal.stats();
      gw = undefined;

      // Counters: nothing dropped, lost or left behind; the journal fully replayed.
      assert.equal(produced.notIncreasing, 0, "a tag's ts pushed twice or out of order");
      assert.equal(aBuffer.pushed + bBuffer.pushed, produced.count, "pushed vs the tap");
      assert.deepEqual([aBuffer.dropped, bBuffer.dropped], [0, 0], "buffer drops");
      assert.deepEqual([aBuffer.size, bBuffer.size], [0, 0], "samples left in the buffers");
      assert.deepEqual([a.totals.valuesLost, b.totals.valuesLost], [0, 0], "writer: values lost");
      assert.deepEqual(
        [aJournal.droppedValues, bJournal.droppedValues],
        [0, 0],
        "journal: values refused",
      );
      assert.ok(aJournal.appendedValues > 0 && bJournal.appendedValues > 0, "both spilled");
      const journaled = aJournal.appendedValues + bJournal.appendedValues;
      assert.equal(bJournal.replayedValues, journaled, "journal: replayed vs appended");
      assert.equal(drained.totals.valuesReplayed, journaled, "writer: values replayed");
      assert.deepEqual([bJournal.tornRows, bJournal.corruptRows], [0, 0], "journal: bad rows");
      assert.deepEqual(await journalSegments(dataDir), [], "journal segments left");

      // PostgreSQL holds exactly what the pollers produced: per tag, the same ts set.
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      let rows = 0, tags = 0;
      const problems: string[] = [];
      try {
        const stored = new Map<number, number[]>();
        const cursor = sql`SELECT tag_id, (extract(epoch FROM ts) * 1000)::int8 AS ms
          FROM jsscada_history ORDER BY tag_id, ts`.cursor(20_000);
        for await (const batch of cursor) {
          for (const r of batch) {
            let list = stored.get(r.tag_id);
            if (!list) stored.set(r.tag_id, list = []);
            list.push(Number(r.ms));
            rows++;
          }
        }
        for (const [tagId, want] of produced.byTag) {
          tags++;
          const got = stored.get(tagId) ?? [];
          stored.delete(tagId);
          if (got.length !== want.length || got.some((t, k) => t !== want[k])) {
            const missingTs = want.filter((t) => !got.includes(t));
            const extra = got.filter((t) => !want.includes(t));
            problems.push(
              `tag ${tagId}: produced ${want.length}, stored ${got.length}; missing ` +
                `${missingTs.slice(0, 3).map((t) => new Date(t).toISOString())}, extra ` +
                `${extra.slice(0, 3).map((t) => new Date(t).toISOString())}`,
            );
          }
        }
        for (const [tagId, got] of stored) {
          problems.push(`tag ${tagId}: ${got.length} rows never produced`);
        }
      } finally {
        await sql.end();
      }
      assert.deepEqual(problems.slice(0, 10), [], `${problems.length} tags differ`);
      assert.equal(rows, produced.count, "rows in PostgreSQL vs samples produced");

      console.log(
        `PostgreSQL outage: down ${outageMs} ms, gateway restarted ${RESTART_AT_MS} ms into it ` +
          `(stopped in ${
            Math.round(stopA.ms)
          } ms, polling again ${restartGap} ms later); produced ${produced.count} samples over ` +
          `${tags} tags (gateway A ${aBuffer.pushed}, B ${bBuffer.pushed}); journaled ` +
          `${journaled} (A ${aJournal.appendedValues}, B ${bJournal.appendedValues}), replayed ` +
          `${bJournal.replayedValues} in ${drainMs} ms after PostgreSQL returned; PostgreSQL ` +
          `holds ${rows} rows = produced: 0 lost, 0 duplicated; buffer drops 0, journal drops 0`,
      );
    } finally {
      await gw?.stop();
      await plant.close();
      await pg?.cleanup();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
