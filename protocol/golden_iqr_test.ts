/**
 * iQ-R subcommands 0002 (words) and 0003 (bits) with the extended device
 * specification, and random write 1402, byte for byte in both directions.
 *
 * Layouts: SLMP reference manual (SH-080956ENG) "Device specification" for
 * subcommands 0002/0003 (binary: device number in 4 bytes, low byte first,
 * then the device code in 2 bytes; ASCII: the device code in 4 characters
 * padded with `*`, then the device number in 8 digits), and "Random write"
 * (1402): word points, double-word points, then device + value for each; the
 * set/reset value of a bit is 1 byte with subcommand 0001 and 2 bytes with
 * 0003. The batch read is the manual's D100..D102 example (0x1995, 0x1202,
 * 0x1130) with the iQ-R device specification.
 */
import assert from "node:assert/strict";
import {
  decodeResponse,
  encodeRequest,
  type RandomWriteBitsRequest,
  type RandomWriteWordsRequest,
  type ReadWordsRequest,
} from "./commands.ts";
import { DEFAULT_ROUTE } from "./frame.ts";
import { decodeRequest, encodeResponse } from "./server_codec.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) =>
  Uint8Array.from(s.replace(/ /g, "").match(/../g)!.map((b) => parseInt(b, 16)));
const req: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};

const BIN_REQ = "5000 00 FF FF03 00 0E00 1000 0104 0200 64000000 A800 0300";
const ASCII_REQ = "500000FF03FF00" + "001C" + "0010" + "0401" + "0002" + "D***" + "00000100" +
  "0003";

Deno.test("SLMP iQ-R batch read 0401/0002: D100 ×3 encodes with the 4-byte number and 2-byte code", () => {
  assert.deepEqual(encodeRequest(req, { frame: "binary", extended: true }), hex(BIN_REQ));
  assert.deepEqual(encodeRequest(req, { frame: "ascii", extended: true }), ascii(ASCII_REQ));
});

Deno.test("SLMP iQ-R batch read 0401/0002: the PLC side decodes both codes to the same request", () => {
  for (const wire of [hex(BIN_REQ), ascii(ASCII_REQ)]) {
    const d = decodeRequest(wire);
    assert.ok(d.ok);
    assert.equal(d.command, 0x0401);
    assert.equal(d.subcommand, 0x0002);
    assert.deepEqual(d.request, req);
  }
});

Deno.test("SLMP iQ-R: long timer LTN10 in a random read 0403/0002 as a double word", () => {
  const r = {
    command: "randomRead" as const,
    words: [],
    dwords: [{ device: "LTN" as const, address: 10 }],
  };
  const bin = encodeRequest(r, { frame: "binary", extended: true });
  // data after the subcommand 0002: 00 words, 01 dword; LTN10 = 0A000000 5200
  assert.deepEqual(bin.subarray(15), hex("00 01 0A000000 5200"));
  const asc = encodeRequest(r, { frame: "ascii", extended: true });
  assert.equal(new TextDecoder().decode(asc.subarray(26)), "00020001LTN*00000010");
  const res = encodeResponse("binary", DEFAULT_ROUTE, {
    command: "randomRead",
    words: new Uint16Array(0),
    dwords: [0x12345678],
  });
  assert.deepEqual(decodeResponse(res, r, { frame: "binary", extended: true }).dwords, [
    0x12345678,
  ]);
  for (const wire of [bin, asc]) {
    assert.deepEqual((decodeRequest(wire) as { request: unknown }).request, r);
  }
});

Deno.test("SLMP iQ-R bit read 0401/0003 of LSTS and the four-character codes of every iQ-R device", () => {
  const bits = {
    command: "readBits" as const,
    head: { device: "LSTS" as const, address: 7 },
    points: 2,
  };
  assert.deepEqual(
    encodeRequest(bits, { frame: "binary", extended: true }).subarray(11),
    hex("0104 0300 07000000 5900 0200"),
  );
  assert.equal(
    new TextDecoder().decode(encodeRequest(bits, { frame: "ascii", extended: true }).subarray(22)),
    "04010003LSTS000000070002",
  );
});

Deno.test("iQ-R devices and long devices are refused by name where they do not belong", () => {
  const ltn = {
    command: "readWords" as const,
    head: { device: "LTN" as const, address: 0 },
    points: 2,
  };
  assert.throws(() => encodeRequest(ltn, { frame: "binary" }), /iQ-R device.*series to iQ-R/);
  assert.throws(() => encodeRequest(ltn, { frame: "binary", extended: true }), /double words/);
});

const RW_WORDS: RandomWriteWordsRequest = {
  command: "randomWriteWords",
  words: [{ device: "D", address: 0, value: 0x0550 }, { device: "M", address: 100, value: 0x0553 }],
  dwords: [{ device: "D", address: 1500, value: 0x4c2e2b3a }],
};
const RW_BITS: RandomWriteBitsRequest = {
  command: "randomWriteBits",
  bits: [{ device: "M", address: 50, value: false }, { device: "Y", address: 0x2f, value: true }],
};

