import assert from "node:assert/strict";
import fc from "fast-check";
import { convertGxWorks, deriveCode, type GxConvertOptions, labelType } from "./gxworks_convert.ts";

const fixture = (name: string) =>
  Deno.readFileSync(new URL(`../fixtures/gxworks/${name}`, import.meta.url));
const utf8 = (text: string) => new TextEncoder().encode(text);
const labels = (file: string): GxConvertOptions => ({ kind: "gxworks3-labels", file });
const comments = (file: string): GxConvertOptions => ({ kind: "gxworks2-comments", file });
/** [row, column, message] of each issue. */
const where = (r: { issues: { row: number | null; column: string | null; message: string }[] }) =>
  r.issues.map((i) => [i.row, i.column, i.message]);

Deno.test("GX Works3 labels (UTF-8 with BOM, comma-separated) map every scalar type and String(n)", () => {
  const r = convertGxWorks(fixture("gxworks3_labels.csv"), labels("gxworks3_labels.csv"));
  assert.deepEqual(r.issues, []);
  assert.equal(r.records, 11);
  assert.deepEqual(
    r.rows.map((t) => [t.row, t.code, t.address, t.dataType, t.length]),
    [
      [2, "START_PB", "X10", "BOOL", null],
      [3, "MOTOR_RUN", "Y20", "BOOL", null],
      [4, "ALARM_BIT5", "D100.5", "BOOL", null],
      [5, "LINE_SPEED", "D200", "INT16", null],
      [6, "RECIPE_NO", "D201", "UINT16", null],
      [7, "PART_COUNT", "D202", "INT32", null],
      [8, "STATUS_BITS", "W10", "UINT32", null],
      [9, "OVEN_TEMP", "D210", "FLOAT32", null],
      [10, "FLOW_TOTAL", "D220", "FLOAT64", null],
      // String(32): 32 characters and a NUL, two bytes a word.
      [11, "BATCH_ID", "D300", "STRING", 17],
      [12, "OPERATOR_NOTE", "ZR1000", "STRING", 5],
    ],
  );
  const note = r.rows[10];
  assert.equal(note.name, "Operator Note");
  assert.equal(note.description, "-- note for the operator --");
  assert.equal(r.rows[7].description, "Oven temperature, zone 1");
  assert.deepEqual(r.columns, {
    code: "Label Name",
    name: "Label Name",
    description: "Comment",
    address: "Assign (Device/Label)",
    dataType: "Data Type",
  });
});

Deno.test("GX Works3 Unicode text (UTF-16LE with BOM, tab-separated, a title line first) is read", () => {
  const r = convertGxWorks(fixture("gxworks3_labels_unicode.txt"), labels("labels.txt"));
  assert.deepEqual(r.issues, []);
  assert.deepEqual(
    r.rows.map((t) => [t.row, t.code, t.address, t.dataType, t.description]),
    [
      [3, "CONVEYOR_ON", "M500", "BOOL", "Förderband läuft"],
      [4, "TANK_LEVEL", "D1000", "INT16", "タンク液位 (mm)"],
      [5, "PUMP_HOURS", "R500", "UINT32", "Pump running hours"],
      [6, "SETPOINT", "D1002", "FLOAT32", "Setpoint, °C"],
    ],
  );
});

