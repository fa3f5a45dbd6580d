import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { Plc1EClient } from "./client1e.ts";
import { PlcError } from "./errors.ts";
import type { FrameCode } from "./frame.ts";
import { parseAddress1E } from "./frame1e.ts";
import { udpConnect } from "./udp_transport.ts";

for (const frame of ["binary", "ascii"] as FrameCode[]) {
  for (const transport of ["tcp", "udp"] as const) {
    Deno.test(`1E ${frame} over ${transport}: an FX3 fixture reads and writes words and bits`, async () => {
      const plc = startFixturePlc({ series: "FX3", udp: transport === "udp" });
      await plc.settled();
      const client = new Plc1EClient({
        host: "127.0.0.1",
        port: plc.port,
        frame,
        ...(transport === "udp" ? { connect: udpConnect } : {}),
      });
      try {
        plc.memory.setWords("D", 100, [0x1995, 0x1202, 0x1130]);
        const r = await client.request({
          command: "readWords",
          head: { device: "D", address: 100 },
          points: 3,
        });
        assert.deepEqual(r, {
          command: "readWords",
          words: Uint16Array.of(0x1995, 0x1202, 0x1130),
        });
        await client.request({
          command: "writeWords",
          head: parseAddress1E("D200"),
          words: [7, 8],
        });
        assert.deepEqual([...plc.memory.getWords("D", 200, 2)], [7, 8]);
        const y = parseAddress1E("Y17"); // octal: point 15
        await client.request({ command: "writeBits", head: y, bits: [true, false, true] });
        assert.deepEqual(plc.memory.getBits("Y", 15, 3), [true, false, true]);
        const back = await client.request({ command: "readBits", head: y, points: 3 });
        assert.deepEqual(back, { command: "readBits", bits: [true, false, true] });
      } finally {
        await client.close();
        await plc.close();
      }
    });
  }
}

Deno.test("1E: a request past a device's end gets 5B 10 and the socket stays usable", async () => {
  const plc = startFixturePlc({ series: "FX3" });
  const client = new Plc1EClient({ host: "127.0.0.1", port: plc.port, frame: "binary" });
  try {
    await plc.setFault({ kind: "endCode", endCode: 0x56, count: 1 });
    const e = await client.request({
      command: "readWords",
      head: { device: "D", address: 0 },
      points: 1,
    })
      .catch((e) => e);
    assert.ok(e instanceof PlcError && e.code === "endCode" && e.endCode === 0x5b56, String(e));
    const ok = await client.request({
      command: "readWords",
      head: { device: "D", address: 0 },
      points: 1,
    });
    assert.equal(ok.command, "readWords");
    assert.equal(plc.stats.connectionsTotal, 1);
  } finally {
    await client.close();
    await plc.close();
  }
});

Deno.test("1E: a stalled FX3 times out, and the next request opens a fresh socket", async () => {
  const plc = startFixturePlc({ series: "FX3" });
  const client = new Plc1EClient({
    host: "127.0.0.1",
    port: plc.port,
    frame: "ascii",
    timeoutMs: 60,
  });
  try {
    await plc.setFault({ kind: "stall", count: 1 });
    const req = { command: "readBits", head: { device: "M", address: 0 }, points: 5 } as const;
    const e = await client.request(req).catch((e) => e);
    assert.ok(e instanceof PlcError && e.code === "timeout", String(e));
    assert.deepEqual(await client.request(req), {
      command: "readBits",
      bits: [false, false, false, false, false],
    });
    assert.equal(plc.stats.connectionsTotal, 2);
  } finally {
    await client.close();
    await plc.close();
  }
});

Deno.test("an FX3 fixture does not speak 3E: a 3E frame closes the connection", async () => {
  const plc = startFixturePlc({ series: "FX3" });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: plc.port });
    await conn.write(new TextEncoder().encode("500000FF03FF000018001004010000D*0001000003"));
    const n = await conn.read(new Uint8Array(64));
    assert.equal(n, null);
    conn.close();
    assert.equal(plc.stats.garbled, 1);
  } finally {
    await plc.close();
  }
});
