import assert from "node:assert/strict";
import { startFixturePlc } from "../fixtures/plc_server.ts";
import { CLIENT_1E, toRequest1E } from "./client1e_mc.ts";
import { PlcError } from "./errors.ts";
import { PlcPool } from "./pool.ts";

Deno.test("a socket pool of 1E clients reads and writes an FX3 fixture in McRequest terms", async () => {
  await using fx = startFixturePlc({ series: "FX3" });
  const pool = new PlcPool({
    host: "127.0.0.1",
    port: fx.port,
    frame: "binary",
    client: CLIENT_1E,
  });
  try {
    fx.memory.setWords("D", 10, [1, 2, 3]);
    const [a, b] = await Promise.all([
      pool.request({ command: "readWords", head: { device: "D", address: 10 }, points: 3 }),
      pool.request({ command: "writeBits", head: { device: "Y", address: 8 }, bits: [true, true] }),
    ]);
    assert.deepEqual(a, { command: "readWords", words: Uint16Array.of(1, 2, 3) });
    assert.deepEqual(b, { command: "writeBits" });
    assert.deepEqual(fx.memory.getBits("Y", 8, 2), [true, true]);
    // A bit device in word units: 16 points a word, as the read planner asks for them.
    const w = await pool.request({
      command: "readWords",
      head: { device: "Y", address: 0 },
      points: 1,
    });
    assert.deepEqual([...w.words], [0x0300]);
    const bits = await pool.request({
      command: "readBits",
      head: { device: "Y", address: 7 },
      points: 3,
    });
    assert.deepEqual(bits, { command: "readBits", bits: [false, true, true] });
    assert.deepEqual(await pool.request({ command: "cpuModel" }), {
      command: "cpuModel",
      model: "FX3U/FX3UC",
      modelCode: 0xf3,
    }, "the CPU model read goes out as the 1E PLC model name read (15H)");
    assert.ok(pool.stats.lastRttMs !== undefined && pool.stats.connected >= 1);
    assert.equal(fx.stats.garbled, 0);
  } finally {
    await pool.close();
  }
});

Deno.test("1E has no random access, remote operations or Q-only devices: refused before anything is sent", async () => {
  await using fx = startFixturePlc({ series: "FX3" });
  const pool = new PlcPool({ host: "127.0.0.1", port: fx.port, frame: "ascii", client: CLIENT_1E });
  try {
    for (
      const req of [
        { command: "randomWriteWords", words: [{ device: "D", address: 0, value: 1 }], dwords: [] },
        { command: "randomRead", words: [{ device: "D", address: 0 }], dwords: [] },
        { command: "remoteStop" },
        { command: "loopback", data: "AB" },
      ] as const
    ) {
      await assert.rejects(
        () => pool.request(req),
        new RangeError(
          `${req.command} has no 1E frame: an FX3 (1E) takes batch reads and writes and the ` +
            "model read only",
        ),
      );
    }
    await assert.rejects(
      () => pool.request({ command: "readWords", head: { device: "ZR", address: 0 }, points: 1 }),
      /ZR is no FX3 device of 1E frames/,
    );
    await assert.rejects(
      () => pool.request({ command: "readWords", head: { device: "D", address: 0 }, points: 65 }),
      /65 points break the 1E limit of 1 to 64 words/,
    );
    assert.equal(fx.stats.connectionsTotal, 0, "nothing was sent");
  } finally {
    await pool.close();
  }
});

Deno.test("an FX3 pool refuses 4E frames and pipelining when it is made", () => {
  const base = { host: "127.0.0.1", port: 1, frame: "binary", client: CLIENT_1E } as const;
  assert.throws(() => new PlcPool({ ...base, type: "4E" }), /an FX3 speaks 1E frames, not 4E/);
  assert.throws(() => new PlcPool({ ...base, pipelineDepth: 2 }), /pipelineDepth must be 1/);
  assert.deepEqual(
    toRequest1E({ command: "writeWords", head: { device: "D", address: 5 }, words: [9] }),
    { command: "writeWords", head: { device: "D", address: 5 }, words: [9] },
  );
});

Deno.test("aborting a 1E request on the wire drops its socket; the next request gets a fresh one", async () => {
  await using fx = startFixturePlc({ series: "FX3" });
  const pool = new PlcPool({
    host: "127.0.0.1",
    port: fx.port,
    frame: "binary",
    client: CLIENT_1E,
  });
  try {
    const req = { command: "readWords", head: { device: "D", address: 0 }, points: 1 } as const;
    await pool.request(req);
    await fx.setFault({ kind: "stall", count: 1 });
    const ac = new AbortController();
    const pending = pool.request(req, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const e = await pending.catch((e) => e);
    assert.ok(e instanceof PlcError && e.code === "aborted", String(e));
    assert.match(e.message, /aborted after it was sent/);
    assert.equal((await pool.request(req)).command, "readWords");
    assert.equal(fx.stats.connectionsTotal, 2);
  } finally {
    await pool.close();
  }
});
