/**
 * Sparkplug B end to end, as a user runs it: `jsscada serve --demo
 * --fixture-ports any --mqtt-url …` in a child process against a mosquitto
 * the test starts, everything under `spBv1.0/#` decoded with the official
 * sparkplug_b.proto (protobufjs, independently of the publisher's codec).
 *
 * - NBIRTH and one DBIRTH per PLC with every enabled tag; DDATA flows with
 *   seq continuity; an NCMD Rebirth births everything again; SIGTERM → NDEATH
 *   with the NBIRTH's bdSeq.
 * - A 15 s broker outage with a gateway restart inside it: every sample the
 *   historian stored during the outage reaches the broker afterwards, flagged
 *   historical, in order, with its poll timestamp.
 *
 * Skipped loudly without mosquitto.
 */
import assert from "node:assert/strict";
import { TAG_ALIAS_BASE } from "../sparkplug/model.ts";
import {
  type DecodedMetric,
  encodeOfficial,
  haveMosquitto,
  Mosquitto,
  PROTO_DATA_TYPES,
  type Seen,
  Subscriber,
  valueOf,
} from "../sparkplug/testing.ts";
import { openDataDirStore } from "../store/store.ts";
import { HistoryFile, ServeProcess, sleep } from "./testing.ts";

const broker = haveMosquitto();
const GROUP = "E2E";

/** `serve --demo` with Sparkplug on `url`, data in `dataDir`. */
function serve(url: string, dataDir: string, node: string): ServeProcess {
  return new ServeProcess([
    "--demo",
    "--fixture-ports",
    "any",
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--mqtt-url",
    url,
    "--sparkplug-group",
    GROUP,
    "--sparkplug-node",
    node,
  ]);
}

/** The bdSeq metric of an NBIRTH or NDEATH. */
function bdSeq(m: Seen): number {
  const metric = m.payload.metrics?.find((x) => x.name === "bdSeq");
  assert.ok(metric, `${m.topic} carries bdSeq`);
  return Number(valueOf(metric));
}

/** The node messages that carry a seq (everything but NDEATH), in arrival order. */
function seqBreaks(seen: readonly Seen[]): string[] {
  const breaks: string[] = [];
  let prev: number | undefined;
  for (const m of seen) {
    if (!["NBIRTH", "DBIRTH", "NDATA", "DDATA", "DDEATH"].includes(m.type)) continue;
    const seq = m.payload.seq ?? 0;
    if (m.type === "NBIRTH") {
      if (seq !== 0) breaks.push(`NBIRTH with seq ${seq}`);
    } else if (prev !== undefined && seq !== (prev + 1) % 256) {
      breaks.push(`${m.topic}: seq ${seq} after ${prev}`);
    }
    prev = seq;
  }
  return breaks;
}

