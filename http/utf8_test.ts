import assert from "node:assert/strict";
import fc from "fast-check";
import { describeInvalidUtf8, findInvalidUtf8 } from "./utf8.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("findInvalidUtf8 names the first byte that breaks UTF-8", () => {
  assert.equal(findInvalidUtf8(new TextEncoder().encode('{"a":"가é😀"}')), undefined);
  assert.deepEqual(findInvalidUtf8(bytes(0x7b, 0xff, 0x7d)), { offset: 1, byte: 0xff });
  // Overlong "/" (C0 AF), a surrogate (ED A0 80), above U+10FFFF (F4 90 80 80).
  assert.deepEqual(findInvalidUtf8(bytes(0x41, 0xc0, 0xaf)), { offset: 1, byte: 0xc0 });
  assert.deepEqual(findInvalidUtf8(bytes(0xed, 0xa0, 0x80)), { offset: 1, byte: 0xa0 });
  assert.deepEqual(findInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80)), { offset: 1, byte: 0x90 });
  // A lone continuation byte, a sequence cut short by ASCII, one cut off by the end.
  assert.deepEqual(findInvalidUtf8(bytes(0x41, 0x80)), { offset: 1, byte: 0x80 });
  assert.deepEqual(findInvalidUtf8(bytes(0xe2, 0x82, 0x41)), { offset: 2, byte: 0x41 });
  assert.deepEqual(findInvalidUtf8(bytes(0x41, 0xe2, 0x82)), { offset: 3, byte: -1 });
  assert.match(describeInvalidUtf8({ offset: 1, byte: 0xff }), /byte 0xff at byte offset 1/);
  assert.match(describeInvalidUtf8({ offset: 3, byte: -1 }), /ends inside a character/);
});

Deno.test("findInvalidUtf8 agrees with a fatal TextDecoder on any bytes", () => {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      let ok = true;
      try {
        decoder.decode(b);
      } catch {
        ok = false;
      }
      const bad = findInvalidUtf8(b);
      assert.equal(bad === undefined, ok);
      // Everything before the offset is a valid start of UTF-8 text.
      if (bad) {
        new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, bad.offset), {
          stream: true,
        });
      }
    }),
    { numRuns: 2000 },
  );
});
