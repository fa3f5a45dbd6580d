/**
 * Test support for the actors: configuration builders, the sample plant as a
 * PlantConfig (what the config store will produce from the CSV files), and a
 * fake socket pool driven by an injected clock. Not used in production code.
 */
import type { GroupConfig, PlantConfig, PlcConfig, TagConfig } from "../model/config.ts";
import { generateSamplePlant, type SamplePlant } from "../fixtures/sample_plant/generate.ts";
import type { McRequest, ResponseFor } from "../protocol/commands.ts";
import { DEVICES } from "../protocol/devices.ts";
import { PlcError } from "../protocol/errors.ts";
import type { RequestOptions } from "../protocol/client.ts";
import { emptyFailures } from "../protocol/failures.ts";
import type { PoolStats } from "../protocol/pool.ts";
import type { Sample } from "../model/sample.ts";
import type { Clock } from "./clock.ts";
import type { SampleSink } from "./events.ts";
import type { PoolPort } from "./plc_link.ts";

/** A PLC configuration with test defaults. */
export function plcConfig(overrides: Partial<PlcConfig> = {}): PlcConfig {
  return {
    id: 1,
    code: "PLCTEST0000001",
    name: "Test PLC",
    processId: 1,
    host: "127.0.0.1",
    port: 5000,
    frame: "binary",
    network: 0,
    pc: 255,
    moduleIo: 1023,
    station: 0,
    timeoutMs: 1000,
    poolSize: 5,
    attempts: 3,
    commAlarmDelayMs: 2000,
    enabled: true,
    ...overrides,
  };
}

/** A FIXED group configuration with test defaults. */
export function groupConfig(overrides: Partial<GroupConfig> = {}): GroupConfig {
  return {
    id: 1,
    code: "GROUP1",
    name: "Group 1",
    plcId: 1,
    mode: "FIXED",
    intervalMs: 100,
    trigger: null,
    requestBit: null,
    ackBit: null,
    stepTimeoutMs: null,
    enabled: true,
    ...overrides,
  };
}

/** A tag configuration with test defaults (INT16 at D100 of group 1). */
export function tagConfig(overrides: Partial<TagConfig> = {}): TagConfig {
  return {
    id: 1,
    code: "TAG1",
    name: "Tag 1",
    description: "",
    plcId: 1,
    groupId: 1,
    address: "D100",
    dataType: "INT16",
    length: null,
    scale: 1,
    offset: 0,
    unit: "",
    deadband: null,
    enabled: true,
    ...overrides,
  };
}

/**
 * The sample plant as the runtime's configuration: ids numbered from 1 in
 * file order; `ports` moves PLCs (by code) to where the fixture listens.
 */
export function samplePlantConfig(
  ports: Readonly<Record<string, number>> = {},
  plant: SamplePlant = generateSamplePlant(),
): PlantConfig {
  const lineId = new Map(plant.lines.map((l, i) => [l.code, i + 1]));
  const processId = new Map(plant.processes.map((p, i) => [p.code, i + 1]));
  const plcId = new Map(plant.plcs.map((p, i) => [p.code, i + 1]));
  const groupId = new Map(plant.groups.map((g, i) => [g.code, i + 1]));
  const tagId = new Map(plant.tags.map((t, i) => [t.code, i + 1]));
  return {
    lines: plant.lines.map((l) => ({ id: lineId.get(l.code)!, code: l.code, name: l.name })),
    processes: plant.processes.map((p) => ({
      id: processId.get(p.code)!,
      code: p.code,
      name: p.name,
      lineId: lineId.get(p.line)!,
    })),
    plcs: plant.plcs.map((p) => ({
      id: plcId.get(p.code)!,
      code: p.code,
      name: p.name,
      processId: processId.get(p.process)!,
      host: p.host,
      port: ports[p.code] ?? p.port,
      frame: p.frame,
      network: p.network,
      pc: p.pc,
      moduleIo: p.module_io,
      station: p.station,
      timeoutMs: p.timeout_ms,
      poolSize: p.pool_size,
      attempts: 3,
      commAlarmDelayMs: 2000,
      enabled: p.enabled,
    })),
    groups: plant.groups.map((g) => ({
      id: groupId.get(g.code)!,
      code: g.code,
      name: g.name,
      plcId: plcId.get(g.plc)!,
      mode: g.mode,
      intervalMs: g.interval_ms ?? null,
      trigger: g.trigger ?? null,
      requestBit: g.request_bit ?? null,
      ackBit: g.ack_bit ?? null,
      stepTimeoutMs: g.step_timeout_ms ?? null,
      enabled: g.enabled,
    })),
    tags: plant.tags.map((t) => ({
      id: tagId.get(t.code)!,
      code: t.code,
      name: t.name,
      description: t.description,
      plcId: plcId.get(t.plc)!,
      groupId: groupId.get(t.group)!,
      address: t.address,
      dataType: t.data_type,
      length: t.length ?? null,
      scale: t.scale ?? 1,
      offset: t.offset ?? 0,
      unit: t.unit,
      deadband: t.deadband ?? null,
      enabled: t.enabled,
    })),
    alarmRules: [],
  };
}

