import assert from "node:assert/strict";
import { LoopLagProbe } from "../observability/loop_lag.ts";
import type { ConfigChange } from "../model/change.ts";
import { ensureSamplePlant } from "../store/startup.ts";
import { openDataDirStore, type Store } from "../store/store.ts";
import { createApp } from "./app.ts";
import type { AppOptions } from "./context.ts";
import { type Answer, parse } from "./testing.ts";

const TAGS_HEADER =
  "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";

/** `n` valid tag rows for the sample plant, each padded with a description of `pad` characters. */
function tagsCsv(n: number, pad = 0): string {
  const description = "x".repeat(pad);
  const lines = [TAGS_HEADER];
  for (let i = 0; i < n; i++) {
    lines.push(
      `BULK_${i},Bulk tag ${i},${description},PLCPRESS010001,PRESS_STATUS,ZR${i},INT16,,1,0,,,true`,
    );
  }
  return lines.join("\n") + "\n";
}

/** An app on a real config.db (the sample plant) with an admin token. */
async function fileApp(options: AppOptions = {}) {
  const dir = await Deno.makeTempDir();
  const store: Store = openDataDirStore(dir, { scrypt: { N: 1024, r: 8, p: 1 } });
  ensureSamplePlant(store);
  const admin = await store.users.create({ name: "admin", role: "admin", password: "admin-pass" });
  const { token } = store.tokens.create({ name: "test", userId: admin.id });
  const app = createApp({ store, options: { rateLimit: false, ...options } });
  const post = async (path: string, body: BodyInit, type = "text/csv") => {
    const res = await app.request(path, {
      method: "POST",
      body,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
    });
    return { status: res.status, body: await parse(res) as Answer["body"] };
  };
  return {
    store,
    post,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("on a file store, a dry run is answered from the worker and a real import is applied once", async () => {
  await using t = await fileApp();
  const changes: ConfigChange[] = [];
  const unsubscribe = t.store.subscribe((c) => changes.push(...c));
  try {
    const dry = await t.post("/api/v1/import/tags?dryRun=true", tagsCsv(3));
    assert.equal(dry.status, 200);
    assert.equal(dry.body.ok, true);
    assert.equal(dry.body.counts.tags.created, 3);
    assert.equal(t.store.tags.all().length, 3491);
    assert.equal(changes.length, 0);
    const real = await t.post("/api/v1/import/tags", tagsCsv(3));
    assert.equal(real.status, 200);
    assert.equal(real.body.dryRun, false);
    assert.equal(t.store.tags.all().length, 3494);
    assert.equal(changes.filter((c) => c.kind === "created").length, 3);
    const bad = await t.post("/api/v1/import/tags", tagsCsv(2).replace("INT16", "INT17"));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.dryRun, false);
    assert.equal(bad.body.issues[0].path, "tags.csv/1/data_type");
    const latin1 = new Uint8Array([...new TextEncoder().encode("code,name\nL,caf"), 0xe9, 0x0a]);
    const notUtf8 = await t.post("/api/v1/import/lines", latin1);
    assert.equal(notUtf8.status, 400);
    assert.equal(notUtf8.body.issues[0].path, "body");
    assert.match(
      notUtf8.body.issues[0].message,
      /offset 16/,
      "0xe9 starts a character that 0x0a breaks",
    );
  } finally {
    unsubscribe();
  }
});

Deno.test("a file over the row limit answers 413 naming the limit, on file and memory stores", async () => {
  await using t = await fileApp({ importMaxRows: 2 });
  const over = await t.post("/api/v1/import/tags?dryRun=true", tagsCsv(3));
  assert.equal(over.status, 413);
  assert.equal(
    over.body.message,
    "tags.csv has more than 2 data rows, the import limit (importMaxRows); split it into several files",
  );
  assert.equal((await t.post("/api/v1/import/tags?dryRun=true", tagsCsv(2))).status, 200);
  const { testApp } = await import("./testing.ts");
  using memory = await testApp({ options: { importMaxRows: 1 } });
  const refused = await memory.call("POST", "/api/v1/import/lines?dryRun=true", {
    body: "code,name\nA,a\nB,b\n",
    headers: { "Content-Type": "text/csv" },
  });
  assert.equal(refused.status, 413);
  assert.match(refused.body.message, /lines.csv has more than 1 data rows/);
});

Deno.test("a streamed upload without Content-Length is read in chunks and still limited (413)", async () => {
  await using t = await fileApp({ importBodyLimitBytes: 64 * 1024 });
  const text = new TextEncoder().encode(tagsCsv(50));
  const stream = (body: Uint8Array) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < body.length; i += 1000) c.enqueue(body.slice(i, i + 1000));
        c.close();
      },
    });
  const ok = await t.post("/api/v1/import/tags?dryRun=true", stream(text));
  assert.equal(ok.status, 200);
  assert.equal(ok.body.counts.tags.rows, 50);
  const big = new TextEncoder().encode(tagsCsv(1000));
  const tooBig = await t.post("/api/v1/import/tags?dryRun=true", stream(big));
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.body.message, /larger than the limit of 65,536 bytes/);
});

