import assert from "node:assert/strict";
import fc from "fast-check";
import type { AlarmKind } from "../model/config.ts";
import type { Quality, Sample } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import {
  type ConditionChange,
  conditionHolds,
  type ConditionState,
  evaluateSample,
  evaluateTick,
  INITIAL_CONDITION,
  raiseDueAt,
  type RuleCondition,
} from "./rules.ts";

const hi = (limit: number, hysteresis = 0, onDelayMs = 0): RuleCondition => ({
  kind: "HI",
  limit,
  hysteresis,
  onDelayMs,
});

const good = (ts: number, value: TagValue): Sample => ({ tagId: 1, ts, value, quality: "good" });
const bad = (ts: number, quality: Quality = "bad-comm"): Sample => ({
  tagId: 1,
  ts,
  value: null,
  quality,
});

/** Runs samples through a rule; returns each sample's change and the final state. */
function run(rule: RuleCondition, samples: readonly Sample[], start = INITIAL_CONDITION) {
  let state: ConditionState = start;
  const changes: ConditionChange[] = [];
  for (const s of samples) {
    const r = evaluateSample(rule, state, s);
    state = r.state;
    changes.push(r.change);
  }
  return { changes, state };
}

Deno.test("HI 190 hysteresis 2 raises at 190 and clears only below 188", () => {
  const values = [185, 189.9, 190, 195, 189, 188, 187.9, 189, 190];
  const { changes } = run(hi(190, 2), values.map((v, i) => good(i * 1000, v)));
  assert.deepEqual(changes, [null, null, "raise", null, null, null, "clear", null, "raise"]);
});

Deno.test("LO 160 hysteresis 2 raises at 160 and clears only above 162", () => {
  const rule: RuleCondition = { kind: "LO", limit: 160, hysteresis: 2, onDelayMs: 0 };
  const values = [165, 160.1, 160, 150, 162, 162.1, 160];
  const { changes } = run(rule, values.map((v, i) => good(i, v)));
  assert.deepEqual(changes, [null, null, "raise", null, null, "clear", "raise"]);
});

Deno.test("ON raises on true and OFF on false; numbers count as bits", () => {
  const on: RuleCondition = { kind: "ON", limit: null, hysteresis: 0, onDelayMs: 0 };
  const off: RuleCondition = { ...on, kind: "OFF" };
  const bits: TagValue[] = [false, true, true, false, 1, 0];
  assert.deepEqual(run(on, bits.map((v, i) => good(i, v))).changes, [
    null,
    "raise",
    null,
    "clear",
    "raise",
    "clear",
  ]);
  assert.deepEqual(run(off, bits.map((v, i) => good(i, v))).changes, [
    "raise",
    "clear",
    null,
    "raise",
    "clear",
    "raise",
  ]);
});

Deno.test("values a rule cannot judge are ignored", () => {
  assert.equal(conditionHolds(hi(10), "high", false), null);
  assert.equal(conditionHolds(hi(10), true, false), null);
  assert.equal(conditionHolds(hi(10), NaN, false), null);
  assert.equal(conditionHolds(hi(10), Infinity, false), null);
  assert.equal(conditionHolds(hi(10), null, false), null);
  assert.equal(conditionHolds({ ...hi(10), limit: null }, 50, false), null);
  const on: RuleCondition = { kind: "ON", limit: null, hysteresis: 0, onDelayMs: 0 };
  assert.equal(conditionHolds(on, "1", false), null);
  const { changes, state } = run(hi(10), [good(0, 20), good(1, "x"), good(2, true)]);
  assert.deepEqual(changes, ["raise", null, null]);
  assert.equal(state.active, true);
});

