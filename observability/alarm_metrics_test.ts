import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";

/** The value of a label-less series in Prometheus text. */
function value(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("lost alarm-journal transitions are a counter and a failing journal is a 0/1 gauge", async () => {
  const m = new Metrics({ processMetrics: false });
  let text = await m.render();
  assert.equal(value(text, "jsscada_alarm_journal_lost_total"), 0);
  m.alarms.setJournal({ lostTransitions: 4, failing: true });
  text = await m.render();
  assert.equal(value(text, "jsscada_alarm_journal_lost_total"), 4);
  assert.equal(value(text, "jsscada_alarm_journal_failing"), 1);
  m.alarms.setJournal({ lostTransitions: 6, failing: false });
  text = await m.render();
  assert.equal(value(text, "jsscada_alarm_journal_lost_total"), 6);
  assert.equal(value(text, "jsscada_alarm_journal_failing"), 0);
});
