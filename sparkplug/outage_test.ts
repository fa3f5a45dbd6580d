import assert from "node:assert/strict";
import { samplePlantConfig } from "../actors/testing.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { type SparkplugPublisher, startSparkplug } from "./publisher.ts";
import type { SparkplugSettings } from "./settings.ts";
import { TAG_ALIAS_BASE } from "./model.ts";
import { haveMosquitto, Mosquitto, sleep, Subscriber, valueOf } from "./testing.ts";

const broker = haveMosquitto();

function settings(url: string, node: string): SparkplugSettings {
  return {
    url,
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    username: undefined,
    password: undefined,
    group: "PlantA",
    node,
    primaryHost: undefined,
    commands: false,
  };
}

/** One PLC with three INT32 tags without deadband: every sample is reported. */
function plant(): PlantConfig {
  const base = samplePlantConfig();
  const plc = base.plcs[0];
  const group = base.groups.find((g) => g.plcId === plc.id)!;
  return {
    ...base,
    plcs: [plc],
    groups: [group],
    tags: [1, 2, 3].map((id) => ({
      ...base.tags[0],
      id,
      code: `COUNT${id}`,
      plcId: plc.id,
      groupId: group.id,
      dataType: "INT32" as const,
      scale: 1,
      offset: 0,
      deadband: null,
      enabled: true,
    })),
    alarmRules: [],
  };
}

Deno.test({
  name:
    "a broker outage with a gateway restart inside it loses no sample; held data comes historical and in order",
  ignore: !broker,
  async fn() {
    const mosq = await Mosquitto.start();
    const sub = await Subscriber.connect(mosq.url, true);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_outage_" });
    const p0 = plant();
    const start = () =>
      startSparkplug({
        settings: settings(mosq.url, "gw1"),
        dataDir,
        plant: p0,
        tuning: { keepaliveS: 1, backoffMs: [200], replayValuesPerSecond: 20_000 },
        log: Deno.env.get("SPB_DEBUG")
          ? (level: string, message: string) => console.log(Date.now() % 100_000, level, message)
          : undefined,
      });
    let pub: SparkplugPublisher = await start();
    const T0 = 1_700_000_000_000;
    let k = 0;
    const feed = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const samples: Sample[] = p0.tags.map((t) => ({
          tagId: t.id,
          ts: T0 + k * 10,
          value: k,
          quality: "good",
        }));
        pub.onSamples(samples);
        k++;
        await sleep(20);
      }
    };
    try {
      await sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      await feed(800);
      await Promise.all([feed(1500), sleep(300).then(() => mosq.stop())]);
      const outageFrom = k;
      await pub.stop();
      pub = await start();
      await feed(1500);
      await Promise.all([feed(1500), mosq.restart()]);
      const fed = k;
      const want = new Set<number>();
      for (let i = 0; i < fed; i++) want.add(i);
      const got = (alias: number) =>
        sub.of("DDATA").flatMap((m) => m.payload.metrics!).filter((m) => m.alias === alias);
      await sub.waitFor("every sample of tag 1", () => {
        const have = new Set(got(TAG_ALIAS_BASE + 1).map((m) => Number(valueOf(m))));
        return [...want].every((i) => have.has(i));
      }, 30_000);
      for (const tagId of [1, 2, 3]) {
        const metrics = got(TAG_ALIAS_BASE + tagId);
        const values = new Set(metrics.map((m) => Number(valueOf(m))));
        const missing = [...want].filter((i) => !values.has(i));
        assert.deepEqual(missing, [], `tag ${tagId}: no sample lost`);
        for (const m of metrics) assert.equal(m.timestamp, T0 + Number(valueOf(m)) * 10);
        const hist = metrics.filter((m) => m.isHistorical).map((m) => Number(valueOf(m)));
        for (let i = 1; i < hist.length; i++) {
          assert.ok(hist[i] > hist[i - 1], `tag ${tagId}: historical values in order`);
        }
        const histSet = new Set(hist);
        const live = new Set(metrics.filter((m) => !m.isHistorical).map((m) => Number(valueOf(m))));
        for (let i = outageFrom; i < fed; i++) {
          if (!live.has(i)) assert.ok(histSet.has(i), `sample ${i} held during the outage`);
        }
      }
      assert.ok(sub.of("NBIRTH").length >= 2, "born again after the outage");
      const status = pub.status();
      assert.ok(status.published.historicalValues > 0);
      assert.equal(status.spool.droppedValues, 0);
    } finally {
      await pub.stop();
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "kill -9 of the gateway makes the broker publish the Will NDEATH with the NBIRTH's bdSeq",
  ignore: !broker,
  async fn() {
    const mosq = await Mosquitto.start();
    const sub = await Subscriber.connect(mosq.url);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_kill_" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--no-check",
        new URL("./testing_child.ts", import.meta.url).pathname,
        mosq.url,
        dataDir,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await sub.waitFor("the child's DDATA", (s) => s.some((m) => m.type === "DDATA"), 60_000);
      child.kill("SIGKILL");
      await child.status;
      await sub.waitFor("NDEATH", (s) => s.some((m) => m.type === "NDEATH"), 10_000);
      const bd = (type: string) =>
        sub.of(type)[0].payload.metrics!.find((m) => m.name === "bdSeq")!.longValue ?? 0;
      assert.equal(sub.of("NDEATH")[0].topic, "spBv1.0/PlantA/NDEATH/child");
      assert.equal(bd("NDEATH"), bd("NBIRTH"));
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