Deno.test("a bad-quality sample neither raises nor clears", () => {
  const active = run(hi(10), [good(0, 20)]).state;
  for (const q of ["bad-comm", "bad-config", "stale"] as const) {
    const r = evaluateSample(hi(10), active, bad(1, q));
    assert.equal(r.change, null);
    assert.equal(r.state.active, true);
    // stale quality with a value is still not trusted
    const stale = evaluateSample(hi(10), INITIAL_CONDITION, { ...good(1, 99), quality: q });
    assert.equal(stale.change, null);
    assert.equal(stale.state.active, false);
  }
});

Deno.test("on-delay raises once the condition held for the delay by sample timestamps", () => {
  const rule = hi(100, 0, 5000);
  const samples = [
    good(0, 101),
    good(2000, 105),
    good(4999, 120),
    good(5000, 101),
    good(6000, 130),
  ];
  assert.deepEqual(run(rule, samples).changes, [null, null, null, "raise", null]);
});

Deno.test("on-delay starts again when the value dips or a bad sample intervenes", () => {
  const rule = hi(100, 0, 5000);
  const dip = [good(0, 101), good(3000, 99), good(4000, 101), good(8000, 101), good(9000, 101)];
  assert.deepEqual(run(rule, dip).changes, [null, null, null, null, "raise"]);
  const gap = [good(0, 101), bad(3000), good(4000, 101), good(8999, 101), good(9000, 101)];
  assert.deepEqual(run(rule, gap).changes, [null, null, null, null, "raise"]);
});

Deno.test("tick raises a pending on-delay without new samples, and not before it is due", () => {
  const rule = hi(100, 0, 5000);
  const { state } = run(rule, [good(1000, 150)]);
  assert.equal(raiseDueAt(rule, state), 6000);
  assert.equal(evaluateTick(rule, state, 5999).change, null);
  const r = evaluateTick(rule, state, 6000);
  assert.equal(r.change, "raise");
  assert.equal(r.state.active, true);
  assert.equal(r.state.lastValue, 150);
  assert.equal(raiseDueAt(rule, r.state), null);
  assert.equal(evaluateTick(rule, INITIAL_CONDITION, 1e12).change, null);
});

Deno.test("samples older than the last evaluated one are dropped", () => {
  const { changes } = run(hi(10), [good(100, 20), good(50, 0), good(150, 0)]);
  assert.deepEqual(changes, ["raise", null, "clear"]);
});

// ---- properties -----------------------------------------------------------

interface Step {
  readonly dt: number;
  readonly value: TagValue | null;
  readonly good: boolean;
}

/** The raise test and the stay-active test of a rule, written independently of rules.ts. */
function tests(
  rule: RuleCondition,
): { raise: (v: TagValue) => boolean; hold: (v: TagValue) => boolean } {
  const L = rule.limit ?? 0;
  const h = rule.hysteresis;
  switch (rule.kind) {
    case "HI":
    case "HIHI":
      return { raise: (v) => (v as number) >= L, hold: (v) => (v as number) >= L - h };
    case "LO":
    case "LOLO":
      return { raise: (v) => (v as number) <= L, hold: (v) => (v as number) <= L + h };
    case "ON":
      return { raise: (v) => v === true, hold: (v) => v === true };
    case "OFF":
      return { raise: (v) => v === false, hold: (v) => v === false };
  }
}

/**
 * The expected active flag after each sample, from the definition: an
 * inactive alarm is active after sample i when the usable samples j..i all
 * meet the raise test and t_i − t_j ≥ delay; an active one stays active while
 * usable samples meet the hold test; unusable samples change nothing.
 */
function oracle(rule: RuleCondition, samples: readonly Sample[]): boolean[] {
  const t = tests(rule);
  const out: boolean[] = [];
  let active = false;
  samples.forEach((s, i) => {
    if (s.quality === "good" && s.value !== null) {
      if (active) active = t.hold(s.value);
      else {
        let j = i;
        while (j > 0 && samples[j - 1].quality === "good" && t.raise(samples[j - 1].value!)) j--;
        active = t.raise(s.value) && s.ts - samples[j].ts >= rule.onDelayMs;
      }
    }
    out.push(active);
  });
  return out;
}

