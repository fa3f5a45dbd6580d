/**
 * fast-check arbitraries for MC protocol requests and responses, shared by the
 * codec's property tests and fuzz tests.
 */
import fc from "fast-check";
import {
  type DeviceRef,
  MAX_BATCH_BITS,
  MAX_BATCH_WORDS,
  type McRequest,
  type McResponse,
  randomLimits,
} from "./commands.ts";
import { type DeviceName, DEVICES } from "./devices.ts";
import type { FrameCode, Route } from "./frame.ts";

const ALL = [...DEVICES.values()];

/** Devices a request may name: Q devices, or all with the iQ-R subcommands; long ones only as double words. */
function names(extended: boolean, kind?: "bit", dword = false): DeviceName[] {
  return ALL.filter((d) =>
    (extended || !d.iqrOnly) && (dword || !d.long) && (kind === undefined || d.kind === kind)
  ).map((d) => d.name);
}

/** A device reference whose number fits the frame (6 decimal digits in ASCII, 8 with iQ-R subcommands). */
export function deviceRef(
  frame: FrameCode,
  names: DeviceName[] = ALL.filter((d) => !d.iqrOnly && !d.long).map((d) => d.name),
  extended = false,
): fc.Arbitrary<DeviceRef> {
  return fc.constantFrom(...names).chain((device) => {
    const d = DEVICES.get(device)!;
    const max = frame === "ascii" && d.radix === 10
      ? (extended ? 99999999 : 999999)
      : (extended ? 0xffffffff : 0xffffff);
    return fc.integer({ min: 0, max: Math.min(max, d.size - 1) }).map((address) => ({
      device,
      address,
    } as DeviceRef));
  });
}

/** A string of `min` to `max` characters from `alphabet` (fc.stringMatching is much slower). */
function chars(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.array(fc.integer({ min: 0, max: alphabet.length - 1 }), {
    minLength: min,
    maxLength: max,
  })
    .map((a) => a.map((i) => alphabet[i]).join(""));
}

/** Any route. */
export const route: fc.Arbitrary<Route> = fc.record({
  network: fc.integer({ min: 0, max: 255 }),
  pc: fc.integer({ min: 0, max: 255 }),
  moduleIo: fc.integer({ min: 0, max: 0xffff }),
  station: fc.integer({ min: 0, max: 255 }),
});

/** Any valid request for a frame code (with `extended`, for the iQ-R subcommands). */
export function request(frame: FrameCode, extended = false): fc.Arbitrary<McRequest> {
  const word = fc.integer({ min: 0, max: 0xffff });
  const maxBits = MAX_BATCH_BITS[frame];
  const any = deviceRef(frame, names(extended), extended);
  const bit = deviceRef(frame, names(extended, "bit"), extended);
  const dword = deviceRef(frame, names(extended, undefined, true), extended);
  return fc.oneof(
    fc.record({
      command: fc.constant("readWords" as const),
      head: any,
      points: fc.integer({ min: 1, max: MAX_BATCH_WORDS }),
    }),
    fc.record({
      command: fc.constant("readBits" as const),
      head: bit,
      points: fc.integer({ min: 1, max: maxBits }),
    }),
    fc.record({
      command: fc.constant("writeWords" as const),
      head: any,
      words: fc.array(word, { minLength: 1, maxLength: MAX_BATCH_WORDS }),
    }),
    fc.record({
      command: fc.constant("writeBits" as const),
      head: bit,
      bits: fc.array(fc.boolean(), { minLength: 1, maxLength: maxBits }),
    }),
    fc.integer({ min: 1, max: randomLimits(extended).readPoints }).chain((n) =>
      fc.integer({ min: 0, max: n }).chain((nw) =>
        fc.record({
          command: fc.constant("randomRead" as const),
          words: fc.array(any, { minLength: nw, maxLength: nw }),
          dwords: fc.array(dword, { minLength: n - nw, maxLength: n - nw }),
        })
      )
    ),
    fc.constant({ command: "cpuModel" as const }),
    // Random writes stay small here (up to 24 points): the limits have their own tests.
    fc.integer({ min: 1, max: 24 }).chain((n) =>
      fc.integer({ min: 0, max: n }).chain((nw) =>
        fc.record({
          command: fc.constant("randomWriteWords" as const),
          words: fc.array(
            fc.tuple(any, word).map(([r, value]) => ({ ...r, value })),
            { minLength: nw, maxLength: nw },
          ),
          dwords: fc.array(
            fc.tuple(dword, fc.integer({ min: 0, max: 0xffffffff })).map(([r, value]) => ({
              ...r,
              value,
            })),
            { minLength: n - nw, maxLength: n - nw },
          ),
        })
      )
    ),
    fc.record({
      command: fc.constant("remoteRun" as const),
      force: fc.boolean(),
      clear: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
    }),
    fc.record({ command: fc.constant("remotePause" as const), force: fc.boolean() }),
    fc.constantFrom(
      { command: "remoteStop" as const },
      { command: "latchClear" as const },
      { command: "remoteReset" as const },
    ),
    fc.record({
      command: fc.constantFrom("unlock" as const, "lock" as const),
      password: chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 4, 32),
    }),
    fc.record({
      command: fc.constant("loopback" as const),
      data: chars("0123456789ABCDEF", 1, 64),
    }),
    fc.record({
      command: fc.constant("randomWriteBits" as const),
      bits: fc.array(
        fc.tuple(bit, fc.boolean()).map(([r, value]) => ({ ...r, value })),
        { minLength: 1, maxLength: 24 },
      ),
    }),
  );
}

/** A response of the right shape for a request. */
export function responseFor(req: McRequest): fc.Arbitrary<McResponse> {
  const words = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n }).map((a) =>
      Uint16Array.from(a)
    );
  switch (req.command) {
    case "readWords":
      return words(req.points).map((w) => ({ command: "readWords", words: w }));
    case "readBits":
      return fc.array(fc.boolean(), { minLength: req.points, maxLength: req.points }).map((
        bits,
      ) => ({ command: "readBits", bits }));
    case "loopback":
      return fc.constant({ command: "loopback", data: req.data });
    case "writeWords":
    case "writeBits":
    case "randomWriteWords":
    case "randomWriteBits":
    case "remoteRun":
    case "remoteStop":
    case "remotePause":
    case "latchClear":
    case "remoteReset":
    case "unlock":
    case "lock":
      return fc.constant({ command: req.command });
    case "randomRead":
      return fc.tuple(
        words(req.words.length),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), {
          minLength: req.dwords.length,
          maxLength: req.dwords.length,
        }),
      ).map(([w, dwords]) => ({ command: "randomRead", words: w, dwords }));
    case "cpuModel":
      return fc.tuple(
        fc.stringMatching(/^[A-Z0-9-]{1,16}$/),
        fc.integer({ min: 0, max: 0xffff }),
      ).map(([model, modelCode]) => ({ command: "cpuModel", model, modelCode }));
  }
}
