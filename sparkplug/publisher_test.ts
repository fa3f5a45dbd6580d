import assert from "node:assert/strict";
import { samplePlantConfig } from "../actors/testing.ts";
import type { Sample } from "../model/sample.ts";
import type { PlantConfig } from "../model/config.ts";
import { type SparkplugPublisher, startSparkplug, type WriteItem } from "./publisher.ts";
import type { SparkplugSettings } from "./settings.ts";
import { dataTypeOf, TAG_ALIAS_BASE } from "./model.ts";
import {
  type DecodedMetric,
  encodeOfficial,
  haveMosquitto,
  haveOpenssl,
  Mosquitto,
  PROTO_DATA_TYPES,
  type Seen,
  sleep,
  Subscriber,
  valueOf,
} from "./testing.ts";

const broker = haveMosquitto();

function settings(url: string, over: Partial<SparkplugSettings> = {}): SparkplugSettings {
  return {
    url,
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    username: undefined,
    password: undefined,
    group: "PlantA",
    node: "gw1",
    primaryHost: undefined,
    commands: false,
    ...over,
  };
}

/** A rig: broker, subscriber, data directory; everything closed by `close`. */
async function rig(persistent = false) {
  const mosq = await Mosquitto.start();
  const sub = await Subscriber.connect(mosq.url, persistent);
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_" });
  const pubs: SparkplugPublisher[] = [];
  return {
    mosq,
    sub,
    dataDir,
    async start(plant: PlantConfig, over: Partial<SparkplugSettings> = {}, extra = {}) {
      const p = await startSparkplug({
        settings: settings(mosq.url, over),
        dataDir,
        plant,
        tuning: { backoffMs: [200], keepaliveS: 1, statusIntervalMs: 60_000 },
        log: Deno.env.get("SPB_DEBUG") ? (l: string, m: string) => console.log(l, m) : undefined,
        ...extra,
      });
      pubs.push(p);
      return p;
    },
    async close() {
      for (const p of pubs) await p.stop();
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

const seqOf = (m: Seen) => m.payload.seq;
const metricNamed = (m: Seen, name: string) => m.payload.metrics!.find((x) => x.name === name);

/** Every node-level sequenced message after the last NBIRTH has seq one more than the one before. */
function assertSeqContinuous(seen: Seen[]): number {
  const seq = seen.filter((m) => m.type !== "STATE" && m.type !== "NDEATH");
  assert.equal(seqOf(seq[0]) ?? 0, 0, "NBIRTH carries seq 0");
  for (let i = 1; i < seq.length; i++) {
    const want = ((seqOf(seq[i - 1]) ?? 0) + 1) % 256;
    assert.equal(seqOf(seq[i]) ?? 0, want, `message ${i} (${seq[i].topic}) has seq ${want}`);
  }
  return seq.length;
}

/** The enabled tags of enabled groups and PLCs, by PLC code. */
function enabledTags(plant: PlantConfig) {
  const groups = new Map(plant.groups.map((g) => [g.id, g.enabled]));
  const plcs = new Map(plant.plcs.map((p) => [p.id, p]));
  const out = new Map<string, PlantConfig["tags"][number][]>();
  for (const t of plant.tags) {
    const plc = plcs.get(t.plcId)!;
    if (!t.enabled || !groups.get(t.groupId) || !plc.enabled) continue;
    out.set(plc.code, [...out.get(plc.code) ?? [], t]);
  }
  return out;
}

/** A small plant: one PLC, five tags without deadband (INT16, FLOAT32, BOOL, STRING, UINT32). */
function smallPlant(): PlantConfig {
  const plant = samplePlantConfig();
  const plc = plant.plcs[0];
  const group = plant.groups.find((g) => g.plcId === plc.id)!;
  const types = ["INT16", "FLOAT32", "BOOL", "STRING", "UINT32"] as const;
  return {
    ...plant,
    plcs: [plc],
    groups: [group],
    tags: types.map((dataType, i) => ({
      ...plant.tags[0],
      id: i + 1,
      code: `T${i + 1}_${dataType}`,
      plcId: plc.id,
      groupId: group.id,
      dataType,
      length: dataType === "STRING" ? 4 : null,
      scale: 1,
      offset: 0,
      deadband: null,
      enabled: true,
    })),
    alarmRules: [],
  };
}

function valueFor(type: string, k: number): Sample["value"] {
  switch (type) {
    case "INT16":
      return (k % 200) - 100;
    case "FLOAT32":
      return k / 4;
    case "BOOL":
      return k % 2 === 0;
    case "STRING":
      return `v${k}`;
    default:
      return k;
  }
}

function batch(plant: PlantConfig, k: number, ts: number): Sample[] {
  return plant.tags.map((t) => ({
    tagId: t.id,
    ts,
    value: valueFor(t.dataType, k),
    quality: "good" as const,
  }));
}

Deno.test({
  name:
    "births carry bdSeq, Node Control/Rebirth and every enabled tag of the sample plant with its data type",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = samplePlantConfig();
      const p = await r.start(plant);
      const byPlc = enabledTags(plant);
      await r.sub.waitFor(
        "NBIRTH and all DBIRTHs",
        (s) => s.filter((m) => m.type === "DBIRTH").length === byPlc.size,
      );
      const [nbirth] = r.sub.of("NBIRTH");
      assert.equal(nbirth.topic, "spBv1.0/PlantA/NBIRTH/gw1");
      const bd = metricNamed(nbirth, "bdSeq")!;
      assert.equal(bd.datatype, PROTO_DATA_TYPES.Int64);
      assert.equal(bd.longValue ?? 0, 0, "first start: bdSeq 0");
      const rebirth = metricNamed(nbirth, "Node Control/Rebirth")!;
      assert.equal(rebirth.datatype, PROTO_DATA_TYPES.Boolean);
      assert.equal(rebirth.booleanValue ?? false, false);
      for (const dbirth of r.sub.of("DBIRTH")) {
        const tags = byPlc.get(dbirth.device!)!;
        assert.ok(tags, `DBIRTH for a known PLC: ${dbirth.device}`);
        const metrics = new Map(dbirth.payload.metrics!.map((m) => [m.alias, m]));
        assert.equal(metrics.size, tags.length, `${dbirth.device}: one metric per enabled tag`);
        for (const t of tags) {
          const m = metrics.get(TAG_ALIAS_BASE + t.id) as DecodedMetric;
          assert.ok(m, `${t.code} in the DBIRTH`);
          assert.equal(m.name!.split("/").at(-1), t.code);
          assert.equal(m.datatype, PROTO_DATA_TYPES[dataTypeOf(t)], `${t.code} type`);
          assert.equal(m.isNull, true, "no value polled yet: is_null");
          const props = m.properties!;
          assert.deepEqual(props.keys, ["engUnit", "documentation", "Quality"]);
          assert.equal(props.values[0].stringValue ?? "", t.unit);
        }
      }
      assert.ok(p.status().online);
      assertSeqContinuous(r.sub.seen);
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name: "DDATA seq runs on 0–255 without a gap, and values keep their types",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const p = await r.start(plant);
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      const n = 300;
      for (let k = 0; k < n; k++) p.onSamples(batch(plant, k, 1_700_000_000_000 + k * 100));
      await r.sub.waitFor(`${n} DDATA`, (s) => s.filter((m) => m.type === "DDATA").length === n);
      const count = assertSeqContinuous(r.sub.seen);
      assert.equal(count, 2 + n, "NBIRTH, DBIRTH and one DDATA per batch");
      const last = r.sub.of("DDATA").at(-1)!;
      const k = n - 1;
      const values = new Map(last.payload.metrics!.map((m) => [m.alias, valueOf(m)]));
      assert.equal(values.get(TAG_ALIAS_BASE + 1), ((k % 200) - 100) >>> 0, "INT16 as uint32");
      assert.equal(values.get(TAG_ALIAS_BASE + 2), k / 4);
      assert.equal(values.get(TAG_ALIAS_BASE + 3), k % 2 === 0);
      assert.equal(values.get(TAG_ALIAS_BASE + 4), `v${k}`);
      assert.equal(values.get(TAG_ALIAS_BASE + 5), k);
      assert.ok(last.payload.metrics!.every((m) => m.name === undefined), "DDATA: aliases only");
      assert.equal(p.status().published.values >= n * plant.tags.length, true);
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name: "NCMD Node Control/Rebirth brings a new NBIRTH with the same bdSeq and every DBIRTH",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const p = await r.start(plant);
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      p.onSamples(batch(plant, 7, 1_700_000_000_000));
      await r.sub.waitFor("DDATA", (s) => s.some((m) => m.type === "DDATA"));
      await r.sub.publish(
        "spBv1.0/PlantA/NCMD/gw1",
        encodeOfficial({
          timestamp: Date.now(),
          metrics: [{ name: "Node Control/Rebirth", datatype: 11, booleanValue: true }],
        }),
      );
      await r.sub.waitFor(
        "second DBIRTH",
        (s) => s.filter((m) => m.type === "DBIRTH").length === 2,
      );
      const births = r.sub.of("NBIRTH");
      assert.equal(births.length, 2);
      assert.equal(
        metricNamed(births[1], "bdSeq")!.longValue ?? 0,
        metricNamed(births[0], "bdSeq")!.longValue ?? 0,
      );
      const rebirthAt = r.sub.seen.indexOf(births[1]);
      assertSeqContinuous(r.sub.seen.slice(rebirthAt));
      const dbirth = r.sub.of("DBIRTH")[1];
      const int16 = dbirth.payload.metrics!.find((m) => m.alias === TAG_ALIAS_BASE + 1)!;
      assert.equal(valueOf(int16), (7 % 200) - 100 >>> 0, "DBIRTH carries the current value");
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name:
    "a graceful stop publishes NDEATH with the session's bdSeq, and bdSeq moves on across restarts",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const a = await r.start(plant);
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      await a.stop();
      await r.sub.waitFor("NDEATH", (s) => s.some((m) => m.type === "NDEATH"));
      const death = r.sub.of("NDEATH")[0];
      assert.equal(death.payload.seq, undefined, "NDEATH has no seq");
      assert.equal(metricNamed(death, "bdSeq")!.longValue ?? 0, 0);
      await r.start(plant);
      await r.sub.waitFor(
        "second NBIRTH",
        (s) => s.filter((m) => m.type === "NBIRTH").length === 2,
      );
      assert.equal(metricNamed(r.sub.of("NBIRTH")[1], "bdSeq")!.longValue, 1);
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name: "a failed PLC gets DDEATH and a DBIRTH when it answers; a tag added re-births its device",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const p = await r.start(plant);
      const plcId = plant.plcs[0].id;
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      p.onPlcState(plcId, true);
      await r.sub.waitFor("DDEATH", (s) => s.some((m) => m.type === "DDEATH"));
      p.onSamples(batch(plant, 1, 1_700_000_000_000));
      p.onPlcState(plcId, false);
      await r.sub.waitFor("DBIRTH again", (s) => s.filter((m) => m.type === "DBIRTH").length === 2);
      assert.equal(r.sub.of("DDATA").length, 0, "no DDATA for a dead device");
      const more = { ...plant, tags: [...plant.tags, { ...plant.tags[0], id: 99, code: "T99" }] };
      p.onPlant(more);
      await r.sub.waitFor("rebirth", (s) => s.filter((m) => m.type === "DBIRTH").length === 3);
      assert.equal(r.sub.of("DDEATH").length, 2, "DDEATH before the new DBIRTH");
      assert.equal(r.sub.of("DBIRTH")[2].payload.metrics!.length, 6);
      assertSeqContinuous(r.sub.seen);
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name:
    "DCMD writes through the write port with --sparkplug-commands, and is ignored and counted without",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const writes: WriteItem[][] = [];
      const write = (items: WriteItem[]) => {
        writes.push(items);
        return Promise.resolve(
          items.map((i) =>
            i.tagId === 1
              ? { tagId: i.tagId, ok: true as const }
              : { tagId: i.tagId, ok: false as const, reason: "not writable" }
          ),
        );
      };
      const dcmd = encodeOfficial({
        timestamp: Date.now(),
        metrics: [
          { alias: TAG_ALIAS_BASE + 1, datatype: 2, intValue: -5 >>> 0 },
          { alias: TAG_ALIAS_BASE + 3, datatype: 11, booleanValue: true },
        ],
      });
      const topic = `spBv1.0/PlantA/DCMD/gw1/${plant.plcs[0].code}`;
      const off = await r.start(plant, {}, { write });
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      await r.sub.publish(topic, dcmd);
      for (let i = 0; i < 100 && off.status().commands.ignored < 2; i++) await sleep(20);
      assert.equal(off.status().commands.ignored, 2);
      assert.equal(writes.length, 0, "commands off: nothing written");
      await off.stop();

      const on = await r.start(plant, { commands: true }, { write });
      await r.sub.waitFor("DBIRTH", (s) => s.filter((m) => m.type === "DBIRTH").length === 2);
      await r.sub.publish(topic, dcmd);
      for (let i = 0; i < 100 && writes.length === 0; i++) await sleep(20);
      for (let i = 0; i < 50 && on.status().commands.refused === 0; i++) await sleep(20);
      assert.deepEqual(writes, [[{ tagId: 1, value: -5 }, { tagId: 3, value: true }]]);
      assert.deepEqual(on.status().commands, { written: 1, refused: 1, ignored: 0 });
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name:
    "with a primary host the node waits for STATE online, holds data while it is offline and replays it",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const state = (online: boolean, timestamp: number) =>
        r.sub.publish("spBv1.0/STATE/scada1", JSON.stringify({ online, timestamp }), true);
      await state(false, 1000);
      const p = await r.start(plant, { primaryHost: "scada1" });
      for (let i = 0; i < 100 && p.status().mode !== "holding"; i++) await sleep(20);
      assert.equal(p.status().mode, "holding");
      for (let k = 0; k < 5; k++) p.onSamples(batch(plant, k, 1_700_000_000_000 + k));
      await sleep(200);
      assert.equal(r.sub.of("NBIRTH").length, 0, "no birth while the primary host is offline");
      await state(true, 2000);
      await r.sub.waitFor(
        "replayed DDATA",
        (s) => s.filter((m) => m.type === "DDATA").flatMap((m) => m.payload.metrics!).length === 25,
      );
      const hist = r.sub.of("DDATA").flatMap((m) => m.payload.metrics!);
      assert.ok(hist.every((m) => m.isHistorical === true), "held data comes as historical");
      const ts = hist.filter((m) => m.alias === TAG_ALIAS_BASE + 1).map((m) => m.timestamp);
      assert.deepEqual(ts, [0, 1, 2, 3, 4].map((k) => 1_700_000_000_000 + k), "oldest first");
      await state(false, 1500);
      await sleep(300);
      assert.equal(r.sub.of("NDEATH").length, 0, "an older offline STATE is ignored");
      await state(false, 3000);
      await r.sub.waitFor("NDEATH", (s) => s.some((m) => m.type === "NDEATH"));
      for (let i = 0; i < 100 && p.status().mode !== "holding"; i++) await sleep(20);
      assert.equal(p.status().mode, "holding", "reconnected and waiting for the host again");
      await state(true, 4000);
      await r.sub.waitFor(
        "second NBIRTH",
        (s) => s.filter((m) => m.type === "NBIRTH").length === 2,
      );
      const bds = r.sub.of("NBIRTH").map((m) => metricNamed(m, "bdSeq")!.longValue ?? 0);
      assert.equal(bds[1], bds[0] + 1, "a new MQTT session takes the next bdSeq");
    } finally {
      await r.close();
    }
  },
});

Deno.test({
  name:
    "mqtts: the publisher trusts the broker through --mqtt-ca, and refuses a broker it cannot verify",
  ignore: !broker || !haveOpenssl(),
  async fn() {
    const mosq = await Mosquitto.start({ tls: true });
    const sub = await Subscriber.connect(mosq.url);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_tls_" });
    const url = `mqtts://127.0.0.1:${mosq.tlsPort}`;
    const tuning = { backoffMs: [200], statusIntervalMs: 60_000 };
    const plant = smallPlant();
    const untrusted = await startSparkplug({
      settings: settings(url, { node: "untrusted" }),
      dataDir,
      plant,
      tuning,
    });
    try {
      const ok = await startSparkplug({
        settings: settings(url, { caFile: `${mosq.dir}/ca.pem` }),
        dataDir: `${dataDir}/ok`,
        plant,
        tuning,
      });
      try {
        await sub.waitFor("DBIRTH over TLS", (s) => s.some((m) => m.type === "DBIRTH"));
        assert.equal(ok.status().online, true);
      } finally {
        await ok.stop();
      }
      for (let i = 0; i < 100 && untrusted.status().lastError === undefined; i++) await sleep(50);
      assert.equal(untrusted.status().online, false, "an unverified broker is not used");
      assert.ok(untrusted.status().lastError, "the failed attempts say why");
      assert.ok(!sub.seen.some((m) => m.topic.includes("/untrusted")));
    } finally {
      await untrusted.stop();
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "live data the connection cannot take yet goes to the spool and arrives as historical data, none lost",
  ignore: !broker,
  async fn() {
    const r = await rig();
    try {
      const plant = smallPlant();
      const p = await r.start(plant, {}, {
        tuning: { backoffMs: [200], statusIntervalMs: 60_000, maxUnsentBytes: 0, confirmMs: 100 },
      });
      await r.sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      const n = 200;
      for (let k = 0; k < n; k++) p.onSamples(batch(plant, k, 1_700_000_000_000 + k));
      const ts = () =>
        new Set(
          r.sub.of("DDATA").flatMap((m) => m.payload.metrics!)
            .filter((m) => m.alias === TAG_ALIAS_BASE + 5).map((m) => m.timestamp),
        );
      await r.sub.waitFor("every batch", () => ts().size === n, 20_000);
      const st = p.status();
      assert.ok(st.deferredValues > 0, "some batches waited in the spool");
      assert.equal(st.published.historicalValues, st.deferredValues);
      assertSeqContinuous(r.sub.seen);
    } finally {
      await r.close();
    }
  },
});
