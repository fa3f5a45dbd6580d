import assert from "node:assert/strict";
import { isRebirthRequest, NODE_METRICS, NodeMetrics } from "./node_metrics.ts";

Deno.test("NBIRTH carries every node metric; NDATA only the figures that changed", () => {
  const n = new NodeMetrics();
  n.set({ valuesPerSecond: 1234.5, bufferDepth: 10 });
  const birth = n.birth(7, 1000);
  assert.deepEqual(
    birth.map((m) => [m.name, m.alias]),
    Object.values(NODE_METRICS).map((d) => [d.name, d.alias]),
  );
  assert.equal(birth[0].value, 7, "bdSeq");
  assert.equal(birth[1].value, false, "Node Control/Rebirth");
  assert.equal(birth.find((m) => m.name === "Gateway/Journal bytes")!.value, null, "unknown yet");
  assert.deepEqual(n.changed(2000), []);
  n.set({ bufferDepth: 11.6, journalBytes: undefined, spoolBytes: NaN });
  assert.deepEqual(n.changed(3000), [{ alias: 4, timestamp: 3000, datatype: "Int64", value: 12 }]);
  assert.ok(isRebirthRequest({ name: "Node Control/Rebirth", value: true }));
  assert.ok(isRebirthRequest({ alias: 2, value: true }));
  assert.ok(!isRebirthRequest({ name: "Node Control/Rebirth", value: false }));
});
