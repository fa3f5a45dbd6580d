import assert from "node:assert/strict";

// The CSV page's pure helper, in Deno (no DOM needed).
const { gxRequest, GX_KINDS, GX_WORD_TYPES } = await import("./admin_csv.js");

Deno.test("a GX Works import asks for the PLC and group first, then builds the route and query", () => {
  const base = { kind: "gxworks3-labels", plc: "", group: "", wordType: "INT16", prefix: "" };
  assert.deepEqual(gxRequest({ ...base, dryRun: true }), { missing: "plc" });
  assert.deepEqual(gxRequest({ ...base, plc: "PLCPRESS010001", group: " ", dryRun: true }), {
    missing: "group",
  });
  assert.deepEqual(
    gxRequest({ ...base, plc: " PLCPRESS010001 ", group: "PRESS_STATUS", dryRun: true }),
    {
      path: "import/gxworks/gxworks3-labels",
      query: {
        plc: "PLCPRESS010001",
        group: "PRESS_STATUS",
        wordType: undefined,
        prefix: undefined,
        dryRun: "true",
      },
    },
  );
  const comments = gxRequest({
    ...base,
    kind: "gxworks2-comments",
    plc: "P",
    group: "G",
    wordType: "FLOAT32",
    prefix: "PRESS1_",
    dryRun: false,
  });
  assert.deepEqual(comments.query, {
    plc: "P",
    group: "G",
    wordType: "FLOAT32",
    prefix: "PRESS1_",
    dryRun: undefined,
  });
});

Deno.test("the page offers the kinds and word types the server takes", async () => {
  const convert = await import("../../store/gxworks_convert.ts");
  assert.deepEqual(GX_KINDS, [...convert.GX_KINDS]);
  assert.deepEqual(GX_WORD_TYPES, [...convert.GX_WORD_TYPES]);
});
