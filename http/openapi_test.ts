import assert from "node:assert/strict";
import { validate } from "@readme/openapi-parser";
import { API_DOCS_PATH } from "./api_docs_page.ts";
import { OPENAPI_PATH } from "./openapi.ts";
import { testApp } from "./testing.ts";

/** Routes the app serves that are not API operations. */
const NOT_OPERATIONS = [
  `GET ${OPENAPI_PATH}`,
  `GET ${API_DOCS_PATH}`,
  `GET ${API_DOCS_PATH}/`,
  `GET ${API_DOCS_PATH}/docs.css`,
  `GET ${API_DOCS_PATH}/docs.js`,
];

Deno.test("the OpenAPI document is valid OpenAPI 3.1", async () => {
  using t = await testApp();
  const answer = await t.call("GET", OPENAPI_PATH, { as: "anonymous" });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.openapi, "3.1.0");
  const result = await validate(structuredClone(answer.body));
  assert.deepEqual(result, { valid: true, warnings: [], specification: "OpenAPI" });
});

Deno.test("the document lists every route registered on the app, and nothing else", async () => {
  using t = await testApp();
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
    Object.keys(item).map((method) =>
      `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`
    )
  ).sort();
  const registered = [
    ...new Set(t.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
  ].filter((r) => !NOT_OPERATIONS.includes(r)).sort();
  assert.deepEqual(documented, registered);
  assert.equal(registered.length, 49);
});

Deno.test("every operation has an id, a summary, a tag, error responses and security", async () => {
  using t = await testApp();
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  const ids = new Set<string>();
  // deno-lint-ignore no-explicit-any
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where}: operationId`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${where}: summary`);
      assert.equal(op.tags?.length, 1, `${where}: tag`);
      if (op["x-jsscada-access"] !== "public") {
        assert.ok(op.responses["401"], `${where}: documents 401`);
        assert.deepEqual(op.security, [{ sessionCookie: [] }, { bearerToken: [] }], where);
      }
      if (op.requestBody?.content?.["application/json"]) {
        assert.ok(op.responses["400"], `${where}: documents 400`);
      }
    }
  }
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
    "bearerToken",
    "sessionCookie",
  ]);
  assert.equal(doc.components.schemas.Tag.properties.dataType.enum.length, 8);
});

Deno.test("with anonymous read, read operations list anonymous access as allowed", async () => {
  using t = await testApp({ options: { anonymousRead: true } });
  const doc = (await t.call("GET", OPENAPI_PATH)).body;
  assert.deepEqual(doc.paths["/api/v1/tags"].get.security, [{}, { sessionCookie: [] }, {
    bearerToken: [],
  }]);
  assert.deepEqual(doc.paths["/api/v1/users"].get.security, [{ sessionCookie: [] }, {
    bearerToken: [],
  }]);
  assert.deepEqual(doc.paths["/api/v1/auth/login"].post.security, []);
});
