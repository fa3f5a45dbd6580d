import assert from "node:assert/strict";
import { getConfig } from "@logtape/logtape";
import { join } from "node:path";
import type { LogLine } from "./log_format.ts";
import { CATEGORIES, getLogger, LOG_FILES, logs, setupLogging } from "./logging.ts";

type FileRole = keyof typeof LOG_FILES;

async function readLines(path: string): Promise<LogLine[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_logs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("records are routed to the four files by level and category", async () => {
  await withTempDir(async (dir) => {
    const logging = await setupLogging({ dir, console: false });
    try {
      logs.http.error("request failed", { status: 500 });
      logs.plc.info("connected", { plc: "PLC01" });
      logs.protocol.warning("garbled frame");
      getLogger(["plc", "PLC02"]).info("reconnecting");
      logs.perf.info("cycle", { group: "G1", ms: 42 });
      logs.system.info("started");
      logs.store.debug("below the level");
      logs.plc.fatal("pool gone");
    } finally {
      await logging.close();
    }
    const files = logging.files!;
    const messages = async (role: FileRole) =>
      (await readLines(files[role])).map((l) => `${l.level} ${l.category} ${l.message}`);
    assert.deepEqual(await messages("scada"), [
      "ERROR jsscada.http request failed",
      "INFO jsscada.plc connected",
      "WARNING jsscada.protocol garbled frame",
      "INFO jsscada.plc.PLC02 reconnecting",
      "INFO jsscada.perf cycle",
      "INFO jsscada.system started",
      "FATAL jsscada.plc pool gone",
    ]);
    assert.deepEqual(await messages("error"), [
      "ERROR jsscada.http request failed",
      "FATAL jsscada.plc pool gone",
    ]);
    assert.deepEqual(await messages("communication"), [
      "INFO jsscada.plc connected",
      "WARNING jsscada.protocol garbled frame",
      "INFO jsscada.plc.PLC02 reconnecting",
      "FATAL jsscada.plc pool gone",
    ]);
    assert.deepEqual(await messages("performance"), ["INFO jsscada.perf cycle"]);
    const [perf] = await readLines(files.performance);
    assert.deepEqual(perf.properties, { group: "G1", ms: 42 });
    assert.ok(!Number.isNaN(Date.parse(perf.time)));
  });
});

Deno.test("the files live in the given directory under their fixed names", async () => {
  await withTempDir(async (dir) => {
    const logDir = join(dir, "data", "logs");
    const logging = await setupLogging({ dir: logDir, console: false, level: "debug" });
    logs.store.debug("now at the level");
    await logging.close();
    const names = [];
    for await (const e of Deno.readDir(logDir)) names.push(e.name);
    assert.deepEqual(names.sort(), Object.values(LOG_FILES).sort());
    assert.equal((await readLines(join(logDir, "scada.log")))[0].message, "now at the level");
  });
});

Deno.test("closing flushes records still buffered by the background writer", async () => {
  await withTempDir(async (dir) => {
    const logging = await setupLogging({ dir, console: false, bufferBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) logs.writer.info("batch {i}", { i });
    await logging.close();
    const lines = await readLines(logging.files!.scada);
    assert.deepEqual(lines.map((l) => l.properties.i), [...Array(100).keys()]);
  });
});

Deno.test("a file is rotated before it would pass maxBytes, keeping maxFiles old ones", async () => {
  await withTempDir(async (dir) => {
    const maxBytes = 1000;
    const logging = await setupLogging({
      dir,
      console: false,
      maxBytes,
      maxFiles: 2,
      nonBlocking: false,
      bufferBytes: 0,
    });
    try {
      for (let i = 0; i < 40; i++) logs.system.info("record {i} {pad}", { i, pad: "x".repeat(60) });
    } finally {
      await logging.close();
    }
    const scada = logging.files!.scada;
    const kept = [`${scada}.2`, `${scada}.1`, scada];
    const indexes: number[] = [];
    for (const path of kept) {
      const size = (await Deno.stat(path)).size;
      assert.ok(size <= maxBytes, `${path} is ${size} bytes`);
      if (path !== scada) assert.ok(size > maxBytes - 250, `${path} rotated early (${size} B)`);
      for (const line of await readLines(path)) indexes.push(line.properties.i as number);
    }
    await assert.rejects(Deno.stat(`${scada}.3`), Deno.errors.NotFound);
    // The kept files hold the newest records, in order, without gaps or torn lines.
    assert.equal(indexes.at(-1), 39);
    assert.deepEqual(indexes, indexes.map((_, k) => indexes[0] + k));
  });
});

Deno.test("log files are 0600 in a 0700 directory, also the new file after a rotation", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "logs");
    await Deno.mkdir(dir, { mode: 0o755 });
    await Deno.chmod(dir, 0o755);
    await Deno.writeTextFile(join(dir, LOG_FILES.scada), "", { mode: 0o644 });
    await Deno.chmod(join(dir, LOG_FILES.scada), 0o644);
    const logging = await setupLogging({
      dir,
      console: false,
      maxBytes: 1000,
      maxFiles: 2,
      nonBlocking: false,
      bufferBytes: 0,
    });
    try {
      for (let i = 0; i < 40; i++) logs.system.info("record {i} {pad}", { i, pad: "x".repeat(60) });
    } finally {
      await logging.close();
    }
    const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;
    assert.equal(await mode(dir), 0o700);
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.ok(names.includes(`${LOG_FILES.scada}.2`), `rotated: ${names}`);
    for (const name of names) assert.equal(await mode(join(dir, name)), 0o600, name);
  });
});

