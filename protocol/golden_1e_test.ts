/**
 * 1E frames (FX3U-ENET user's manual JY997D18101, "A-compatible 1E frame";
 * MC protocol reference manual SH-080008, 1E chapter), byte for byte in both
 * directions: the batch read of D100..D102 (0x1995, 0x1202, 0x1130) that the
 * 3E golden vectors use, bit reads and writes with the dummy point, X/Y in
 * octal, and the 5B abnormal completion.
 */
import assert from "node:assert/strict";
import { PlcError } from "./errors.ts";
import {
  decodeRequest1E,
  decodeResponse1E,
  encodeErrorResponse1E,
  encodeRequest1E,
  encodeResponse1E,
  modelName1E,
  parseAddress1E,
  type Request1E,
  requestSize1E,
  responseSize1E,
} from "./frame1e.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) =>
  Uint8Array.from(s.replace(/ /g, "").match(/../g)!.map((b) => parseInt(b, 16)));
const readD: Request1E = { command: "readWords", head: { device: "D", address: 100 }, points: 3 };
const data = Uint16Array.of(0x1995, 0x1202, 0x1130);

const BIN_REQ = "01 FF 1000 64000000 2044 03 00";
const BIN_RES = "81 00 9519 0212 3011";
const ASC_REQ = "01FF0010" + "4420" + "00000064" + "03" + "00";
const ASC_RES = "8100" + "199512021130";

Deno.test("1E batch read in word units (01): D100 ×3 in binary and ASCII, both directions", () => {
  assert.deepEqual(encodeRequest1E(readD, { frame: "binary" }), hex(BIN_REQ));
  assert.deepEqual(encodeRequest1E(readD, { frame: "ascii" }), ascii(ASC_REQ));
  assert.deepEqual(decodeResponse1E(hex(BIN_RES), readD, "binary"), {
    command: "readWords",
    words: data,
  });
  assert.deepEqual(decodeResponse1E(ascii(ASC_RES), readD, "ascii"), {
    command: "readWords",
    words: data,
  });
  for (const [wire, res] of [[hex(BIN_REQ), hex(BIN_RES)], [ascii(ASC_REQ), ascii(ASC_RES)]]) {
    const d = decodeRequest1E(wire);
    assert.ok(d.ok);
    assert.deepEqual(d.request, readD);
    assert.deepEqual(encodeResponse1E(d.frame, { command: "readWords", words: data }), res);
    assert.equal(requestSize1E(wire, d.frame), wire.length);
    assert.equal(responseSize1E(res, readD, d.frame), res.length);
  }
});

Deno.test("1E bit units (00, 02): an odd number of points carries a dummy 0 point", () => {
  const write: Request1E = {
    command: "writeBits",
    head: parseAddress1E("Y20"), // octal: Y16 decimal
    bits: [true, false, true],
  };
  assert.equal(write.head.address, 16);
  assert.deepEqual(
    encodeRequest1E(write, { frame: "binary" }),
    hex("02 FF 1000 10000000 2059 03 00 10 10"),
  );
  assert.deepEqual(
    encodeRequest1E(write, { frame: "ascii" }),
    ascii("02FF0010" + "5920" + "00000010" + "03" + "00" + "1010"),
  );
  const read: Request1E = { command: "readBits", head: parseAddress1E("X17"), points: 3 };
  assert.deepEqual(decodeResponse1E(hex("80 00 11 00"), read, "binary"), {
    command: "readBits",
    bits: [true, true, false],
  });
  assert.deepEqual(decodeResponse1E(ascii("8000" + "1100"), read, "ascii"), {
    command: "readBits",
    bits: [true, true, false],
  });
  assert.deepEqual(decodeRequest1E(encodeRequest1E(write, { frame: "ascii" })), {
    ok: true,
    frame: "ascii",
    subheader: 2,
    request: { ...write, bits: [true, false, true] },
  });
});

Deno.test("1E abnormal completion 5B with its code, and other completion codes, are PlcError endCode", () => {
  const err = encodeErrorResponse1E("binary", 0x01, 0x5b, 0x10);
  assert.deepEqual(err, hex("81 5B 10"));
  assert.throws(
    () => decodeResponse1E(err, readD, "binary"),
    (e) => e instanceof PlcError && e.code === "endCode" && e.endCode === 0x5b10,
  );
  assert.deepEqual(encodeErrorResponse1E("ascii", 0x01, 0x5b, 0x10), ascii("815B10"));
  assert.throws(
    () => decodeResponse1E(ascii("8150"), readD, "ascii"),
    (e) => e instanceof PlcError && e.endCode === 0x50,
  );
  assert.throws(
    () => decodeResponse1E(hex("83 00"), readD, "binary"),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 0,
  );
});

