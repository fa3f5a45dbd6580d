import assert from "node:assert/strict";
import { readHardeningSettings } from "./hardening_settings.ts";

Deno.test("hardening settings: defaults, flags before environment, bad values named", () => {
  const none = () => undefined;
  assert.deepEqual(readHardeningSettings({}, none), {
    importMaxRows: 200_000,
    wsMaxPerAddress: 50,
    wsMaxPerUser: 100,
  });
  const env = (name: string) =>
    ({ JSSCADA_IMPORT_MAX_ROWS: "5000", JSSCADA_WS_MAX_PER_USER: "7" } as Record<string, string>)[
      name
    ];
  assert.deepEqual(readHardeningSettings({ "import-max-rows": "10" }, env), {
    importMaxRows: 10,
    wsMaxPerAddress: 50,
    wsMaxPerUser: 7,
  });
  assert.throws(
    () => readHardeningSettings({ "ws-max-per-address": "0" }, none),
    /--ws-max-per-address \(JSSCADA_WS_MAX_PER_ADDRESS\) must be a whole number from 1, not "0"/,
  );
  assert.throws(
    () => readHardeningSettings({}, (n) => n === "JSSCADA_IMPORT_MAX_ROWS" ? "x" : undefined),
    /not "x"/,
  );
});
