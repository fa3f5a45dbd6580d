import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { plcOpsRoutes } from "./plc_ops.ts";
import { testApp } from "./testing.ts";

const PATH = "/api/v1/plcs/PLCPRESS010001/operations";

Deno.test("admin STOP and RUN reach the PLC with confirm, and each leaves an audit entry", async () => {
  const plc = startFixturePlc();
  using t = await testApp({ routes: [plcOpsRoutes] });
  try {
    t.store.plcs.update(t.plant.plc.id, { port: plc.port });
    const noConfirm = await t.call("POST", `${PATH}/stop`, { body: {} });
    assert.equal(noConfirm.status, 400);
    assert.match(noConfirm.body.message, /confirm.*PLCPRESS010001/);
    assert.equal(plc.cpuState, "RUN");
    const stop = await t.call("POST", `${PATH}/stop`, { body: { confirm: "PLCPRESS010001" } });
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    assert.deepEqual(stop.body, { plc: "PLCPRESS010001", operation: "stop", ok: true });
    assert.equal(plc.cpuState, "STOP");
    const run = await t.call("POST", `${PATH}/run`, {
      body: { confirm: "PLCPRESS010001", clear: "none" },
    });
    assert.equal(run.status, 200);
    assert.equal(plc.cpuState, "RUN");
    const echo = await t.call("POST", `${PATH}/echo`, { body: { data: "00FF" } });
    assert.deepEqual(echo.body, {
      plc: "PLCPRESS010001",
      operation: "echo",
      ok: true,
      echoed: "00FF",
    });
    const entries = t.store.audit.list({ resource: "plcs" }).items.filter((e) =>
      e.action === "plc-operation"
    );
    assert.equal(entries.length, 3);
    assert.ok(entries.every((e) => e.user === "admin1"));
  } finally {
    await plc.close();
  }
});

Deno.test("PLC operations are for admins only; a refused unlock is 502 and audited without the password", async () => {
  const plc = startFixturePlc({ remotePassword: "RIGHT123" });
  using t = await testApp({ routes: [plcOpsRoutes] });
  try {
    t.store.plcs.update(t.plant.plc.id, { port: plc.port });
    const operator = await t.call("POST", `${PATH}/stop`, {
      as: "operator",
      body: { confirm: "PLCPRESS010001" },
    });
    assert.equal(operator.status, 403);
    const wrong = await t.call("POST", `${PATH}/unlock`, {
      body: { confirm: "PLCPRESS010001", password: "WRONG123" },
    });
    assert.equal(wrong.status, 502);
    assert.match(wrong.body.message, /C200/);
    const entry = t.store.audit.list({ resource: "plcs" }).items.find((e) =>
      e.action === "plc-operation"
    )!;
    assert.equal(JSON.stringify(entry).includes("WRONG123"), false);
    const unknown = await t.call("POST", "/api/v1/plcs/NOPE/operations/echo", { body: {} });
    assert.equal(unknown.status, 404);
  } finally {
    await plc.close();
  }
});

Deno.test("a PLC that is not there is 503 for an operation", async () => {
  using t = await testApp({ routes: [plcOpsRoutes] });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close(); // nobody listens there now
  t.store.plcs.update(t.plant.plc.id, { port, timeoutMs: 500 });
  const res = await t.call("POST", `${PATH}/echo`, { body: {} });
  assert.equal(res.status, 503, JSON.stringify(res.body));
});

Deno.test("an FX3 (1E frames) has no remote operations: 400 naming the operation, nothing sent", async () => {
  const plc = startFixturePlc({ series: "FX3" });
  using t = await testApp({ routes: [plcOpsRoutes] });
  try {
    t.store.plcs.update(t.plant.plc.id, { port: plc.port, series: "FX3" });
    for (const op of ["stop", "echo"]) {
      const res = await t.call("POST", `${PATH}/${op}`, { body: { confirm: "PLCPRESS010001" } });
      assert.equal(res.status, 400);
      assert.equal(
        res.body.message,
        "PLC PLCPRESS010001 is an FX3, which JSScada reaches over 1E frames: they carry batch " +
          `reads and writes only, no "${op}"`,
      );
    }
    assert.equal(plc.stats.connectionsTotal, 0);
    assert.equal(plc.cpuState, "RUN");
  } finally {
    await plc.close();
  }
});