const analogRule = fc.record({
  kind: fc.constantFrom<AlarmKind>("HIHI", "HI", "LO", "LOLO"),
  limit: fc.integer({ min: -5, max: 5 }),
  hysteresis: fc.constantFrom(0, 1, 2, 2.5),
  onDelayMs: fc.constantFrom(0, 0, 1000, 3000),
});

/** Steps whose values often sit exactly on the limit and the band edges. */
const analogSteps = (rule: RuleCondition) =>
  fc.array(
    fc.record({
      dt: fc.constantFrom(0, 100, 500, 1000, 2000),
      value: fc.oneof(
        fc.integer({ min: -10, max: 10 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.constantFrom(
          rule.limit!,
          rule.limit! - rule.hysteresis,
          rule.limit! + rule.hysteresis,
        ),
      ),
      good: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
    }),
    { maxLength: 60 },
  );

const analogCase = analogRule.chain((rule) => fc.tuple(fc.constant(rule), analogSteps(rule)));

function toSamples(steps: readonly Step[]): Sample[] {
  let ts = 1_700_000_000_000;
  return steps.map((s) => {
    ts += s.dt;
    return s.good ? good(ts, s.value!) : bad(ts);
  });
}

Deno.test("property: analog rules follow the definition of raise, hold and on-delay", () => {
  fc.assert(
    fc.property(analogCase, ([rule, steps]) => {
      const samples = toSamples(steps);
      const expected = oracle(rule, samples);
      let state = INITIAL_CONDITION;
      samples.forEach((s, i) => {
        const was = state.active;
        const r = evaluateSample(rule, state, s);
        state = r.state;
        assert.equal(state.active, expected[i], `sample ${i}`);
        assert.equal(r.change, was === state.active ? null : state.active ? "raise" : "clear");
      });
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: never raised within limits, never cleared inside the hysteresis band", () => {
  fc.assert(
    fc.property(analogCase, ([rule, steps]) => {
      const samples = toSamples(steps);
      const { raise, hold } = tests(rule);
      const { changes } = run(rule, samples);
      changes.forEach((c, i) => {
        if (c === "raise") assert.ok(raise(samples[i].value!), `raised within limits at ${i}`);
        if (c === "clear") assert.ok(!hold(samples[i].value!), `cleared inside the band at ${i}`);
        if (c !== null) assert.equal(samples[i].quality, "good");
      });
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: values inside the hysteresis band never change an alarm, active or not", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -100, max: 100 }),
      fc.double({ min: 0.5, max: 10, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { maxLength: 40 }),
      (limit, h, fractions) => {
        const rule = hi(limit, h);
        const inBand = fractions.map((f, i) => good(i + 1, limit - h + f * h));
        const fromActive = evaluateSample(rule, INITIAL_CONDITION, good(0, limit)).state;
        assert.ok(run(rule, inBand, fromActive).changes.every((c) => c === null));
        assert.ok(run(rule, inBand).changes.every((c) => c === null));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("property: bit rules follow the definition, with on-delay", () => {
  const bitRule = fc.record({
    kind: fc.constantFrom<AlarmKind>("ON", "OFF"),
    limit: fc.constant(null),
    hysteresis: fc.constant(0),
    onDelayMs: fc.constantFrom(0, 1000, 2500),
  });
  const steps = fc.array(
    fc.record({ dt: fc.constantFrom(0, 500, 1000), value: fc.boolean(), good: fc.boolean() }),
    { maxLength: 50 },
  );
  fc.assert(
    fc.property(bitRule, steps, (rule, s) => {
      const samples = toSamples(s.map((x) => ({ ...x, good: x.good || x.dt === 1000 })));
      const expected = oracle(rule, samples);
      let state = INITIAL_CONDITION;
      samples.forEach((sample, i) => {
        state = evaluateSample(rule, state, sample).state;
        assert.equal(state.active, expected[i]);
      });
    }),
    { numRuns: 200 },
  );
});
