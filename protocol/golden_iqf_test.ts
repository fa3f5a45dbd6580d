/**
 * iQ-F (FX5) over SLMP 3E/4E, byte for byte in both directions.
 *
 * Sources: MELSEC iQ-F FX5 User's Manual (SLMP), JY997D56001 rev. K:
 * - head device number (p. 37 of the manualslib copy): binary sends the
 *   device number in 3 bytes, low byte first; ASCII sends 6 characters;
 * - §4.1 p. 12: the GX Works3 own-node setting "ASCII code (X, Y OCT)" writes
 *   X/Y numbers as octal digits, "ASCII code (X, Y HEX)" as hexadecimal;
 * - p. 75: batch write 1401 in ASCII, `"1401" "0000" "D*" "000100" "0003"`;
 * - batch read "Number of devices" (p. 47): ASCII 1–480 words / 1–1,792 bits,
 *   binary 1–960 words / 1–3,584 bits.
 * iQ-F numbers X/Y in octal (GX Works3 shows X0–X7, X10…), so `Y45` is point
 * 37: binary `25 00 00 9D`, as measured on an FX5U by the open-source SLMP
 * library fa-yoshinobu/plc-comm-slmp-python (a public cross-check).
 */
import assert from "node:assert/strict";
import {
  batchLimits,
  decodeResponse,
  encodeRequest,
  type ReadBitsRequest,
  type WriteWordsRequest,
} from "./commands.ts";
import { parseAddress } from "./devices.ts";
import type { FrameOptions } from "./frame.ts";
import {
  decodeRequest,
  encodeResponse,
  END_BAD_DEVICE,
  END_POINTS_OUT_OF_RANGE,
} from "./server_codec.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) =>
  Uint8Array.from(s.replace(/ /g, "").match(/../g)!.map((b) => parseInt(b, 16)));

const IQF = { series: "iQ-F" } as const;
const Y45: ReadBitsRequest = {
  command: "readBits",
  head: parseAddress("Y45", "iQ-F"),
  points: 1,
};

// 0401/0001, Y45, 1 point. Binary: number 25 00 00 (point 37), code 9D.
const BIN_Y45 = "5000 00 FF FF03 00 0C00 1000 0104 0100 250000 9D 0100";
const ASCII_HEAD = "500000FF03FF00" + "0018" + "0010" + "0401" + "0001";
const ASCII_Y45_OCT = ASCII_HEAD + "Y*000045" + "0001";
const ASCII_Y45_HEX = ASCII_HEAD + "Y*000025" + "0001";

Deno.test("iQ-F: Y45 is octal, point 37; X18 is refused naming the digit 8", () => {
  assert.deepEqual(parseAddress("Y45", "iQ-F"), { device: "Y", address: 37 });
  assert.deepEqual(parseAddress("X17", "iQ-F"), { device: "X", address: 15 });
  assert.deepEqual(parseAddress("Y45"), { device: "Y", address: 0x45 }, "Q stays hexadecimal");
  assert.throws(() => parseAddress("X18", "iQ-F"), /octal on iQ-F.*"8" is not one/);
  assert.throws(() => parseAddress("X2000", "iQ-F"), /past the end of device X \(1777\)/);
  assert.deepEqual(parseAddress("D100", "iQ-F"), { device: "D", address: 100 });
});

Deno.test("iQ-F: DX/DY and the iQ-R devices are named as missing on iQ-F", () => {
  assert.throws(() => parseAddress("DX10", "iQ-F"), /iQ-F CPUs have no DX/);
  assert.throws(() => parseAddress("LTN0", "iQ-F"), /iQ-R device.*C059/);
  assert.throws(
    () =>
      encodeRequest({ command: "readWords", head: { device: "DY", address: 0 }, points: 1 }, {
        frame: "binary",
        ...IQF,
      }),
    /iQ-F CPUs have no DY/,
  );
});

Deno.test("FX5 SLMP manual p. 37 head device number: Y45 binary is 25 00 00 9D (the point index)", () => {
  assert.deepEqual(encodeRequest(Y45, { frame: "binary", ...IQF }), hex(BIN_Y45));
  // Binary does not depend on the ASCII notation setting.
  assert.deepEqual(
    encodeRequest(Y45, { frame: "binary", ...IQF, xyNotation: "hex" }),
    hex(BIN_Y45),
  );
  const d = decodeRequest(hex(BIN_Y45), IQF);
  assert.ok(d.ok);
  assert.deepEqual(d.request, Y45);
});

Deno.test("FX5 SLMP manual §4.1 ASCII code (X, Y OCT): Y45 goes as Y*000045, and back", () => {
  assert.deepEqual(encodeRequest(Y45, { frame: "ascii", ...IQF }), ascii(ASCII_Y45_OCT));
  assert.deepEqual(
    encodeRequest(Y45, { frame: "ascii", ...IQF, xyNotation: "octal" }),
    ascii(ASCII_Y45_OCT),
  );
  const d = decodeRequest(ascii(ASCII_Y45_OCT), { ...IQF, xyNotation: "octal" });
  assert.ok(d.ok);
  assert.deepEqual(d.request, Y45);
});

