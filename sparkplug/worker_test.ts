import assert from "node:assert/strict";
import { samplePlantConfig } from "../actors/testing.ts";
import type { PlantConfig } from "../model/config.ts";
import type { WriteItem } from "./publisher.ts";
import { TAG_ALIAS_BASE } from "./model.ts";
import { startSparkplugWorker } from "./worker_client.ts";
import { encodeBatch, FLAG_LIVE } from "../model/sample_batch.ts";
import { encodeOfficial, haveMosquitto, Mosquitto, sleep, Subscriber, valueOf } from "./testing.ts";

const broker = haveMosquitto();

function onePlc(): PlantConfig {
  const plant = samplePlantConfig();
  const plc = plant.plcs[0];
  return { ...plant, plcs: [plc], tags: plant.tags.filter((t) => t.plcId === plc.id) };
}

Deno.test({
  name:
    "the Sparkplug worker publishes births and data (samples, columnar batches, an acquisition port), answers status with plain data, routes DCMD writes to the main thread and stops with NDEATH",
  ignore: !broker,
  async fn() {
    const mosq = await Mosquitto.start();
    const sub = await Subscriber.connect(mosq.url);
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_worker_" });
    const plant = onePlc();
    const writes: WriteItem[][] = [];
    const logs: string[] = [];
    const handle = await startSparkplugWorker({
      settings: {
        url: mosq.url,
        caFile: undefined,
        certFile: undefined,
        keyFile: undefined,
        username: undefined,
        password: undefined,
        group: "PlantA",
        node: "worker",
        primaryHost: undefined,
        commands: true,
      },
      dataDir,
      plant,
      tuning: { backoffMs: [200] },
      write: (items) => {
        writes.push(items);
        return Promise.resolve(items.map((i) => ({ tagId: i.tagId, ok: true as const })));
      },
      log: (_level, message) => logs.push(message),
    });
    try {
      await sub.waitFor("DBIRTH", (s) => s.some((m) => m.type === "DBIRTH"));
      const tag = plant.tags.find((t) =>
        t.enabled && t.dataType === "INT16" && t.deadband === null
      )!;
      handle.onSamples([{ tagId: tag.id, ts: 1_700_000_000_000, value: 42, quality: "good" }]);
      await sub.waitFor("DDATA", (s) => s.some((m) => m.type === "DDATA"));
      const m = sub.of("DDATA")[0].payload.metrics![0];
      assert.equal(m.alias, TAG_ALIAS_BASE + tag.id);
      assert.equal(valueOf(m), 42);
      await sub.publish(
        `spBv1.0/PlantA/DCMD/worker/${plant.plcs[0].code}`,
        encodeOfficial({ metrics: [{ alias: TAG_ALIAS_BASE + tag.id, datatype: 2, intValue: 7 }] }),
      );
      for (let i = 0; i < 100 && writes.length === 0; i++) await sleep(20);
      assert.deepEqual(writes, [[{ tagId: tag.id, value: 7 }]]);
      handle.onBatch(
        encodeBatch([{ tagId: tag.id, ts: 1_700_000_000_100, value: 43, quality: "good" }]),
      );
      const channel = new MessageChannel();
      handle.attachPort(channel.port2);
      channel.port1.postMessage({
        type: "samples",
        batch: encodeBatch(
          [{ tagId: tag.id, ts: 1_700_000_000_200, value: 44, quality: "good" }],
          () => FLAG_LIVE,
        ),
      });
      channel.port1.postMessage({ type: "end" });
      channel.port1.close();
      await sub.waitFor(
        "DDATA from a batch and from a port",
        (s) => s.filter((m) => m.type === "DDATA").length === 3,
      );
      assert.deepEqual(
        sub.of("DDATA").map((d) => valueOf(d.payload.metrics![0])),
        [42, 43, 44],
      );
      let status = await handle.status();
      for (let i = 0; i < 50 && status.commands.written === 0; i++) {
        await sleep(20);
        status = await handle.status();
      }
      assert.equal(status.online, true);
      assert.equal(status.commands.written, 1);
      assert.deepEqual(structuredClone(status), status, "status is plain data");
      assert.ok(logs.some((l) => l.includes("born")), "log lines reach the main thread");
    } finally {
      await handle.stop();
      await sub.waitFor("NDEATH", (s) => s.some((m) => m.type === "NDEATH"));
      await sub.close();
      await mosq.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
