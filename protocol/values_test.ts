import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DATA_TYPES,
  type DataType,
  decodeValue,
  encodeValue,
  NO_SCALING,
  type Scaling,
  type TagValue,
  toEngineering,
  toRaw,
  wordCount,
} from "./values.ts";

/** Raw bits of a float, so that -0 and NaN payloads compare exactly. */
function float64Bits(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

/** Single-byte text (codes 1–255) that fits `words` words. */
const singleByteText = (words: number) =>
  fc.array(fc.integer({ min: 1, max: 0xff }), { maxLength: words * 2 }).map((codes) =>
    String.fromCharCode(...codes)
  );

/** A value that `type` can hold, and the STRING length (in words) to use with it. */
function valueOf(type: DataType): fc.Arbitrary<{ value: TagValue; length: number }> {
  const plain = (a: fc.Arbitrary<TagValue>) => a.map((value) => ({ value, length: 0 }));
  switch (type) {
    case "BOOL":
      return plain(fc.boolean());
    case "INT16":
      return plain(fc.integer({ min: -0x8000, max: 0x7fff }));
    case "UINT16":
      return plain(fc.integer({ min: 0, max: 0xffff }));
    case "INT32":
      return plain(fc.integer({ min: -0x80000000, max: 0x7fffffff }));
    case "UINT32":
      return plain(fc.integer({ min: 0, max: 0xffffffff }));
    case "FLOAT32":
      return plain(fc.float()); // Math.fround values, with NaN, ±Infinity and -0
    case "FLOAT64":
      return plain(fc.double());
    case "STRING":
      return fc.integer({ min: 1, max: 8 }).chain((length) =>
        singleByteText(length).map((value) => ({ value, length }))
      );
  }
}

Deno.test("INT32 -2 is stored low word first as [0xFFFE, 0xFFFF]", () => {
  assert.deepEqual(encodeValue(-2, "INT32"), [0xfffe, 0xffff]);
  assert.equal(decodeValue([0xfffe, 0xffff], 0, "INT32"), -2);
  assert.equal(decodeValue([0xfffe, 0xffff], 0, "UINT32"), 0xfffffffe);
});

Deno.test("16-bit integers share one word: 0xFFFF is -1 as INT16 and 65535 as UINT16", () => {
  assert.deepEqual(encodeValue(-1, "INT16"), [0xffff]);
  assert.equal(decodeValue([0xffff], 0, "INT16"), -1);
  assert.equal(decodeValue([0xffff], 0, "UINT16"), 0xffff);
  assert.equal(decodeValue([0x8000], 0, "INT16"), -0x8000);
});

Deno.test("FLOAT32 1.5 is IEEE 754 single 0x3FC00000, low word first", () => {
  assert.deepEqual(encodeValue(1.5, "FLOAT32"), [0x0000, 0x3fc0]);
  assert.equal(decodeValue([0x0000, 0x3fc0], 0, "FLOAT32"), 1.5);
});

Deno.test("FLOAT64 0.1 is IEEE 754 double 0x3FB999999999999A, low word first", () => {
  assert.deepEqual(encodeValue(0.1, "FLOAT64"), [0x999a, 0x9999, 0x9999, 0x3fb9]);
  assert.equal(decodeValue([0x999a, 0x9999, 0x9999, 0x3fb9], 0, "FLOAT64"), 0.1);
  assert.deepEqual(encodeValue(-2.5, "FLOAT64"), [0, 0, 0, 0xc004]);
});

Deno.test('STRING "ABC" in 2 words is [0x4241, 0x0043]: low byte first, NUL padded', () => {
  assert.deepEqual(encodeValue("ABC", "STRING", 2), [0x4241, 0x0043]);
  assert.equal(decodeValue([0x4241, 0x0043], 0, "STRING", { length: 2 }), "ABC");
  assert.deepEqual(encodeValue("", "STRING", 2), [0, 0]);
});

Deno.test("STRING decoding stops at the first NUL byte and never reads past its length", () => {
  assert.equal(decodeValue([0x4241, 0x4300, 0x4544], 0, "STRING", { length: 3 }), "AB");
  assert.equal(decodeValue([0x4241, 0x4443, 0x4645], 0, "STRING", { length: 2 }), "ABCD");
});

Deno.test("BOOL reads bit n of its word, bit 0 when no bit is given", () => {
  const words = [0xa001];
  assert.equal(decodeValue(words, 0, "BOOL"), true);
  assert.equal(decodeValue(words, 0, "BOOL", { bit: 1 }), false);
  assert.equal(decodeValue(words, 0, "BOOL", { bit: 13 }), true);
  assert.equal(decodeValue(words, 0, "BOOL", { bit: 14 }), false);
  assert.equal(decodeValue(words, 0, "BOOL", { bit: 15 }), true);
  assert.deepEqual(encodeValue(true, "BOOL"), [1]);
  assert.deepEqual(encodeValue(false, "BOOL"), [0]);
});

Deno.test("BOOL bit n equals the word's bit n for every word and n", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), (w, n) => {
      assert.equal(decodeValue([w], 0, "BOOL", { bit: n }), ((w >> n) & 1) === 1);
    }),
  );
});

Deno.test("word counts: 1 for BOOL and 16-bit, 2 for 32-bit, 4 for FLOAT64, length for STRING", () => {
  assert.deepEqual(DATA_TYPES.map((t) => wordCount(t, 5)), [1, 1, 1, 2, 2, 2, 4, 5]);
  assert.throws(() => wordCount("STRING"), RangeError);
  assert.throws(() => wordCount("STRING", 1.5), RangeError);
});

