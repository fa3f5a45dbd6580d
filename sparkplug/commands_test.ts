import assert from "node:assert/strict";
import { planCommand } from "./commands.ts";
import { encodePayload } from "./codec.ts";
import type { DeviceModel } from "./model.ts";

const device: DeviceModel = {
  plcId: 1,
  deviceId: "PLCTEST0000001",
  signature: "",
  metrics: [
    { tagId: 5, alias: 105, name: "L/P/SPEED", datatype: "Int16", unit: "", description: "" },
    { tagId: 6, alias: 106, name: "L/P/RUN", datatype: "Boolean", unit: "", description: "" },
  ],
};

Deno.test("a DCMD becomes writes by alias or name; unknown or empty metrics are refused; off means ignored", () => {
  const payload = encodePayload({
    metrics: [
      { alias: 105, datatype: "Int16", value: -3 },
      { name: "L/P/RUN", datatype: "Boolean", value: true },
      { alias: 999, datatype: "Int16", value: 1 },
      { alias: 105, datatype: "Int16", value: null },
    ],
  });
  const on = planCommand(device, payload, true);
  assert.deepEqual(on.items, [{ tagId: 5, value: -3 }, { tagId: 6, value: true }]);
  assert.equal(on.refused.length, 2);
  assert.match(on.refused[0], /no metric alias 999/);
  const off = planCommand(device, payload, false);
  assert.deepEqual(off, { items: [], ignored: 4, refused: [] });
  assert.throws(
    () => planCommand(device, new Uint8Array([0xff, 0xff, 0xff]), true),
    /not a Sparkplug B payload/,
  );
});
