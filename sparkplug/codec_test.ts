import assert from "node:assert/strict";
import { decodePayload, encodePayload, PayloadError, type SpMetric } from "./codec.ts";
import { decodeOfficial, encodeOfficial, PROTO_DATA_TYPES } from "./testing.ts";

Deno.test("each data type lands in the value field the specification names, read back by the official .proto", () => {
  const metrics: SpMetric[] = [
    { alias: 1, datatype: "Int16", value: -2 },
    { alias: 2, datatype: "UInt16", value: 65535 },
    { alias: 3, datatype: "Int32", value: -2147483648 },
    { alias: 4, datatype: "UInt32", value: 4294967295 },
    { alias: 5, datatype: "Float", value: 1.5 },
    { alias: 6, datatype: "Double", value: 0.1 },
    { alias: 7, datatype: "Boolean", value: true },
    { alias: 8, datatype: "String", value: "Ünï" },
    { alias: 9, datatype: "Int64", value: 255 },
    { alias: 10, datatype: "Double", value: null },
  ];
  const bytes = encodePayload({ timestamp: 1_700_000_000_000, seq: 255, metrics });
  const official = decodeOfficial(bytes);
  assert.equal(official.seq, 255);
  assert.equal(official.timestamp, 1_700_000_000_000);
  const m = official.metrics!;
  assert.equal(m[0].intValue, 0xfffffffe, "Int16 -2 as two's complement uint32");
  assert.equal(m[1].intValue, 65535);
  assert.equal(m[2].intValue, 0x80000000);
  assert.equal(m[3].intValue, 4294967295, "UInt32 in int_value (3.0), not long_value");
  assert.equal(m[3].longValue, undefined);
  assert.equal(m[4].floatValue, 1.5);
  assert.equal(m[5].doubleValue, 0.1);
  assert.equal(m[6].booleanValue, true);
  assert.equal(m[7].stringValue, "Ünï");
  assert.equal(m[8].longValue, 255);
  assert.equal(m[9].isNull, true);
  assert.equal(m[0].datatype, PROTO_DATA_TYPES.Int16);
  assert.equal(m[3].datatype, PROTO_DATA_TYPES.UInt32);
  const back = decodePayload(bytes);
  assert.deepEqual(back.metrics.map((x) => x.value), metrics.map((x) => x.value));
});

Deno.test("decoding a command without datatypes takes the birth's type; garbage is a PayloadError", () => {
  // A host may leave the datatype out of a DCMD: the birth's type says how to read int_value.
  const bytes = encodeOfficial({ metrics: [{ alias: 101, intValue: -5 >>> 0 }] });
  assert.equal(decodePayload(bytes, () => "Int16").metrics[0].value, -5);
  assert.equal(decodePayload(bytes).metrics[0].value, 4294967291, "unknown type: unsigned");
  assert.throws(() => decodePayload(new Uint8Array([0x0a, 0xff, 0xff])), PayloadError);
  assert.throws(
    () => encodePayload({ metrics: [{ name: "x", datatype: "Int32", value: 1.5 }] }),
    /metric x: Int32 needs an integer/,
  );
});