Deno.test({
  name:
    "serve --mqtt-url: NBIRTH and a DBIRTH per PLC with every enabled tag, DDATA with seq continuity, rebirth on NCMD, SIGTERM → NDEATH with the NBIRTH's bdSeq",
  ignore: !broker,
  async fn() {
    const mosq = await Mosquitto.start();
    const sub = await Subscriber.connect(mosq.url);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_e2e_spb_" });
    const started = Date.now();
    const gw = serve(mosq.url, dataDir, "e2e1");
    try {
      await sub.waitFor(
        "NBIRTH and 4 DBIRTHs",
        (s) => s.filter((m) => m.type === "DBIRTH").length >= 4,
        30_000,
      );
      const born = Date.now();
      const bornAfter = born - started;
      await sub.waitFor("3 s of DDATA", () => Date.now() - born >= 3_000, 10_000);
      // A host asks for a rebirth: a new NBIRTH (same bdSeq) and every DBIRTH again.
      const asked = Date.now();
      await sub.publish(
        `spBv1.0/${GROUP}/NCMD/e2e1`,
        encodeOfficial({
          timestamp: asked,
          metrics: [{
            name: "Node Control/Rebirth",
            timestamp: asked,
            datatype: PROTO_DATA_TYPES.Boolean,
            booleanValue: true,
          }],
        }),
      );
      await sub.waitFor("the rebirth", (s) => s.filter((m) => m.type === "DBIRTH").length >= 8);
      const rebornAfter = Date.now() - asked;
      await sleep(2_000);
      const status = await gw.stop("SIGTERM");
      assert.equal(status.code, 0, gw.output);
      const stoppedAt = Date.now();
      await sub.waitFor("NDEATH", (s) => s.some((m) => m.type === "NDEATH"), 10_000);

      const nbirth = sub.of("NBIRTH");
      assert.equal(nbirth.length, 2, "born, then reborn on the NCMD");
      assert.equal(bdSeq(nbirth[1]), bdSeq(nbirth[0]), "a rebirth keeps the bdSeq");
      assert.equal(nbirth[0].topic, `spBv1.0/${GROUP}/NBIRTH/e2e1`);
      const nbMetrics = new Map(nbirth[1].payload.metrics!.map((m) => [m.name, m]));
      assert.equal(valueOf(nbMetrics.get("Node Control/Rebirth")!), false);

      // Every enabled tag of each PLC, with the alias of its tag id.
      const config = openDataDirStore(dataDir);
      const plant = config.loadPlant();
      config.close();
      const enabled = plant.tags.filter((t) => t.enabled);
      const allBirths = sub.of("DBIRTH");
      assert.equal(allBirths.length, 8);
      const dbirths = allBirths.slice(4);
      assert.deepEqual(
        allBirths.slice(0, 4).map((d) => [d.device, d.payload.metrics!.length]),
        dbirths.map((d) => [d.device, d.payload.metrics!.length]),
        "the rebirth's DBIRTHs match the first ones",
      );
      let tagMetrics = 0;
      for (const d of dbirths) {
        const byAlias = new Map<number, DecodedMetric>();
        for (const m of d.payload.metrics!) if (m.alias !== undefined) byAlias.set(m.alias, m);
        const plc = plant.plcs.find((p) => p.code === d.device);
        assert.ok(plc, `${d.device}: a PLC of the plant`);
        const plcTags = enabled.filter((t) => t.plcId === plc.id);
        assert.ok(plcTags.length > 0, `${d.device}: a PLC of the plant`);
        for (const t of plcTags) {
          const m = byAlias.get(TAG_ALIAS_BASE + t.id);
          assert.ok(m, `${d.device}: tag ${t.code} in the DBIRTH`);
          assert.equal(m.name!.split("/").at(-1), t.code);
          assert.ok(m.datatype !== undefined && m.datatype > 0, `${t.code} has a data type`);
        }
        tagMetrics += plcTags.length;
      }
      assert.equal(tagMetrics, enabled.length, "every enabled tag is born");

      // DDATA flows, each metric an alias born in its device's DBIRTH.
      const ddata = sub.of("DDATA");
      assert.ok(ddata.length >= 20, `DDATA flows (${ddata.length} messages)`);
      assert.deepEqual(seqBreaks(sub.seen), []);

      const ndeath = sub.of("NDEATH");
      assert.equal(ndeath.length, 1);
      assert.equal(ndeath[0].topic, `spBv1.0/${GROUP}/NDEATH/e2e1`);
      assert.equal(bdSeq(ndeath[0]), bdSeq(nbirth[0]));
      assert.ok(
        sub.seen.indexOf(ndeath[0]) === sub.seen.length - 1,
        "nothing after the NDEATH",
      );
      console.log(
        `births ${bornAfter} ms after the spawn (${tagMetrics} tag metrics in 4 DBIRTHs); ` +
          `rebirth ${rebornAfter} ms after the NCMD; ` +
          `${ddata.length} DDATA with ${
            ddata.reduce((n, m) => n + m.payload.metrics!.length, 0)
          } values, seq unbroken; NDEATH bdSeq ${bdSeq(ndeath[0])} ` +
          `(${stoppedAt - born} ms of data, the process exited 0)`,
      );
    } finally {
      await gw.stop("SIGKILL");
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/** How long the broker stays away in the outage test (the figure). */
const OUTAGE_MS = 15_000;

Deno.test({
  name:
    "a 15 s broker outage with a gateway restart inside it: every sample stored meanwhile reaches the broker afterwards, historical and in order",
  ignore: !broker,
  async fn() {
    const mosq = await Mosquitto.start();
    const sub = await Subscriber.connect(mosq.url, true);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_e2e_spb_outage_" });
    let gw = serve(mosq.url, dataDir, "e2e2");
    try {
      await sub.waitFor("DDATA", (s) => s.some((m) => m.type === "DDATA"), 30_000);
      await sleep(1_000);
      const outageAt = Date.now();
      await mosq.stop();
      await sleep(4_000);
      assert.equal((await gw.stop("SIGTERM")).code, 0, gw.output);
      const first = gw.output;
      gw = serve(mosq.url, dataDir, "e2e2");
      await gw.waitForOutput(/PLC \w+ is connected/, 20_000);
      await sleep(Math.max(0, outageAt + OUTAGE_MS - Date.now()));
      const backAt = Date.now();
      await mosq.restart();
      await gw.waitForOutput(/Sparkplug: replayed \d+ values/, 30_000);
      // Live data after the reconnection, so the window below is closed on both sides.
      await sub.waitFor("live DDATA after the outage", (s) =>
        s.some((m) =>
          m.type === "DDATA" &&
          m.payload.metrics!.some((x) => !x.isHistorical && (x.timestamp ?? 0) > backAt + 1_000)
        ), 15_000);
      assert.equal((await gw.stop("SIGTERM")).code, 0, gw.output);

      // Every value the historian stored during the outage, as (tag, ts).
      const history = new HistoryFile(dataDir);
      const stored = history.byTag(`ts > ${outageAt + 1_000} AND ts < ${backAt - 1_000}`);
      history.close();
      const storedCount = [...stored.values()].reduce((n, rows) => n + rows.length, 0);
      assert.ok(
        storedCount > 1_000,
        `the historian stored data during the outage (${storedCount})`,
      );

      const got = new Map<number, { ts: number; historical: boolean }[]>();
      for (const m of sub.of("DDATA")) {
        for (const x of m.payload.metrics!) {
          const tagId = (x.alias ?? 0) - TAG_ALIAS_BASE;
          let list = got.get(tagId);
          if (!list) got.set(tagId, list = []);
          list.push({ ts: x.timestamp ?? 0, historical: x.isHistorical === true });
        }
      }
      const missing: string[] = [];
      for (const [tagId, rows] of stored) {
        const have = new Set((got.get(tagId) ?? []).map((x) => x.ts));
        for (const r of rows) if (!have.has(r.ts)) missing.push(`tag ${tagId} at ${r.ts}`);
      }
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${storedCount} missing`);
      for (const [tagId, list] of got) {
        const hist = list.filter((x) => x.historical).map((x) => x.ts);
        for (let i = 1; i < hist.length; i++) {
          assert.ok(hist[i] >= hist[i - 1], `tag ${tagId}: historical values in order`);
        }
        const inOutage = list.filter((x) => x.ts > outageAt + 1_000 && x.ts < backAt - 1_000);
        assert.ok(
          inOutage.every((x) => x.historical),
          `tag ${tagId}: outage values are historical`,
        );
      }
      const births = sub.of("NBIRTH").map(bdSeq);
      assert.equal(births.length, 2, "born once per gateway run");
      assert.ok(births[1] > births[0], `bdSeq moves on across the restart (${births})`);
      assert.match(first, /Sparkplug: lost the connection/);
      const historical = [...got.values()].flat().filter((x) => x.historical);
      const distinct = new Set(historical.map((x) => x.ts)).size;
      assert.ok(distinct > 0);
      const replay = gw.output.match(/Sparkplug: replayed (\d+) values in ([\d.]+) s/)!;
      console.log(
        `outage ${OUTAGE_MS / 1000} s with a restart: ${storedCount} values stored by the ` +
          `historian meanwhile, all published; ${historical.length} historical values ` +
          `(live ones deferred behind the replay included); ` +
          `replay ${replay[1]} values in ${replay[2]} s; bdSeq ${births.join(" → ")}`,
      );
    } finally {
      await gw.stop("SIGKILL");
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
