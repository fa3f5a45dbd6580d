import assert from "node:assert/strict";
import { API_DOCS_PATH } from "./api_docs_page.ts";
import { API_DOCS_SCRIPT } from "./api_docs_script.ts";
import { OPENAPI_PATH } from "./openapi.ts";
import { testApp } from "./testing.ts";

Deno.test("the reference page is served offline, with its script and stylesheet as files", async () => {
  using t = await testApp();
  const page = await t.app.request(API_DOCS_PATH);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("Content-Type")!, /^text\/html/);
  const html = await page.text();
  assert.match(html, /<script type="module" src="docs\/docs.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<style>|https?:\/\//, "no inline script or style, no CDN");
  assert.match(page.headers.get("Content-Security-Policy")!, /default-src 'self'/);
  const script = await t.app.request(`${API_DOCS_PATH}/docs.js`);
  assert.match(script.headers.get("Content-Type")!, /^text\/javascript/);
  const source = await script.text();
  assert.match(source, /fetch\("openapi.json"\)/);
  assert.doesNotMatch(source, /innerHTML|eval\(/);
  const css = await t.app.request(`${API_DOCS_PATH}/docs.css`);
  assert.match(css.headers.get("Content-Type")!, /^text\/css/);
  await css.body?.cancel();
});

Deno.test("the reference page with a trailing slash redirects to the page, not a 404", async () => {
  using t = await testApp();
  const answer = await t.app.request(`${API_DOCS_PATH}/`);
  assert.equal(answer.status, 301);
  assert.equal(answer.headers.get("Location"), API_DOCS_PATH);
  await answer.body?.cancel();
});

/** Just enough DOM for the page script: elements with children, attributes and text. */
class FakeNode {
  children: (FakeNode | string)[] = [];
  append(...nodes: (FakeNode | string)[]): void {
    // A real element would turn anything else (an array, say) into text.
    for (const n of nodes) {
      assert.ok(typeof n === "string" || n instanceof FakeNode, "append(node | text)");
    }
    this.children.push(...nodes);
  }
  get textContent(): string {
    return this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  set textContent(text: string) {
    this.children = [text];
  }
  /** Every element below this one with the tag. */
  all(tag: string): FakeElement[] {
    return this.children.flatMap((c) =>
      typeof c === "string"
        ? []
        : [...(c instanceof FakeElement && c.tag === tag ? [c] : []), ...c.all(tag)]
    );
  }
}

class FakeElement extends FakeNode {
  className = "";
  attributes: Record<string, string> = {};
  constructor(readonly tag: string) {
    super();
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
}

Deno.test("the page script renders every operation of the document", async () => {
  using t = await testApp();
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  const page: Record<string, FakeElement> = {
    info: new FakeElement("p"),
    toc: new FakeElement("nav"),
    operations: new FakeElement("main"),
  };
  const globals = globalThis as Record<string, unknown>;
  const saved = { Node: globals.Node, document: globals.document, fetch: globals.fetch };
  globals.Node = FakeNode;
  globals.document = {
    createElement: (tag: string) => new FakeElement(tag),
    getElementById: (id: string) => page[id],
  };
  globals.fetch = (url: string) => {
    assert.equal(url, "openapi.json");
    return Promise.resolve({ json: () => Promise.resolve(doc) });
  };
  try {
    await new Function(API_DOCS_SCRIPT.replace(/\nmain\(\);\n$/, "\nreturn main();\n"))();
  } finally {
    Object.assign(globals, saved);
  }
  assert.match(page.info.textContent, /^JSScada API \d/);
  const sections = page.operations.all("section");
  const operations = Object.values(doc.paths as Record<string, Record<string, unknown>>)
    .reduce((n, path) => n + Object.keys(path).filter((k) => k !== "parameters").length, 0);
  assert.ok(operations >= 49, `the document has ${operations} operations`);
  assert.equal(sections.length, operations, "one section per operation of the document");
  assert.equal(page.toc.all("a").length, 11);
  const patchPlc = sections.find((s) => s.attributes.id === "updatePlc")!;
  const text = patchPlc.textContent;
  assert.match(text, /^PATCH \/api\/v1\/plcs\/\{id\} Change some fields of a PLC/);
  assert.match(text, /Who: admin/);
  assert.match(text, /Request body.*application\/json.*PlcPatch/);
  assert.match(text, /port.*integer.*min 1; max 65535/);
  assert.match(text, /409 a duplicate/);
});
