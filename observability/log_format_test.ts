import assert from "node:assert/strict";
import type { LogLevel, LogRecord } from "@logtape/logtape";
import { formatJsonLine, type LogLine, renderMessage } from "./log_format.ts";

function record(
  message: readonly unknown[],
  properties: Record<string, unknown> = {},
  level: LogLevel = "info",
): LogRecord {
  return {
    category: ["jsscada", "plc"],
    level,
    message,
    rawMessage: "",
    timestamp: Date.UTC(2025, 0, 31, 8, 15, 2, 123),
    properties,
  };
}

function parse(line: string): LogLine {
  assert.ok(line.endsWith("\n"));
  assert.equal(line.indexOf("\n"), line.length - 1, "one line per record");
  return JSON.parse(line);
}

Deno.test("a record becomes one JSON line with time, level, category, message, properties", () => {
  const line = formatJsonLine(
    record(["read ", "D100", " in ", 12, " ms"], { plc: "PLC01", ms: 12 }, "warning"),
  );
  assert.deepEqual(parse(line), {
    time: "2025-01-31T08:15:02.123Z",
    level: "WARNING",
    category: "jsscada.plc",
    message: "read D100 in 12 ms",
    properties: { plc: "PLC01", ms: 12 },
  });
  assert.ok(line.startsWith('{"time":"2025-01-31T08:15:02.123Z","level":"WARNING",'));
});

Deno.test("errors keep their name, message, own fields, stack and cause", () => {
  const cause = new Error("socket reset");
  const error = Object.assign(new Error("no answer", { cause }), { code: "timeout" });
  const line = parse(formatJsonLine(record(["failed: ", error, ""], { error })));
  assert.equal(line.message, "failed: Error: no answer");
  const e = line.properties.error as Record<string, unknown>;
  assert.equal(e.name, "Error");
  assert.equal(e.message, "no answer");
  assert.equal(e.code, "timeout");
  assert.equal(typeof e.stack, "string");
  assert.equal((e.cause as Record<string, unknown>).message, "socket reset");
});

Deno.test("awkward values become plain JSON: bigint, bytes, maps, sets, cycles", () => {
  const loop: Record<string, unknown> = { name: "loop" };
  loop.self = loop;
  const shared = { n: 1 };
  const selfCaused = new Error("again");
  (selfCaused as { cause?: unknown }).cause = selfCaused;
  const line = parse(formatJsonLine(record(["x"], {
    big: 2n ** 70n,
    bytes: new Uint8Array([0x50, 0x00, 0xff]),
    map: new Map([["a", 1]]),
    set: new Set([1, 2]),
    loop,
    pair: [shared, shared],
    selfCaused,
    fn: () => 1,
  })));
  const p = line.properties;
  assert.equal(p.big, "1180591620717411303424");
  assert.equal(p.bytes, "5000ff");
  assert.deepEqual(p.map, { a: 1 });
  assert.deepEqual(p.set, [1, 2]);
  assert.deepEqual(p.loop, { name: "loop", self: "[Circular]" });
  assert.deepEqual(p.pair, [{ n: 1 }, { n: 1 }], "a shared object is not a cycle");
  assert.equal((p.selfCaused as Record<string, unknown>).cause, "[Circular]");
  assert.equal(typeof p.fn, "string");
});

Deno.test("newlines and line separators never split a record over lines", () => {
  const line = formatJsonLine(record(["a\nb\u2028c\u2029d"], { s: "x\r\ny\u2028" }));
  assert.ok(!/[\n\r\u2028\u2029]/.test(line.slice(0, -1)));
  const parsed = parse(line);
  assert.equal(parsed.message, "a\nb\u2028c\u2029d");
  assert.equal(parsed.properties.s, "x\r\ny\u2028");
});

Deno.test("a property that cannot be serialized still leaves a valid line", () => {
  const hostile = {
    toJSON(): never {
      throw new Error("nope");
    },
  };
  const line = parse(formatJsonLine(record(["still here"], { hostile })));
  assert.equal(line.message, "still here");
  assert.match(String(line.properties), /unserializable/);
});

Deno.test("message values render as text: strings bare, others as JSON", () => {
  assert.equal(
    renderMessage(record(["", "s", " ", 1, " ", { a: [1] }, " ", undefined, " ", null, ""])),
    's 1 {"a":[1]} undefined null',
  );
});
