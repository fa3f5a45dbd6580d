import assert from "node:assert/strict";
import { systemClock } from "./clock.ts";
import {
  checkWriteValue,
  executeWrites,
  needsBitWrite,
  rawValue,
  type WriteItem,
  writeItem,
} from "./plc_write.ts";
import { PlcLink } from "./plc_link.ts";
import { FakePool, plcConfig, tagConfig } from "./testing.ts";

function rig(timeoutMs = 200) {
  const link = new PlcLink(plcConfig({ timeoutMs }), systemClock);
  const pool = new FakePool(systemClock, () => 0);
  link.attach(pool);
  link.setGate("open");
  return { link, pool };
}

const item = (over: Partial<WriteItem> & { value: WriteItem["value"] }): WriteItem =>
  writeItem(tagConfig({ id: 7, code: "SP", address: "D100", ...over }), over.value);

Deno.test("a scaled write sends the exact inverse of the scaling and reads the value back", async () => {
  const { link, pool } = rig();
  const r = await executeWrites(
    link,
    { plcId: 1, items: [item({ value: 12.3, scale: 0.1, offset: 0 })] },
    systemClock,
  );
  assert.equal(r.outcome, "written");
  assert.equal(pool.written.get("D100"), 123);
  assert.equal(r.items[0].raw, 123);
  assert.ok(Math.abs((r.items[0].readBack as number) - 12.3) < 1e-9);
  assert.equal(r.requests, 1);
  await link.settled();
});

Deno.test("one bad item refuses the whole request and nothing is sent", async () => {
  const { link, pool } = rig();
  const r = await executeWrites(link, {
    plcId: 1,
    items: [item({ value: 5 }), item({ tagId: 8, code: "BAD", address: "D101", value: 70000 })],
  }, systemClock);
  assert.equal(r.outcome, "refused");
  assert.equal(pool.requests, 0);
  assert.deepEqual(r.items.map((i) => i.outcome), ["refused", "refused"]);
  assert.match(r.items[1].error!, /70000 is not a INT16/);
  assert.match(r.items[0].error!, /nothing was written/);
});

Deno.test("a bit of a word is written only when the tag allows read-modify-write, keeping the other bits", async () => {
  const { link, pool } = rig();
  pool.written.set("D300", 0b1000_0001);
  const bit = (bitWrite: boolean) =>
    writeItem(tagConfig({ address: "D300.4", dataType: "BOOL", bitWrite }), true);
  const refused = await executeWrites(link, { plcId: 1, items: [bit(false)] }, systemClock);
  assert.equal(refused.outcome, "refused");
  assert.match(refused.error!, /bitWrite/);
  const ok = await executeWrites(link, { plcId: 1, items: [bit(true)] }, systemClock);
  assert.equal(ok.outcome, "written");
  assert.equal(pool.written.get("D300"), 0b1001_0001);
  assert.equal(ok.items[0].readBack, true);
});

Deno.test("a BOOL on a bit device is written in bit units", async () => {
  const { link, pool } = rig();
  const r = await executeWrites(link, {
    plcId: 1,
    items: [writeItem(tagConfig({ address: "M5", dataType: "BOOL" }), true)],
  }, systemClock);
  assert.equal(r.outcome, "written");
  assert.equal(pool.getBit("M", 5), true);
  assert.equal(r.items[0].readBack, true);
});

Deno.test("a closed gate refuses at once as unavailable; a stalled PLC is a timeout within its timeout", async () => {
  const { link, pool } = rig(100);
  link.setGate("closed", "backoff");
  const t0 = performance.now();
  const down = await executeWrites(link, { plcId: 1, items: [item({ value: 1 })] }, systemClock);
  assert.equal(down.outcome, "unavailable");
  assert.ok(performance.now() - t0 < 50);
  assert.equal(pool.requests, 0);
  link.setGate("open");
  pool.mode = "stall";
  const slow = await executeWrites(link, { plcId: 1, items: [item({ value: 1 })] }, systemClock);
  assert.equal(slow.outcome, "timeout");
  link.detach();
  await link.settled();
});

