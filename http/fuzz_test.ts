/**
 * Fuzzing the JSON write endpoints with fast-check: random bodies (random
 * shapes, wrong types, huge strings, nested junk, text that is not JSON)
 * against every create and patch endpoint. Every answer must be 2xx or a 4xx
 * with an error code and a message, never a 5xx; every refused request must
 * leave the store exactly as it was.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkAnswer,
  type RawBody,
  sendAsAdmin,
  snapshot,
  TEST_PASSWORD,
  testApp,
} from "./testing.ts";

/** A JSON endpoint: a valid body to start from, and its field names. */
interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly valid: Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  { method: "POST", path: "/api/v1/lines", valid: { code: "LINE02", name: "Paint" } },
  { method: "POST", path: "/api/v1/processes", valid: { code: "PAINT", name: "Paint", lineId: 1 } },
  {
    method: "POST",
    path: "/api/v1/plcs",
    valid: {
      code: "PLCWELD0100001",
      name: "Weld",
      processId: 1,
      host: "10.0.0.9",
      port: 5010,
      frame: "ascii",
    },
  },
  {
    method: "POST",
    path: "/api/v1/groups",
    valid: {
      code: "PRESS_CYCLE",
      name: "Cycle",
      plcId: 1,
      mode: "HANDSHAKE",
      trigger: "plc-bit",
      intervalMs: 50,
      requestBit: "M3000",
      ackBit: "M3001",
      stepTimeoutMs: 2000,
    },
  },
  {
    method: "POST",
    path: "/api/v1/tags",
    valid: {
      code: "PRESS01_NAME",
      name: "Name",
      plcId: 1,
      groupId: 1,
      address: "D500",
      dataType: "STRING",
      length: 10,
      deadband: null,
    },
  },
  {
    method: "POST",
    path: "/api/v1/alarm-rules",
    valid: { tagId: 1, kind: "HI", limit: 10, hysteresis: 1, severity: 500, message: "High" },
  },
  {
    method: "POST",
    path: "/api/v1/users",
    valid: { name: "fuzzer", role: "viewer", password: TEST_PASSWORD },
  },
  {
    method: "POST",
    path: "/api/v1/tokens",
    valid: { name: "fuzz", userId: 1, expiresAt: "2030-01-01T00:00:00Z" },
  },
  {
    method: "POST",
    path: "/api/v1/auth/login",
    valid: { name: "viewer1", password: "wrong password" },
  },
  { method: "PATCH", path: "/api/v1/lines/1", valid: { name: "Body line 2" } },
  { method: "PATCH", path: "/api/v1/processes/1", valid: { lineId: 1 } },
  { method: "PATCH", path: "/api/v1/plcs/2", valid: { frame: "binary", port: 5004 } },
  { method: "PATCH", path: "/api/v1/groups/1", valid: { intervalMs: 200 } },
  { method: "PATCH", path: "/api/v1/tags/1", valid: { dataType: "FLOAT32", scale: 2 } },
  { method: "PATCH", path: "/api/v1/tags/2", valid: { address: "M11" } },
  { method: "PATCH", path: "/api/v1/users/1", valid: { role: "operator" } },
];

const WORDS = [
  "",
  " ",
  "D100",
  "D32767",
  "M10",
  "X1A0",
  "D100.5",
  "ZR1000000",
  "INT16",
  "BOOL",
  "STRING",
  "FLOAT64",
  "FIXED",
  "HANDSHAKE",
  "plc-bit",
  "rest",
  "ascii",
  "binary",
  "HI",
  "ON",
  "LOLO",
  "admin",
  "viewer",
  "true",
  "false",
  "null",
  "PLCPRESS010001",
  "PRESS_MOTION",
  "LINE01",
  "2030-01-01T00:00:00Z",
  "__proto__",
  "constructor",
  "toString",
  "0x10",
  "1e5",
  "-0",
  "NaN",
];

const huge = fc.integer({ min: 1_000, max: 200_000 }).map((n) => "Z".repeat(n));

const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.integer() },
  fc.constantFrom(0, -1, 1, 49, 50, 65535, 65536, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  { weight: 1, arbitrary: huge },
);

const json = (value: unknown): RawBody => ({
  text: JSON.stringify(value) ?? "null",
  type: "application/json",
});

function bodies(endpoint: Endpoint): fc.Arbitrary<RawBody> {
  const keys = [...Object.keys(endpoint.valid), "extra", "__proto__", "id"];
  return fc.oneof(
    // A valid body with some fields broken, dropped or added.
    {
      weight: 5,
      arbitrary: fc.tuple(
        fc.dictionary(fc.constantFrom(...keys), junk, { maxKeys: 3 }),
        fc.subarray(Object.keys(endpoint.valid)),
      ).map(([changes, dropped]) => {
        const body: Record<string, unknown> = { ...endpoint.valid };
        for (const k of dropped) delete body[k];
        for (const [k, v] of Object.entries(changes)) {
          Object.defineProperty(body, k, {
            value: v,
            enumerable: true,
            configurable: true,
            writable: true,
          });
        }
        return json(body);
      }),
    },
    // Random shapes.
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
    // Nested junk.
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom(...keys), junk, { maxKeys: 8 }).map(json),
    },
    // Text that is not JSON, or JSON cut short.
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.jsonValue({ maxDepth: 3 }).chain((v) => {
          const text = JSON.stringify(v);
          return fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n));
        }),
      ).map((text) => ({ text, type: "application/json" })),
    },
    // The wrong Content-Type, or none.
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(
          null,
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=utf-8",
        ),
      ).map(
        ([v, type]) => ({ text: JSON.stringify(v), type }),
      ),
    },
  );
}

Deno.test("10,000 random JSON bodies get 2xx or 4xx with a message, and refused ones change nothing", async () => {
  using t = await testApp({ options: { loginRateLimit: false } });
  let before = snapshot(t);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ENDPOINTS).chain((e) => bodies(e).map((b) => [e, b] as const)),
      async ([endpoint, body]) => {
        const answer = await sendAsAdmin(t, endpoint.method, endpoint.path, body);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        checkAnswer(
          answer,
          `${endpoint.method} ${endpoint.path} ${body.type} ${body.text.slice(0, 200)}`,
        );
        const after = snapshot(t);
        if (answer.status >= 400) {
          assert.equal(after, before, `${endpoint.path}: refused but changed`);
        }
        before = after;
      },
    ),
    { numRuns: 10_000 },
  );
  // The fuzzer reached the validation rules, not just the JSON parser.
  for (const status of [200, 201, 400, 409, 415]) assert.ok(statuses.get(status), `saw ${status}`);
});
