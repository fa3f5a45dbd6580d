/**
 * `jsscada plc read|write|info`: the commissioning tool for plant engineers.
 * Reads and writes PLC devices over the MC protocol and prints what it got as
 * one JSON value on stdout; failures are one sentence on stderr and a non-zero
 * exit status.
 */
import { parseArgs } from "node:util";
import { PlcClient } from "../protocol/client.ts";
import { Plc1EClient } from "../protocol/client1e.ts";
import { DEVICES_1E, parseAddress1E } from "../protocol/frame1e.ts";
import { udpConnect } from "../protocol/udp_transport.ts";
import {
  read1E,
  REMOTE_VERBS,
  remoteRequest,
  type RemoteVerb,
  runRemote,
  write1E,
} from "./plc_ops.ts";
import { type BatchLimits, batchLimits, randomLimits } from "../protocol/commands.ts";
import {
  type Address,
  DEVICES,
  formatAddress,
  parseAddress,
  type Series,
  type XyNotation,
} from "../protocol/devices.ts";
import { PlcError } from "../protocol/errors.ts";
import { DEFAULT_ROUTE, type FrameCode, type Route } from "../protocol/frame.ts";
import {
  DATA_TYPES,
  type DataType,
  decodeValue,
  encodeValue,
  type TagValue,
  wordCount,
} from "../protocol/values.ts";

/** Where the command writes: injectable so tests can read what it printed. */
export interface CommandIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

const USAGE = `usage:
  jsscada plc read  <host>:<port> <address> [count] [options]
  jsscada plc write <host>:<port> <address> <v1,v2,...> [options]
  jsscada plc info  <host>:<port> [options]
  jsscada plc run|stop|pause|latch-clear|reset <host>:<port> --yes [--force] [--clear none|latch|all]
  jsscada plc unlock|lock <host>:<port> [--password P]   (or JSSCADA_PLC_PASSWORD)
  jsscada plc echo <host>:<port> [--data 0123ABCD]        loopback test
options:
  --frame ascii|binary      communication data code (default binary)
  --frame-type 3E|4E        frame (default 3E)
  --series Q|iQ-R|iQ-F|FX3  CPU series (default Q): iQ-R uses subcommands 0002/0003 and its
                            devices (LTN, LZ, RD…); iQ-F (FX5) numbers X/Y in octal (Y45 =
                            point 37); FX3 speaks 1E frames, X/Y in octal
  --xy octal|hex            iQ-F with --frame ascii: the CPU's "ASCII code (X, Y OCT)"
                            (octal, default) or "(X, Y HEX)" setting
  --udp                     UDP instead of TCP (lost answers are retried twice)
  --type  int16|uint16|int32|uint32|float32|float64|bool|string
                            (default bool for bit devices and D100.5-style bits, else int16;
                             for string, count is the length in words)
  --timeout ms              per request (default 2000)
  --network n --pc n --module-io n --station n    route (default 0/255/0x3FF/0)`;

/** A usage mistake, reported with the usage text. */
class UsageError extends Error {}

/**
 * Negative numbers such as `-1,2` are values, but parseArgs would take them
 * for short options; they are marked before parsing and unmarked after.
 */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity)/;
const MARK = "\u0000";
const unmark = (s: string) => s.startsWith(MARK) ? s.slice(MARK.length) : s;

