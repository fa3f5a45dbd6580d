import assert from "node:assert/strict";
import { exportAllCsv } from "../store/mod.ts";
import { testApp } from "./testing.ts";

/** One plant resource: a valid create body, a patch, and a field a list can sort by. */
const RESOURCES = [
  {
    path: "/api/v1/lines",
    create: { code: "LINE02", name: "Paint line" },
    patch: { name: "Paint line 2" },
  },
  {
    path: "/api/v1/processes",
    create: { code: "PAINT", name: "Paint shop", lineId: 1 },
    patch: { name: "Paint shop 2" },
  },
  {
    path: "/api/v1/plcs",
    create: {
      code: "PLCWELD0100001",
      name: "Weld PLC",
      processId: 1,
      host: "10.0.0.9",
      port: 5010,
    },
    patch: { port: 5011, enabled: false },
  },
  {
    path: "/api/v1/groups",
    create: { code: "PRESS_SLOW", name: "Press slow", plcId: 1, mode: "FIXED", intervalMs: 1000 },
    patch: { intervalMs: 500 },
  },
  {
    path: "/api/v1/tags",
    create: {
      code: "PRESS01_POS",
      name: "Press 1 position",
      plcId: 1,
      groupId: 1,
      address: "d200",
      dataType: "INT32",
    },
    patch: { unit: "mm", scale: 0.01 },
  },
  {
    path: "/api/v1/alarm-rules",
    create: { tagId: 1, kind: "HI", limit: 100, severity: 500, message: "Press 1 too fast" },
    patch: { limit: 120, hysteresis: 2 },
  },
] as const;

Deno.test("every plant resource: create 201 with Location, get, patch, delete 204, then 404", async () => {
  using t = await testApp();
  for (const r of RESOURCES) {
    const created = await t.call("POST", r.path, { body: r.create });
    assert.equal(created.status, 201, `${r.path}: ${JSON.stringify(created.body)}`);
    const location = created.headers.get("Location");
    assert.equal(location, `${r.path}/${created.body.id}`);
    for (const [k, v] of Object.entries(r.create)) {
      if (k !== "address") assert.deepEqual(created.body[k], v, `${r.path} ${k}`);
    }
    const got = await t.call("GET", location!, { as: "viewer" });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, created.body);

    const patched = await t.call("PATCH", location!, { body: r.patch });
    assert.equal(patched.status, 200, `${r.path}: ${JSON.stringify(patched.body)}`);
    assert.deepEqual(patched.body, { ...created.body, ...r.patch });
    assert.deepEqual((await t.call("GET", location!)).body, patched.body);

    const deleted = await t.call("DELETE", location!);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, null);
    const gone = await t.call("GET", location!);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, "not_found");
  }
});

Deno.test("create fills the store's defaults and stores addresses in canonical form", async () => {
  using t = await testApp();
  const plc = await t.call("POST", "/api/v1/plcs", { body: RESOURCES[2].create });
  assert.equal(plc.body.frame, "binary");
  assert.equal(plc.body.moduleIo, 1023);
  assert.equal(plc.body.poolSize, 5);
  assert.equal(plc.body.enabled, true);
  const tag = await t.call("POST", "/api/v1/tags", { body: RESOURCES[4].create });
  assert.equal(tag.body.address, "D200");
  assert.equal(tag.body.scale, 1);
});

Deno.test("unknown ids answer 404 on get, patch and delete of every resource", async () => {
  using t = await testApp();
  for (const r of RESOURCES) {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const answer = await t.call(method, `${r.path}/999`, {
        body: method === "PATCH" ? r.patch : undefined,
      });
      assert.equal(answer.status, 404, `${method} ${r.path}/999`);
      assert.match(answer.body.message, /^no .* with id 999$/);
      assert.deepEqual(answer.body.issues, [{ path: "id", message: answer.body.message }]);
    }
  }
});

