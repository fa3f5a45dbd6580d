import assert from "node:assert/strict";
import type { WriteRequest, WriteResult } from "../actors/plc_write.ts";
import { openStore } from "../store/store.ts";
import { ensureSamplePlant } from "../store/startup.ts";
import { sparkplugWritePort } from "./sparkplug_writes.ts";

Deno.test("Sparkplug writes: refused unless writable and within limits, written through the PLC's write, every attempt audited as sparkplug", async () => {
  const store = openStore(":memory:");
  try {
    ensureSamplePlant(store);
    const tag = store.tags.getByCode("PRESS01_POS")!;
    const other = store.tags.getByCode("PRESS01_VEL")!;
    store.tags.update(tag.id, { writable: true, writeMin: 0, writeMax: 100 }, { actor: "test" });
    const requests: WriteRequest[] = [];
    const port = sparkplugWritePort({
      store,
      current: () => 1,
      write: (request): Promise<WriteResult> => {
        requests.push(request);
        return Promise.resolve({
          plcId: request.plcId,
          outcome: "written",
          items: request.items.map((i) => ({
            tagId: i.tagId,
            code: i.code,
            value: i.value,
            outcome: "written" as const,
            readBack: i.value,
          })),
          requests: 1,
          ms: 3,
        });
      },
    });
    const out = await port([
      { tagId: tag.id, value: 42 },
      { tagId: tag.id, value: 1000 },
      { tagId: other.id, value: 5 },
      { tagId: 999_999, value: 1 },
    ]);
    assert.deepEqual(out[0], { tagId: tag.id, ok: true });
    assert.equal(out[1].ok, false);
    assert.match((out[1] as { reason: string }).reason, /writeMax/);
    assert.match((out[2] as { reason: string }).reason, /not writable/);
    assert.match((out[3] as { reason: string }).reason, /no such tag/);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].items.length, 1);
    assert.equal(requests[0].items[0].value, 42);
    const audit = store.audit.list({ limit: 10 }).items.filter((e) => e.action === "write");
    assert.equal(audit.length, 3);
    assert.ok(audit.every((e) => e.user === "sparkplug"));
  } finally {
    store.close();
  }
});