/** Runs `plc …`; returns the process exit status (0 ok, 1 PLC or I/O failure, 2 usage). */
export async function runPlcCommand(args: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: args.map((a) => NEGATIVE_NUMBER.test(a) ? MARK + a : a),
      allowPositionals: true,
      options: {
        frame: { type: "string", default: "binary" },
        type: { type: "string" },
        timeout: { type: "string", default: "2000" },
        network: { type: "string" },
        pc: { type: "string" },
        "module-io": { type: "string" },
        station: { type: "string" },
        "frame-type": { type: "string", default: "3E" },
        series: { type: "string", default: "Q" },
        xy: { type: "string" },
        udp: { type: "boolean" },
        yes: { type: "boolean" },
        force: { type: "boolean" },
        clear: { type: "string" },
        password: { type: "string" },
        data: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [verb, target, ...rest] = parsed.positionals.map(unmark);
  const o = Object.fromEntries(
    Object.entries(parsed.values).map(([k, v]) => [k, typeof v === "string" ? unmark(v) : v]),
  ) as typeof parsed.values;
  if (o.help || !verb) {
    (o.help ? io.stdout : io.stderr)(USAGE);
    return o.help ? 0 : 2;
  }
  let client: PlcClient | undefined;
  let client1e: Plc1EClient | undefined;
  try {
    const remote = (REMOTE_VERBS as readonly string[]).includes(verb);
    if (!["read", "write", "info"].includes(verb) && !remote) {
      throw new UsageError(`unknown command "${verb}"`);
    }
    const { host, port } = parseTarget(target);
    const frame = parseFrame(o.frame!);
    const timeoutMs = integer(o.timeout!, "--timeout", 1, 600_000);
    const route: Route = {
      network: o.network ? integer(o.network, "--network", 0, 255) : DEFAULT_ROUTE.network,
      pc: o.pc ? integer(o.pc, "--pc", 0, 255) : DEFAULT_ROUTE.pc,
      moduleIo: o["module-io"]
        ? integer(o["module-io"], "--module-io", 0, 0xffff)
        : DEFAULT_ROUTE.moduleIo,
      station: o.station ? integer(o.station, "--station", 0, 255) : DEFAULT_ROUTE.station,
    };
    const frameType = o["frame-type"]!.toUpperCase();
    if (frameType !== "3E" && frameType !== "4E") {
      throw new UsageError(`--frame-type must be 3E or 4E, not "${o["frame-type"]}"`);
    }
    const series = o.series as Series;
    if (!["Q", "iQ-R", "iQ-F", "FX3"].includes(series)) {
      throw new UsageError(`--series must be Q, iQ-R, iQ-F or FX3, not "${series}"`);
    }
    const xyNotation = o.xy as XyNotation | undefined;
    if (xyNotation !== undefined && xyNotation !== "octal" && xyNotation !== "hex") {
      throw new UsageError(`--xy must be octal or hex, not "${o.xy}"`);
    }
    if (xyNotation !== undefined && series !== "iQ-F") {
      throw new UsageError("--xy applies to --series iQ-F only");
    }
    const transport = o.udp ? { connect: udpConnect, retries: 2 } : {};
    const label = `${host}:${port}`;
    if (series === "FX3") {
      if (remote || verb === "info") {
        throw new UsageError(`"${verb}" is not available over 1E frames (FX3)`);
      }
      client1e = new Plc1EClient({
        host,
        port,
        frame,
        timeoutMs,
        connectTimeoutMs: timeoutMs,
        ...transport,
      });
      if (!rest[0]) throw new UsageError(`${verb} needs an address such as D100, M0 or X17`);
      const isBit = usage(() => DEVICES_1E.get(parseAddress1E(rest[0]).device)!.kind === "bit");
      const type = (o.type?.toUpperCase() ?? (isBit ? "BOOL" : "INT16")) as DataType;
      if (!DATA_TYPES.includes(type)) throw new UsageError(`unknown --type "${o.type}"`);
      if (verb === "read") {
        const count = rest[1] === undefined ? 1 : integer(rest[1], "count", 1, 1_000_000);
        io.stdout(JSON.stringify(await usageOr(() => read1E(client1e!, rest[0], type, count))));
      } else {
        if (rest.length < 2) throw new UsageError("write needs values, e.g. 1,2,3");
        const values = usage(() => parseValues(rest.slice(1).join(" "), type));
        await usageOr(() => write1E(client1e!, rest[0], type, values));
        io.stderr(`wrote ${values.length} value(s) at ${rest[0].toUpperCase()} on ${label}`);
      }
      return 0;
    }
    client = new PlcClient({
      host,
      port,
      frame,
      route,
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      type: frameType,
      extended: series === "iQ-R",
      series,
      ...(xyNotation ? { xyNotation } : {}),
      ...transport,
    });
    if (remote) {
      if (rest.length) throw new UsageError(`${verb} takes no further arguments`);
      const req = usage(() => remoteRequest(verb as RemoteVerb, o, (k) => Deno.env.get(k)));
      io.stdout(await runRemote(client, req));
      return 0;
    }
    if (verb === "info") {
      if (rest.length) throw new UsageError("info takes no further arguments");
      const res = await client.request({ command: "cpuModel" });
      const modelCode = `0x${res.modelCode.toString(16).toUpperCase().padStart(4, "0")}`;
      io.stdout(JSON.stringify({ model: res.model, modelCode }));
      return 0;
    }
    if (!rest[0]) throw new UsageError(`${verb} needs an address such as D100, M0 or X1A0`);
    const address = usage(() => parseAddress(rest[0], series));
    const limits = batchLimits(frame, series);
    const type = parseType(o.type, address);
    if (verb === "read") {
      if (rest.length > 2) throw new UsageError("read takes an address and an optional count");
      const count = rest[1] === undefined ? 1 : integer(rest[1], "count", 1, 1_000_000);
      io.stdout(JSON.stringify(await read(client, limits, address, type, count)));
    } else {
      if (rest.length < 2) throw new UsageError("write needs values, e.g. 1,2,3");
      const values = usage(() => parseValues(rest.slice(1).join(" "), type));
      await write(client, limits, address, type, values);
      io.stderr(
        `wrote ${values.length} value(s) at ${formatAddress(address, series)} on ${label}`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n${USAGE}`);
      return 2;
    }
    io.stderr(explain(e, target));
    return 1;
  } finally {
    // Awaited so that the socket and its read loop are gone when the command returns.
    await client?.close();
    await client1e?.close();
  }
}

/** Runs an FX3 operation; a RangeError before anything is sent is a usage error. */
async function usageOr<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof RangeError ? new UsageError(e.message) : e;
  }
}

/** Runs a parser of the command line; its RangeError is the user's mistake, a usage error. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw e instanceof RangeError ? new UsageError(e.message) : e;
  }
}

/** A sentence a person understands for each kind of failure. */
function explain(e: unknown, target: string | undefined): string {
  if (e instanceof PlcError) {
    switch (e.code) {
      case "endCode":
        return e.message;
      case "timeout":
        return `${target} did not answer in time (${e.message}); check the port and --frame`;
      case "refused":
        return `${target} refused the connection; is the PLC's MC protocol port open on that port?`;
      case "closed":
        return `${target} closed the connection (${e.message})`;
      case "protocol":
        return `the answer from ${target} is not a valid 3E frame: ${e.message}; check --frame`;
      default:
        return e.message;
    }
  }
  if (e instanceof RangeError) return e.message;
  return `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
}

function parseTarget(target: string | undefined): { host: string; port: number } {
  const m = target?.match(/^\[([^\]]+)\]:(\d+)$/) ?? target?.match(/^([^:]+):(\d+)$/);
  if (!m) throw new UsageError(`"${target ?? ""}" is not <host>:<port> (e.g. 192.168.3.39:5000)`);
  return { host: m[1], port: integer(m[2], "port", 1, 65535) };
}

function parseFrame(text: string): FrameCode {
  if (text !== "ascii" && text !== "binary") {
    throw new UsageError(`--frame must be ascii or binary, not "${text}"`);
  }
  return text;
}

function parseType(text: string | undefined, address: Address): DataType {
  const isBit = address.bit !== undefined || DEVICES.get(address.device)!.kind === "bit";
  const long = DEVICES.get(address.device)!.long === true;
  if (text === undefined) return isBit ? "BOOL" : long ? "UINT32" : "INT16";
  if (long && !["UINT32", "INT32"].includes(text.toUpperCase())) {
    throw new UsageError(`${address.device} holds double words: use --type uint32 or int32`);
  }
  const type = text.toUpperCase() as DataType;
  if (!DATA_TYPES.includes(type)) throw new UsageError(`unknown --type "${text}"`);
  if (address.bit !== undefined && type !== "BOOL") {
    throw new UsageError(`${formatAddress(address)} is a bit; use --type bool`);
  }
  return type;
}

function integer(text: string, what: string, min: number, max: number): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, not "${text}"`);
  }
  return n;
}

