import assert from "node:assert/strict";
import { SparkplugIdError, sparkplugIdProblem, validateSparkplugId } from "./ids.ts";

Deno.test("Sparkplug IDs may be any UTF-8 but +, / and # and control characters", () => {
  for (const ok of ["JSScada", "gw-01.plant.local", "PLCPRESS010001", "Ünïcode 工場", "a b"]) {
    assert.equal(sparkplugIdProblem(ok), undefined, ok);
  }
  assert.match(sparkplugIdProblem("")!, /empty/);
  assert.match(sparkplugIdProblem("a/b")!, /"\/" \(character 2\)/);
  assert.match(sparkplugIdProblem("+")!, /reserved by MQTT/);
  assert.match(sparkplugIdProblem("x#")!, /"#"/);
  assert.match(sparkplugIdProblem("a\nb")!, /control characters \(character 2\)/);
  assert.match(sparkplugIdProblem("\ud800")!, /UTF-8/);
  assert.throws(() => validateSparkplugId("device", "A/B"), SparkplugIdError);
  assert.throws(() => validateSparkplugId("group", "A/B"), /Sparkplug group ID "A\/B"/);
});