Deno.test("MC protocol random write 1402/0000 (words, double words) in binary and ASCII", () => {
  assert.deepEqual(
    encodeRequest(RW_WORDS, { frame: "binary" }),
    hex(
      "5000 00 FF FF03 00 1C00 1000 0214 0000 02 01" +
        "000000 A8 5005" + "640000 90 5305" + "DC0500 A8 3A2B2E4C",
    ),
  );
  assert.deepEqual(
    encodeRequest(RW_WORDS, { frame: "ascii" }),
    ascii(
      "500000FF03FF00" + "0038" + "0010" + "1402" + "0000" + "02" + "01" +
        "D*000000" + "0550" + "M*000100" + "0553" + "D*001500" + "4C2E2B3A",
    ),
  );
});

Deno.test("MC protocol random write 1402/0001 (bits): set/reset 1 byte; SLMP 1402/0003: 2 bytes", () => {
  assert.deepEqual(
    encodeRequest(RW_BITS, { frame: "binary" }).subarray(15),
    hex("02 320000 90 00 2F0000 9D 01"),
  );
  assert.deepEqual(
    encodeRequest(RW_BITS, { frame: "binary", extended: true }).subarray(11),
    hex("0214 0300 02 32000000 9000 0000 2F000000 9D00 0100"),
  );
  assert.equal(
    new TextDecoder().decode(encodeRequest(RW_BITS, { frame: "ascii" }).subarray(30)),
    "02M*00005000Y*00002F01",
  );
});

Deno.test("the PLC side decodes random writes of every subcommand back to the request", () => {
  for (const r of [RW_WORDS, RW_BITS]) {
    for (const frame of ["binary", "ascii"] as const) {
      for (const extended of [false, true]) {
        const d = decodeRequest(encodeRequest(r, { frame, extended }));
        assert.ok(d.ok, JSON.stringify(d));
        assert.deepEqual(d.request, r);
      }
    }
  }
});

Deno.test("random write limits: 188 bits, words × 12 + double words × 14 ≤ 1920, values in range", () => {
  const bit = { device: "M" as const, address: 0, value: true };
  assert.throws(
    () =>
      encodeRequest({ command: "randomWriteBits", bits: Array(189).fill(bit) }, {
        frame: "binary",
      }),
    /188 points/,
  );
  const w = { device: "D" as const, address: 0, value: 1 };
  assert.throws(
    () =>
      encodeRequest(
        { command: "randomWriteWords", words: Array(161).fill(w), dwords: [] },
        { frame: "binary" },
      ),
    /1920/,
  );
  assert.throws(
    () =>
      encodeRequest(
        { command: "randomWriteWords", words: [{ ...w, value: 0x10000 }], dwords: [] },
        { frame: "binary" },
      ),
    /not 0 to 65535/,
  );
  assert.throws(
    () =>
      encodeRequest({
        command: "randomWriteBits",
        bits: [{ device: "D", address: 0, value: true }],
      }, { frame: "binary" }),
    /bit device/,
  );
});

Deno.test("SLMP manual Appendix 5: the iQ-R subcommands halve the random limits (96 points, 960 units, 94 bits)", () => {
  const d = { device: "LCN" as const, address: 0 };
  const read = (n: number) => ({
    command: "randomRead" as const,
    words: [],
    dwords: Array(n).fill(d),
  });
  const binary = { frame: "binary" as const, extended: true };
  assert.ok(decodeRequest(encodeRequest(read(96), binary)).ok);
  assert.throws(() => encodeRequest(read(97), binary), /96 points per random read/);
  const w = { device: "D" as const, address: 0, value: 1 };
  assert.throws(
    () =>
      encodeRequest({ command: "randomWriteWords", words: Array(81).fill(w), dwords: [] }, binary),
    /≤ 960/,
  );
  const dw = { device: "LZ" as const, address: 0, value: 1 };
  const dwords = (n: number) => ({
    command: "randomWriteWords" as const,
    words: [],
    dwords: Array(n).fill(dw),
  });
  assert.ok(decodeRequest(encodeRequest(dwords(68), binary)).ok);
  assert.throws(() => encodeRequest(dwords(69), binary), /≤ 960/);
  const bit = { device: "M" as const, address: 0, value: true };
  assert.throws(
    () => encodeRequest({ command: "randomWriteBits", bits: Array(95).fill(bit) }, binary),
    /94 points/,
  );
  // The PLC side refuses 97 double words in 0403/0002 (binary: byte 16 counts them, 6 bytes each).
  const ok = encodeRequest(read(96), binary);
  const tooMany = new Uint8Array(ok.length + 6);
  tooMany.set(ok);
  tooMany.set(ok.subarray(ok.length - 6), ok.length);
  tooMany[16] = 97;
  new DataView(tooMany.buffer).setUint16(7, ok[7] + (ok[8] << 8) + 6, true);
  const d97 = decodeRequest(tooMany);
  assert.equal(d97.ok, false);
  assert.match(JSON.stringify(d97), /97 random points \(1 to 96\)/);
});