Deno.test("without a directory no file sink is configured", async () => {
  const logging = await setupLogging({ console: false });
  try {
    assert.equal(logging.files, undefined);
    assert.deepEqual(Object.keys(getConfig()?.sinks ?? {}), []);
    logs.system.error("to nowhere");
  } finally {
    await logging.close();
  }
  assert.equal(getConfig(), null, "close removes the configuration");
});

Deno.test("console output is readable text, filtered by its own level", async () => {
  const seen: string[] = [];
  const methods = ["debug", "info", "warn", "error"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (msg: unknown) => void seen.push(`${m}:${String(msg)}`);
  try {
    const logging = await setupLogging({ console: "warning" });
    logs.plc.info("hidden");
    logs.plc.warning("lost {plc}", { plc: "PLC01" });
    logs.http.error("boom");
    await logging.close();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]));
  }
  assert.equal(seen.length, 2);
  assert.match(
    seen[0],
    /^warn:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[WRN\] jsscada\.plc: lost PLC01$/,
  );
  assert.match(seen[1], /^error:.*\[ERR\] jsscada\.http: boom$/);
});

Deno.test("an older handle's close leaves a newer configuration alone; close twice is safe", async () => {
  await withTempDir(async (dir) => {
    const first = await setupLogging({ dir: join(dir, "a"), console: false });
    const second = await setupLogging({ dir: join(dir, "b"), console: false });
    await first.close();
    logs.system.info("still logged");
    await second.close();
    await second.close();
    assert.equal((await readLines(second.files!.scada)).length, 1);
    assert.equal((await readLines(first.files!.scada)).length, 0);
  });
});

Deno.test("await using closes the files", async () => {
  await withTempDir(async (dir) => {
    let path: string;
    {
      await using logging = await setupLogging({ dir, console: false });
      path = logging.files!.error;
      logs.alarm.error("disposed with the scope");
    }
    assert.equal((await readLines(path)).length, 1);
  });
});

Deno.test("every predefined logger sits under jsscada with its category", () => {
  for (const [name, category] of Object.entries(CATEGORIES)) {
    assert.deepEqual(logs[name as keyof typeof logs].category, category);
  }
  assert.deepEqual(getLogger("plc").category, ["jsscada", "plc"]);
  assert.deepEqual(getLogger(["jsscada", "perf", "G1"]).category, ["jsscada", "perf", "G1"]);
});