Deno.test("a 32 MB, 100,000-row tags dry run over HTTP does not hold the main thread", async () => {
  await using t = await fileApp({ importBodyLimitBytes: 40 * 1024 * 1024 });
  const body = new TextEncoder().encode(tagsCsv(100_000, 240));
  const probe = new LoopLagProbe().start();
  const started = performance.now();
  const answer = await t.post("/api/v1/import/tags?dryRun=true", body);
  const lag = probe.stop();
  assert.equal(answer.status, 200);
  assert.equal(answer.body.ok, true, JSON.stringify(answer.body.issues?.slice(0, 2)));
  assert.equal(answer.body.counts.tags.rows, 100_000);
  console.log(
    `${(body.byteLength / 2 ** 20).toFixed(1)} MiB, 100,000-row tags dry run over HTTP: ` +
      `${Math.round(performance.now() - started)} ms; longest main-thread event-loop gap ` +
      `${lag.maxGapMs.toFixed(1)} ms (${lag.gapsOver} gaps over 50 ms)`,
  );
});

Deno.test("on a file store, a GX Works dry run is answered from the worker, then applied, and the row limit holds", async () => {
  await using t = await fileApp({ importMaxRows: 11 });
  const labels = Deno.readFileSync(
    new URL("../fixtures/gxworks/gxworks3_labels.csv", import.meta.url),
  );
  const path = "/api/v1/import/gxworks/gxworks3-labels?plc=PLCPRESS010001&group=PRESS_STATUS";
  const dry = await t.post(`${path}&dryRun=true`, labels);
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.ok, true);
  assert.equal(dry.body.counts.tags.created, 11);
  assert.equal(t.store.tags.all().length, 3491);
  const real = await t.post(path, labels);
  assert.equal(real.status, 200, JSON.stringify(real.body));
  assert.equal(t.store.tags.all().length, 3502);
  assert.equal(t.store.tags.getByCode("FLOW_TOTAL").dataType, "FLOAT64");
  const refused = await t.post(
    path,
    new TextEncoder().encode("Label Name,Data Type,Assign (Device/Label)\nA,Timer,T0\n"),
  );
  assert.equal(refused.status, 400);
  assert.equal(refused.body.issues[0].path, "gxworks3-labels.csv/2/Data Type");
  const twelve = new TextEncoder().encode(
    "Label Name,Data Type,Assign (Device/Label)\n" +
      Array.from({ length: 12 }, (_, i) => `L${i},Bit,M${i}\n`).join(""),
  );
  const over = await t.post(`${path}&dryRun=true`, twelve);
  assert.equal(over.status, 413);
  assert.match(over.body.message, /gxworks3-labels.csv has more than 11 data rows/);
});
