import assert from "node:assert/strict";
import fc from "fast-check";
import type { Sample } from "../model/sample.ts";
import { SampleBuffer } from "./buffer.ts";

const sample = (tagId: number, ts: number): Sample => ({ tagId, ts, value: ts, quality: "good" });

Deno.test("buffer takes samples oldest first, in batches of at most n", () => {
  const b = new SampleBuffer(10);
  for (let i = 0; i < 5; i++) b.pushOne(sample(1, i));
  assert.deepEqual(b.take(3).map((s) => s.ts), [0, 1, 2]);
  assert.equal(b.size, 2);
  assert.deepEqual(b.take(10).map((s) => s.ts), [3, 4]);
  assert.deepEqual(b.take(10), []);
  assert.deepEqual(b.stats(), { size: 0, capacity: 10, dropped: 0, pushed: 5, taken: 5 });
});

Deno.test("a full buffer drops the oldest sample and counts it", () => {
  const b = new SampleBuffer(3);
  for (let i = 0; i < 7; i++) b.pushOne(sample(1, i));
  assert.equal(b.size, 3);
  assert.equal(b.dropped, 4);
  assert.deepEqual(b.take(5).map((s) => s.ts), [4, 5, 6]);
});

Deno.test("buffer wraps around its ring across pushes and takes", () => {
  const b = new SampleBuffer(4);
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 3; i++) b.pushOne(sample(1, next++));
    for (const s of b.take(3)) assert.equal(s.ts, expected++);
  }
  assert.equal(b.dropped, 0);
});

Deno.test("buffer behaves like a drop-oldest queue (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.array(
        fc.oneof(fc.nat(15).map((n) => ({ push: n })), fc.nat(15).map((n) => ({ take: n }))),
      ),
      (capacity, ops) => {
        const b = new SampleBuffer(capacity);
        let model: number[] = [];
        let dropped = 0;
        let ts = 0;
        for (const op of ops) {
          if ("push" in op) {
            const batch = Array.from({ length: op.push }, () => sample(1, ts++));
            b.push(batch);
            model.push(...batch.map((s) => s.ts));
            if (model.length > capacity) {
              dropped += model.length - capacity;
              model = model.slice(model.length - capacity);
            }
          } else {
            assert.deepEqual(b.take(op.take).map((s) => s.ts), model.slice(0, op.take));
            model = model.slice(op.take);
          }
          assert.equal(b.size, model.length);
          assert.equal(b.dropped, dropped);
        }
      },
    ),
  );
});

Deno.test("whenSize fires once, after the push, when the size reaches the threshold", async () => {
  const b = new SampleBuffer(100);
  let fired = 0;
  b.whenSize(3, () => fired++);
  b.pushOne(sample(1, 1));
  b.pushOne(sample(1, 2));
  await Promise.resolve();
  assert.equal(fired, 0);
  b.pushOne(sample(1, 3));
  assert.equal(fired, 0, "never inside push");
  await Promise.resolve();
  assert.equal(fired, 1);
  b.pushOne(sample(1, 4));
  await Promise.resolve();
  assert.equal(fired, 1, "a watch fires once");
});

Deno.test("whenSize fires at once when the size is already there, and can be cancelled", async () => {
  const b = new SampleBuffer(100);
  b.pushOne(sample(1, 1));
  let fired = 0;
  b.whenSize(1, () => fired++);
  const cancel = b.whenSize(2, () => fired += 10);
  await Promise.resolve();
  assert.equal(fired, 1);
  cancel();
  b.pushOne(sample(1, 2));
  await Promise.resolve();
  assert.equal(fired, 1);
});

Deno.test("buffer rejects a capacity that is not a positive integer", () => {
  assert.throws(() => new SampleBuffer(0), RangeError);
  assert.throws(() => new SampleBuffer(1.5), RangeError);
});