/** A sink that keeps everything pushed to it. */
export class MemorySink implements SampleSink {
  readonly batches: Sample[][] = [];

  /** Keeps a copy of the batch. */
  push(samples: readonly Sample[]): void {
    this.batches.push([...samples]);
  }

  /** Every sample pushed, in order. */
  get samples(): Sample[] {
    return this.batches.flat();
  }

  /** Samples of one tag. */
  of(tagId: number): Sample[] {
    return this.samples.filter((s) => s.tagId === tagId);
  }
}

/** How a {@link FakePool} answers. */
export type FakeMode =
  | "ok"
  /** Every request fails at once with PlcError `refused`. */
  | "down"
  /** Requests never answer: they time out on the injected clock. */
  | "stall"
  /** Every request throws a TypeError: a bug, not a PLC failure. */
  | "bug";

/**
 * An in-memory PLC behind the pool port, timed by an injected clock. Word
 * devices hold `value(device, address)` until written; reads take `delayMs`
 * of clock time.
 */
export class FakePool implements PoolPort {
  mode: FakeMode = "ok";
  delayMs = 0;
  /** Serve one request at a time (a one-socket pool), so block reads add up. */
  serial = false;
  requests = 0;
  #busyUntil = 0;
  closed = false;
  /** Writes fail with PlcError `closed` (the connection dropped as the ack went out). */
  failWrites = false;
  /** An end code answered to reads of this device, if set. */
  endCodeFor: { device: string; endCode: number } | undefined;
  readonly written = new Map<string, number>();

  constructor(
    readonly clock: Clock,
    readonly value: (device: string, address: number) => number = (_d, a) => a & 0xffff,
  ) {}

  /** Counters in PoolStats shape (only requests is kept). */
  get stats(): PoolStats {
    return {
      size: 5,
      clients: 1,
      connected: this.mode === "ok" ? 1 : 0,
      inFlight: 0,
      queued: 0,
      requests: this.requests,
      failures: emptyFailures(),
      lastRttMs: this.delayMs,
      rttEwmaMs: this.delayMs,
    };
  }

