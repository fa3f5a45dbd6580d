import assert from "node:assert/strict";
import { formatFx3Address, parseFx3Address } from "./fx3.ts";

Deno.test("FX3 addresses: X/Y octal, the rest decimal, .n on word devices, back and forth", () => {
  assert.deepEqual(parseFx3Address("X17"), { device: "X", address: 15 });
  assert.deepEqual(parseFx3Address(" y377 "), { device: "Y", address: 255 });
  assert.deepEqual(parseFx3Address("M8000"), { device: "M", address: 8000 });
  assert.deepEqual(parseFx3Address("TS10"), { device: "TS", address: 10 });
  assert.deepEqual(parseFx3Address("TN10"), { device: "TN", address: 10 });
  assert.deepEqual(parseFx3Address("D100.15"), { device: "D", address: 100, bit: 15 });
  assert.deepEqual(parseFx3Address("D100.f"), { device: "D", address: 100, bit: 15 });
  for (const text of ["X17", "Y377", "M8000", "S0", "CS255", "CN199", "R32767", "D100.F"]) {
    assert.equal(formatFx3Address(parseFx3Address(text)), text);
  }
});

Deno.test("FX3 addresses: a non-octal X/Y digit, a Q-only device, a point past the end, CN200+ and .n on a bit are refused by name", () => {
  const refused = (text: string) => {
    try {
      parseFx3Address(text);
    } catch (e) {
      assert.ok(e instanceof RangeError);
      return e.message;
    }
    assert.fail(`${text} parsed`);
  };
  assert.equal(
    refused("X18"),
    '"X18": X is numbered in octal on FX CPUs; 8 is no octal digit (0–7)',
  );
  assert.equal(refused("Y9"), '"Y9": Y is numbered in octal on FX CPUs; 9 is no octal digit (0–7)');
  assert.match(refused("ZR0"), /^"ZR0" is no FX3 device; FX3 devices over 1E are X, Y, M, S,/);
  assert.match(refused("SM400"), /is no FX3 device/);
  assert.match(refused("W10"), /is no FX3 device/);
  assert.equal(refused("X400"), '"X400" is past the end of X on an FX3U');
  assert.equal(refused("M8512"), '"M8512" is past the end of M on an FX3U');
  assert.match(refused("CN200"), /CN200–CN255 are 32-bit counters/);
  assert.equal(refused("M10.1"), '"M10.1": a bit number (.n) is only allowed on word devices');
  assert.equal(refused("D10.16"), '"D10.16": the bit number must be 0 to 15 (or 0 to F)');
  assert.match(refused("D1A"), /D numbers are decimal/);
});
