import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { PlcClient } from "./client.ts";
import type { ReadWordsRequest } from "./commands.ts";
import { PlcError } from "./errors.ts";
import type { FrameCode } from "./frame.ts";
import { udpConnect } from "./udp_transport.ts";

const readD100: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 100 },
  points: 3,
};

for (const frame of ["binary", "ascii"] as FrameCode[]) {
  for (const type of ["3E", "4E"] as const) {
    Deno.test(`UDP ${type} ${frame}: reads and writes the fixture PLC, one datagram per frame`, async () => {
      const plc = startFixturePlc({ udp: true });
      await plc.settled();
      const client = new PlcClient({
        host: "127.0.0.1",
        port: plc.port,
        frame,
        type,
        connect: udpConnect,
        pipelineDepth: type === "4E" ? 4 : 1,
      });
      try {
        assert.ok(plc.udpListening);
        plc.memory.setWords("D", 100, [5, 6, 7]);
        const all = await Promise.all(Array.from({ length: 8 }, () => client.request(readD100)));
        for (const r of all) assert.deepEqual([...r.words], [5, 6, 7]);
        await client.request({
          command: "writeWords",
          head: { device: "D", address: 100 },
          words: [8],
        });
        assert.equal(plc.getValue("D100", "UINT16"), 8);
        assert.equal(plc.stats.connectionsTotal, 0); // no TCP connection was used
      } finally {
        await client.close();
        await plc.close();
      }
    });
  }
}

Deno.test("UDP: a lost answer is retried on a fresh socket and the request succeeds", async () => {
  const plc = startFixturePlc({ udp: true });
  await plc.settled();
  plc.memory.setWords("D", 100, [1, 2, 3]);
  const client = new PlcClient({
    host: "127.0.0.1",
    port: plc.port,
    frame: "binary",
    connect: udpConnect,
    timeoutMs: 100,
    retries: 2,
  });
  try {
    await plc.setFault({ kind: "stall", count: 1 }); // the first datagram goes unanswered
    assert.deepEqual([...(await client.request(readD100)).words], [1, 2, 3]);
    assert.equal(client.stats.retried, 1);
    assert.equal(client.stats.failures.timeout, 0);
  } finally {
    await client.close();
    await plc.close();
  }
});

Deno.test("UDP: without retries a lost answer is a timeout, and the next request is answered", async () => {
  const plc = startFixturePlc({ udp: true });
  await plc.settled();
  const client = new PlcClient({
    host: "127.0.0.1",
    port: plc.port,
    frame: "binary",
    connect: udpConnect,
    timeoutMs: 80,
  });
  try {
    await plc.setFault({ kind: "stall", count: 1 });
    const e = await client.request(readD100).catch((e) => e);
    assert.ok(e instanceof PlcError && e.code === "timeout", String(e));
    assert.deepEqual([...(await client.request(readD100)).words], [0, 0, 0]);
  } finally {
    await client.close();
    await plc.close();
  }
});

Deno.test("retries must be 0 to 10", () => {
  assert.throws(
    () => new PlcClient({ host: "h", port: 1, frame: "binary", retries: 11 }),
    RangeError,
  );
});