Deno.test("FX5 SLMP manual §4.1 ASCII code (X, Y HEX): Y45 goes as Y*000025, and back", () => {
  assert.deepEqual(
    encodeRequest(Y45, { frame: "ascii", ...IQF, xyNotation: "hex" }),
    ascii(ASCII_Y45_HEX),
  );
  const d = decodeRequest(ascii(ASCII_Y45_HEX), { ...IQF, xyNotation: "hex" });
  assert.ok(d.ok);
  assert.deepEqual(d.request, Y45);
  // The same bytes read by an OCT-set CPU name another point (octal 25 = 21).
  const oct = decodeRequest(ascii(ASCII_Y45_HEX), IQF);
  assert.ok(oct.ok);
  assert.deepEqual(oct.request, { ...Y45, head: { device: "Y", address: 21 } });
});

Deno.test("iQ-F ASCII OCT: an 8 or 9 in an X/Y number is refused with C050, not misread", () => {
  const d = decodeRequest(ascii(ASCII_HEAD + "Y*000048" + "0001"), IQF);
  assert.ok(!d.ok);
  assert.equal(d.endCode, 0xc050);
});

Deno.test("FX5 SLMP manual p. 75 batch write 1401 in ASCII: D100, 3 points", () => {
  // The command part is the manual's example; the data words are the MC protocol
  // manual's D100..D102 example values (0x1995, 0x1202, 0x1130).
  const req: WriteWordsRequest = {
    command: "writeWords",
    head: { device: "D", address: 100 },
    words: [0x1995, 0x1202, 0x1130],
  };
  const wire = "500000FF03FF00" + "0024" + "0010" + "1401" + "0000" + "D*" + "000100" + "0003" +
    "1995" + "1202" + "1130";
  for (const xyNotation of ["octal", "hex"] as const) {
    assert.deepEqual(encodeRequest(req, { frame: "ascii", ...IQF, xyNotation }), ascii(wire));
  }
  assert.ok(new TextDecoder().decode(ascii(wire)).includes("14010000D*0001000003"));
  const d = decodeRequest(ascii(wire), IQF);
  assert.ok(d.ok);
  assert.equal(d.request.command, "writeWords");
  assert.deepEqual(
    Array.from((d.request as WriteWordsRequest).words),
    [0x1995, 0x1202, 0x1130],
  );
  const res = encodeResponse("ascii", d.route, { command: "writeWords" });
  assert.deepEqual(decodeResponse(res, req, { frame: "ascii", ...IQF }), { command: "writeWords" });
});

Deno.test("iQ-F over 4E: the octal X/Y number sits inside the 4E frame the same way", () => {
  const options: FrameOptions = { frame: "ascii", type: "4E", serial: 0x1234, ...IQF };
  const wire = new TextDecoder().decode(encodeRequest(Y45, options));
  assert.ok(wire.startsWith("5400" + "1234" + "0000"), wire);
  assert.ok(wire.endsWith("Y*000045" + "0001"), wire);
  const d = decodeRequest(new TextEncoder().encode(wire), IQF);
  assert.ok(d.ok);
  assert.equal(d.type, "4E");
  assert.deepEqual(d.request, Y45);
});

Deno.test("FX5 SLMP manual batch limits: 480 words / 1,792 bits in ASCII, 960 / 3,584 in binary", () => {
  assert.deepEqual(batchLimits("ascii", "iQ-F"), { words: 480, bits: 1792 });
  assert.deepEqual(batchLimits("binary", "iQ-F"), { words: 960, bits: 3584 });
  assert.deepEqual(batchLimits("binary", "Q"), { words: 960, bits: 7168 });
  const words = (points: number) => ({
    command: "readWords" as const,
    head: { device: "D" as const, address: 0 },
    points,
  });
  encodeRequest(words(480), { frame: "ascii", ...IQF });
  assert.throws(() => encodeRequest(words(481), { frame: "ascii", ...IQF }), /480 words/);
  encodeRequest(words(481), { frame: "ascii" }); // Q: 960
  // The PLC side refuses past the iQ-F limit with C051.
  const wire = encodeRequest(words(481), { frame: "ascii" });
  const d = decodeRequest(wire, IQF);
  assert.ok(!d.ok);
  assert.equal(d.endCode, END_POINTS_OUT_OF_RANGE);
});

Deno.test("iQ-F PLC side: DX in a request is an unknown device code (C05B)", () => {
  const wire = encodeRequest(
    { command: "readBits", head: { device: "DX", address: 0 }, points: 1 },
    { frame: "binary" },
  );
  const d = decodeRequest(wire, IQF);
  assert.ok(!d.ok);
  assert.equal(d.endCode, END_BAD_DEVICE);
  assert.ok(decodeRequest(wire).ok, "a Q CPU has DX");
});
