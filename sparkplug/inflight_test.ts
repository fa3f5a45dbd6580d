import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { Inflight } from "./inflight.ts";

const s = (
  tagId: number,
  ts: number,
  value: Sample["value"],
  quality: Sample["quality"] = "good",
) => ({
  tagId,
  ts,
  value,
  quality,
});

Deno.test("the unconfirmed window drops what a PINGRESP confirms and gives back the rest, oldest first", () => {
  const w = new Inflight(5);
  w.add([s(1, 1, 1), s(1, 2, 2)]);
  w.markPing();
  w.add([s(1, 3, 3)]);
  w.confirm();
  assert.equal(w.size, 1);
  w.add([s(1, 4, 4), s(1, 5, 5), s(1, 6, 6)]);
  w.add([s(1, 7, 7), s(1, 8, 8)]);
  assert.equal(w.forgotten, 1, "bounded: the oldest batch is forgotten and counted");
  assert.deepEqual(w.takeAll().map((x) => x.ts), [4, 5, 6, 7, 8]);
  assert.equal(w.size, 0);
});
