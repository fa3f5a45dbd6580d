import assert from "node:assert/strict";
import { type ClientOptions, PlcClient } from "./client.ts";
import type { ReadWordsRequest } from "./commands.ts";
import { PlcError, type PlcErrorCode } from "./errors.ts";
import { FakeMcServer } from "./fake_mc_server.ts";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import type { FrameCode } from "./frame.ts";
import type { ByteConn, Connect } from "./transport.ts";

const READ_D100: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};

/** Runs `fn` with a fake server and a client to it; closes both whatever happens. */
async function withClient(
  options: Partial<ClientOptions>,
  fn: (client: PlcClient, server: FakeMcServer) => Promise<void>,
): Promise<void> {
  const server = FakeMcServer.start();
  const client = new PlcClient({
    host: "127.0.0.1",
    port: server.port,
    frame: "binary",
    ...options,
  });
  try {
    await fn(client, server);
  } finally {
    await client.close();
    await server.close();
  }
}

/** Asserts that `p` rejects with PlcError `code` within `withinMs`; returns the error. */
async function rejectsWith(
  p: Promise<unknown>,
  code: PlcErrorCode,
  withinMs: number,
): Promise<PlcError> {
  const t0 = performance.now();
  const err = await p.then(
    () => assert.fail(`expected PlcError ${code}, got a response`),
    (e: unknown) => e,
  );
  const took = performance.now() - t0;
  assert.ok(err instanceof PlcError, `expected PlcError ${code}, got ${err}`);
  assert.equal(err.code, code, err.message);
  assert.ok(took <= withinMs, `${code} took ${took.toFixed(0)} ms, more than ${withinMs} ms`);
  return err;
}

async function readsBack(client: PlcClient, server: FakeMcServer): Promise<void> {
  server.memory("D").set([7, 8, 9], 100);
  const res = await client.request(READ_D100);
  assert.deepEqual([...res.words], [7, 8, 9]);
}

for (const frame of ["ascii", "binary"] as FrameCode[]) {
  Deno.test(`${frame} client writes and reads back words, bits, random words and the CPU model`, async () => {
    await withClient({ frame }, async (client) => {
      const words = [1, 0x1234, 0xffff];
      await client.request({ command: "writeWords", head: { device: "D", address: 100 }, words });
      const w = await client.request(READ_D100);
      assert.deepEqual([...w.words], words);

      const bits = [true, false, true, true, false];
      await client.request({ command: "writeBits", head: { device: "M", address: 10 }, bits });
      const b = await client.request({
        command: "readBits",
        head: { device: "M", address: 10 },
        points: 5,
      });
      assert.deepEqual(b.bits, bits);

      const r = await client.request({
        command: "randomRead",
        words: [{ device: "D", address: 101 }],
        dwords: [{ device: "D", address: 101 }],
      });
      assert.deepEqual([...r.words], [0x1234]);
      assert.deepEqual(r.dwords, [0xffff1234]);

      const m = await client.request({ command: "cpuModel" });
      assert.equal(m.model, "Q03UDVCPU");
      assert.equal(client.stats.connects, 1);
    });
  });
}

Deno.test("concurrent calls on one client go one at a time, in call order", async () => {
  await withClient({}, async (client, server) => {
    const mem = server.memory("D");
    for (let i = 0; i < 20; i++) {
      mem[i] = i * 3;
      server.faults.push({ kind: "delay", ms: 2 });
    }
    const order: number[] = [];
    const all = Array.from(
      { length: 20 },
      (_, i) =>
        client.request({ command: "readWords", head: { device: "D", address: i }, points: 1 })
          .then((r) => {
            order.push(i);
            return r.words[0];
          }),
    );
    assert.deepEqual(await Promise.all(all), Array.from({ length: 20 }, (_, i) => i * 3));
    assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(server.maxOutstanding, 1);
    assert.equal(server.connections, 1);
  });
});

