/**
 * The remote operations of `jsscada plc`: run, stop, pause, latch-clear,
 * reset, unlock, lock and echo (loopback test), and FX3 reads and writes over
 * 1E frames. Operations that change what the CPU does need `--yes`, so that a
 * script sends them on purpose; the remote password comes from `--password`
 * or the JSSCADA_PLC_PASSWORD environment variable (never echoed).
 */
import type { PlcClient } from "../protocol/client.ts";
import type { McRequest } from "../protocol/commands.ts";
import type { Plc1EClient } from "../protocol/client1e.ts";
import {
  DEVICES_1E,
  formatAddress1E,
  MAX_1E_BITS,
  MAX_1E_WORDS,
  MAX_1E_WRITE_BITS,
  parseAddress1E,
} from "../protocol/frame1e.ts";
import {
  type DataType,
  decodeValue,
  encodeValue,
  type TagValue,
  wordCount,
} from "../protocol/values.ts";

/** The verbs of remote operations. */
export const REMOTE_VERBS = [
  "run",
  "stop",
  "pause",
  "latch-clear",
  "reset",
  "unlock",
  "lock",
  "echo",
] as const;
/** One remote operation verb. */
export type RemoteVerb = (typeof REMOTE_VERBS)[number];

/** Verbs that change what the CPU does: they need `--yes`. */
const CONFIRM: ReadonlySet<RemoteVerb> = new Set(["run", "stop", "pause", "latch-clear", "reset"]);

/** What a remote operation needs from the command line. */
export interface RemoteOptions {
  readonly yes?: boolean;
  readonly force?: boolean;
  /** RUN's clear mode: none (default), latch (all but latch devices), all. */
  readonly clear?: string;
  readonly password?: string;
  /** Loopback data for echo (default "0123456789ABCDEF"). */
  readonly data?: string;
}

/** Builds the request of a remote operation; RangeError for a usage mistake. */
export function remoteRequest(
  verb: RemoteVerb,
  o: RemoteOptions,
  env: (k: string) => string | undefined,
): McRequest {
  if (CONFIRM.has(verb) && !o.yes) {
    throw new RangeError(`"${verb}" changes what the PLC does: add --yes to send it on purpose`);
  }
  switch (verb) {
    case "run": {
      const clear = { none: 0, latch: 1, all: 2 }[o.clear ?? "none"] as 0 | 1 | 2 | undefined;
      if (clear === undefined) throw new RangeError("--clear must be none, latch or all");
      return { command: "remoteRun", force: o.force === true, clear };
    }
    case "stop":
      return { command: "remoteStop" };
    case "pause":
      return { command: "remotePause", force: o.force === true };
    case "latch-clear":
      return { command: "latchClear" };
    case "reset":
      return { command: "remoteReset" };
    case "unlock":
    case "lock": {
      const password = o.password ?? env("JSSCADA_PLC_PASSWORD");
      if (!password) throw new RangeError(`"${verb}" needs --password or JSSCADA_PLC_PASSWORD`);
      return { command: verb, password };
    }
    case "echo":
      return { command: "loopback", data: (o.data ?? "0123456789ABCDEF").toUpperCase() };
  }
}

/** Sends a remote operation and returns the JSON line to print. */
export async function runRemote(client: PlcClient, req: McRequest): Promise<string> {
  const res = await client.request(req);
  return JSON.stringify(
    res.command === "loopback" ? { ok: true, echoed: res.data } : { ok: true, done: req.command },
  );
}

/** Reads `count` values of `type` from an FX3 over 1E (BOOL on bit devices; numbers on word devices). */
export async function read1E(
  client: Plc1EClient,
  text: string,
  type: DataType,
  count: number,
): Promise<TagValue[]> {
  const head = parseAddress1E(text);
  const bit = DEVICES_1E.get(head.device)!.kind === "bit";
  if (type === "BOOL") {
    if (!bit) throw new RangeError(`${text}: bits of words are not read over 1E by this command`);
    const out: boolean[] = [];
    for (let at = 0; at < count; at += MAX_1E_BITS) {
      const res = await client.request({
        command: "readBits",
        head: { device: head.device, address: head.address + at },
        points: Math.min(MAX_1E_BITS, count - at),
      });
      if (res.command === "readBits") out.push(...res.bits);
    }
    return out;
  }
  if (bit) throw new RangeError(`${formatAddress1E(head)} is a bit device: use --type bool`);
  const size = wordCount(type, count);
  const total = type === "STRING" ? count : size * count;
  const words: number[] = [];
  for (let at = 0; at < total; at += MAX_1E_WORDS) {
    const res = await client.request({
      command: "readWords",
      head: { device: head.device, address: head.address + at },
      points: Math.min(MAX_1E_WORDS, total - at),
    });
    if (res.command === "readWords") words.push(...res.words);
  }
  if (type === "STRING") return [decodeValue(words, 0, "STRING", { length: count })];
  return Array.from({ length: count }, (_, i) => decodeValue(words, i * size, type));
}

/** Writes values to an FX3 over 1E (BOOL on bit devices; numbers on word devices). */
export async function write1E(
  client: Plc1EClient,
  text: string,
  type: DataType,
  values: TagValue[],
): Promise<void> {
  const head = parseAddress1E(text);
  const bit = DEVICES_1E.get(head.device)!.kind === "bit";
  if (type === "BOOL") {
    if (!bit) {
      throw new RangeError(`${text}: bits of words are not written over 1E by this command`);
    }
    for (let at = 0; at < values.length; at += MAX_1E_WRITE_BITS) {
      await client.request({
        command: "writeBits",
        head: { device: head.device, address: head.address + at },
        bits: values.slice(at, at + MAX_1E_WRITE_BITS) as boolean[],
      });
    }
    return;
  }
  if (bit) throw new RangeError(`${formatAddress1E(head)} is a bit device: use --type bool`);
  const length = type === "STRING" ? Math.floor((values[0] as string).length / 2) + 1 : 0;
  const words = values.flatMap((v) => encodeValue(v, type, length));
  for (let at = 0; at < words.length; at += MAX_1E_WORDS) {
    await client.request({
      command: "writeWords",
      head: { device: head.device, address: head.address + at },
      words: words.slice(at, at + MAX_1E_WORDS),
    });
  }
}
