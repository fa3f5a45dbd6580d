import assert from "node:assert/strict";
import { BdSeqStore, nextBdSeq } from "./bdseq.ts";

Deno.test("bdSeq starts at 0, moves on across opens and wraps after 255", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await BdSeqStore.open(dir);
    assert.equal(a.last, undefined);
    assert.equal(await a.take(), 0);
    assert.equal(await a.take(), 1);
    const b = await BdSeqStore.open(dir);
    assert.equal(await b.take(), 2);
    assert.equal(nextBdSeq(255), 0);
    await Deno.writeTextFile(`${dir}/bdseq`, "255\n");
    assert.equal(await (await BdSeqStore.open(dir)).take(), 0);
    await Deno.writeTextFile(`${dir}/bdseq`, "garbage");
    assert.equal(await (await BdSeqStore.open(dir)).take(), 0, "an unreadable file starts over");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
