import assert from "node:assert/strict";
import { type ClientOptions, PlcClient } from "./client.ts";
import type { ReadWordsRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import { FakeMcServer } from "./fake_mc_server.ts";
import type { FrameCode } from "./frame.ts";
import { PlcPool } from "./pool.ts";

const read = (address: number): ReadWordsRequest => ({
  command: "readWords",
  head: { device: "D", address },
  points: 1,
});

async function withClient(
  options: Partial<ClientOptions>,
  fn: (client: PlcClient, server: FakeMcServer) => Promise<void>,
): Promise<void> {
  const server = FakeMcServer.start();
  const client = new PlcClient({
    host: "127.0.0.1",
    port: server.port,
    frame: "binary",
    type: "4E",
    ...options,
  });
  try {
    await fn(client, server);
  } finally {
    await client.close();
    await server.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const frame of ["binary", "ascii"] as FrameCode[]) {
  Deno.test(`4E ${frame}: depth 4 keeps several requests in flight on one socket, each answered right`, async () => {
    await withClient({ frame, pipelineDepth: 4 }, async (client, server) => {
      const d = server.memory("D");
      for (let i = 0; i < 16; i++) d[i] = 1000 + i;
      // The first answer is held back, so the next ones must be sent before it returns.
      server.faults.push({ kind: "delay", ms: 50 });
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => client.request(read(i))),
      );
      assert.deepEqual(
        results.map((r) => r.words[0]),
        Array.from({ length: 16 }, (_, i) => 1000 + i),
      );
      assert.ok(server.maxOutstanding >= 2, `at most ${server.maxOutstanding} in flight`);
      assert.ok(server.maxOutstanding <= 4, `${server.maxOutstanding} in flight, depth is 4`);
      assert.equal(server.connections, 1);
    });
  });
}

Deno.test("4E: answers that come back out of order are matched by serial number", async () => {
  await withClient({ pipelineDepth: 3 }, async (client, server) => {
    server.memory("D").set([11, 22, 33], 0);
    server.faults.push({ kind: "delay", ms: 80 }, { kind: "delay", ms: 40 });
    const order: number[] = [];
    const all = [0, 1, 2].map((i) =>
      client.request(read(i)).then((r) => {
        order.push(i);
        return r.words[0];
      })
    );
    assert.deepEqual(await Promise.all(all), [11, 22, 33]);
    assert.deepEqual(order, [2, 1, 0]); // answered in reverse: matched by serial, not by order
  });
});

Deno.test("4E: a late answer after a timeout is matched and dropped, the socket stays", async () => {
  await withClient({ timeoutMs: 60 }, async (client, server) => {
    server.memory("D")[5] = 55;
    server.faults.push({ kind: "delay", ms: 250 });
    const err = await client.request(read(5)).catch((e) => e);
    assert.ok(err instanceof PlcError && err.code === "timeout", String(err));
    // The next request goes out on the same socket while the late answer is still coming.
    const res = await client.request(read(5), { timeoutMs: 2000 });
    assert.equal(res.words[0], 55);
    for (let i = 0; i < 100 && client.stats.lateAnswers === 0; i++) await sleep(10);
    assert.equal(client.stats.lateAnswers, 1);
    assert.equal(client.stats.connects, 1);
    assert.equal(server.connections, 1);
    assert.equal((await client.request(read(5))).words[0], 55);
  });
});

Deno.test("4E: a PLC that stops answering altogether is dropped after a few timeouts", async () => {
  await withClient({ timeoutMs: 30 }, async (client, server) => {
    server.faults.push({ kind: "stall" }, { kind: "stall" }, { kind: "stall" });
    for (let i = 0; i < 3; i++) {
      const e = await client.request(read(0)).catch((e) => e);
      assert.ok(e instanceof PlcError && e.code === "timeout", String(e));
    }
    assert.equal(client.connected, false); // three unanswered > the limit of two
    server.memory("D")[0] = 9;
    assert.equal((await client.request(read(0))).words[0], 9);
    assert.equal(client.stats.connects, 2);
  });
});

Deno.test("4E: an end code fails only its own request; the others in flight succeed", async () => {
  await withClient({ pipelineDepth: 2 }, async (client, server) => {
    server.memory("D")[1] = 1;
    server.faults.push({ kind: "endCode", endCode: 0xc056 });
    const [a, b] = await Promise.allSettled([client.request(read(0)), client.request(read(1))]);
    assert.equal(a.status, "rejected");
    assert.equal((a as PromiseRejectedResult).reason.endCode, 0xc056);
    assert.equal(b.status, "fulfilled");
    assert.equal(client.stats.connects, 1);
  });
});

Deno.test("pipelining needs 4E: depth 2 on 3E frames is a RangeError naming why", () => {
  assert.throws(
    () => new PlcClient({ host: "h", port: 1, frame: "binary", pipelineDepth: 2 }),
    /needs 4E frames/,
  );
  assert.throws(
    () => new PlcClient({ host: "h", port: 1, frame: "binary", type: "4E", pipelineDepth: 0 }),
    RangeError,
  );
});

Deno.test("a pool with depth 4 fills one socket's pipeline before it opens another", async () => {
  const server = FakeMcServer.start();
  const pool = new PlcPool({
    host: "127.0.0.1",
    port: server.port,
    frame: "binary",
    type: "4E",
    pipelineDepth: 4,
    size: 2,
  });
  try {
    server.faults.push({ kind: "delay", ms: 30 });
    const res = await Promise.all(Array.from({ length: 4 }, (_, i) => pool.request(read(i))));
    assert.equal(res.length, 4);
    assert.equal(server.connections, 1);
    await Promise.all(Array.from({ length: 8 }, (_, i) => pool.request(read(i))));
    assert.ok(server.connections <= 2);
  } finally {
    await pool.close();
    await server.close();
  }
});