Deno.test("a dropped connection or an end code is reported per item with the PLC's message, never as written", async () => {
  const { link, pool } = rig();
  pool.failWrites = true;
  const dropped = await executeWrites(link, { plcId: 1, items: [item({ value: 1 })] }, systemClock);
  assert.equal(dropped.outcome, "unavailable");
  assert.match(dropped.items[0].error!, /the connection dropped/);
  pool.failWrites = false;
  pool.endCodeFor = { device: "W", endCode: 0xc056 };
  const rmw = writeItem(tagConfig({ address: "W10.1", dataType: "BOOL", bitWrite: true }), true);
  const refused = await executeWrites(link, { plcId: 1, items: [rmw] }, systemClock);
  assert.equal(refused.outcome, "failed");
  assert.match(refused.items[0].error!, /C056/i);
});

Deno.test("rawValue refuses the wrong type and non-finite numbers", () => {
  const base = { scale: 1, offset: 0 };
  assert.throws(() => rawValue({ ...base, dataType: "BOOL", value: 1 }), /true or false/);
  assert.throws(() => rawValue({ ...base, dataType: "INT16", value: "1" }), /must be a number/);
  assert.throws(() => rawValue({ ...base, dataType: "FLOAT32", value: Infinity }), /finite/);
  assert.equal(rawValue({ scale: 0.5, offset: 10, dataType: "INT16", value: 20 }), 20);
});

Deno.test("checkWriteValue names the rule a value breaks: type, writeMin, writeMax, range after scaling, text", () => {
  const sp = tagConfig({ unit: "°C", writeMin: 0, writeMax: 100, scale: 0.1 });
  assert.equal(checkWriteValue(sp, 55.5), undefined);
  assert.match(checkWriteValue(sp, "55")!, /^type: a INT16 value must be a finite number/);
  assert.match(checkWriteValue(sp, -1)!, /^writeMin: -1 °C is below .* 0 °C/);
  assert.match(checkWriteValue(sp, 100.5)!, /^writeMax: 100.5 °C is above .* 100 °C/);
  const wide = tagConfig({ scale: 0.1 });
  assert.match(
    checkWriteValue(wide, 4000)!,
    /^range: 40000 is not a INT16 .*inverse of the tag's scaling/,
  );
  const bool = tagConfig({ dataType: "BOOL", address: "M1" });
  assert.match(checkWriteValue(bool, 1)!, /^type: a BOOL value must be true or false/);
  const text = tagConfig({ dataType: "STRING", length: 2 });
  assert.match(checkWriteValue(text, "abcde")!, /^range: the text has 5 characters/);
  assert.equal(needsBitWrite(tagConfig({ dataType: "BOOL", address: "D1.2" })), true);
  assert.equal(
    needsBitWrite(tagConfig({ dataType: "BOOL", address: "D1.2", bitWrite: true })),
    false,
  );
});

Deno.test("over a real socket pool, a write overtakes the reads queued on the PLC", async () => {
  const { FakeMcServer } = await import("../protocol/fake_mc_server.ts");
  const { PlcPool } = await import("../protocol/pool.ts");
  const server = FakeMcServer.start();
  const plc = plcConfig({ port: server.port, timeoutMs: 1000, poolSize: 1 });
  const link = new PlcLink(plc, systemClock);
  link.attach(new PlcPool({ host: "127.0.0.1", port: server.port, frame: "binary", size: 1 }));
  link.setGate("open");
  try {
    for (let i = 0; i < 6; i++) server.faults.push({ kind: "delay", ms: 40 });
    const done: string[] = [];
    const reads = Array.from(
      { length: 5 },
      (_, i) =>
        link.readBlocks([{ device: "D", unit: "word", start: i, points: 1, entries: [] }])
          .then(() => done.push(`read ${i}`)),
    );
    await new Promise((r) => setTimeout(r, 5)); // the reads are queued behind the first
    const write = executeWrites(link, { plcId: 1, items: [item({ value: 7 })] }, systemClock)
      .then((r) => {
        done.push("write");
        return r;
      });
    const [result] = await Promise.all([write, ...reads]);
    assert.equal(result.outcome, "written");
    assert.equal(result.items[0].readBack, 7);
    assert.equal(server.memory("D")[100], 7);
    // The write overtakes the queue (only the read on the wire is before it); its read-back,
    // sent once the write is acknowledged, may follow one read that took the socket meanwhile.
    assert.ok(
      done.indexOf("write") <= 2 && done.length === 6,
      `the write (with its read-back) finished after ${done.indexOf("write")} of 5 reads: ${done}`,
    );
  } finally {
    link.detach();
    await link.settled();
    await server.close();
  }
});
