/**
 * iQ-F PLCs over REST: the OpenAPI document describes `xyNotation` and
 * `series: iQ-F`, a PLC is created with them, and a tag address iQ-F cannot
 * have is a 400 naming it.
 */
import assert from "node:assert/strict";
import { OPENAPI_PATH } from "./openapi.ts";
import { testApp } from "./testing.ts";

Deno.test("POST /plcs takes series iQ-F with xyNotation; the OpenAPI document lists both", async () => {
  using t = await testApp();
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  const plc = doc.components.schemas.Plc.properties;
  assert.deepEqual(plc.xyNotation.enum, ["octal", "hex"]);
  assert.ok(plc.series.enum.includes("iQ-F"));
  const created = await t.call("POST", "/api/v1/plcs", {
    body: {
      code: "PLCFX5U0100001",
      name: "FX5U",
      processId: t.plant.process.id,
      host: "10.0.0.9",
      port: 5002,
      frame: "ascii",
      series: "iQ-F",
      xyNotation: "hex",
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.series, "iQ-F");
  assert.equal(created.body.xyNotation, "hex");
  const group = await t.call("POST", "/api/v1/groups", {
    body: { code: "FX5_IO", name: "io", plcId: created.body.id, mode: "FIXED", intervalMs: 100 },
  });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const tag = (address: string) =>
    t.call("POST", "/api/v1/tags", {
      body: {
        code: "FX5_IN",
        name: "in",
        plcId: created.body.id,
        groupId: group.body.id,
        address,
        dataType: "BOOL",
      },
    });
  const bad = await tag("X18");
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /octal on iQ-F/);
  const ok = await tag("X17");
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});