Deno.test("UTF-8 without a BOM, UTF-16BE with a BOM and tab-separated UTF-8 are read alike", () => {
  const text = "Label Name,Data Type,Assign (Device/Label),Comment\nSpeed,Word [Signed],D5,Speed\n";
  const be = new Uint8Array(2 + text.length * 2);
  be.set([0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) be[2 + 2 * i + 1] = text.charCodeAt(i);
  for (const bytes of [utf8(text), be, utf8(text.replaceAll(",", "\t"))]) {
    const r = convertGxWorks(bytes, labels("l.csv"));
    assert.deepEqual(where(r), []);
    assert.deepEqual(r.rows.map((t) => [t.row, t.code, t.address, t.dataType]), [
      [2, "SPEED", "D5", "INT16"],
    ]);
  }
});

Deno.test("every GX Works3 refusal names the row as a spreadsheet shows it and the column heading", () => {
  const r = convertGxWorks(fixture("gxworks3_labels_refused.csv"), labels("refused.csv"));
  assert.deepEqual(r.rows.map((t) => t.code), ["GOOD_WORD"]);
  const type = "Data Type", assign = "Assign (Device/Label)", label = "Label Name";
  assert.deepEqual(
    r.issues.map((i) => [i.file, i.row, i.column]),
    [
      [3, type],
      [4, type],
      [5, type],
      [6, type],
      [7, type],
      [8, type],
      [9, assign],
      [10, "Class"],
      [11, assign],
      [12, assign],
      [13, assign],
      [14, label],
      [15, label],
      [16, label],
      [17, type],
    ].map(([row, column]) => ["refused.csv", row, column]),
  );
  const messages = r.issues.map((i) => i.message);
  assert.match(messages[0], /Word \[Signed\]\(0\.\.9\) is an array/);
  assert.match(messages[1], /stRecipe has no JSScada tag type/);
  assert.match(messages[2], /Timer is a structure of contact, coil and current value/);
  assert.match(messages[3], /Counter is a structure/);
  assert.match(messages[4], /String \[Unicode\]\(16\) holds UTF-16 characters/);
  assert.match(messages[5], /^Time has no JSScada tag type/);
  assert.equal(
    messages[6],
    "Unassigned has no device: JSScada reads devices; assign the label to a device in GX Works3",
  );
  assert.match(messages[7], /VAR_GLOBAL_CONSTANT: a constant lives in the program/);
  assert.match(messages[8], /K4M0 is a digit-specified bit device/);
  assert.match(messages[9], /U3\\G100 is module buffer memory/);
  assert.match(messages[10], /D0Z1 is index-modified/);
  assert.match(messages[11], /温度 gives no tag code/);
  assert.equal(
    messages[12],
    "good_word gives the tag code GOOD_WORD, as row 2 does; rename one of them",
  );
  assert.equal(messages[13], "is empty: the label needs a name");
  assert.match(messages[14], /Long Word \[Signed\] has no JSScada tag type/);
});

Deno.test("labels that sanitize to one code collide; the second names the first's row", () => {
  const text = [
    "Label Name,Data Type,Assign (Device/Label)",
    "Temp Zone,Word [Signed],D1",
    "Temp_Zone,Word [Signed],D2",
    "Temp Zone,Word [Signed],D3",
  ].join("\r\n");
  const r = convertGxWorks(utf8(text), labels("c.csv"));
  assert.deepEqual(r.rows.map((t) => [t.code, t.name]), [["TEMP_ZONE", "Temp Zone"]]);
  assert.deepEqual(where(r), [
    [3, "Label Name", "Temp_Zone gives the tag code TEMP_ZONE, as row 2 does; rename one of them"],
    [4, "Label Name", "Temp Zone gives the tag code TEMP_ZONE, as row 2 does; rename one of them"],
  ]);
});

Deno.test("a code prefix goes in front of every code; a code over 64 characters is refused", () => {
  const long = "L".repeat(60);
  const text =
    `Label Name,Data Type,Assign (Device/Label)\nSpeed,Word [Signed],D1\n${long},Bit,M1\n`;
  const r = convertGxWorks(utf8(text), { ...labels("p.csv"), prefix: "press1_" });
  assert.deepEqual(r.rows.map((t) => t.code), ["PRESS1_SPEED"]);
  assert.deepEqual(where(r), [[
    3,
    "Label Name",
    `gives the tag code PRESS1_${long}, which has 67 characters; JSScada tag codes have at most 64`,
  ]]);
  assert.equal(deriveCode("Motor-1.Speed"), "MOTOR-1.SPEED");
});

Deno.test("a multi-line comment keeps its row; later rows count records, lines count lines", () => {
  const text =
    'Label Name,Data Type,Assign (Device/Label),Comment\nA,Bit,M1,"two\nlines"\nB,Bit,M2\n';
  const r = convertGxWorks(utf8(text), labels("m.csv"));
  assert.deepEqual(r.rows.map((t) => [t.row, t.line, t.name, t.description]), [
    [2, 2, "A", "two\nlines"],
    [3, 4, "B", ""],
  ]);
});

Deno.test("every GX Works3 type name maps or is refused", () => {
  const mapped: [string, string, number | null][] = [
    ["Bit", "BOOL", null],
    ["Word [Signed]", "INT16", null],
    ["Word [Unsigned]/Bit String [16-bit]", "UINT16", null],
    ["Double Word [Signed]", "INT32", null],
    ["Double Word [Unsigned]/Bit String [32-bit]", "UINT32", null],
    ["FLOAT [Single Precision]", "FLOAT32", null],
    ["FLOAT [Double Precision]", "FLOAT64", null],
    ["String(32)", "STRING", 17],
    ["String(1)", "STRING", 1],
    ["string (255)", "STRING", 128],
    ["word[signed]", "INT16", null],
  ];
  for (const [gx, type, length] of mapped) assert.deepEqual(labelType(gx), { type, length }, gx);
  for (
    const gx of [
      "Word [Signed](0..9)",
      "Bit(0..7,0..1)",
      "String(32)(0..3)",
      "String [Unicode](16)",
      "Time",
      "Timer",
      "Counter",
      "Retentive Timer",
      "Long Timer",
      "Long Counter",
      "Long Retentive Timer",
      "Pointer",
      "stMotor",
      "",
      "String(0)",
      "String(5000)",
    ]
  ) assert.ok("refused" in labelType(gx), gx);
});

Deno.test("local label classes are refused: only global labels have devices", () => {
  const text =
    "Label Name,Data Type,Class,Assign (Device/Label)\nA,Bit,VAR,M1\nB,Bit,VAR_GLOBAL_RETAIN,M2\n";
  const r = convertGxWorks(utf8(text), labels("x.csv"));
  assert.deepEqual(r.rows.map((t) => t.code), ["B"]);
  assert.deepEqual(where(r).map(([row, column]) => [row, column]), [[2, "Class"]]);
});

Deno.test("GX Works2 comments: title line first, bit devices BOOL, word devices the chosen type, empty comments skipped", () => {
  const bytes = fixture("gxworks2_comments.csv");
  const r = convertGxWorks(bytes, comments("comments.csv"));
  assert.deepEqual(r.issues, []);
  assert.equal(r.skipped, 1);
  assert.equal(r.records, 8);
  assert.deepEqual(
    r.rows.map((t) => [t.row, t.code, t.name, t.address, t.dataType]),
    [
      [3, "X0", "Start button", "X0", "BOOL"],
      [5, "M100", "Auto mode", "M100", "BOOL"],
      [6, "TS5", "Dwell done", "TS5", "BOOL"],
      [7, "SB0", "Link special relay 0", "SB0", "BOOL"],
      [8, "D100", "Line speed", "D100", "INT16"],
      [9, "W1A", "Link status word", "W1A", "INT16"],
      [10, "SD200", "Scan time", "SD200", "INT16"],
    ],
  );
  const floats = convertGxWorks(bytes, {
    ...comments("c.csv"),
    wordType: "FLOAT32",
    prefix: "P1_",
  });
  assert.deepEqual(
    floats.rows.map((t) => [t.code, t.dataType]).slice(3),
    [["P1_SB0", "BOOL"], ["P1_D100", "FLOAT32"], ["P1_W1A", "FLOAT32"], ["P1_SD200", "FLOAT32"]],
  );
});

Deno.test("GX Works2 refusals name the row and the Device Name column", () => {
  const r = convertGxWorks(fixture("gxworks2_comments_refused.csv"), comments("r.csv"));
  assert.deepEqual(r.rows.map((t) => [t.row, t.code]), [[7, "D10"]]);
  assert.deepEqual(where(r), [
    [
      2,
      "Device Name",
      "T0 is a whole timer; JSScada reads its contact (TS…) or current value (TN…): comment that device instead",
    ],
    [
      3,
      "Device Name",
      "C3 is a whole counter; JSScada reads its contact (CS…) or current value (CN…): comment that device instead",
    ],
    [
      4,
      "Device Name",
      "K4Y0 is a digit-specified bit device; JSScada reads whole words or single bits: give a word device (D…) or a single bit instead",
    ],
    [5, "Device Name", "Q7 is not a device JSScada reads"],
    [6, "Device Name", "is empty: the comment needs its device"],
  ]);
});

Deno.test("missing columns are named with the header's row; a file without a header says what it expected", () => {
  const r = convertGxWorks(
    utf8("Title\nLabel Name,Class,Comment\nA,VAR_GLOBAL,x\n"),
    labels("h.csv"),
  );
  assert.deepEqual(where(r), [
    [2, "Data Type", "is missing from the header (row 2)"],
    [2, "Assign (Device/Label)", "is missing from the header (row 2)"],
  ]);
  assert.deepEqual(r.rows, []);
  const none = convertGxWorks(utf8("a,b\n1,2\n"), comments("n.csv"));
  assert.deepEqual(where(none), [[
    null,
    null,
    "has no header row with the columns Device Name, Comment in its first 30 rows: is it a " +
    "GX Works2 device comment export?",
  ]]);
});

Deno.test("empty, binary and badly encoded files give one clear issue and never throw", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /^is empty/],
    [
      new Uint8Array([0x4c, 0x61, 0x00, 0x01, 0x02, 0x03]),
      /^is not a text export: it holds a NUL byte at offset 2 \(UTF-16 text needs its byte-order mark\)$/,
    ],
    [new Uint8Array([0x4c, 0x61, 0xff, 0x41]), /^is not UTF-8: the byte at offset 2/],
    [new Uint8Array([0xff, 0xfe, 0x41]), /UTF-16LE byte-order mark but is not utf-16le/],
    [utf8('Label Name,Data Type,Assign (Device/Label)\n"A,Bit,M1\n'), /never closed/],
  ];
  for (const [bytes, message] of cases) {
    const r = convertGxWorks(bytes, labels("bad.csv"));
    assert.equal(r.rows.length, 0);
    assert.equal(r.issues.length, 1, JSON.stringify(r.issues));
    assert.match(r.issues[0].message, message);
    assert.equal(r.issues[0].file, "bad.csv");
  }
  // Random bytes: nothing but issues, whatever they hold.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let n = 0; n < 300; n++) {
    const bytes = Uint8Array.from({ length: 1 + (n * 7) % 400 }, next);
    for (const kind of ["gxworks3-labels", "gxworks2-comments"] as const) {
      const r = convertGxWorks(bytes, { kind, file: "garbage.bin" });
      // Garbage never holds a header with the GX columns, so it is one issue about the whole file.
      assert.equal(r.rows.length, 0);
      assert.equal(r.issues.length, 1);
      assert.equal(r.issues[0].file, "garbage.bin");
    }
  }
});