  /** Answers from memory after `delayMs`, or fails as `mode` says. */
  request<R extends McRequest>(req: R, options: RequestOptions = {}): Promise<ResponseFor<R>> {
    this.requests++;
    if (this.mode === "bug") return Promise.reject(new TypeError("a bug in the pool on purpose"));
    if (this.closed) return Promise.reject(new PlcError("closed", "the fake pool is closed"));
    if (this.mode === "down") return Promise.reject(new PlcError("refused", "connection refused"));
    return new Promise((resolve, reject) => {
      const { signal } = options;
      const timeoutMs = options.timeoutMs ?? 1000;
      let timer: unknown;
      const finish = (f: () => void) => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        f();
      };
      const onAbort = () => finish(() => reject(new PlcError("aborted", "aborted")));
      signal?.addEventListener("abort", onAbort, { once: true });
      if (this.mode === "stall" || this.delayMs >= timeoutMs) {
        timer = this.clock.setTimeout(
          () => finish(() => reject(new PlcError("timeout", `no answer in ${timeoutMs} ms`))),
          timeoutMs,
        );
        return;
      }
      const answer = () => {
        try {
          resolve(this.#answer(req));
        } catch (e) {
          reject(e);
        }
      };
      let wait = this.delayMs;
      if (this.serial) {
        const startAt = Math.max(this.clock.now(), this.#busyUntil);
        this.#busyUntil = startAt + this.delayMs;
        wait = this.#busyUntil - this.clock.now();
      }
      if (wait > 0) timer = this.clock.setTimeout(() => finish(answer), wait);
      else queueMicrotask(() => finish(answer));
    });
  }

  /** Sets a point of a bit device (`M`, 3000), as the PLC program would. */
  setBit(device: string, point: number, value: boolean): void {
    const k = `${device}${point - (point % 16)}`;
    const word = this.written.get(k) ?? this.value(device, point - (point % 16));
    this.written.set(k, value ? word | (1 << (point % 16)) : word & ~(1 << (point % 16)));
  }

  /** Reads a point of a bit device. */
  getBit(device: string, point: number): boolean {
    const word = this.written.get(`${device}${point - (point % 16)}`) ??
      this.value(device, point - (point % 16));
    return ((word >> (point % 16)) & 1) === 1;
  }

  /** Marks the pool closed. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  #answer<R extends McRequest>(req: R): ResponseFor<R> {
    const key = (d: string, a: number) => `${d}${a}`;
    switch (req.command) {
      case "cpuModel":
        return { command: "cpuModel", model: "FAKECPU", modelCode: 0 } as ResponseFor<R>;
      case "readWords": {
        if (this.endCodeFor?.device === req.head.device) {
          throw PlcError.fromEndCode(this.endCodeFor.endCode);
        }
        const words = new Uint16Array(req.points);
        const step = DEVICES.get(req.head.device)?.kind === "bit" ? 16 : 1;
        for (let i = 0; i < req.points; i++) {
          const a = req.head.address + i * step;
          words[i] = this.written.get(key(req.head.device, a)) ?? this.value(req.head.device, a);
        }
        return { command: "readWords", words } as ResponseFor<R>;
      }
      case "writeWords":
      case "writeBits":
        if (this.failWrites) throw new PlcError("closed", "the connection dropped");
    }
    switch (req.command) {
      case "writeWords":
        Array.from(req.words).forEach((w, i) =>
          this.written.set(key(req.head.device, req.head.address + i), w)
        );
        return { command: "writeWords" } as ResponseFor<R>;
      case "writeBits":
        Array.from(req.bits).forEach((b, i) => {
          const a = req.head.address + i;
          const wordKey = key(req.head.device, a - (a % 16));
          const word = this.written.get(wordKey) ?? this.value(req.head.device, a - (a % 16));
          this.written.set(wordKey, b ? word | (1 << (a % 16)) : word & ~(1 << (a % 16)));
        });
        return { command: "writeBits" } as ResponseFor<R>;
      default:
        throw new PlcError("endCode", "not supported by the fake", { endCode: 0xc059 });
    }
  }
}

/** Waits until `cond` holds, looking every 20 ms; fails naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A plant of one PLC and its groups and tags (no lines, processes or alarm rules). */
export function onePlcPlant(
  plc: PlcConfig,
  groups: readonly GroupConfig[],
  tags: readonly TagConfig[],
): PlantConfig {
  return {
    lines: [],
    processes: [],
    plcs: [plc],
    groups: [...groups],
    tags: [...tags],
    alarmRules: [],
  };
}

/**
 * Waits until `f` gives a value (not undefined), looking every `everyMs`;
 * fails naming `what` after `ms`.
 */
export async function untilValue<T>(
  f: () => T | undefined,
  ms: number,
  what: string,
  everyMs = 10,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
