import assert from "node:assert/strict";
import { samplePlantFiles } from "../store/startup.ts";
import { openDataDirStore } from "../store/store.ts";
import { runExport, runImport } from "./import_export.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) },
    out,
    err,
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeSample(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [r, text] of Object.entries(samplePlantFiles())) {
    await Deno.writeTextFile(`${dir}/${r}.csv`, text);
  }
}

Deno.test("import of a directory loads the plant in order, shows progress, and export writes it back", async () => {
  await withTempDir(async (dir) => {
    await writeSample(`${dir}/in`);
    const { io, out, err } = captureIo();
    const status = await runImport([`${dir}/in`, "--data-dir", `${dir}/data`], io);
    assert.equal(status, 0, err.join("\n"));
    assert.deepEqual(err, [
      "tags.csv: 1000 of 3491 rows",
      "tags.csv: 2000 of 3491 rows",
      "tags.csv: 3000 of 3491 rows",
    ]);
    assert.equal(out[4], "tags.csv: 3491 rows: 3491 created, 0 updated, 0 deleted, 0 unchanged");
    const exported = captureIo();
    assert.equal(
      await runExport(["--out", `${dir}/out`, "--data-dir", `${dir}/data`], exported.io),
      0,
    );
    for (const name of ["lines", "processes", "plcs", "groups", "tags", "alarms"]) {
      assert.equal(
        await Deno.readTextFile(`${dir}/out/${name}.csv`),
        await Deno.readTextFile(`${dir}/in/${name}.csv`),
        `${name}.csv`,
      );
    }
  });
});

Deno.test("import lists every problem by row and column, exits 1 and writes nothing", async () => {
  await withTempDir(async (dir) => {
    await writeSample(`${dir}/in`);
    const { io } = captureIo();
    assert.equal(await runImport([`${dir}/in`, "--data-dir", `${dir}/data`], io), 0);
    const lines = (await Deno.readTextFile(`${dir}/in/tags.csv`)).split("\n");
    lines[2] = lines[2].replace(",INT16,", ",INT99,");
    lines[5] = lines[5].replace("PLCPRESS010001", "PLCGONE0000001");
    await Deno.writeTextFile(`${dir}/bad_tags.csv`, lines.join("\n"));
    const bad = captureIo();
    const status = await runImport(
      [
        `${dir}/bad_tags.csv`,
        "--resource",
        "tags",
        "--mode",
        "replace",
        "--data-dir",
        `${dir}/data`,
      ],
      bad.io,
    );
    assert.equal(status, 1);
    assert.deepEqual(bad.err.filter((l) => !/ rows$/.test(l)), [
      "tags.csv row 2 (line 3), column data_type: must be one of BOOL, INT16, UINT16, INT32, UINT32, FLOAT32, FLOAT64, STRING",
      "tags.csv row 5 (line 6), column plc: no PLC with code PLCGONE0000001",
      "2 problems; nothing was written",
    ]);
    using store = openDataDirStore(`${dir}/data`);
    assert.equal(store.tags.getByCode("PRESS01_VEL").dataType, "INT16");
  });
});

