/**
 * Test helpers for code that uses the store: an in-memory store with a cheap
 * password hash and a settable clock, and a small plant (one line, one
 * process, a binary and an ASCII PLC, groups and tags) to build on.
 */
import type { GroupConfig, PlcConfig, ProcessConfig, TagConfig } from "../model/config.ts";
import { openStore, type Store } from "./store.ts";

/** A settable clock for tests: `clock.now()`, `clock.advance(ms)`. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** A clock that starts at 2024-05-01T08:00:00Z and moves only when told. */
export function testClock(start = Date.parse("2024-05-01T08:00:00Z")): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** An in-memory store with a fast (insecure, test-only) scrypt cost. */
export function testStore(clock: TestClock = testClock()): Store {
  return openStore(":memory:", { now: clock.now, scrypt: { N: 1024, r: 8, p: 1 } });
}

/** The records of {@link seedPlant}. */
export interface SeedPlant {
  readonly process: ProcessConfig;
  /** Binary frames. */
  readonly plc: PlcConfig;
  /** ASCII frames. */
  readonly asciiPlc: PlcConfig;
  /** FIXED 100 ms on `plc`. */
  readonly group: GroupConfig;
  /** FIXED 1 s on `asciiPlc`. */
  readonly asciiGroup: GroupConfig;
  /** INT16 at D100 in `group`. */
  readonly tag: TagConfig;
  /** BOOL at M10 in `group`. */
  readonly bitTag: TagConfig;
}

/** Creates a small plant in `store`. */
export function seedPlant(store: Store): SeedPlant {
  const line = store.lines.create({ code: "LINE01", name: "Body line" });
  const process = store.processes.create({ code: "PRESS", name: "Press shop", lineId: line.id });
  const plc = store.plcs.create({
    code: "PLCPRESS010001",
    name: "Press PLC",
    processId: process.id,
    host: "127.0.0.1",
    port: 5001,
  });
  const asciiPlc = store.plcs.create({
    code: "PLCPAINT010001",
    name: "Paint PLC",
    processId: process.id,
    host: "127.0.0.1",
    port: 5003,
    frame: "ascii",
  });
  const group = store.groups.create({
    code: "PRESS_MOTION",
    name: "Press motion",
    plcId: plc.id,
    mode: "FIXED",
    intervalMs: 100,
  });
  const asciiGroup = store.groups.create({
    code: "PAINT_BOOTH",
    name: "Paint booth",
    plcId: asciiPlc.id,
    mode: "FIXED",
    intervalMs: 1000,
  });
  const tag = store.tags.create({
    code: "PRESS01_VEL",
    name: "Press 1 speed",
    plcId: plc.id,
    groupId: group.id,
    address: "D100",
    dataType: "INT16",
    scale: 0.1,
    unit: "mm/s",
  });
  const bitTag = store.tags.create({
    code: "PRESS01_ALM",
    name: "Press 1 overload",
    plcId: plc.id,
    groupId: group.id,
    address: "M10",
    dataType: "BOOL",
  });
  return { process, plc, asciiPlc, group, asciiGroup, tag, bitTag };
}

/** Runs `fn` and returns what it threw (fails when it did not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

/** Awaits `fn` and returns what it rejected with (fails when it resolved). */
export async function rejected(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}
