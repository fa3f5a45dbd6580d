import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { LiveCache } from "./live_cache.ts";

Deno.test("the live cache keeps each tag's newest sample and tells listeners what changed", () => {
  const live = new LiveCache();
  const heard: Sample[][] = [];
  const off = live.onChange((c) => heard.push([...c]));
  live.update([
    { tagId: 1, ts: 10, value: 1, quality: "good" },
    { tagId: 2, ts: 10, value: true, quality: "good" },
  ]);
  live.update([
    { tagId: 1, ts: 20, value: 1, quality: "good" },
    { tagId: 2, ts: 20, value: null, quality: "bad-comm" },
  ]);
  live.update([{ tagId: 1, ts: 15, value: 7, quality: "good" }]);
  assert.deepEqual(
    live.get(1),
    { tagId: 1, ts: 20, value: 1, quality: "good" },
    "older samples lose",
  );
  assert.equal(live.get(2)?.quality, "bad-comm");
  assert.equal(live.size, 2);
  assert.deepEqual(heard.map((c) => c.map((x) => x.tagId)), [[1, 2], [2]]);
  off();
  live.update([{ tagId: 1, ts: 30, value: 2, quality: "good" }]);
  assert.equal(heard.length, 2);
  assert.equal(live.snapshot().length, 2);
});
