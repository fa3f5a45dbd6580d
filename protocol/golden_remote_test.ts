/**
 * Remote operations, byte for byte (MC protocol reference manual SH-080008,
 * "Remote operation": RUN 1001 with mode 0001/0003 and clear mode, STOP 1002,
 * PAUSE 1003, latch clear 1005 and RESET 1006 with the fixed 0001; remote
 * password unlock 1630 / lock 1631 with the length and the ASCII password;
 * loopback test 0619 with the byte count and the data, echoed back).
 */
import assert from "node:assert/strict";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import { DEFAULT_ROUTE } from "./frame.ts";
import { decodeRequest, encodeResponse } from "./server_codec.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) =>
  [...b].map((x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();

const CASES: [McRequest, string, string][] = [
  [
    { command: "remoteRun", force: false, clear: 0 },
    "011000000100" + "0000",
    "10010000" + "0001" + "00" + "00",
  ],
  [
    { command: "remoteRun", force: true, clear: 2 },
    "011000000300" + "0200",
    "10010000" + "0003" + "02" + "00",
  ],
  [{ command: "remoteStop" }, "021000000100", "10020000" + "0001"],
  [{ command: "remotePause", force: false }, "031000000100", "10030000" + "0001"],
  [{ command: "latchClear" }, "051000000100", "10050000" + "0001"],
  [{ command: "remoteReset" }, "061000000100", "10060000" + "0001"],
  [
    { command: "unlock", password: "ABCD" },
    "30160000" + "0400" + "41424344",
    "16300000" + "0004" + "ABCD",
  ],
  [
    { command: "lock", password: "ABCD" },
    "31160000" + "0400" + "41424344",
    "16310000" + "0004" + "ABCD",
  ],
  [
    { command: "loopback", data: "ABCDE" },
    "19060000" + "0500" + "4142434445",
    "06190000" + "0005" + "ABCDE",
  ],
];

Deno.test("remote operations encode as the manual lays them out, in binary and ASCII", () => {
  for (const [req, bin, asc] of CASES) {
    // After the 3E header and timer: binary 11 bytes, ASCII 22 characters.
    assert.equal(hex(encodeRequest(req, { frame: "binary" }).subarray(11)), bin, req.command);
    assert.equal(text(encodeRequest(req, { frame: "ascii" }).subarray(22)), asc, req.command);
  }
});

Deno.test("the PLC side decodes every remote operation back to the request", () => {
  for (const [req] of CASES) {
    for (const frame of ["binary", "ascii"] as const) {
      const d = decodeRequest(encodeRequest(req, { frame }));
      assert.ok(d.ok, `${req.command} ${frame}`);
      const want = req.command === "remotePause" ? { ...req, force: false } : req;
      assert.deepEqual(d.request, want);
    }
  }
});

Deno.test("the loopback answer must echo the data; RUN's clear mode and the password are checked", () => {
  const req = { command: "loopback" as const, data: "0A1B" };
  const ok = encodeResponse("ascii", DEFAULT_ROUTE, { command: "loopback", data: "0A1B" });
  assert.equal(text(ok), "D00000FF03FF00000C0000" + "0004" + "0A1B");
  assert.deepEqual(decodeResponse(ok, req, { frame: "ascii" }), {
    command: "loopback",
    data: "0A1B",
  });
  const changed = encodeResponse("binary", DEFAULT_ROUTE, { command: "loopback", data: "0A1C" });
  assert.throws(() => decodeResponse(changed, req, { frame: "binary" }), PlcError);
  assert.throws(
    () => encodeRequest({ command: "loopback", data: "xyz" }, { frame: "binary" }),
    /0-9 and A-F/,
  );
  assert.throws(
    () => encodeRequest({ command: "unlock", password: "abc" }, { frame: "binary" }),
    /4 to 32/,
  );
  assert.throws(
    () => encodeRequest({ command: "remoteRun", clear: 3 as 0 }, { frame: "binary" }),
    /clear mode/,
  );
});