Deno.test("FX numbering: X and Y octal, the rest decimal; limits 256 points and 64 words", () => {
  assert.deepEqual(parseAddress1E("X377"), { device: "X", address: 255 });
  assert.throws(() => parseAddress1E("X8"), /octal/);
  assert.throws(() => parseAddress1E("X400"), /past the end/);
  assert.deepEqual(parseAddress1E("TN5"), { device: "TN", address: 5 });
  assert.throws(
    () =>
      encodeRequest1E({ command: "readWords", head: { device: "D", address: 0 }, points: 65 }, {
        frame: "binary",
      }),
    /1 to 64 words/,
  );
  assert.throws(
    () =>
      encodeRequest1E({ command: "readBits", head: { device: "D", address: 0 }, points: 1 }, {
        frame: "binary",
      }),
    /bit device/,
  );
  const all = { command: "readBits", head: { device: "M", address: 0 }, points: 256 } as const;
  const wire = encodeRequest1E(all, { frame: "binary" });
  assert.equal(wire[10], 0); // 256 points are sent as 00
  assert.deepEqual((decodeRequest1E(wire) as { request: unknown }).request, all);
});

Deno.test("1E limits per device kind (FX3U-ENET-ADP user's manual 7.4, list of commands): 160 bits written, 32 words of a bit device read, 10 written", () => {
  const enc = (req: Request1E) => encodeRequest1E(req, { frame: "binary" });
  const M = { device: "M", address: 0 } as const;
  enc({ command: "writeBits", head: M, bits: Array(160).fill(true) });
  assert.throws(
    () => enc({ command: "writeBits", head: M, bits: Array(161).fill(true) }),
    new RangeError("161 points break the 1E limit of 1 to 160 points"),
  );
  enc({ command: "readWords", head: M, points: 32 });
  assert.throws(
    () => enc({ command: "readWords", head: M, points: 33 }),
    new RangeError("33 points break the 1E limit of 1 to 32 words of bit device M"),
  );
  enc({ command: "writeWords", head: M, words: Array(10).fill(0) });
  assert.throws(
    () => enc({ command: "writeWords", head: M, words: Array(11).fill(0) }),
    new RangeError("11 points break the 1E limit of 1 to 10 words of bit device M"),
  );
  // The PLC side answers an over-long request with 5B and abnormal code 11 (points out of range).
  const over = hex("01 FF 1000 00000000 204D 21 00"); // 33 words of M from M0
  assert.deepEqual(decodeRequest1E(over), {
    ok: false,
    frame: "binary",
    subheader: 1,
    completion: 0x5b,
    abnormal: 0x11,
  });
  const fine = hex("01 FF 1000 00000000 204D 20 00"); // 32 words
  assert.equal(decodeRequest1E(fine).ok, true);
});

Deno.test("1E PLC model name read (15H), FX3U-ENET-ADP user's manual 7.6.3: 15 FF 0A 00 → 95 00 F3 00 (FX3U/FX3UC), binary and ASCII, both directions", () => {
  const req: Request1E = { command: "readModel" };
  const opts = { monitoringTimer: 0x0a } as const;
  assert.deepEqual(encodeRequest1E(req, { frame: "binary", ...opts }), hex("15 FF 0A 00"));
  assert.deepEqual(encodeRequest1E(req, { frame: "ascii", ...opts }), ascii("15FF000A"));
  const res = { command: "readModel", modelCode: 0xf3 } as const;
  assert.deepEqual(decodeResponse1E(hex("95 00 F3 00"), req, "binary"), res);
  assert.deepEqual(decodeResponse1E(ascii("9500F300"), req, "ascii"), res);
  assert.equal(modelName1E(0xf3), "FX3U/FX3UC");
  assert.equal(modelName1E(0x8b), "model code 8BH");
  for (
    const [wire, answer] of [[hex("15 FF 0A 00"), hex("95 00 F3 00")], [
      ascii("15FF000A"),
      ascii("9500F300"),
    ]]
  ) {
    const d = decodeRequest1E(wire);
    assert.ok(d.ok);
    assert.deepEqual(d.request, req);
    assert.equal(requestSize1E(wire, d.frame), wire.length);
    assert.equal(responseSize1E(answer, req, d.frame), answer.length);
    assert.deepEqual(encodeResponse1E(d.frame, res), answer);
  }
  assert.throws(
    () => decodeResponse1E(hex("95 5B 10"), req, "binary"),
    (e) => e instanceof PlcError && e.code === "endCode" && e.endCode === 0x5b10,
  );
});
