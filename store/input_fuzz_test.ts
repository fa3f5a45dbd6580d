import assert from "node:assert/strict";
import fc from "fast-check";
import { StoreError } from "./errors.ts";
import { seedPlant, testStore } from "./testing.ts";

const FIELDS = [
  "code",
  "name",
  "description",
  "lineId",
  "processId",
  "plcId",
  "groupId",
  "tagId",
  "host",
  "port",
  "frame",
  "network",
  "pc",
  "moduleIo",
  "station",
  "timeoutMs",
  "poolSize",
  "enabled",
  "mode",
  "intervalMs",
  "trigger",
  "requestBit",
  "ackBit",
  "stepTimeoutMs",
  "address",
  "dataType",
  "length",
  "scale",
  "offset",
  "unit",
  "deadband",
  "kind",
  "limit",
  "hysteresis",
  "onDelayMs",
  "severity",
  "message",
  "id",
  "__proto__",
  "constructor",
];

const value = fc.oneof(
  fc.constantFrom(1, 2, 3, 0, -1, 50, 5001, 1e9, 0.5, NaN, Infinity, null, true, false, "", "x"),
  fc.constantFrom("LINE01", "PLCPRESS010001", "PRESS_MOTION", "D100", "M10", "ZR1000000", "INT16"),
  fc.constantFrom("BOOL", "STRING", "FIXED", "HANDSHAKE", "plc-bit", "rest", "ascii", "HI", "ON"),
  fc.anything({ maxDepth: 1 }),
);
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 12 }) },
  { weight: 1, arbitrary: fc.anything() },
);

Deno.test("random bodies to create and update get only store errors and leave the store unchanged", () => {
  using store = testStore();
  const seed = seedPlant(store);
  const resources = [
    ["lines", 1],
    ["processes", seed.process.id],
    ["plcs", seed.plc.id],
    ["groups", seed.group.id],
    ["tags", seed.tag.id],
    ["alarmRules", 1],
  ] as const;
  fc.assert(
    fc.property(fc.constantFrom(...resources), body, fc.boolean(), ([name, id], input, update) => {
      const resource = store[name] as unknown as {
        create(i: unknown): unknown;
        update(id: number, i: unknown): unknown;
      };
      const before = JSON.stringify(store.loadPlant());
      try {
        if (update) resource.update(id, input);
        else resource.create(input);
      } catch (e) {
        assert.ok(e instanceof StoreError, `${name}: ${(e as Error).stack}`);
        assert.ok(e.issues.length > 0 && e.issues.every((i) => typeof i.message === "string"));
        assert.equal(JSON.stringify(store.loadPlant()), before);
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("random list queries get a page or a ConfigError", () => {
  using store = testStore();
  seedPlant(store);
  const query = fc.dictionary(
    fc.constantFrom(
      "limit",
      "offset",
      "sort",
      "order",
      "q",
      "plcId",
      "enabled",
      "codePrefix",
      "kind",
    ),
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.integer(),
      fc.constantFrom("code", "desc", "true", "%", "_"),
    ),
    { maxKeys: 5 },
  );
  fc.assert(
    fc.property(
      fc.constantFrom("lines", "plcs", "groups", "tags", "alarmRules") as fc.Arbitrary<"tags">,
      query,
      (name, q) => {
        try {
          const page = store[name].list(q as never);
          assert.ok(Array.isArray(page.items) && page.total >= page.items.length);
        } catch (e) {
          assert.ok(e instanceof StoreError, String(e));
        }
      },
    ),
    { numRuns: 500 },
  );
});
