import assert from "node:assert/strict";
import { testApp } from "./testing.ts";

function withBadByte(json: string, marker: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(json);
  const at = json.indexOf(marker);
  bytes[at] = 0xff;
  return bytes;
}

Deno.test("a JSON body with invalid UTF-8 answers 400 naming the byte offset; nothing is stored", async () => {
  using t = await testApp();
  const json = JSON.stringify({ code: "L9", name: "Line #" });
  const body = withBadByte(json, "#");
  const res = await t.app.request("/api/v1/lines", {
    method: "POST",
    headers: { Authorization: `Bearer ${t.users.admin.token}`, "Content-Type": "application/json" },
    body,
  });
  const answer = await res.json();
  assert.equal(res.status, 400);
  assert.equal(answer.issues[0].path, "body");
  assert.match(
    answer.issues[0].message,
    new RegExp(`byte 0xff at byte offset ${json.indexOf("#")} `),
  );
  assert.equal(t.store.lines.list({ q: "L9" }).items.length, 0);
});

Deno.test("a JSON body that ends inside a character answers 400; valid UTF-8 passes", async () => {
  using t = await testApp();
  const json = new TextEncoder().encode(JSON.stringify({ code: "L9", name: "라인" }));
  const cut: Uint8Array<ArrayBuffer> = json.slice(0, json.indexOf(0xec) + 2);
  const res = await t.app.request("/api/v1/lines", {
    method: "POST",
    headers: { Authorization: `Bearer ${t.users.admin.token}`, "Content-Type": "application/json" },
    body: cut,
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).issues[0].message, /ends inside a character/);
  const ok = await t.call("POST", "/api/v1/lines", { body: { code: "L9", name: "라인" } });
  assert.equal(ok.status, 201);
  assert.equal(ok.body.name, "라인");
});