Deno.test("a stalled response is a timeout within timeoutMs + 100 ms, then a fresh socket works", async () => {
  await withClient({ timeoutMs: 150 }, async (client, server) => {
    server.faults.push({ kind: "stall" });
    const err = await rejectsWith(client.request(READ_D100), "timeout", 250);
    assert.match(err.message, /150 ms/);
    assert.match(err.message, /readWords D100 ×3/);
    assert.equal(client.connected, false);
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

Deno.test("a per-call timeoutMs overrides the client's", async () => {
  await withClient({ timeoutMs: 5000 }, async (client, server) => {
    server.faults.push({ kind: "stall" });
    await rejectsWith(client.request(READ_D100, { timeoutMs: 50 }), "timeout", 150);
  });
});

Deno.test("the peer closing mid-frame is closed, then a fresh socket works", async () => {
  await withClient({ timeoutMs: 500 }, async (client, server) => {
    server.faults.push({ kind: "closeMidFrame" });
    const err = await rejectsWith(client.request(READ_D100), "closed", 600);
    assert.match(err.message, /mid-frame/);
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

Deno.test("a port with nothing listening is refused, and the client connects once it listens", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const client = new PlcClient({ host: "127.0.0.1", port, frame: "ascii", timeoutMs: 300 });
  const err = await rejectsWith(client.request(READ_D100), "refused", 400);
  assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  const server = FakeMcServer.start(port);
  try {
    await readsBack(client, server);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("garbage instead of a response is protocol, then a fresh socket works", async () => {
  await withClient({ frame: "ascii", timeoutMs: 300 }, async (client, server) => {
    server.faults.push({ kind: "garbage" });
    await rejectsWith(client.request(READ_D100), "protocol", 400);
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

Deno.test("an unsolicited extra frame is protocol on the next exchange's socket, which is replaced", async () => {
  await withClient({ timeoutMs: 300 }, async (client, server) => {
    server.faults.push({ kind: "duplicate" });
    await readsBack(client, server);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(client.connected, false);
    assert.equal(client.stats.failures.protocol, 0, "nobody was waiting for the extra frame");
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

for (const frame of ["ascii", "binary"] as FrameCode[]) {
  Deno.test(`${frame}: an end code is endCode and the same socket serves the next request`, async () => {
    await withClient({ frame, timeoutMs: 300 }, async (client, server) => {
      server.faults.push({ kind: "endCode", endCode: 0xc056 });
      const err = await rejectsWith(client.request(READ_D100), "endCode", 400);
      assert.equal(err.endCode, 0xc056);
      assert.equal(client.connected, true);
      await readsBack(client, server);
      assert.equal(server.connections, 1);
    });
  });
}

Deno.test("an aborted signal rejects before anything is sent or connected", async () => {
  await withClient({}, async (client, server) => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(client.request(READ_D100, { signal: ac.signal }), "aborted", 100);
    assert.equal(server.connections, 0);
    await readsBack(client, server);
  });
});

Deno.test("aborting a request on the wire rejects at once and tears the socket down", async () => {
  await withClient({ timeoutMs: 5000 }, async (client, server) => {
    server.faults.push({ kind: "stall" });
    const ac = new AbortController();
    const p = client.request(READ_D100, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await rejectsWith(p, "aborted", 130);
    assert.equal(client.connected, false);
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

Deno.test("aborting a call that waits its turn leaves the one on the wire alone", async () => {
  await withClient({}, async (client, server) => {
    server.faults.push({ kind: "delay", ms: 50 });
    const first = client.request(READ_D100);
    const ac = new AbortController();
    const second = client.request(READ_D100, { signal: ac.signal });
    ac.abort();
    await rejectsWith(second, "aborted", 20);
    await first;
    assert.equal(server.requests, 1);
    assert.equal(server.connections, 1);
  });
});

Deno.test("a request that breaks the protocol's limits is a RangeError and touches no socket", async () => {
  await withClient({}, async (client, server) => {
    await assert.rejects(
      client.request({ command: "readWords", head: { device: "D", address: 0 }, points: 961 }),
      RangeError,
    );
    assert.equal(server.connections, 0);
    assert.equal(client.stats.requests, 0);
  });
});

Deno.test("a connect that hangs is a timeout within connectTimeoutMs + 100 ms", async () => {
  const hang: Connect = ({ signal }) =>
    new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
  const client = new PlcClient({
    host: "192.0.2.1",
    port: 5000,
    frame: "binary",
    connectTimeoutMs: 100,
    connect: hang,
  });
  try {
    const err = await rejectsWith(client.request(READ_D100), "timeout", 200);
    assert.match(err.message, /connecting to 192\.0\.2\.1:5000/);
  } finally {
    await client.close();
  }
});

Deno.test("aborting during a connect is aborted, and a connection that opens late is closed", async () => {
  let lateClosed = false;
  const late: ByteConn = {
    read: () => Promise.resolve(null),
    write: (p) => Promise.resolve(p.length),
    close: () => {
      lateClosed = true;
    },
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow: Connect = () => new Promise((resolve) => timer = setTimeout(() => resolve(late), 60));
  const client = new PlcClient({ host: "h", port: 1, frame: "binary", connect: slow });
  try {
    const ac = new AbortController();
    const p = client.request(READ_D100, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await rejectsWith(p, "aborted", 40);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(lateClosed, true);
    assert.equal(client.connected, false);
  } finally {
    clearTimeout(timer);
    await client.close();
  }
});

Deno.test("close() rejects the request on the wire and the waiting calls with closed", async () => {
  await withClient({ timeoutMs: 5000 }, async (client, server) => {
    server.faults.push({ kind: "stall" });
    const onWire = client.request(READ_D100);
    const waiting = client.request(READ_D100);
    await new Promise((r) => setTimeout(r, 20));
    const closing = client.close();
    await rejectsWith(onWire, "closed", 50);
    await rejectsWith(waiting, "closed", 50);
    await closing;
    await client.close();
    await rejectsWith(client.request(READ_D100), "closed", 20);
  });
});

Deno.test("close() during a connect rejects it with closed", async () => {
  const hang: Connect = ({ signal }) =>
    new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
  const client = new PlcClient({ host: "h", port: 1, frame: "binary", connect: hang });
  const p = client.request(READ_D100);
  await client.close();
  await rejectsWith(p, "closed", 50);
});

Deno.test("an idle socket the peer closed is replaced on the next request", async () => {
  await withClient({}, async (client, server) => {
    await readsBack(client, server);
    server.dropConnections();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(client.connected, false);
    await readsBack(client, server);
    assert.equal(server.connections, 2);
  });
});

Deno.test("stats count requests, failures by code, bytes and the round trip", async () => {
  await withClient({ timeoutMs: 100 }, async (client, server) => {
    await readsBack(client, server);
    server.faults.push({ kind: "endCode", endCode: 0xc051 }, { kind: "stall" });
    await client.request(READ_D100).catch(() => {});
    await client.request(READ_D100).catch(() => {});
    const s = client.stats;
    assert.equal(s.requests, 3);
    assert.equal(s.failures.endCode, 1);
    assert.equal(s.failures.timeout, 1);
    assert.equal(s.bytesOut, 3 * 21);
    assert.equal(s.bytesIn, 17 + 20);
    assert.ok(s.lastRttMs !== undefined && s.lastRttMs >= 0);
    assert.equal(s.connected, false);
    assert.equal(s.connects, 1);
  });
});

Deno.test("against the fixture PLC: reads what it holds, fails while it is down, recovers after restart", async () => {
  const plc = startFixturePlc();
  const client = new PlcClient({
    host: "127.0.0.1",
    port: plc.port,
    frame: "ascii",
    timeoutMs: 300,
  });
  try {
    plc.setValue("D100", "INT16", 1234);
    assert.equal((await client.request(READ_D100)).words[0], 1234);
    await plc.kill();
    const err = await client.request(READ_D100).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PlcError && (err.code === "closed" || err.code === "refused"));
    plc.restart();
    assert.equal((await client.request(READ_D100)).words[0], 1234);
  } finally {
    await client.close();
    await plc.close();
  }
});
