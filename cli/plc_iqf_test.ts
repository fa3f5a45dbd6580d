/**
 * `jsscada plc read|write --series iQ-F` against an iQ-F fixture PLC: X/Y in
 * octal (Y45 = point 37), in binary and in both ASCII notations (`--xy`).
 */
import assert from "node:assert/strict";
import { withPlc } from "../fixtures/test_client.ts";
import { plcJson, runPlc } from "./plc_testing.ts";

for (const xy of ["octal", "hex"] as const) {
  Deno.test(`plc read/write Y45 --series iQ-F reaches point 37 (binary, and ASCII --xy ${xy})`, async () => {
    await withPlc({ series: "iQ-F", xyNotation: xy }, async (plc) => {
      const at = `127.0.0.1:${plc.port}`;
      plc.memory.setBits("Y", 37, [true]);
      plc.memory.setBits("X", 15, [true]);
      assert.deepEqual(await plcJson(["read", at, "Y45", "--series", "iQ-F"]), [true]);
      assert.deepEqual(
        await plcJson(["read", at, "Y44", "3", "--series", "iQ-F", "--frame", "ascii", "--xy", xy]),
        [false, true, false],
      );
      assert.deepEqual(
        await plcJson(["read", at, "X17", "--series", "iQ-F", "--frame", "ascii", "--xy", xy]),
        [true],
      );
      const w = await runPlc([
        "write",
        at,
        "Y20",
        "true",
        "--series",
        "iQ-F",
        "--frame",
        "ascii",
        "--xy",
        xy,
      ]);
      assert.equal(w.status, 0, w.stderr.join());
      assert.match(w.stderr[0], /at Y20 on/);
      assert.equal(plc.memory.getBits("Y", 16, 1)[0], true, "Y20 octal is point 16");
      plc.setValue("D100", "INT16", -7);
      assert.deepEqual(
        await plcJson(["read", at, "D100", "--series", "iQ-F", "--frame", "ascii", "--xy", xy]),
        [-7],
      );
    });
  });
}

Deno.test("plc --series iQ-F names what iQ-F does not have and refuses --xy without iQ-F", async () => {
  await withPlc({ series: "iQ-F" }, async (plc) => {
    const at = `127.0.0.1:${plc.port}`;
    const digit = await runPlc(["read", at, "X18", "--series", "iQ-F"]);
    assert.equal(digit.status, 2);
    assert.match(digit.stderr[0], /octal on iQ-F.*"8" is not one/);
    const dx = await runPlc(["read", at, "DX0", "--series", "iQ-F"]);
    assert.equal(dx.status, 2);
    assert.match(dx.stderr[0], /iQ-F CPUs have no DX/);
    const xy = await runPlc(["read", at, "D0", "--xy", "hex"]);
    assert.equal(xy.status, 2);
    assert.match(xy.stderr[0], /--xy applies to --series iQ-F only/);
    const info = await plcJson(["info", at, "--series", "iQ-F"]);
    assert.deepEqual((info as { model: string }).model, "FX5U-32MT/ES");
  });
});