Deno.test("a dry run checks a single file and writes nothing", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/lines.csv`, "code,name\nLINE09,Test line\n");
    const { io, out } = captureIo();
    assert.equal(
      await runImport([`${dir}/lines.csv`, "--dry-run", "--data-dir", `${dir}/data`], io),
      0,
    );
    assert.deepEqual(out, [
      "lines.csv: 1 rows: 1 created, 0 updated, 0 deleted, 0 unchanged",
      "dry run: the files are valid; nothing was written",
    ]);
    using store = openDataDirStore(`${dir}/data`);
    assert.equal(store.lines.all().length, 0);
  });
});

Deno.test("usage mistakes exit 2 with the usage text", async () => {
  for (
    const args of [[], ["x.csv", "--mode", "upsert"], ["--bogus"], [
      "some.csv",
      "--resource",
      "nope",
    ]]
  ) {
    const { io, err } = captureIo();
    assert.equal(await runImport(args, io), 2, args.join(" "));
    assert.match(err.join("\n"), /usage: jsscada import/);
  }
  const { io, err } = captureIo();
  assert.equal(await runExport([], io), 2);
  assert.match(err[0], /needs --out DIR/);
});

Deno.test("export of one resource goes to stdout; a missing database is an error", async () => {
  await withTempDir(async (dir) => {
    const missing = captureIo();
    assert.equal(
      await runExport(["--resource", "lines", "--data-dir", `${dir}/none`], missing.io),
      1,
    );
    assert.match(missing.err[0], /no configuration database at .*config\.db/);
    await Deno.writeTextFile(`${dir}/lines.csv`, 'code,name\nLINE01,"Body, line"\n');
    assert.equal(
      await runImport([`${dir}/lines.csv`, "--data-dir", `${dir}/data`], captureIo().io),
      0,
    );
    const { io, out } = captureIo();
    assert.equal(await runExport(["--resource", "lines", "--data-dir", `${dir}/data`], io), 0);
    assert.deepEqual(out, ['code,name\nLINE01,"Body, line"']);
    assert.equal(
      await runExport(
        ["--resource", "lines", "--out", dir, "--data-dir", `${dir}/data`],
        captureIo().io,
      ),
      0,
    );
    assert.equal(await Deno.readTextFile(`${dir}/lines.csv`), 'code,name\nLINE01,"Body, line"\n');
  });
});

Deno.test("import --gxworks3-labels dry-runs, then applies the labels as tags of the PLC and group", async () => {
  await withTempDir(async (dir) => {
    await writeSample(`${dir}/in`);
    assert.equal(await runImport([`${dir}/in`, "--data-dir", `${dir}/data`], captureIo().io), 0);
    const labels = new URL("../fixtures/gxworks/gxworks3_labels.csv", import.meta.url).pathname;
    const args = [
      "--gxworks3-labels",
      labels,
      "--plc",
      "PLCPRESS010001",
      "--group",
      "PRESS_STATUS",
      "--data-dir",
      `${dir}/data`,
    ];
    const dry = captureIo();
    assert.equal(await runImport([...args, "--dry-run"], dry.io), 0, dry.err.join("\n"));
    assert.deepEqual(dry.out, [
      "gxworks3_labels.csv: 11 rows: 11 tags created, 0 updated, 0 unchanged",
      "dry run: the file is valid; nothing was written",
    ]);
    let store = openDataDirStore(`${dir}/data`);
    try {
      assert.throws(() => store.tags.getByCode("OVEN_TEMP"));
    } finally {
      store.close();
    }
    const applied = captureIo();
    assert.equal(await runImport(args, applied.io), 0, applied.err.join("\n"));
    assert.deepEqual(applied.out, [
      "gxworks3_labels.csv: 11 rows: 11 tags created, 0 updated, 0 unchanged",
    ]);
    store = openDataDirStore(`${dir}/data`);
    try {
      const oven = store.tags.getByCode("OVEN_TEMP");
      assert.deepEqual(
        [oven.address, oven.dataType, oven.description, store.groups.get(oven.groupId).code],
        ["D210", "FLOAT32", "Oven temperature, zone 1", "PRESS_STATUS"],
      );
    } finally {
      store.close();
    }
  });
});

Deno.test("import --gxworks2-comments lists refusals by row and column and writes nothing", async () => {
  await withTempDir(async (dir) => {
    await writeSample(`${dir}/in`);
    assert.equal(await runImport([`${dir}/in`, "--data-dir", `${dir}/data`], captureIo().io), 0);
    const comments = new URL("../fixtures/gxworks/gxworks2_comments_refused.csv", import.meta.url)
      .pathname;
    const { io, out, err } = captureIo();
    const status = await runImport([
      "--gxworks2-comments",
      comments,
      "--plc",
      "PLCPRESS010001",
      "--group",
      "PRESS_STATUS",
      "--word-type",
      "UINT16",
      "--prefix",
      "GX2_",
      "--data-dir",
      `${dir}/data`,
    ], io);
    assert.equal(status, 1);
    assert.deepEqual(out, []);
    assert.equal(
      err[0],
      "gxworks2_comments_refused.csv row 2 (line 2), column Device Name: T0 is a whole timer; " +
        "JSScada reads its contact (TS…) or current value (TN…): comment that device instead",
    );
    assert.equal(err.at(-1), "5 problems; nothing was written");
    const store = openDataDirStore(`${dir}/data`);
    try {
      assert.throws(() => store.tags.getByCode("GX2_D10"));
    } finally {
      store.close();
    }
  });
});

Deno.test("import refuses GX Works options that do not fit together", async () => {
  const cases: [string[], RegExp][] = [
    [["--gxworks3-labels", "a.csv", "--group", "G"], /needs --plc CODE and --group CODE/],
    [
      ["--gxworks3-labels", "a", "--gxworks2-comments", "b", "--plc", "P", "--group", "G"],
      /not both/,
    ],
    [
      ["--gxworks3-labels", "a", "--plc", "P", "--group", "G", "--word-type", "INT16"],
      /for device comments/,
    ],
    [
      ["--gxworks2-comments", "a", "--plc", "P", "--group", "G", "--word-type", "INT8"],
      /must be one of INT16/,
    ],
    [["--gxworks2-comments", "a", "--plc", "P", "--group", "G", "--mode", "replace"], /merges/],
    [["tags.csv", "--plc", "P"], /--plc goes with --gxworks3-labels/],
  ];
  for (const [args, message] of cases) {
    const { io, err } = captureIo();
    assert.equal(await runImport(args, io), 2, args.join(" "));
    assert.match(err[0], message);
  }
});
