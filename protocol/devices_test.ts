import assert from "node:assert/strict";
import fc from "fast-check";
import { DEVICES, formatAddress, parseAddress } from "./devices.ts";

Deno.test("addresses parse in each device's radix", () => {
  assert.deepEqual(parseAddress("D100"), { device: "D", address: 100 });
  assert.deepEqual(parseAddress("x1a0"), { device: "X", address: 0x1a0 });
  assert.deepEqual(parseAddress("W1F"), { device: "W", address: 0x1f });
  assert.deepEqual(parseAddress("ZR123456"), { device: "ZR", address: 123456 });
  assert.deepEqual(parseAddress("DX10"), { device: "DX", address: 0x10 });
  assert.deepEqual(parseAddress("SW0A"), { device: "SW", address: 0x0a });
  assert.deepEqual(parseAddress("D100.5"), { device: "D", address: 100, bit: 5 });
  assert.deepEqual(parseAddress("D100.F"), { device: "D", address: 100, bit: 15 });
});

Deno.test("bad addresses are RangeErrors that say what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["Q100", /does not start with a known device name/],
    ["D1A", /D device numbers are decimal/],
    ["XG", /X device numbers are hexadecimal/],
    ["M10.1", /only allowed on word devices/],
    ["D10.16", /bit number must be 0 to 15/],
    ["D32768", /past the end of device D \(32767\)/],
    ["D", /does not start with a known device name/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseAddress(text),
      (e) => e instanceof RangeError && re.test(e.message),
      text,
    );
  }
});

Deno.test("formatAddress and parseAddress are inverse for every device", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...DEVICES.values()).chain((d) =>
        fc.record({
          device: fc.constant(d.name),
          address: fc.integer({ min: 0, max: d.size - 1 }),
          bit: d.kind === "word"
            ? fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined })
            : fc.constant(undefined),
        })
      ),
      (a) => {
        const clean = a.bit === undefined ? { device: a.device, address: a.address } : { ...a };
        assert.deepEqual(parseAddress(formatAddress(clean)), structuredClone(clean));
      },
    ),
  );
});
