import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { PlcError } from "../protocol/errors.ts";
import { planGroup } from "./group_plan.ts";
import type { BlockReads } from "./plc_link.ts";
import {
  badSamples,
  DeadbandFilter,
  publishableSamples,
  qualityOf,
  samplesFromRead,
} from "./samples.ts";
import { tagConfig } from "./testing.ts";

const tags = [
  tagConfig({ id: 1, address: "D100", dataType: "INT16", scale: 0.5, offset: 10 }),
  tagConfig({ id: 2, address: "D101", dataType: "FLOAT32" }),
  tagConfig({ id: 3, address: "M5", dataType: "BOOL" }),
  tagConfig({ id: 4, address: "D9999999", dataType: "INT16" }),
];

function reads(words: (number[] | PlcError)[], plcFailed = false): BlockReads {
  const errors = words.map((w) => (w instanceof PlcError ? w : undefined));
  return {
    words: words.map((w) => (w instanceof PlcError ? undefined : Uint16Array.from(w))),
    errors,
    error: errors.find((e) => e),
    failed: errors.filter((e) => e).length,
    startedAt: 0,
    finishedAt: 1,
    plcFailed,
  };
}

Deno.test("samples from a read are scaled, stamped and good; a bad address is bad-config", () => {
  const plan = planGroup(tags);
  assert.equal(plan.invalid.length, 1);
  assert.match(plan.invalid[0].message, /D9999999/);
  assert.equal(plan.read.blocks.length, 2, "D and M");
  const [d, m] = plan.read.blocks[0].device === "D" ? [0, 1] : [1, 0];
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, 1.5, true);
  const words: number[][] = [];
  words[d] = [(-20) & 0xffff, f.getUint16(0, true), f.getUint16(2, true)];
  words[m] = [1 << 5];
  const samples = samplesFromRead(plan, reads(words), 5000);
  assert.deepEqual(samples, [
    { tagId: 1, ts: 5000, value: 0, quality: "good" },
    { tagId: 2, ts: 5000, value: 1.5, quality: "good" },
    { tagId: 3, ts: 5000, value: true, quality: "good" },
    { tagId: 4, ts: 5000, value: null, quality: "bad-config" },
  ]);
});

Deno.test("a failed block makes its tags bad-comm, or bad-config for a configuration end code", () => {
  const plan = planGroup(tags.slice(0, 3));
  const d = plan.read.blocks.findIndex((b) => b.device === "D");
  const words: (number[] | PlcError)[] = [];
  words[d] = PlcError.fromEndCode(0xc056);
  words[1 - d] = new PlcError("timeout", "no answer");
  const samples = samplesFromRead(plan, reads(words), 1);
  assert.deepEqual(samples.map((s) => [s.value, s.quality]), [
    [null, "bad-config"],
    [null, "bad-config"],
    [null, "bad-comm"],
  ]);
  assert.equal(
    qualityOf(PlcError.fromEndCode(0xc05e)),
    "bad-comm",
    "a monitoring timeout is the line",
  );
  assert.deepEqual(badSamples(plan, "bad-comm", 9).map((s) => s.quality), [
    "bad-comm",
    "bad-comm",
    "bad-comm",
  ]);
});

const s = (value: Sample["value"], ts: number, quality: Sample["quality"] = "good"): Sample => ({
  tagId: 1,
  ts,
  value: quality === "good" ? value : null,
  quality,
});

Deno.test("without a deadband every sample is stored", () => {
  const f = new DeadbandFilter([{ deadband: null }]);
  for (let t = 0; t < 5; t++) assert.equal(f.select([s(1, t)]).length, 1);
});

Deno.test("a deadband stores moves larger than it, measured from the last stored value", () => {
  const f = new DeadbandFilter([{ deadband: 1 }], { heartbeatMs: 60_000 });
  const stored = [10, 10.5, 11, 11.01, 12.5, 11.6, 11.4].filter((v, i) =>
    f.select([s(v, i * 100)]).length
  );
  // 10 first; 11.01 is the first more than 1 from 10; 12.5 more than 1 from 11.01; 11.4 from 12.5
  assert.deepEqual(stored, [10, 11.01, 12.5, 11.4]);
});

