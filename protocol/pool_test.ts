import assert from "node:assert/strict";
import type { ReadWordsRequest } from "./commands.ts";
import { PlcError, type PlcErrorCode } from "./errors.ts";
import { FakeMcServer } from "./fake_mc_server.ts";
import { PlcPool, type PoolOptions } from "./pool.ts";

const read = (address: number): ReadWordsRequest => ({
  command: "readWords",
  head: { device: "D", address },
  points: 1,
});

async function withPool(
  options: Partial<PoolOptions>,
  fn: (pool: PlcPool, server: FakeMcServer) => Promise<void>,
): Promise<void> {
  const server = FakeMcServer.start();
  const pool = new PlcPool({ host: "127.0.0.1", port: server.port, frame: "binary", ...options });
  try {
    await fn(pool, server);
  } finally {
    await pool.close();
    await server.close();
  }
}

async function rejectsWith(
  p: Promise<unknown>,
  code: PlcErrorCode,
  withinMs: number,
): Promise<PlcError> {
  const t0 = performance.now();
  const err = await p.then(() => assert.fail(`expected PlcError ${code}`), (e: unknown) => e);
  const took = performance.now() - t0;
  assert.ok(err instanceof PlcError, `expected PlcError ${code}, got ${err}`);
  assert.equal(err.code, code, err.message);
  assert.ok(took <= withinMs, `${code} took ${took.toFixed(0)} ms, more than ${withinMs} ms`);
  return err;
}

const delays = (server: FakeMcServer, n: number, ms: number) => {
  for (let i = 0; i < n; i++) server.faults.push({ kind: "delay", ms });
};

Deno.test("the pool spreads concurrent requests over all its sockets", async () => {
  await withPool({ size: 5 }, async (pool, server) => {
    const mem = server.memory("D");
    for (let i = 0; i < 10; i++) mem[i] = 100 + i;
    delays(server, 10, 40);
    const t0 = performance.now();
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.request(read(i))));
    const took = performance.now() - t0;
    assert.deepEqual(res.map((r) => r.words[0]), Array.from({ length: 10 }, (_, i) => 100 + i));
    assert.equal(server.connections, 5);
    assert.equal(server.maxBusyConnections, 5);
    assert.equal(server.maxOutstanding, 1);
    assert.ok(took < 200, `two rounds of 40 ms took ${took.toFixed(0)} ms`);
    const s = pool.stats;
    assert.equal(s.clients, 5);
    assert.equal(s.connected, 5);
    assert.equal(s.inFlight, 0);
    assert.equal(s.queued, 0);
    assert.equal(s.requests, 10);
    assert.ok(s.lastRttMs !== undefined && s.rttEwmaMs !== undefined);
  });
});

Deno.test("sequential requests stay on one socket: sockets open only as load needs them", async () => {
  await withPool({ size: 5 }, async (pool, server) => {
    for (let i = 0; i < 10; i++) await pool.request(read(i));
    assert.equal(server.connections, 1);
    assert.equal(pool.stats.clients, 1);
  });
});

Deno.test("a full queue rejects at once with busy and sends nothing", async () => {
  await withPool({ size: 1, maxQueue: 2 }, async (pool, server) => {
    delays(server, 3, 30);
    const accepted = [pool.request(read(0)), pool.request(read(1)), pool.request(read(2))];
    assert.equal(pool.stats.queued, 2);
    const err = await rejectsWith(pool.request(read(3)), "busy", 50);
    assert.match(err.message, /not sent/);
    await Promise.all(accepted);
    assert.equal(server.requests, 3);
    assert.equal(pool.stats.failures.busy, 1);
  });
});

Deno.test("a request queued longer than maxQueueAgeMs is a timeout, unsent, within 100 ms", async () => {
  await withPool({ size: 1, maxQueueAgeMs: 50 }, async (pool, server) => {
    delays(server, 1, 250);
    const first = pool.request(read(0));
    const err = await rejectsWith(pool.request(read(1)), "timeout", 150);
    assert.match(err.message, /queue/);
    assert.equal(pool.stats.queued, 0);
    await first;
    assert.equal(server.requests, 1);
    await pool.request(read(2));
    assert.equal(pool.stats.failures.timeout, 1);
  });
});

