/**
 * The manual's byte-level examples, byte for byte in both directions:
 * reading D100..D102 (0x1995, 0x1202, 0x1130) and the C051 error response.
 */
import assert from "node:assert/strict";
import { decodeResponse, encodeRequest, type ReadWordsRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import { decodeRequest, encodeErrorResponse, encodeResponse } from "./server_codec.ts";
import { DEFAULT_ROUTE } from "./frame.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const req: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};
const data = Uint16Array.of(0x1995, 0x1202, 0x1130);

const ASCII_REQ = "500000FF03FF000018001004010000D*0001000003";
const ASCII_RES = "D00000FF03FF0000100000199512021130";
const BIN_REQ = "500000FFFF03000C00100001040000640000A80300";
const BIN_RES = "D00000FFFF030008000000951902123011";
const ASCII_ERR = "D00000FF03FF000016C05100FF03FF0004010000";

Deno.test("ASCII batch read request encodes as the manual's example", () => {
  assert.deepEqual(encodeRequest(req, { frame: "ascii" }), ascii(ASCII_REQ));
});

Deno.test("ASCII batch read response decodes to D100..D102", () => {
  const res = decodeResponse(ascii(ASCII_RES), req, { frame: "ascii" });
  assert.deepEqual(res.words, data);
});

Deno.test("binary batch read request encodes as the manual's example", () => {
  assert.deepEqual(encodeRequest(req, { frame: "binary" }), hex(BIN_REQ));
});

Deno.test("binary batch read response decodes to D100..D102", () => {
  const res = decodeResponse(hex(BIN_RES), req, { frame: "binary" });
  assert.deepEqual(res.words, data);
});

Deno.test("the PLC side decodes the manual's requests and encodes its responses", () => {
  for (
    const [frame, wire, res] of [
      ["ascii", ascii(ASCII_REQ), ascii(ASCII_RES)],
      ["binary", hex(BIN_REQ), hex(BIN_RES)],
    ] as const
  ) {
    const decoded = decodeRequest(wire);
    assert.ok(decoded.ok);
    assert.equal(decoded.frame, frame);
    assert.deepEqual(decoded.request, req);
    assert.deepEqual(decoded.route, DEFAULT_ROUTE);
    assert.equal(decoded.monitoringTimer, 0x10);
    assert.deepEqual(
      encodeResponse(frame, decoded.route, { command: "readWords", words: data }),
      res,
    );
  }
});

Deno.test("ASCII error response C051 becomes PlcError endCode with the manual's meaning", () => {
  assert.deepEqual(
    encodeErrorResponse("ascii", DEFAULT_ROUTE, 0xc051, 0x0401, 0x0000),
    ascii(ASCII_ERR),
  );
  assert.throws(
    () => decodeResponse(ascii(ASCII_ERR), req, { frame: "ascii" }),
    (e) =>
      e instanceof PlcError && e.code === "endCode" && e.endCode === 0xc051 &&
      /^C051: the number of read or write points is outside the allowable range$/.test(e.message),
  );
});

Deno.test("CPU model read: the manual's Q02UCPU example (model code 0263), ASCII and binary", () => {
  const asciiRes = "D00000FF03FF0000180000Q02UCPU         0263";
  assert.equal(
    new TextDecoder().decode(encodeRequest({ command: "cpuModel" }, { frame: "ascii" })),
    "500000FF03FF00000C001001010000",
  );
  const expected = { command: "cpuModel", model: "Q02UCPU", modelCode: 0x0263 };
  assert.deepEqual(
    decodeResponse(ascii(asciiRes), { command: "cpuModel" }, { frame: "ascii" }),
    expected,
  );
  const binRes = Uint8Array.from([
    ...hex("D00000FFFF030014000000"),
    ...new TextEncoder().encode("Q02UCPU         "),
    0x63,
    0x02,
  ]);
  assert.deepEqual(
    encodeRequest({ command: "cpuModel" }, { frame: "binary" }),
    hex("500000FFFF03000600100001010000"),
  );
  assert.deepEqual(decodeResponse(binRes, { command: "cpuModel" }, { frame: "binary" }), expected);
  assert.deepEqual(encodeResponse("binary", DEFAULT_ROUTE, expected as never), binRes);
  assert.deepEqual(encodeResponse("ascii", DEFAULT_ROUTE, expected as never), ascii(asciiRes));
});