Deno.test("integers outside their type's range are RangeErrors, never wrapped", () => {
  const cases: [number, DataType][] = [
    [40000, "INT16"],
    [-32769, "INT16"],
    [-1, "UINT16"],
    [65536, "UINT16"],
    [2 ** 31, "INT32"],
    [-(2 ** 31) - 1, "INT32"],
    [-1, "UINT32"],
    [2 ** 32, "UINT32"],
    [1.5, "INT16"],
    [NaN, "INT32"],
    [Infinity, "UINT16"],
  ];
  for (const [value, type] of cases) {
    assert.throws(() => encodeValue(value, type), RangeError, `${value} as ${type}`);
  }
});

Deno.test("text too long for its words or not single-byte is a RangeError", () => {
  assert.throws(() => encodeValue("ABCDE", "STRING", 2), RangeError);
  assert.throws(() => encodeValue("A€", "STRING", 2), RangeError);
  assert.throws(() => encodeValue("日本", "STRING", 2), RangeError);
  assert.throws(() => encodeValue("A\0B", "STRING", 2), RangeError);
  assert.deepEqual(encodeValue("\xe9", "STRING", 1), [0xe9]); // Latin-1 is single-byte
});

Deno.test("values of the wrong kind for the type are RangeErrors", () => {
  assert.throws(() => encodeValue(1, "BOOL"), RangeError);
  assert.throws(() => encodeValue(true, "INT16"), RangeError);
  assert.throws(() => encodeValue("1", "FLOAT32"), RangeError);
  assert.throws(() => encodeValue(1, "STRING", 2), RangeError);
});

Deno.test("every type round-trips encode → decode, floats bit for bit (NaN included)", () => {
  for (const type of DATA_TYPES) {
    fc.assert(
      fc.property(valueOf(type), fc.integer({ min: 0, max: 5 }), ({ value, length }, at) => {
        const encoded = encodeValue(value, type, length);
        assert.equal(encoded.length, wordCount(type, length));
        for (const w of encoded) assert.ok(Number.isInteger(w) && w >= 0 && w <= 0xffff);
        const memory = [...new Array<number>(at).fill(0x5555), ...encoded, 0x4141];
        const decoded = decodeValue(memory, at, type, { length });
        assert.ok(Object.is(decoded, value), `${type}: ${String(value)} came back as ${decoded}`);
        if (typeof value === "number" && !Number.isNaN(value)) {
          assert.equal(float64Bits(decoded as number), float64Bits(value));
        }
      }),
      { numRuns: 300 },
    );
  }
});

Deno.test("numeric words round-trip decode → encode unchanged unless they hold a NaN", () => {
  const numeric = DATA_TYPES.filter((t) => t !== "BOOL" && t !== "STRING");
  for (const type of numeric) {
    const n = wordCount(type);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n }),
        (words) => {
          const value = decodeValue(words, 0, type);
          if (Number.isNaN(value)) return;
          assert.deepEqual(encodeValue(value, type), words);
        },
      ),
      { numRuns: 300 },
    );
  }
});

Deno.test("decoding takes words as unsigned 16-bit, whatever the array holds", () => {
  assert.equal(decodeValue([-1], 0, "UINT16"), 0xffff);
  assert.equal(decodeValue(new Int16Array([-2, -1]), 0, "INT32"), -2);
  assert.equal(decodeValue(new Uint16Array([0, 0x3fc0]), 0, "FLOAT32"), 1.5);
});

/** Scales of magnitude 1e-6 to 1e6, either sign. */
const scaleArb = fc.tuple(fc.double({ min: -6, max: 6, noNaN: true }), fc.boolean()).map((
  [exp, negative],
) => (negative ? -1 : 1) * 10 ** exp);
const scalingArb: fc.Arbitrary<Scaling> = fc.record({
  scale: scaleArb,
  offset: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
});

Deno.test("integer raws survive toRaw(toEngineering(raw)) for any non-zero scale and offset", () => {
  const types: [DataType, number, number][] = [
    ["INT16", -0x8000, 0x7fff],
    ["UINT16", 0, 0xffff],
    ["INT32", -0x80000000, 0x7fffffff],
    ["UINT32", 0, 0xffffffff],
  ];
  for (const [type, min, max] of types) {
    fc.assert(
      fc.property(fc.integer({ min, max }), scalingArb, (raw, s) => {
        assert.equal(toRaw(toEngineering(raw, s), s, type), raw);
      }),
      { numRuns: 500 },
    );
  }
});

Deno.test("scaling computes eng = raw × scale + offset and passes non-numbers through", () => {
  const s = { scale: 0.1, offset: -40 };
  assert.equal(toEngineering(650, s), 650 * 0.1 - 40);
  assert.equal(toRaw(25, s, "INT16"), 650);
  assert.equal(toRaw(2.5, { scale: 2, offset: 0 }, "FLOAT32"), 1.25);
  assert.equal(toEngineering(true, s), true);
  assert.equal(toRaw("x", s, "STRING"), "x");
  assert.equal(toEngineering(7, NO_SCALING), 7);
  assert.throws(() => toRaw(1, { scale: 0, offset: 1 }, "INT16"), RangeError);
});

Deno.test("toRaw gives a plain 0 raw count, never -0", () => {
  assert.ok(Object.is(toRaw(-0.2, { scale: 2, offset: 0 }, "INT16"), 0));
  assert.ok(Object.is(toRaw(0, { scale: -1, offset: 0 }, "INT32"), 0));
});
