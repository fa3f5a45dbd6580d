import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Registry } from "prom-client";
import type { PoolStats } from "../protocol/pool.ts";
import { emptyFailures } from "../protocol/failures.ts";
import { Metrics, METRICS_CONTENT_TYPE } from "./metrics.ts";
import { registerProcessMetrics } from "./process_metrics.ts";

/** One family as parse-prometheus-text-format returns it. */
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }[];
}

const parse = (text: string): Family[] => parsePrometheusTextFormat(text) as Family[];

/** Exposition format 0.0.4, line by line: the parser above is lenient, so check strictly too. */
const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(
  `^${NAME}(?:\\{${LABEL}(?:,${LABEL})*\\})? (?:[-+]?(?:\\d+\\.?\\d*(?:e[-+]?\\d+)?|Inf)|NaN)$`,
);
const COMMENT = new RegExp(
  `^# (?:HELP ${NAME} .*|TYPE ${NAME} (?:counter|gauge|histogram|summary|untyped))$`,
);

function assertStrictExposition(text: string): void {
  for (const line of text.split("\n")) {
    if (line === "") continue;
    assert.ok(SAMPLE.test(line) || COMMENT.test(line), `not exposition format: ${line}`);
  }
}

function series(families: Family[], name: string): Family["metrics"] {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `family ${name} missing`);
  return family.metrics;
}

function valueOf(families: Family[], name: string, labels: Record<string, string> = {}): number {
  const found = series(families, name).find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)
  );
  assert.ok(found, `${name}${JSON.stringify(labels)} missing`);
  return Number(found.value);
}

const poolStats = (over: Partial<PoolStats> = {}): PoolStats => ({
  size: 2,
  clients: 2,
  connected: 2,
  inFlight: 1,
  queued: 3,
  requests: 100,
  failures: { ...emptyFailures(), timeout: 4, endCode: 1 },
  lastRttMs: 8,
  rttEwmaMs: 9,
  ...over,
});

/** Feeds every family at least once, through the public API. */
function feedAll(m: Metrics): void {
  const plc = m.plc("PLC01");
  plc.observeRttMs(12);
  plc.setConnected(true);
  plc.setPoolStats(poolStats());
  plc.error("refused");
  const group = m.group("LINE1_FAST");
  group.observeCycleMs(40);
  group.cycles.inc();
  group.overruns.inc();
  group.failures.setTotal(2);
  group.setState("running");
  m.buffer.set(250, 100_000);
  m.buffer.dropped.inc(3);
  m.writer.observeBatchMs(4.5);
  m.writer.batches.inc();
  m.writer.written.inc(500);
  m.writer.failures.inc();
  m.journal.set(4096, 2);
  m.journal.dropped.inc();
  m.journal.replayed.inc(10);
  m.journal.setReplayProgress(10, 40);
  m.ws.setClients(5);
  m.ws.replaced.inc(7);
  m.http.observe("GET", "/api/v1/values", 200, 0.003);
  m.alarms.set({ high: { active: 2, unacknowledged: 1 } });
}

