import assert from "node:assert/strict";
import type { Sample } from "../model/sample.ts";
import { ExceptionFilter } from "./exception.ts";

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

Deno.test("report by exception follows the tag's deadband, quality changes and the heartbeat", () => {
  const f = new ExceptionFilter((id) => id === 1 ? 0.5 : null, 1_000);
  assert.equal(f.keep(s(1, 0, 10)), true, "first sample");
  assert.equal(f.keep(s(1, 100, 10.4)), false, "inside the deadband");
  assert.equal(f.keep(s(1, 200, 10.6)), true, "moved more than the deadband");
  assert.equal(f.keep(s(1, 300, null, "bad-comm")), true, "quality change");
  assert.equal(f.keep(s(1, 400, null, "bad-comm")), false);
  assert.equal(f.keep(s(1, 1_300, null, "bad-comm")), true, "heartbeat");
  assert.equal(f.keep(s(2, 0, 1)), true);
  assert.equal(f.keep(s(2, 1, 1)), true, "no deadband: every sample");
});