Deno.test("ids that are not positive whole numbers answer 400 naming the id", async () => {
  using t = await testApp();
  for (const id of ["abc", "0", "-1", "1.5", "99999999999999999999"]) {
    const answer = await t.call("GET", `/api/v1/tags/${id}`);
    assert.equal(answer.status, 400, id);
    assert.deepEqual(answer.body.issues, [{
      path: "id",
      message: "must be a positive whole number",
    }]);
  }
});

Deno.test("a duplicate answers 409 naming the clashing field, and changes nothing", async () => {
  using t = await testApp();
  for (const r of RESOURCES) {
    assert.equal((await t.call("POST", r.path, { body: r.create })).status, 201);
    const before = exportAllCsv(t.store);
    const again = await t.call("POST", r.path, { body: r.create });
    assert.equal(again.status, 409, r.path);
    assert.equal(again.body.error, "conflict");
    assert.match(again.body.message, /already exists \(id \d+\)/);
    assert.equal(again.body.issues[0].path, r.path.endsWith("alarm-rules") ? "kind" : "code");
    assert.deepEqual(exportAllCsv(t.store), before);
  }
  // Renaming onto an existing code is a conflict too.
  const renamed = await t.call("PATCH", "/api/v1/lines/2", { body: { code: "LINE01" } });
  assert.equal(renamed.status, 409);
  assert.equal(renamed.body.message, "code: line LINE01 already exists (id 1)");
});

Deno.test("deleting a record others reference is 409 unless ?cascade=true", async () => {
  using t = await testApp();
  const refused = await t.call("DELETE", "/api/v1/plcs/1");
  assert.equal(refused.status, 409);
  assert.equal(
    refused.body.message,
    "PLC PLCPRESS010001 still has 2 tags and 1 polling group; delete them first, or delete with cascade",
  );
  assert.equal((await t.call("DELETE", "/api/v1/plcs/1?cascade=false")).status, 409);
  assert.equal((await t.call("DELETE", "/api/v1/plcs/1?cascade=maybe")).status, 400);
  const cascaded = await t.call("DELETE", "/api/v1/plcs/1?cascade=true");
  assert.equal(cascaded.status, 204);
  const tags = await t.call("GET", "/api/v1/tags?plcId=1");
  assert.equal(tags.body.total, 0);
  const audit = await t.call("GET", "/api/v1/audit?action=delete&user=admin1");
  assert.deepEqual(
    audit.body.items.map((e: { resource: string }) => e.resource).sort(),
    ["groups", "plcs", "tags", "tags"],
  );
});

Deno.test("lists page with limit and offset and report the total", async () => {
  using t = await testApp();
  for (let i = 2; i <= 12; i++) {
    const code = `LINE${String(i).padStart(2, "0")}`;
    assert.equal(
      (await t.call("POST", "/api/v1/lines", { body: { code, name: `Line ${i}` } })).status,
      201,
    );
  }
  const page = await t.call("GET", "/api/v1/lines?limit=5&offset=5", { as: "viewer" });
  assert.equal(page.status, 200);
  assert.equal(page.body.total, 12);
  assert.equal(page.body.limit, 5);
  assert.equal(page.body.offset, 5);
  assert.deepEqual(
    page.body.items.map((l: { code: string }) => l.code),
    ["LINE06", "LINE07", "LINE08", "LINE09", "LINE10"],
  );
  const last = await t.call("GET", "/api/v1/lines?limit=5&offset=10");
  assert.equal(last.body.items.length, 2);
  const past = await t.call("GET", "/api/v1/lines?offset=100");
  assert.deepEqual(past.body.items, []);
  assert.equal(past.body.total, 12);
  const tooBig = await t.call("GET", "/api/v1/lines?limit=5001");
  assert.equal(tooBig.status, 400);
  assert.deepEqual(tooBig.body.issues, [{
    path: "limit",
    message: "must be a whole number from 1 to 5000",
  }]);
});