function parseValues(text: string, type: DataType): TagValue[] {
  if (type === "STRING") {
    encodeValue(text, type, stringWords(text)); // only single-byte characters fit
    return [text];
  }
  return text.split(",").map((v, i) => {
    const s = v.trim();
    if (type === "BOOL") {
      if (/^(1|true|on)$/i.test(s)) return true;
      if (/^(0|false|off)$/i.test(s)) return false;
      throw new RangeError(`value ${i + 1} ("${s}") is not a bit (true/false, 1/0, on/off)`);
    }
    const n = Number(s);
    if (s === "" || Number.isNaN(n)) {
      throw new RangeError(`value ${i + 1} ("${s}") is not a number`);
    }
    try {
      encodeValue(n, type); // out of the type's range: refused before anything is sent
    } catch (e) {
      throw new RangeError(`value ${i + 1}: ${(e as Error).message}`);
    }
    return n;
  });
}

/** Words a written string takes, with its terminating NUL byte. */
function stringWords(text: string): number {
  return Math.floor(text.length / 2) + 1;
}

/** Reads `count` words from `head`, in as many batch reads as the word limit (960; 480 on iQ-F ASCII) needs. */
async function readWords(
  client: PlcClient,
  a: Address,
  count: number,
  maxWords: number,
): Promise<number[]> {
  const words: number[] = [];
  for (let at = 0; at < count; at += maxWords) {
    const points = Math.min(maxWords, count - at);
    const res = await client.request({
      command: "readWords",
      head: { device: a.device, address: a.address + at * stride(a) },
      points,
    });
    words.push(...res.words);
  }
  return words;
}

