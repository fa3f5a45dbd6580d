import assert from "node:assert/strict";
import { samplePlantConfig } from "../actors/testing.ts";
import { startSparkplugIfConfigured } from "./start.ts";

Deno.test("without an MQTT URL serve starts no Sparkplug worker", async () => {
  const handle = await startSparkplugIfConfigured({
    settings: undefined,
    dataDir: "/nonexistent",
    plant: samplePlantConfig(),
  });
  assert.equal(handle, undefined);
});
