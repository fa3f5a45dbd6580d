import assert from "node:assert/strict";
import {
  decodeResponse,
  encodeRequest,
  type McRequest,
  type ReadBitsRequest,
  type ReadWordsRequest,
} from "./commands.ts";
import { PlcError } from "./errors.ts";
import { DEFAULT_ROUTE } from "./frame.ts";
import { encodeErrorResponse, encodeResponse } from "./server_codec.ts";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const D100: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};

function isProtocolAt(offset: number) {
  return (e: unknown) => e instanceof PlcError && e.code === "protocol" && e.offset === offset;
}

Deno.test("limits are RangeErrors that name the limit, before anything is encoded", () => {
  const cases: [McRequest, "ascii" | "binary", RegExp][] = [
    [{ ...D100, points: 961 }, "binary", /960 words per word-unit batch/],
    [
      { command: "readBits", head: { device: "M", address: 0 }, points: 3585 },
      "ascii",
      /3584 points per bit-unit batch in ascii/,
    ],
    [
      { command: "readBits", head: { device: "M", address: 0 }, points: 7169 },
      "binary",
      /7168 points per bit-unit batch in binary/,
    ],
    [
      {
        command: "randomRead",
        words: Array(100).fill(D100.head),
        dwords: Array(93).fill(D100.head),
      },
      "binary",
      /192 points per random read/,
    ],
    [{ command: "writeWords", head: D100.head, words: [] }, "binary", /960 words/],
    [
      { command: "readBits", head: D100.head, points: 1 },
      "binary",
      /needs a bit device; D is a word device/,
    ],
    [{ command: "writeWords", head: D100.head, words: [70000] }, "binary", /not a 16-bit value/],
    [
      { ...D100, head: { device: "ZR", address: 1_000_000 } },
      "ascii",
      /does not fit a ascii frame/,
    ],
  ];
  for (const [req, frame, message] of cases) {
    assert.throws(
      () => encodeRequest(req, { frame }),
      (e) => e instanceof RangeError && message.test(e.message),
    );
  }
  // The largest allowed requests encode.
  encodeRequest({ ...D100, points: 960 }, { frame: "binary" });
  encodeRequest({ command: "readBits", head: { device: "M", address: 0 }, points: 7168 }, {
    frame: "binary",
  });
  encodeRequest({ command: "readBits", head: { device: "M", address: 0 }, points: 3584 }, {
    frame: "ascii",
  });
});

Deno.test("hex devices carry hexadecimal numbers in ASCII frames and ZR decimal ones", () => {
  const x = encodeRequest(
    { command: "readBits", head: { device: "X", address: 0x1a0 }, points: 4 },
    { frame: "ascii" },
  );
  assert.match(str(x), /X\*0001A00004$/);
  const zr = encodeRequest({ ...D100, head: { device: "ZR", address: 123456 } }, {
    frame: "ascii",
  });
  assert.match(str(zr), /ZR1234560003$/);
  const w = encodeRequest({ ...D100, head: { device: "W", address: 0x1f } }, { frame: "binary" });
  assert.deepEqual(Array.from(w.subarray(15)), [0x1f, 0, 0, 0xb4, 3, 0]);
});

Deno.test("bit-unit data: binary packs two points a byte, first point in the high nibble", () => {
  const req: ReadBitsRequest = {
    command: "readBits",
    head: { device: "M", address: 100 },
    points: 5,
  };
  const bits = [true, false, false, true, true];
  const bin = encodeResponse("binary", DEFAULT_ROUTE, { command: "readBits", bits });
  assert.deepEqual(Array.from(bin.subarray(11)), [0x10, 0x01, 0x10]);
  assert.deepEqual(decodeResponse(bin, req, { frame: "binary" }).bits, bits);
  const asc = encodeResponse("ascii", DEFAULT_ROUTE, { command: "readBits", bits });
  assert.match(str(asc), /000010011$/);
  assert.deepEqual(decodeResponse(asc, req, { frame: "ascii" }).bits, bits);
  const write = encodeRequest(
    { command: "writeBits", head: { device: "Y", address: 0x20 }, bits },
    { frame: "binary" },
  );
  assert.deepEqual(Array.from(write.subarray(21)), [0x10, 0x01, 0x10]);
});

Deno.test("responses are validated: subheader, echoed route, length, data size", () => {
  const good = str(
    encodeResponse("ascii", DEFAULT_ROUTE, {
      command: "readWords",
      words: Uint16Array.of(1, 2, 3),
    }),
  );
  assert.throws(
    () => decodeResponse(text("5" + good.slice(1)), D100, { frame: "ascii" }),
    isProtocolAt(0),
  );
  const otherRoute = { ...DEFAULT_ROUTE, station: 1 };
  assert.throws(
    () => decodeResponse(text(good), D100, { frame: "ascii", route: otherRoute }),
    isProtocolAt(4),
  );
  assert.throws(
    () => decodeResponse(text(good.slice(0, -1)), D100, { frame: "ascii" }),
    isProtocolAt(14),
  );
  assert.throws(
    () => decodeResponse(text(good.slice(0, -4) + "00G1"), D100, { frame: "ascii" }),
    isProtocolAt(good.length - 2),
  );
  const twoWords = { ...D100, points: 2 };
  assert.throws(() => decodeResponse(text(good), twoWords, { frame: "ascii" }), isProtocolAt(30));
  assert.throws(
    () => decodeResponse(text(good), { ...D100, points: 4 }, { frame: "ascii" }),
    isProtocolAt(good.length),
  );
});

Deno.test("end codes become PlcError endCode with the manual's meaning", () => {
  for (
    const [code, meaning] of [
      [0xc056, "C056: the request exceeds the device's maximum address"],
      [0xc059, "C059: the command or subcommand is wrong, or the CPU does not support it"],
      [
        0x0055,
        "0055: online change (RUN write) is disabled, so the CPU refused to write while in RUN",
      ],
      [0x4031, "4031: the PLC reported an error"],
    ] as const
  ) {
    const frame = encodeErrorResponse("binary", DEFAULT_ROUTE, code, 0x0401, 0);
    assert.throws(
      () => decodeResponse(frame, D100, { frame: "binary" }),
      (e) =>
        e instanceof PlcError && e.code === "endCode" && e.endCode === code &&
        e.message.startsWith(meaning),
    );
  }
});

Deno.test("CPU model read decodes the model name and code", () => {
  for (const frame of ["ascii", "binary"] as const) {
    const res = encodeResponse(frame, DEFAULT_ROUTE, {
      command: "cpuModel",
      model: "Q06UDEHCPU",
      modelCode: 0x0268,
    });
    assert.deepEqual(decodeResponse(res, { command: "cpuModel" }, { frame }), {
      command: "cpuModel",
      model: "Q06UDEHCPU",
      modelCode: 0x0268,
    });
  }
  assert.equal(
    str(encodeRequest({ command: "cpuModel" }, { frame: "ascii" })),
    "500000FF03FF00000C001001010000",
  );
});
