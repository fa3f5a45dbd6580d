/**
 * The 1E client behind the pool's client interface, so that the runtime's
 * socket pool (protocol/pool.ts) and everything above it speak to an FX3 in
 * the same McRequest terms as to a Q: batch reads and writes in word and bit
 * units are carried over 1E (commands 00–03), the CPU model read as the PLC
 * model name read (15H); every other request (random read and write, remote
 * operations, loopback) has no 1E counterpart in JSScada and is refused with
 * a RangeError before anything is sent, as a request breaking the protocol's
 * limits is.
 */
import type { ClientOptions, RequestOptions } from "./client.ts";
import { Plc1EClient } from "./client1e.ts";
import type { McRequest } from "./commands.ts";
import {
  checkRequest1E,
  type Device1EName,
  type DeviceRequest1E,
  DEVICES_1E,
  modelName1E,
  type Request1E,
  type Response1E,
} from "./frame1e.ts";
import type { PoolClient, PoolClientKind } from "./pool.ts";

/**
 * The 1E request that carries `req`. RangeError for a request 1E frames
 * cannot carry: a command other than batch read/write, a device the FX3 does
 * not have, or points past the 1E limits or the device's end.
 */
export function toRequest1E(req: McRequest): Request1E {
  switch (req.command) {
    case "readWords":
    case "readBits":
    case "writeWords":
    case "writeBits": {
      const device = req.head.device as Device1EName;
      if (!DEVICES_1E.has(device)) {
        throw new RangeError(
          `${req.head.device} is no FX3 device of 1E frames (${[...DEVICES_1E.keys()].join(", ")})`,
        );
      }
      const head = { device, address: req.head.address };
      const out: DeviceRequest1E = req.command === "readWords" || req.command === "readBits"
        ? { command: req.command, head, points: req.points }
        : req.command === "writeWords"
        ? { command: "writeWords", head, words: req.words }
        : { command: "writeBits", head, bits: req.bits };
      checkRequest1E(out);
      return out;
    }
    case "cpuModel":
      return { command: "readModel" };
    default:
      throw new RangeError(
        `${req.command} has no 1E frame: an FX3 (1E) takes batch reads and writes and the ` +
          "model read only",
      );
  }
}

/** The McRequest response a 1E answer stands for (the model read answers `cpuModel`). */
export function fromResponse1E(res: Response1E): unknown {
  return res.command === "readModel"
    ? { command: "cpuModel", model: modelName1E(res.modelCode), modelCode: res.modelCode }
    : res;
}

/** A {@link Plc1EClient} that takes McRequests (see the module notes). */
export class Mc1EClient implements PoolClient {
  readonly #client: Plc1EClient;

  /** One 1E connection with the pool's options (route PC number as the 1E PC number). */
  constructor(options: ClientOptions) {
    this.#client = new Plc1EClient({
      host: options.host,
      port: options.port,
      frame: options.frame,
      pc: options.route?.pc,
      monitoringTimer: options.monitoringTimer,
      timeoutMs: options.timeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      connect: options.connect,
      retries: options.retries,
    });
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#client.connected;
  }

  /** Round trip of the last answered request, ms. */
  get lastRttMs(): number | undefined {
    return this.#client.lastRttMs;
  }

  /** Sends `req` over 1E; the answer has the McRequest response's shape. */
  async request(req: McRequest, options: RequestOptions = {}): Promise<unknown> {
    return fromResponse1E(await this.#client.request(toRequest1E(req), options));
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.#client.close();
  }
}

/** The pool's client kind for FX3 PLCs: 1E frames, one request at a time per socket. */
export const CLIENT_1E: PoolClientKind = {
  create: (options) => {
    if ((options.pipelineDepth ?? 1) !== 1) {
      throw new RangeError("1E frames carry one request at a time: pipelineDepth must be 1");
    }
    if (options.type === "4E") throw new RangeError("an FX3 speaks 1E frames, not 4E");
    return new Mc1EClient(options);
  },
  check: (req) => void toRequest1E(req),
};
