/**
 * The alarm engine on one full cycle of the sample plant: 3,491 samples, with
 * the plant's alarm rules. Runs on every poll, so it must stay far below a
 * millisecond.
 */
import { AlarmEngine } from "../alarms/engine.ts";
import type { AlarmRuleConfig, TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";

const plant = generateSamplePlant();
const ids = new Map(plant.tags.map((t, i) => [t.code, i + 1]));
const tags = plant.tags.map((t, i) => ({ id: i + 1, code: t.code, name: t.name } as TagConfig));
const rules: AlarmRuleConfig[] = plant.alarms.map((a, i) => ({
  id: i + 1,
  tagId: ids.get(a.tag)!,
  kind: a.kind,
  limit: a.limit ?? null,
  hysteresis: a.hysteresis ?? 0,
  onDelayMs: a.on_delay_ms ?? 0,
  severity: a.severity,
  message: a.message,
  enabled: true,
}));
const engine = new AlarmEngine({ rules, tags });
let ts = Date.now();
const cycle = (): Sample[] =>
  tags.map((t) => ({ tagId: t.id, ts, value: (ts / 100 + t.id) % 250, quality: "good" }));

Deno.bench(`alarm engine: one cycle of ${tags.length} samples, ${rules.length} rules`, () => {
  ts += 100;
  engine.onSamples(cycle());
});