/** Device numbers per word: 16 for bit devices read in word units, else 1. */
function stride(a: Address): number {
  return DEVICES.get(a.device)!.kind === "bit" ? 16 : 1;
}

async function read(
  client: PlcClient,
  limits: BatchLimits,
  a: Address,
  type: DataType,
  count: number,
): Promise<TagValue[]> {
  const bitDevice = DEVICES.get(a.device)!.kind === "bit";
  if (DEVICES.get(a.device)!.long) {
    // Long devices (iQ-R LTN, LSTN, LCN, LZ): random read, double-word access, with the iQ-R
    // subcommand 0002 (96 points a request).
    const out: number[] = [];
    const perRead = randomLimits(true).readPoints;
    for (let at = 0; at < count; at += perRead) {
      const n = Math.min(perRead, count - at);
      const res = await client.request({
        command: "randomRead",
        words: [],
        dwords: Array.from(
          { length: n },
          (_, i) => ({ device: a.device, address: a.address + at + i }),
        ),
      });
      out.push(...res.dwords.map((d) => type === "INT32" ? d | 0 : d));
    }
    return out;
  }
  if (type === "BOOL" && bitDevice) {
    const out: boolean[] = [];
    const max = limits.bits;
    for (let at = 0; at < count; at += max) {
      const res = await client.request({
        command: "readBits",
        head: { device: a.device, address: a.address + at },
        points: Math.min(max, count - at),
      });
      out.push(...res.bits);
    }
    return out;
  }
  if (type === "BOOL") {
    const first = a.bit ?? 0;
    const words = await readWords(client, a, Math.ceil((first + count) / 16), limits.words);
    return Array.from(
      { length: count },
      (_, i) => decodeValue(words, (first + i) >> 4, "BOOL", { bit: (first + i) & 15 }),
    );
  }
  if (type === "STRING") {
    return [
      decodeValue(await readWords(client, a, count, limits.words), 0, "STRING", { length: count }),
    ];
  }
  const size = wordCount(type);
  const words = await readWords(client, a, size * count, limits.words);
  return Array.from({ length: count }, (_, i) => decodeValue(words, i * size, type));
}

async function write(
  client: PlcClient,
  limits: BatchLimits,
  a: Address,
  type: DataType,
  values: TagValue[],
): Promise<void> {
  const bitDevice = DEVICES.get(a.device)!.kind === "bit";
  if (DEVICES.get(a.device)!.long) {
    // Long devices: random write, double-word access.
    await client.request({
      command: "randomWriteWords",
      words: [],
      dwords: values.map((v, i) => ({
        device: a.device,
        address: a.address + i,
        value: (v as number) >>> 0,
      })),
    });
    return;
  }
  if (type === "BOOL" && bitDevice) {
    const max = limits.bits;
    for (let at = 0; at < values.length; at += max) {
      await client.request({
        command: "writeBits",
        head: { device: a.device, address: a.address + at },
        bits: values.slice(at, at + max) as boolean[],
      });
    }
    return;
  }
  let words: number[];
  if (type === "BOOL") {
    // Bits of a word: read, change the bits, write back (not atomic against the PLC program).
    const first = a.bit ?? 0;
    words = await readWords(client, a, Math.ceil((first + values.length) / 16), limits.words);
    values.forEach((v, i) => {
      const bit = 1 << ((first + i) & 15);
      words[(first + i) >> 4] = v ? words[(first + i) >> 4] | bit : words[(first + i) >> 4] & ~bit;
    });
  } else {
    // A string ends with a NUL byte, as MELSEC string instructions leave it.
    const length = type === "STRING" ? stringWords(values[0] as string) : 0;
    words = values.flatMap((v) => encodeValue(v, type, length));
  }
  for (let at = 0; at < words.length; at += limits.words) {
    await client.request({
      command: "writeWords",
      head: { device: a.device, address: a.address + at * stride(a) },
      words: words.slice(at, at + limits.words),
    });
  }
}