Deno.test("mutated sample exports never throw: every issue names a row of the file or none, and a heading or none", () => {
  const samples = [
    ["gxworks3_labels.csv", "gxworks3-labels"],
    ["gxworks3_labels_refused.csv", "gxworks3-labels"],
    ["gxworks2_comments.csv", "gxworks2-comments"],
  ] as const;
  const texts = samples.map(([name, kind]) => ({
    text: new TextDecoder().decode(fixture(name)),
    kind,
  }));
  const edit = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 8 }),
    insert: fc.constantFrom("", '"', ",", "\t", "\n", "\r\n", "\u0000", "(0..9)", "Bit", "\\", "é"),
  });
  fc.assert(
    fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { maxLength: 6 }), (i, edits) => {
      let { text } = texts[i];
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
      }
      const r = convertGxWorks(utf8(text), { kind: texts[i].kind, file: "m.csv" });
      const lines = text.split("\n").length + 1;
      for (const issue of r.issues) {
        assert.equal(issue.file, "m.csv");
        assert.ok(issue.row === null || (issue.row >= 1 && issue.row <= lines), issue.message);
        assert.ok(issue.message.length > 0);
        const headings = Object.values(r.columns ?? {}).concat([
          "Class",
          "Data Type",
          "Label Name",
          "Assign (Device/Label)",
          "Device Name",
          "Comment",
        ]);
        assert.ok(issue.column === null || headings.includes(issue.column), issue.column ?? "");
      }
      for (const row of r.rows) assert.match(row.code, /^[A-Z0-9_.-]{1,64}$/);
    }),
    { numRuns: 500, seed: 20261206 },
  );
});
