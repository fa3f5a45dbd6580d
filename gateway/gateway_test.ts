import assert from "node:assert/strict";
import { startGateway } from "./gateway.ts";

Deno.test("the gateway runs the sample plant into the SQLite historian and stops cleanly", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "jsscada-gw-" });
  const lines: string[] = [];
  const gw = await startGateway({
    dataDir,
    samplePlant: true,
    fixture: "any",
    env: { JSSCADA_ADMIN_PASSWORD: "correct horse battery" },
    print: (l) => lines.push(l),
  });
  try {
    await new Promise((r) => setTimeout(r, 2500));
    const status = gw.runtime.status();
    assert.equal(status.plcs.length, 4);
    assert.equal(status.groups.length, 10);
    const connected = status.plcs.filter((p) => p.status?.state === "connected").length;
    assert.equal(connected, 4);
    const w = gw.writerStatus();
    assert.ok(w && w.totals.valuesWritten > 1000, `written ${w?.totals.valuesWritten}`);
    const tag = gw.store.tags.getByCode("PRESS01_POS")!;
    const rows = await gw.sink.samples!(tag.id, 0, Date.now() + 1000, 1000);
    assert.ok(rows.length >= 10, `${rows.length} rows`);
    assert.ok(gw.live.get(tag.id));
    assert.deepEqual(lines, []);
  } finally {
    const report = await gw.stop();
    assert.ok(report.clean, "clean stop");
    assert.ok(report.ms < 5000, `${report.ms} ms`);
    await Deno.remove(dataDir, { recursive: true });
  }
});