Deno.test("a deadband tag stores a heartbeat when nothing moved for the maximum interval", () => {
  const f = new DeadbandFilter([{ deadband: 5 }], { heartbeatMs: 1000 });
  const times = [0, 400, 999, 1000, 1500, 2000, 2100].filter((t) => f.select([s(1, t)]).length);
  assert.deepEqual(times, [0, 1000, 2000]);
});

Deno.test("a deadband tag stores quality changes and any change of a boolean or text", () => {
  const f = new DeadbandFilter([{ deadband: 100 }, { deadband: 0 }, { deadband: 0 }]);
  const row = (v: number, b: boolean, t: string, ts: number, q: Sample["quality"] = "good") => [
    s(v, ts, q),
    { ...s(b, ts, q), tagId: 2 },
    { ...s(t, ts, q), tagId: 3 },
  ];
  assert.equal(f.select(row(1, true, "A", 0)).length, 3);
  assert.equal(f.select(row(2, true, "A", 1)).length, 0);
  assert.deepEqual(f.select(row(3, false, "B", 2)).map((x) => x.tagId), [2, 3]);
  assert.equal(f.select(row(3, false, "B", 3, "bad-comm")).length, 3, "quality went bad");
  assert.equal(f.select(row(3, false, "B", 4, "bad-comm")).length, 0, "still bad: nothing new");
  assert.equal(f.select(row(3, false, "B", 5)).length, 3, "good again");
});

Deno.test("NaN counts as a change to and from a number", () => {
  const f = new DeadbandFilter([{ deadband: 1 }]);
  assert.equal(f.select([s(1, 0)]).length, 1);
  assert.equal(f.select([s(NaN, 1)]).length, 1);
  assert.equal(f.select([s(NaN, 2)]).length, 0);
  assert.equal(f.select([s(1, 3)]).length, 1);
});

Deno.test("failure rule: a block lost on the line gives no samples until the PLC is failed; an end code still does", () => {
  const plan = planGroup(tags.slice(0, 3));
  const d = plan.read.blocks.findIndex((b) => b.device === "D");
  const words: (number[] | PlcError)[] = [];
  words[d] = new PlcError("timeout", "no answer");
  words[1 - d] = [1 << 5];
  const retry = publishableSamples(plan, reads(words), 7);
  assert.deepEqual(retry.samples, [{ tagId: 3, ts: 7, value: true, quality: "good" }]);
  assert.deepEqual(retry.positions, [2]);
  assert.equal(retry.held, 2);
  const failed = publishableSamples(plan, reads(words, true), 7);
  assert.equal(failed.positions, undefined);
  assert.deepEqual(failed.samples.map((s) => s.quality), ["bad-comm", "bad-comm", "good"]);
  words[d] = PlcError.fromEndCode(0xc056);
  const refused = publishableSamples(plan, reads(words), 7);
  assert.equal(refused.held, 0, "the PLC answered: no retry");
  assert.deepEqual(refused.samples.map((s) => s.quality), ["bad-config", "bad-config", "good"]);
});

Deno.test("the deadband filter takes a partial read by tag positions", () => {
  const filter = new DeadbandFilter([{ deadband: 1 }, { deadband: 1 }], { heartbeatMs: 1000 });
  const s = (tagId: number, ts: number, value: number): Sample => ({
    tagId,
    ts,
    value,
    quality: "good",
  });
  assert.deepEqual(filter.select([s(1, 0, 0), s(2, 0, 0)]).length, 2);
  assert.deepEqual(filter.select([s(2, 10, 5)], [1]), [s(2, 10, 5)]);
  assert.deepEqual(filter.select([s(2, 20, 5.5)], [1]), [], "tag 2's last stored value is 5");
  assert.deepEqual(filter.select([s(1, 20, 0.5)], [0]), [], "tag 1's last stored value is 0");
  assert.throws(() => filter.select([s(1, 30, 9)], [0, 1]), RangeError);
});
