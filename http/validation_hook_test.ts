import assert from "node:assert/strict";
import { z } from "@hono/zod-openapi";
import { exportAllCsv } from "../store/mod.ts";
import { testApp } from "./testing.ts";
import { friendlyIssues } from "./validation_hook.ts";

const TAG = { code: "NEW_TAG", name: "New tag", plcId: 1, groupId: 1 };
const PLC = {
  code: "PLCWELD0100001",
  name: "Weld PLC",
  processId: 1,
  host: "10.0.0.9",
  port: 5010,
};
const HANDSHAKE = {
  code: "PRESS_CYCLE",
  name: "Press cycle",
  plcId: 1,
  mode: "HANDSHAKE",
  trigger: "plc-bit",
  intervalMs: 50,
  requestBit: "M3000",
  ackBit: "M3001",
  stepTimeoutMs: 2000,
};
const RULE = { tagId: 1, kind: "HI", limit: 100, severity: 500, message: "Too fast" };

/**
 * The rules docs/configuration.md lists, each sent over HTTP: the request and
 * the issue (field path and message) the 400 must carry.
 */
const RULES: [string, string, string, unknown, string, string][] = [
  [
    "equipment code format",
    "POST",
    "/plcs",
    { ...PLC, code: "PLC-1" },
    "code",
    "must be exactly 14 characters of A–Z and 0–9",
  ],
  [
    "other codes",
    "POST",
    "/lines",
    { code: "line 1", name: "x" },
    "code",
    "must be 1 to 64 characters of A–Z, 0–9, _, - and .",
  ],
  ["required field", "POST", "/lines", { code: "L1" }, "name", "is required"],
  ["blank text", "POST", "/lines", { code: "L1", name: "  " }, "name", "must not be empty"],
  [
    "unknown field",
    "POST",
    "/lines",
    { code: "L1", name: "x", colour: "red" },
    "colour",
    "is not a known field",
  ],
  [
    "text field given a number",
    "POST",
    "/lines",
    { code: 7, name: "x" },
    "code",
    "must be 1 to 64 characters of A–Z, 0–9, _, - and .",
  ],
  [
    "reference to a missing record",
    "POST",
    "/processes",
    { code: "P2", name: "x", lineId: 99 },
    "lineId",
    "no line with id 99",
  ],
  [
    "reference that is not an id",
    "POST",
    "/processes",
    { code: "P2", name: "x", lineId: "one" },
    "lineId",
    "must be the id of a line",
  ],
  [
    "unknown device",
    "POST",
    "/tags",
    { ...TAG, address: "Q100", dataType: "INT16" },
    "address",
    '"Q100" does not start with a known device name',
  ],
  [
    "address inside the device",
    "POST",
    "/tags",
    { ...TAG, address: "D32768", dataType: "INT16" },
    "address",
    '"D32768" is past the end of device D (32767)',
  ],
  [
    "multi-word value inside the device",
    "POST",
    "/tags",
    { ...TAG, address: "D32767", dataType: "FLOAT32" },
    "address",
    "FLOAT32 at D32767 takes 2 words and runs past the end of device D (D32767)",
  ],
  [
    "a STRING needs a length",
    "POST",
    "/tags",
    { ...TAG, address: "D500", dataType: "STRING" },
    "length",
    "a STRING tag needs a length in words",
  ],
  [
    "bits .n only on word devices",
    "POST",
    "/tags",
    { ...TAG, address: "M10.1", dataType: "BOOL" },
    "address",
    '"M10.1": a bit number (.n) is only allowed on word devices',
  ],
  [
    "a bit of a word is a BOOL",
    "POST",
    "/tags",
    { ...TAG, address: "D300.3", dataType: "INT16" },
    "dataType",
    "must be BOOL for a bit of a word (D300.3), not INT16",
  ],
  [
    "a BOOL on a word device names its bit",
    "POST",
    "/tags",
    { ...TAG, address: "D300", dataType: "BOOL" },
    "address",
    "a BOOL on word device D needs a bit number, e.g. D300.0",
  ],
  [
    "non-BOOL types not on bit devices",
    "POST",
    "/tags",
    { ...TAG, address: "X10", dataType: "FLOAT32" },
    "dataType",
    "must be BOOL on bit device X (input); FLOAT32 needs a word device such as D",
  ],
  [
    "the group belongs to the tag's PLC",
    "POST",
    "/tags",
    { ...TAG, groupId: 2, address: "D100", dataType: "INT16" },
    "groupId",
    "polling group PAINT_BOOTH belongs to PLC PLCPAINT010001, not to PLCPRESS010001",
  ],
  [
    "ASCII frames carry six decimal digits",
    "POST",
    "/tags",
    { ...TAG, plcId: 2, groupId: 2, address: "ZR1000000", dataType: "INT16" },
    "address",
    "ZR1000000 cannot be sent in ASCII frames, which reach ZR999999 at most; give this PLC binary frames",
  ],
  [
    "a FIXED interval is at least 50 ms",
    "POST",
    "/groups",
    { code: "G2", name: "x", plcId: 1, mode: "FIXED", intervalMs: 10 },
    "intervalMs",
    "must be at least 50 ms",
  ],
  [
    "a FIXED group needs an interval",
    "POST",
    "/groups",
    { code: "G2", name: "x", plcId: 1, mode: "FIXED" },
    "intervalMs",
    "a FIXED group needs an interval (ms)",
  ],
  [
    "a plc-bit handshake needs a request bit",
    "POST",
    "/groups",
    { ...HANDSHAKE, requestBit: null },
    "requestBit",
    "a plc-bit handshake needs a request bit, e.g. M3000",
  ],
  [
    "a plc-bit handshake needs an ack bit",
    "POST",
    "/groups",
    { ...HANDSHAKE, ackBit: null },
    "ackBit",
    "a plc-bit handshake needs an ack bit, e.g. M3001",
  ],
  [
    "handshake bits are bit addresses",
    "POST",
    "/groups",
    { ...HANDSHAKE, requestBit: "D100" },
    "requestBit",
    "must be a bit address such as M3000 or D100.0, not a whole word",
  ],
  [
    "the two bits differ",
    "POST",
    "/groups",
    { ...HANDSHAKE, ackBit: "M3000" },
    "ackBit",
    "must differ from the request bit",
  ],
  [
    "mode is FIXED or HANDSHAKE",
    "POST",
    "/groups",
    { ...HANDSHAKE, mode: "SOMETIMES" },
    "mode",
    "must be FIXED or HANDSHAKE",
  ],
  [
    "port range",
    "POST",
    "/plcs",
    { ...PLC, port: 70000 },
    "port",
    "must be a whole number from 1 to 65535",
  ],
  [
    "frame is ascii or binary",
    "POST",
    "/plcs",
    { ...PLC, frame: "hex" },
    "frame",
    "must be ascii or binary",
  ],
  [
    "enabled is a boolean",
    "PATCH",
    "/plcs/1",
    { enabled: "yes please" },
    "enabled",
    "must be true or false",
  ],
  [
    "severity range",
    "POST",
    "/alarm-rules",
    { ...RULE, severity: 0 },
    "severity",
    "must be a whole number from 1 to 1000",
  ],
  [
    "HI/LO kinds need a limit",
    "POST",
    "/alarm-rules",
    { ...RULE, limit: null },
    "limit",
    "an HI rule needs a limit",
  ],
  [
    "ON/OFF kinds have no limit",
    "POST",
    "/alarm-rules",
    { ...RULE, tagId: 2, kind: "ON" },
    "limit",
    "an ON rule has no limit",
  ],
  [
    "the rule kind fits the tag",
    "POST",
    "/alarm-rules",
    { ...RULE, kind: "ON", limit: null },
    "kind",
    "ON rules need a BOOL tag; PRESS01_VEL is INT16",
  ],
  [
    "BOOL tags are not scaled",
    "PATCH",
    "/tags/2",
    { scale: 2 },
    "scale",
    "BOOL tags are not scaled (use 1)",
  ],
  ["scale is not 0", "PATCH", "/tags/1", { scale: 0 }, "scale", "must not be 0"],
];

