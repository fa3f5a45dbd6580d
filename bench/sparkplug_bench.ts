/**
 * Sparkplug B publisher throughput: metric values per second published to a
 * local mosquitto (started here on a free loopback port) from the sample
 * plant × N (every tag, no deadband, values that change each poll, one
 * sample batch per group poll as the pollers emit them), and the publishing
 * process's CPU-seconds per million values (mqtt.js, the payload encoder and
 * the publisher's own work; the broker's CPU is its own). A run ends when the
 * graceful stop's NDEATH (QoS 1) is acknowledged: its PUBACK proves the
 * broker has read every DDATA before it. Also the payload encoder alone, per
 * metric. Target (issue 10): ≥ 200,000 values/s.
 *
 * Environment: SPB_BENCH_COPIES (sample plant copies, default 4),
 * SPB_BENCH_VALUES (values per run, default 2,000,000). Skipped, loudly,
 * without mosquitto.
 */
import process from "node:process";
import { samplePlantConfig } from "../actors/testing.ts";
import type { PlantConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { benchPlant } from "./bench_plant.ts";
import { encodePayload, type SpMetric } from "../sparkplug/codec.ts";
import { startSparkplug } from "../sparkplug/publisher.ts";
import { haveMosquitto, Mosquitto } from "../sparkplug/testing.ts";

const COPIES = Number(Deno.env.get("SPB_BENCH_COPIES") ?? 4);
const VALUES = Number(Deno.env.get("SPB_BENCH_VALUES") ?? 2_000_000);
const results: string[] = [];

const metrics: SpMetric[] = Array.from({ length: 500 }, (_, i) => ({
  alias: 100 + i,
  timestamp: 1_700_000_000_000,
  datatype: "Float",
  value: i * 0.25,
}));
Deno.bench("Sparkplug encode: one DDATA of 500 Float metrics", { group: "encode" }, () => {
  encodePayload({ timestamp: 1_700_000_000_000, seq: 1, metrics });
});

/** The bench plant as configuration, and one sample batch per enabled group. */
function plantAndGroups(): { plant: PlantConfig; groups: PlantConfig["tags"][number][][] } {
  const plant = samplePlantConfig({}, benchPlant({ copies: COPIES, noDeadband: true }).plant);
  const byGroup = new Map<number, PlantConfig["tags"][number][]>();
  for (const t of plant.tags) {
    if (!t.enabled) continue;
    byGroup.set(t.groupId, [...byGroup.get(t.groupId) ?? [], t]);
  }
  return { plant, groups: [...byGroup.values()] };
}

function valueOf(type: string, k: number): Sample["value"] {
  if (type === "BOOL") return k % 2 === 0;
  if (type === "STRING") return `v${k}`;
  if (type.startsWith("FLOAT")) return k * 0.5;
  return k % 30_000;
}

if (haveMosquitto()) {
  Deno.bench({
    name: `Sparkplug publish: ${VALUES.toLocaleString("en")} values, sample plant ×${COPIES}`,
    group: "publish",
    n: 1,
    warmup: 0,
    async fn(b) {
      const mosq = await Mosquitto.start();
      const dataDir = await Deno.makeTempDir({ prefix: "jsscada_spb_bench_" });
      const { plant, groups } = plantAndGroups();
      const p = await startSparkplug({
        settings: {
          url: mosq.url,
          caFile: undefined,
          certFile: undefined,
          keyFile: undefined,
          username: undefined,
          password: undefined,
          group: "Bench",
          node: "gw",
          primaryHost: undefined,
          commands: false,
        },
        dataDir,
        plant,
        tuning: { backoffMs: [100] },
      });
      try {
        while (p.status().mode !== "online") await new Promise((r) => setTimeout(r, 20));
        b.start();
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        let sent = 0;
        for (let k = 0; sent < VALUES; k++) {
          const ts = 1_700_000_000_000 + k * 100;
          for (const tags of groups) {
            const batch: Sample[] = new Array(tags.length);
            for (let i = 0; i < tags.length; i++) {
              batch[i] = {
                tagId: tags[i].id,
                ts,
                value: valueOf(tags[i].dataType, k),
                quality: "good",
              };
            }
            p.onSamples(batch);
            sent += batch.length;
          }
          // Let the socket drain between rounds, as polls would.
          await new Promise((r) => setTimeout(r, 0));
          while (p.status().unsentBytes > 4 * 1024 ** 2) await new Promise((r) => setTimeout(r, 1));
        }
        const { published: { values: published }, deferredValues: deferred } = p.status();
        await p.stop();
        const cpu = process.cpuUsage(cpu0);
        const s = (performance.now() - t0) / 1000;
        b.end();
        const cpuS = (cpu.user + cpu.system) / 1e6;
        results.push(
          `sample plant ×${COPIES}: ${Math.round(published / s).toLocaleString("en")} values/s ` +
            `(${published.toLocaleString("en")} values in ${s.toFixed(2)} s), ` +
            `${(cpuS / (published / 1e6)).toFixed(2)} CPU-s per million values` +
            (deferred ? `, ${deferred} values deferred to the spool` : ""),
        );
      } finally {
        await p.stop();
        await mosq.close();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (results.length === 0) return;
  console.log("\nSparkplug publish to a local mosquitto (ends at the NDEATH's PUBACK):");
  for (const r of results) console.log(`  ${r}`);
});