Deno.test("/metrics text parses and holds every registered family, each with samples", async () => {
  const m = new Metrics({ version: "1.2.3", processMetrics: false });
  feedAll(m);
  const text = await m.render();
  assertStrictExposition(text);
  const families = parse(text);
  const names = m.describe().map((d) => d.name);
  assert.deepEqual(families.map((f) => f.name).sort(), [...names].sort());
  for (const d of m.describe()) {
    const family = families.find((f) => f.name === d.name)!;
    assert.equal(family.type, d.type.toUpperCase(), d.name);
    assert.ok(family.metrics.length > 0, `${d.name} has no samples`);
  }
  assert.equal(METRICS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(valueOf(families, "jsscada_journal_replay_progress_ratio"), 0.25);
  assert.equal(valueOf(families, "jsscada_build_info", { version: "1.2.3" }), 1);
});

Deno.test("PLC codes and group names with quotes, backslashes and newlines survive escaping", async () => {
  const m = new Metrics({ processMetrics: false });
  const plc = 'PLC "A"\\line\n2';
  const group = 'G\\"1"\\';
  m.plc(plc).observeRttMs(5);
  m.plc(plc).error('end"code');
  m.group(group).setState('run"ning');
  m.http.observe("get", '/a/"b"', 404, 0.001);
  const text = await m.render();
  assertStrictExposition(text);
  const families = parse(text);
  assert.equal(valueOf(families, "jsscada_plc_rtt_seconds", { plc }), 0.005);
  assert.equal(valueOf(families, "jsscada_plc_errors_total", { plc, code: 'end"code' }), 1);
  assert.equal(valueOf(families, "jsscada_group_state", { group, state: 'run"ning' }), 1);
  // The parser drops histogram labels, so read the raw count line.
  assert.ok(
    text.includes(
      'jsscada_http_request_duration_seconds_count{method="GET",route="/a/\\"b\\"",status="404"} 1',
    ),
  );
  assert.ok(
    text.includes('jsscada_plc_request_duration_seconds_count{plc="PLC \\"A\\"\\\\line\\n2"} 1'),
  );
});

Deno.test("pool snapshots become counter deltas, queue gauges and the last round trip", async () => {
  const m = new Metrics({ processMetrics: false });
  m.plc("P").setPoolStats(poolStats());
  m.plc("P").setPoolStats(poolStats({
    requests: 130,
    failures: { ...emptyFailures(), timeout: 6, endCode: 1 },
    queued: 0,
    inFlight: 0,
    lastRttMs: undefined,
  }));
  const f = parse(await m.render());
  assert.equal(valueOf(f, "jsscada_plc_requests_total", { plc: "P" }), 130);
  assert.equal(valueOf(f, "jsscada_plc_errors_total", { plc: "P", code: "timeout" }), 6);
  assert.equal(valueOf(f, "jsscada_plc_errors_total", { plc: "P", code: "busy" }), 0);
  assert.equal(valueOf(f, "jsscada_plc_requests_queued", { plc: "P" }), 0);
  assert.equal(
    valueOf(f, "jsscada_plc_rtt_seconds", { plc: "P" }),
    0.008,
    "undefined keeps the last",
  );
  assert.equal(valueOf(f, "jsscada_plc_connected", { plc: "P" }), 0, "a new PLC starts down");
  // A respawned PLC actor brings a fresh pool: its totals restart from zero.
  m.plc("P").setPoolStats(poolStats({ requests: 5, failures: { ...emptyFailures(), timeout: 1 } }));
  const g = parse(await m.render());
  assert.equal(valueOf(g, "jsscada_plc_requests_total", { plc: "P" }), 135);
  assert.equal(valueOf(g, "jsscada_plc_errors_total", { plc: "P", code: "timeout" }), 7);
});

Deno.test("collect hooks run before each render, in order; a failing one is counted and skipped", async () => {
  const m = new Metrics({ processMetrics: false });
  const order: string[] = [];
  let clients = 0;
  m.onCollect(() => {
    order.push("first");
    m.ws.setClients(++clients);
  });
  const off = m.onCollect(() => {
    order.push("failing");
    throw new Error("snapshot unavailable");
  });
  m.onCollect(async () => {
    await Promise.resolve();
    order.push("async");
    m.buffer.set(clients * 10);
  });
  let f = parse(await m.render());
  assert.deepEqual(order, ["first", "failing", "async"]);
  assert.equal(valueOf(f, "jsscada_ws_clients"), 1);
  assert.equal(valueOf(f, "jsscada_buffer_samples"), 10);
  assert.equal(valueOf(f, "jsscada_metrics_collect_failures_total"), 1);
  off();
  f = parse(await m.render());
  assert.equal(valueOf(f, "jsscada_ws_clients"), 2);
  assert.equal(valueOf(f, "jsscada_metrics_collect_failures_total"), 1);
});

Deno.test("group state is a state set: the current state is 1, the others seen are 0", async () => {
  const m = new Metrics({ processMetrics: false });
  m.group("G").setState("running");
  m.group("G").setState("overrun");
  m.group("G").setState("running");
  const f = parse(await m.render());
  assert.equal(valueOf(f, "jsscada_group_state", { group: "G", state: "running" }), 1);
  assert.equal(valueOf(f, "jsscada_group_state", { group: "G", state: "overrun" }), 0);
});

Deno.test("removed PLCs and groups leave no series behind; retain keeps the configured ones", async () => {
  const m = new Metrics({ processMetrics: false });
  for (const code of ["A", "B", "C"]) {
    m.plc(code).observeRttMs(1);
    m.plc(code).error("timeout");
    m.group(`G${code}`).observeCycleMs(1);
    m.group(`G${code}`).setState("running");
  }
  m.removePlc("A");
  m.retain(["B"], ["GB", "GC"]);
  const text = await m.render();
  assert.ok(!/plc="[AC]"/.test(text), "PLC A and C are gone");
  assert.ok(!/group="G[A]"/.test(text), "group GA is gone");
  assert.match(text, /plc="B"/);
  assert.match(text, /group="GC"/);
  // A removed PLC that comes back starts from zero.
  m.plc("A").requests.setTotal(3);
  assert.equal(valueOf(parse(await m.render()), "jsscada_plc_requests_total", { plc: "A" }), 3);
});

Deno.test("alarm bands missing from a snapshot drop to zero", async () => {
  const m = new Metrics({ processMetrics: false });
  m.alarms.set({ high: { active: 2, unacknowledged: 2 }, low: { active: 1, unacknowledged: 0 } });
  m.alarms.set({ low: { active: 3, unacknowledged: 1 } });
  const f = parse(await m.render());
  assert.equal(valueOf(f, "jsscada_alarms_active", { severity: "high" }), 0);
  assert.equal(valueOf(f, "jsscada_alarms_unacknowledged", { severity: "high" }), 0);
  assert.equal(valueOf(f, "jsscada_alarms_active", { severity: "low" }), 3);
});

Deno.test("two instances keep separate registries", async () => {
  const a = new Metrics({ processMetrics: false });
  const b = new Metrics({ processMetrics: false });
  a.writer.batches.inc(5);
  assert.equal(valueOf(parse(await a.render()), "jsscada_writer_batches_total"), 5);
  assert.equal(valueOf(parse(await b.render()), "jsscada_writer_batches_total"), 0);
});

Deno.test("prom-client's default process metrics work under Deno", async () => {
  const m = new Metrics();
  const text = await m.render();
  assertStrictExposition(text);
  const f = parse(text);
  assert.ok(valueOf(f, "process_resident_memory_bytes") > 0);
  assert.ok(valueOf(f, "process_cpu_seconds_total") > 0);
  assert.ok(valueOf(f, "process_start_time_seconds") > 1.6e9);
  assert.ok(valueOf(f, "nodejs_heap_size_used_bytes") > 0);
  assert.ok(valueOf(f, "nodejs_eventloop_lag_p99_seconds") >= 0);
  assert.equal(valueOf(f, "jsscada_build_info", { deno: Deno.version.deno }), 1);
});

Deno.test("without /proc/self access resident memory comes from Deno and fd counts are left out", async () => {
  const registry = new Registry();
  registerProcessMetrics(registry, { version: "t", defaults: true, procSelfReadable: false });
  const f = parse(await registry.metrics());
  assert.ok(valueOf(f, "process_resident_memory_bytes") > 0);
  assert.ok(!f.some((family) => family.name === "process_open_fds"));
  assert.ok(valueOf(f, "process_cpu_seconds_total") > 0);
});

Deno.test("the operations guide's metric table lists exactly the registered jsscada metrics", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/operations.md", import.meta.url));
  const rows = new Map<string, { type: string; labels: string[] }>();
  for (const line of doc.split("\n")) {
    const cells = line.match(/^\|\s*`(jsscada_[a-z0-9_]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/);
    if (cells === null) continue;
    const labels = cells[3].trim() === "—"
      ? []
      : cells[3].split(",").map((s) => s.trim().replaceAll("`", ""));
    rows.set(cells[1], { type: cells[2], labels });
  }
  const registered = new Metrics({ processMetrics: false }).describe();
  assert.deepEqual([...rows.keys()].sort(), registered.map((d) => d.name));
  for (const d of registered) {
    assert.equal(rows.get(d.name)!.type, d.type, `${d.name} type`);
    assert.deepEqual(rows.get(d.name)!.labels, d.labels, `${d.name} labels`);
  }
});