Deno.test("each validation rule surfaces as 400 with its field path and message", async () => {
  using t = await testApp();
  const before = exportAllCsv(t.store);
  for (const [rule, method, path, body, field, message] of RULES) {
    const answer = await t.call(method, `/api/v1${path}`, { body });
    assert.equal(answer.status, 400, `${rule}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error, "validation");
    assert.ok(
      answer.body.issues.some((i: { path: string; message: string }) =>
        i.path === field && i.message === message
      ),
      `${rule}: expected ${field}: ${message}, got ${JSON.stringify(answer.body.issues)}`,
    );
    assert.match(answer.body.message, new RegExp(`${field}: `));
  }
  assert.deepEqual(exportAllCsv(t.store), before);
});

Deno.test("rules that protect stored records surface as 400 too", async () => {
  using t = await testApp();
  // A tag far up ZR keeps its PLC on binary frames.
  const tag = await t.call("POST", "/api/v1/tags", {
    body: { ...TAG, address: "ZR1000000", dataType: "INT16" },
  });
  assert.equal(tag.status, 201, JSON.stringify(tag.body));
  const frame = await t.call("PATCH", "/api/v1/plcs/1", { body: { frame: "ascii" } });
  assert.equal(frame.status, 400);
  assert.equal(frame.body.issues[0].path, "frame");
  assert.match(
    frame.body.issues[0].message,
    /^ASCII frames cannot reach device numbers above 999999, used by tag NEW_TAG \(ZR1000000\)/,
  );
  // A group holding tags cannot move to another PLC.
  const moved = await t.call("PATCH", "/api/v1/groups/1", { body: { plcId: 2 } });
  assert.equal(moved.status, 400);
  assert.equal(moved.body.issues[0].path, "plcId");
  assert.match(moved.body.issues[0].message, /still has \d+ tags of its old PLC/);
  // A tag with an HI rule cannot become BOOL.
  assert.equal((await t.call("POST", "/api/v1/alarm-rules", { body: RULE })).status, 201);
  const retyped = await t.call("PATCH", "/api/v1/tags/1", {
    body: { dataType: "BOOL", address: "D100.0", scale: 1 },
  });
  assert.equal(retyped.status, 400);
  assert.equal(
    retyped.body.issues.find((i: { path: string }) => i.path === "dataType")?.message,
    "tag PRESS01_VEL has HI alarm rules, which a BOOL tag cannot have; change or delete them first",
  );
});

Deno.test("query and path problems read like body problems", async () => {
  using t = await testApp();
  const answer = await t.call("GET", "/api/v1/plcs?limit=0&enabled=perhaps&processId=x");
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body.issues, [
    { path: "limit", message: "must be a whole number from 1 to 5000" },
    { path: "processId", message: "must be a whole number from 1 to 9007199254740991" },
    { path: "enabled", message: "must be true or false" },
  ]);
});

Deno.test("zod's stock messages are reworded; the schemas' own pass through", () => {
  const schema = z.strictObject({
    a: z.string(),
    b: z.enum(["x", "y"]),
    c: z.string().max(3, "too long!"),
  });
  const input = { b: "z", c: "abcd", d: 1 };
  const result = schema.safeParse(input);
  assert.ok(!result.success);
  assert.deepEqual(friendlyIssues(result.error, input), [
    { path: "a", message: "is required" },
    { path: "b", message: "must be one of x, y" },
    { path: "c", message: "too long!" },
    { path: "d", message: "is not a known field" },
  ]);
});
