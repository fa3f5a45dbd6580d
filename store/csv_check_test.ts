import assert from "node:assert/strict";
import { LoopLagProbe } from "../observability/loop_lag.ts";
import { checkCsv, CsvChecker, decodeUtf8, exceedsRowLimit } from "./csv_check.ts";
import { ensureSamplePlant } from "./startup.ts";
import { openDataDirStore } from "./store.ts";

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** `n` valid tag rows for the sample plant's press PLC (ZR addresses, one word each). */
function bigTagsCsv(n: number): string {
  const lines = [
    "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled",
  ];
  for (let i = 0; i < n; i++) {
    lines.push(`BULK_${i},Bulk tag ${i},,PLCPRESS010001,PRESS_STATUS,ZR${i},INT16,,1,0,,,true`);
  }
  return lines.join("\n") + "\n";
}

async function withSampleDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const store = openDataDirStore(dir);
    try {
      ensureSamplePlant(store);
    } finally {
      store.close();
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the row limit counts records, not lines: quoted line breaks and empty lines do not count", () => {
  const header = "code,name\n";
  assert.equal(exceedsRowLimit(header + "A,1\nB,2\n", 2), false);
  assert.equal(exceedsRowLimit(header + "A,1\nB,2\nC,3", 2), true);
  assert.equal(exceedsRowLimit(header + 'A,"x\ny\nz"\r\nB,2\r\n\r\n\n', 2), false);
  assert.equal(exceedsRowLimit(header + "A,1\n\n\n\n\nB,2\n", 2), false);
  assert.equal(exceedsRowLimit(header + "A,1\nB,2\nC,3\n", 2), true);
  assert.equal(exceedsRowLimit("", 0), false);
});

Deno.test("decodeUtf8 names the offset of the first bad byte", () => {
  assert.equal(decodeUtf8(bytes("code,name\n가,b\n")), "code,name\n가,b\n");
  const bad = new Uint8Array(bytes("code,name\nA,b\n"));
  bad[12] = 0xff;
  assert.deepEqual(decodeUtf8(bad.buffer), {
    message: "is not UTF-8: the byte at offset 12 is not valid there",
  });
});

Deno.test("a check refuses a file over the row limit and one that is not UTF-8, naming them", async () => {
  await withSampleDir((dir) => {
    const dbPath = `${dir}/config.db`;
    // A snapshot left by a crashed check two hours ago is removed by the next check.
    const stale = `${dir}/.csv-check-crashed`;
    Deno.writeTextFileSync(stale, "copy of config.db");
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    Deno.utimeSync(stale, hoursAgo, hoursAgo);
    const fresh = `${dir}/.csv-check-running`;
    Deno.writeTextFileSync(fresh, "another check's snapshot");
    const ok = checkCsv({
      dbPath,
      files: { lines: bytes("code,name\nA,a\n") },
      mode: "merge",
      maxRows: 10,
    });
    assert.equal(ok.kind, "report");
    assert.throws(() => Deno.statSync(stale), Deno.errors.NotFound);
    assert.ok(Deno.statSync(fresh).isFile, "a recent snapshot is left to its check");
    const over = checkCsv({
      dbPath,
      files: { lines: bytes("code,name\nA,a\nB,b\n") },
      mode: "merge",
      maxRows: 1,
    });
    assert.deepEqual(over, { kind: "too_many_rows", file: "lines.csv", limit: 1 });
    const latin1 = new Uint8Array([...new TextEncoder().encode("code,name\nA,caf"), 0xe9, 0x0a]);
    const notUtf8 = checkCsv({
      dbPath,
      files: { lines: latin1.buffer },
      mode: "merge",
      maxRows: 10,
    });
    assert.equal(notUtf8.kind, "not_utf8");
    return Promise.resolve();
  });
});

Deno.test("a 100,000-row tags dry run is checked in a worker on a snapshot; the main thread stays free", async () => {
  await withSampleDir(async (dir) => {
    const checker = new CsvChecker();
    const csv = bytes(bigTagsCsv(100_000));
    const probe = new LoopLagProbe().start();
    const started = performance.now();
    const result = await checker.check({
      dbPath: `${dir}/config.db`,
      files: { tags: csv },
      mode: "merge",
      maxRows: 200_000,
    });
    const lag = probe.stop();
    assert.equal(result.kind, "report", JSON.stringify(result).slice(0, 500));
    if (result.kind !== "report") return;
    assert.deepEqual(result.report.issues.slice(0, 3), []);
    assert.equal(result.report.ok, true);
    assert.equal(result.report.dryRun, true);
    assert.deepEqual(result.report.counts.tags, {
      rows: 100_000,
      created: 100_000,
      updated: 0,
      deleted: 0,
      unchanged: 0,
    });
    assert.equal(checker.stats.workerRuns, 1);
    assert.equal(csv.byteLength, 0, "the bytes were transferred, not copied");
    // Nothing was written, and the snapshot is gone.
    const store = openDataDirStore(dir);
    try {
      assert.equal(store.tags.all().length, 3491);
    } finally {
      store.close();
    }
    const leftovers = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".csv-check-"));
    assert.deepEqual(leftovers, []);
    console.log(
      `100,000-row tags dry run in a worker: ${Math.round(performance.now() - started)} ms; ` +
        `main thread's longest event-loop gap ${lag.maxGapMs.toFixed(1)} ms ` +
        `(${lag.gapsOver} gaps over 50 ms)`,
    );
  });
});