Deno.test("lists sort by whitelisted fields in either order, and filter", async () => {
  using t = await testApp();
  const desc = await t.call("GET", "/api/v1/tags?sort=address&order=desc");
  assert.deepEqual(desc.body.items.map((x: { address: string }) => x.address), ["M10", "D100"]);
  const byType = await t.call("GET", "/api/v1/tags?dataType=BOOL");
  assert.deepEqual(byType.body.items.map((x: { code: string }) => x.code), ["PRESS01_ALM"]);
  const search = await t.call("GET", "/api/v1/tags?q=speed&plcId=1&enabled=true");
  assert.deepEqual(search.body.items.map((x: { code: string }) => x.code), ["PRESS01_VEL"]);
  const prefix = await t.call("GET", "/api/v1/tags?codePrefix=PRESS01_A");
  assert.equal(prefix.body.total, 1);
  const ascii = await t.call("GET", "/api/v1/plcs?frame=ascii");
  assert.deepEqual(ascii.body.items.map((x: { code: string }) => x.code), ["PLCPAINT010001"]);
  const groups = await t.call("GET", "/api/v1/groups?plcId=2");
  assert.deepEqual(groups.body.items.map((x: { code: string }) => x.code), ["PAINT_BOOTH"]);

  const bad = await t.call("GET", "/api/v1/tags?sort=password&order=sideways&dataType=INT8");
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issues, [
    { path: "sort", message: "must be one of id, code, name, plcId, groupId, address, dataType" },
    { path: "order", message: "must be one of asc, desc" },
    {
      path: "dataType",
      message: "must be one of BOOL, INT16, UINT16, INT32, UINT32, FLOAT32, FLOAT64, STRING",
    },
  ]);
});

Deno.test("a body that is not JSON, or not an object, is a 400 that says so", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  const json = { "Content-Type": "application/json" };
  const broken = await t.call("POST", "/api/v1/lines", { body: '{"code": "L1",', headers: json });
  assert.equal(broken.status, 400);
  assert.equal(broken.body.error, "invalid_json");
  assert.match(broken.body.message, /^the request body is not valid JSON: /);
  const empty = await t.call("POST", "/api/v1/lines", { body: "", headers: json });
  assert.equal(empty.body.message, "the request body is empty; send a JSON object");
  const list = await t.call("POST", "/api/v1/lines", { body: [1, 2] });
  assert.equal(list.status, 400);
  assert.deepEqual(list.body.issues, [{ path: "", message: "must be an object" }]);
  const wrongType = await t.call("POST", "/api/v1/lines", {
    body: "code=L1",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(wrongType.status, 415);
  assert.equal(wrongType.body.error, "unsupported_media_type");
  assert.deepEqual(exportAllCsv(t.store), before);
});

Deno.test("PATCH checks the merged record as a whole", async () => {
  using t = await testApp();
  // A FIXED group turned into a plc-bit HANDSHAKE needs its bits and step timeout in the same PATCH.
  const half = await t.call("PATCH", "/api/v1/groups/1", {
    body: { mode: "HANDSHAKE", trigger: "plc-bit" },
  });
  assert.equal(half.status, 400);
  assert.deepEqual(half.body.issues.map((i: { path: string }) => i.path).sort(), [
    "ackBit",
    "requestBit",
    "stepTimeoutMs",
  ]);
  const whole = await t.call("PATCH", "/api/v1/groups/1", {
    body: {
      mode: "HANDSHAKE",
      trigger: "plc-bit",
      requestBit: "M3000",
      ackBit: "M3001",
      stepTimeoutMs: 2000,
    },
  });
  assert.equal(whole.status, 200, JSON.stringify(whole.body));
  assert.equal(whole.body.mode, "HANDSHAKE");
  const unchanged = await t.call("PATCH", "/api/v1/groups/1", { body: {} });
  assert.deepEqual(unchanged.body, whole.body);
});
