/**
 * The read planner on the sample plant (3,491 tags, 10 groups): planning time
 * per configuration and extraction time per poll. Also prints the request
 * counts for docs/benchmarks.md: planned vs one request per tag.
 */
import { parseAddress } from "../protocol/devices.ts";
import {
  extractValues,
  naiveRequestCount,
  planReads,
  type PlanTag,
  type ReadPlan,
} from "../protocol/planner.ts";
import type { TagValue } from "../protocol/values.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";

const plant = generateSamplePlant();
const groups = new Map<string, PlanTag<string>[]>();
for (const t of plant.tags) {
  const list = groups.get(t.group) ?? [];
  list.push({
    id: t.code,
    address: parseAddress(t.address),
    type: t.data_type,
    ...(t.length ? { length: t.length } : {}),
  });
  groups.set(t.group, list);
}

const plans = new Map<string, ReadPlan<string>>();
for (const [g, tags] of groups) plans.set(g, planReads(tags));
const planned = [...plans.values()].reduce((s, p) => s + p.blocks.length, 0);
const naive = [...groups.values()].reduce((s, t) => s + naiveRequestCount(t), 0);
console.log(
  `sample plant: ${plant.tags.length} tags in ${groups.size} groups -> ${planned} batch reads per full cycle ` +
    `(naive ${naive}; 10-50 tags per request would be ${Math.ceil(naive / 50)}-${
      Math.ceil(naive / 10)
    })`,
);
for (const [g, p] of plans) console.log(`  ${g}: ${p.tags.length} tags, ${p.blocks.length} reads`);

Deno.bench("plan all 10 groups of the sample plant", () => {
  for (const tags of groups.values()) planReads(tags);
});

const responses = new Map(
  [...plans].map(([g, p]) => [g, p.blocks.map((b) => new Uint16Array(b.points).fill(0x4141))]),
);
const out: TagValue[] = [];
Deno.bench("extract values of all 3,491 tags (one poll of every group)", () => {
  for (const [g, p] of plans) extractValues(p, responses.get(g)!, out);
});
