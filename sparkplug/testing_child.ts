/**
 * A publisher in a process of its own, for the test of the Will NDEATH on
 * kill -9 (sparkplug/outage_test.ts): `deno run -A testing_child.ts URL DATA_DIR`
 * starts a publisher for the sample plant's first PLC and feeds it samples
 * until it is killed. Not used in production code.
 */
import { samplePlantConfig } from "../actors/testing.ts";
import { startSparkplug } from "./publisher.ts";

const [url, dataDir] = Deno.args;
const plant = samplePlantConfig();
const plc = plant.plcs[0];
const p = await startSparkplug({
  settings: {
    url,
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    username: undefined,
    password: undefined,
    group: "PlantA",
    node: "child",
    primaryHost: undefined,
    commands: false,
  },
  dataDir,
  plant: { ...plant, plcs: [plc] },
  tuning: { keepaliveS: 5, backoffMs: [200] },
});
const tags = plant.tags.filter((t) => t.plcId === plc.id && t.enabled).slice(0, 20);
let k = 0;
setInterval(() => {
  k++;
  p.onSamples(tags.map((t) => ({
    tagId: t.id,
    ts: Date.now(),
    value: t.dataType === "BOOL" ? k % 2 === 0 : t.dataType === "STRING" ? `s${k}` : k % 100,
    quality: "good" as const,
  })));
}, 50);