Deno.test("aborting a queued request removes it unsent; the rest of the queue keeps its order", async () => {
  await withPool({ size: 1 }, async (pool, server) => {
    delays(server, 1, 30);
    const order: number[] = [];
    const track = (i: number, p: Promise<unknown>) => p.then(() => order.push(i));
    const first = track(0, pool.request(read(0)));
    const ac = new AbortController();
    const aborted = pool.request(read(1), { signal: ac.signal });
    const third = track(2, pool.request(read(2)));
    ac.abort();
    await rejectsWith(aborted, "aborted", 10);
    await Promise.all([first, third]);
    assert.deepEqual(order, [0, 2]);
    assert.equal(server.requests, 2);
  });
});

Deno.test("an urgent request jumps the queue ahead of every queued read, after earlier urgent ones", async () => {
  await withPool({ size: 1 }, async (pool, server) => {
    delays(server, 1, 30);
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name));
    const all = [
      track("on the wire", pool.request(read(0))),
      track("read 1", pool.request(read(1))),
      track("read 2", pool.request(read(2))),
      track("urgent 1", pool.request(read(3), { urgent: true })),
      track("urgent 2", pool.request(read(4), { urgent: true })),
    ];
    await Promise.all(all);
    assert.deepEqual(order, ["on the wire", "urgent 1", "urgent 2", "read 1", "read 2"]);
  });
});

Deno.test("queued reads behind an urgent request still expire at their own deadline", async () => {
  await withPool({ size: 1, maxQueueAgeMs: 40 }, async (pool, server) => {
    delays(server, 1, 200);
    const wire = pool.request(read(0));
    const queued = pool.request(read(1));
    const urgent = pool.request(read(2), { urgent: true });
    await rejectsWith(queued, "timeout", 150);
    await rejectsWith(urgent, "timeout", 150);
    await wire;
  });
});

Deno.test("aborting a request on the wire through the pool tears down only its socket", async () => {
  await withPool({ size: 2, timeoutMs: 5000 }, async (pool, server) => {
    server.faults.push({ kind: "stall" }, { kind: "delay", ms: 40 });
    const ac = new AbortController();
    const stalled = pool.request(read(0), { signal: ac.signal });
    const other = pool.request(read(1));
    setTimeout(() => ac.abort(), 10);
    await rejectsWith(stalled, "aborted", 110);
    await other;
    await pool.request(read(2));
    assert.equal(server.connections, 2, "the third request reused the other, still open socket");
    assert.equal(pool.stats.failures.aborted, 1);
  });
});

Deno.test("the pool recovers from a timed-out socket on the next request", async () => {
  await withPool({ size: 2, timeoutMs: 100 }, async (pool, server) => {
    server.faults.push({ kind: "stall" });
    await rejectsWith(pool.request(read(0)), "timeout", 200);
    server.memory("D")[5] = 55;
    assert.equal((await pool.request(read(5))).words[0], 55);
  });
});

Deno.test("close() rejects the requests on the wire and in the queue with closed", async () => {
  await withPool({ size: 2, timeoutMs: 5000 }, async (pool, server) => {
    server.faults.push({ kind: "stall" }, { kind: "stall" });
    const onWire = [pool.request(read(0)), pool.request(read(1))];
    const queued = [pool.request(read(2)), pool.request(read(3))];
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(pool.stats.inFlight, 2);
    assert.equal(pool.stats.queued, 2);
    const closing = pool.close();
    for (const p of [...onWire, ...queued]) await rejectsWith(p, "closed", 50);
    await closing;
    await pool.close();
    await rejectsWith(pool.request(read(4)), "closed", 10);
    assert.equal(server.requests, 2);
  });
});

Deno.test("a request over the protocol's limits is a RangeError and is never queued", async () => {
  await withPool({ size: 1 }, async (pool) => {
    await assert.rejects(
      pool.request({ command: "readWords", head: { device: "D", address: 0 }, points: 0 }),
      RangeError,
    );
    assert.equal(pool.stats.requests, 0);
  });
});

Deno.test("bad pool options are RangeErrors at construction", () => {
  const base = { host: "127.0.0.1", port: 1, frame: "ascii" } as const;
  assert.throws(() => new PlcPool({ ...base, size: 0 }), RangeError);
  assert.throws(() => new PlcPool({ ...base, maxQueue: -1 }), RangeError);
  assert.throws(() => new PlcPool({ ...base, maxQueueAgeMs: 0 }), RangeError);
  assert.throws(() => new PlcPool({ ...base, monitoringTimer: 0x10000 }), RangeError);
});
