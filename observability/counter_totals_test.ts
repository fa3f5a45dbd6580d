import assert from "node:assert/strict";
import { Counter, Registry } from "prom-client";
import { CounterTotals, Tally } from "./counter_totals.ts";

function counter(): { registry: Registry; counter: Counter<"plc" | "code"> } {
  const registry = new Registry();
  const c = new Counter({
    name: "t_total",
    help: "test",
    labelNames: ["plc", "code"] as const,
    registers: [registry],
  });
  return { registry, counter: c };
}

async function value(c: Counter<"plc" | "code">, labels: Record<string, string>): Promise<number> {
  const m = await c.get();
  const found = m.values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l)
  );
  return found?.value ?? Number.NaN;
}

Deno.test("totals become increments by the delta from the last total seen", async () => {
  const { counter: c } = counter();
  const totals = new CounterTotals(c);
  assert.equal(totals.set({ plc: "A", code: "timeout" }, 3), 3);
  assert.equal(totals.set({ plc: "A", code: "timeout" }, 3), 0);
  assert.equal(totals.set({ plc: "A", code: "timeout" }, 10), 7);
  assert.equal(await value(c, { plc: "A", code: "timeout" }), 10);
});

Deno.test("a total of zero on first sight still exports the series at zero", async () => {
  const { counter: c } = counter();
  new CounterTotals(c).set({ plc: "A", code: "busy" }, 0);
  assert.equal(await value(c, { plc: "A", code: "busy" }), 0);
});

Deno.test("a total below the last one counts as a restarted source: its new total is added", async () => {
  const { counter: c } = counter();
  const totals = new CounterTotals(c);
  totals.set({ plc: "A", code: "closed" }, 50);
  assert.equal(totals.set({ plc: "A", code: "closed" }, 4), 4);
  assert.equal(totals.set({ plc: "A", code: "closed" }, 6), 2);
  assert.equal(await value(c, { plc: "A", code: "closed" }), 56);
});

Deno.test("negative and non-finite totals are ignored and do not move the baseline", async () => {
  const { counter: c } = counter();
  const totals = new CounterTotals(c);
  totals.set({ plc: "A", code: "refused" }, 5);
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(totals.set({ plc: "A", code: "refused" }, bad), 0);
  }
  assert.equal(totals.set({ plc: "A", code: "refused" }, 6), 1);
  assert.equal(await value(c, { plc: "A", code: "refused" }), 6);
});

Deno.test("label sets are told apart, whatever the order of their properties", async () => {
  const { counter: c } = counter();
  const totals = new CounterTotals(c);
  totals.set({ plc: "A", code: "timeout" }, 2);
  assert.equal(totals.set({ code: "timeout", plc: "A" }, 5), 3);
  totals.set({ plc: "B", code: "timeout" }, 1);
  assert.equal(await value(c, { plc: "A", code: "timeout" }), 5);
  assert.equal(await value(c, { plc: "B", code: "timeout" }), 1);
});

Deno.test("forget starts a series' baseline afresh", async () => {
  const { counter: c } = counter();
  const totals = new CounterTotals(c);
  totals.set({ plc: "A", code: "timeout" }, 9);
  c.remove({ plc: "A", code: "timeout" });
  totals.forget({ plc: "A", code: "timeout" });
  totals.set({ plc: "A", code: "timeout" }, 2);
  assert.equal(await value(c, { plc: "A", code: "timeout" }), 2);
});

Deno.test("a tally exports its series at zero, counts increments and ignores bad ones", async () => {
  const { counter: c } = counter();
  const labels = { plc: "A", code: "endCode" };
  const tally = new Tally(c, labels, new CounterTotals(c));
  assert.equal(await value(c, labels), 0);
  tally.inc();
  tally.inc(4);
  tally.inc(-2);
  tally.inc(Number.NaN);
  assert.equal(await value(c, labels), 5);
  tally.remove();
  assert.ok(Number.isNaN(await value(c, labels)));
});

Deno.test("a tally fed by totals follows them", async () => {
  const { counter: c } = counter();
  const labels = { plc: "A", code: "protocol" };
  const tally = new Tally(c, labels, new CounterTotals(c));
  tally.setTotal(7);
  tally.setTotal(12);
  assert.equal(await value(c, labels), 12);
});
