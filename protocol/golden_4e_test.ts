/**
 * 4E golden vectors, byte for byte in both directions. The SLMP reference
 * manual (SH-080956ENG, "Message format" → "Subheader") shows the request
 * subheader with serial No. 1234H: binary `54 00 34 12 00 00` (serial low
 * byte first), ASCII `5400 1234 0000` (high byte first), and the response
 * subheader D400 with the same serial; everything after is the 3E message.
 * The vectors below are the manual's batch read of D100..D102 (0x1995,
 * 0x1202, 0x1130) carried in that 4E header.
 */
import assert from "node:assert/strict";
import { decodeResponse, encodeRequest, type ReadWordsRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import { DEFAULT_ROUTE, type FrameOptions } from "./frame.ts";
import { from4E, serialOf, to4E } from "./frame4e.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { FrameSplitter } from "./stream.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) =>
  Uint8Array.from(s.replace(/ /g, "").match(/../g)!.map((b) => parseInt(b, 16)));
const req: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};
const data = Uint16Array.of(0x1995, 0x1202, 0x1130);

const BIN_REQ_4E = "5400 3412 0000 00 FF FF03 00 0C00 1000 0104 0000 640000 A8 0300";
const BIN_RES_4E = "D400 3412 0000 00 FF FF03 00 0800 0000 9519 0212 3011";
const ASCII_REQ_4E = "5400" + "1234" + "0000" + "00FF03FF00" + "0018" + "0010" + "04010000" +
  "D*000100" + "0003";
const ASCII_RES_4E = "D400" + "1234" + "0000" + "00FF03FF00" + "0010" + "0000" + "199512021130";
const ASCII_ERR_4E = "D400" + "1234" + "0000" + "00FF03FF00" + "0016" + "C051" + "00FF03FF00" +
  "04010000";

const BIN: FrameOptions = { frame: "binary", type: "4E", serial: 0x1234 };
const ASC: FrameOptions = { frame: "ascii", type: "4E", serial: 0x1234 };

Deno.test("SLMP 4E (serial 1234H): binary batch read request encodes byte for byte", () => {
  assert.deepEqual(encodeRequest(req, BIN), hex(BIN_REQ_4E));
});

Deno.test("SLMP 4E (serial 1234H): ASCII batch read request encodes byte for byte", () => {
  assert.deepEqual(encodeRequest(req, ASC), ascii(ASCII_REQ_4E));
});

Deno.test("SLMP 4E (serial 1234H): responses decode to D100..D102 in both codes", () => {
  assert.deepEqual(decodeResponse(hex(BIN_RES_4E), req, BIN).words, data);
  assert.deepEqual(decodeResponse(ascii(ASCII_RES_4E), req, ASC).words, data);
});

Deno.test("SLMP 4E: the PLC side decodes the requests and answers with the same serial", () => {
  for (
    const [frame, wire, res] of [
      ["binary", hex(BIN_REQ_4E), hex(BIN_RES_4E)],
      ["ascii", ascii(ASCII_REQ_4E), ascii(ASCII_RES_4E)],
    ] as const
  ) {
    const d = decodeRequest(wire);
    assert.ok(d.ok);
    assert.equal(d.frame, frame);
    assert.equal(d.type, "4E");
    assert.equal(d.serial, 0x1234);
    assert.deepEqual(d.request, req);
    assert.deepEqual(
      encodeResponse(frame, d.route, { command: "readWords", words: data }, d.type, d.serial),
      res,
    );
  }
});

Deno.test("SLMP 4E: the C051 error response carries the serial and decodes to the end code", () => {
  const wire = encodeErrorResponse("ascii", DEFAULT_ROUTE, 0xc051, 0x0401, 0, "4E", 0x1234);
  assert.deepEqual(wire, ascii(ASCII_ERR_4E));
  assert.throws(
    () => decodeResponse(wire, req, ASC),
    (e) => e instanceof PlcError && e.code === "endCode" && e.endCode === 0xc051,
  );
});

Deno.test("a 4E response with another serial number is a protocol error at the serial's byte", () => {
  assert.throws(
    () => decodeResponse(hex(BIN_RES_4E), req, { ...BIN, serial: 0x1235 }),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 2,
  );
  assert.throws(
    () => decodeResponse(ascii(ASCII_RES_4E), req, { ...ASC, serial: 7 }),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 4,
  );
});

Deno.test("errors inside a 4E frame name the offset in the 4E frame, not its 3E equivalent", () => {
  const bad = hex(BIN_RES_4E);
  bad[11] = 0x09; // data length low byte (3E offset 7 + 4)
  assert.throws(
    () => decodeResponse(bad, req, BIN),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 11,
  );
  const badFixed = hex(BIN_RES_4E);
  badFixed[5] = 1;
  assert.throws(
    () => decodeResponse(badFixed, req, BIN),
    (e) => e instanceof PlcError && e.code === "protocol" && e.offset === 5,
  );
});

Deno.test("a 3E client refuses a 4E answer and a 4E client a 3E answer", () => {
  assert.throws(() => decodeResponse(hex(BIN_RES_4E), req, { frame: "binary" }), PlcError);
  assert.throws(
    () => decodeResponse(hex("D00000FFFF030008000000951902123011"), req, BIN),
    PlcError,
  );
});

Deno.test("the stream splitter cuts 3E and 4E frames of both codes out of one stream", () => {
  const s3 = hex("D00000FFFF030008000000951902123011");
  const s4 = hex(BIN_RES_4E);
  const stream = Uint8Array.from([...s4, ...s3, ...s4]);
  const splitter = new FrameSplitter("response", "binary");
  const frames: Uint8Array[] = [];
  for (const b of stream) frames.push(...splitter.push(Uint8Array.of(b)).map((f) => f.slice()));
  assert.deepEqual(frames, [s4, s3, s4]);
  const a4 = ascii(ASCII_REQ_4E);
  const a3 = ascii("500000FF03FF000018001004010000D*0001000003");
  assert.deepEqual(
    new FrameSplitter("request").push(Uint8Array.from([...a3, ...a4, ...hex(BIN_REQ_4E)])),
    [a3, a4, hex(BIN_REQ_4E)],
  );
});

Deno.test("to4E and from4E are inverse and serialOf reads the serial without decoding", () => {
  for (const serial of [0, 1, 0x1234, 0xffff]) {
    for (const code of ["binary", "ascii"] as const) {
      const three = encodeRequest(req, { frame: code });
      const four = to4E(three, code, serial);
      assert.equal(serialOf(four, code), serial);
      const back = from4E(four, code, "request");
      assert.equal(back.serial, serial);
      assert.deepEqual(back.frame3e, three);
    }
  }
  assert.throws(() => to4E(new Uint8Array(9), "binary", 0x10000), RangeError);
});
