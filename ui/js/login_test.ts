import assert from "node:assert/strict";
// @ts-ignore: a plain browser module without types
import { isSameOriginPath, nextPath } from "./login.js";

Deno.test("login next: a tab between two slashes does not leave the origin", () => {
  assert.equal(nextPath("?next=%2F%09%2Fevil.example", ""), "/monitor");
  assert.equal(nextPath("?next=%2F%0A%2Fevil.example", ""), "/monitor");
  assert.equal(nextPath("?next=%2F%0D%2Fevil.example", ""), "/monitor");
});

Deno.test("login next: other-site forms are refused", () => {
  for (
    const next of [
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "https://evil.example/",
      "http:evil.example",
      "javascript:alert(1)",
      "evil.example",
      " /monitor",
      "/%00x\u0000",
      "/\u0085x",
      "",
    ]
  ) {
    assert.equal(isSameOriginPath(next), false, JSON.stringify(next));
    assert.equal(nextPath(`?next=${encodeURIComponent(next)}`, ""), "/monitor");
  }
  assert.equal(nextPath("", ""), "/monitor");
});

Deno.test("login next: same-site paths are kept with their query and fragment", () => {
  assert.equal(
    nextPath(`?next=${encodeURIComponent("/admin?x=1")}`, "#groups"),
    "/admin?x=1#groups",
  );
  assert.equal(nextPath(`?next=${encodeURIComponent("/monitor#alarms")}`, "#x"), "/monitor#alarms");
  assert.equal(nextPath(`?next=${encodeURIComponent("/a b/%2F%2F")}`, ""), "/a b/%2F%2F");
  assert.equal(nextPath(`?next=${encodeURIComponent("/login?next=/admin")}`, ""), "/monitor");
});
