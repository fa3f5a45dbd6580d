/**
 * Fuzzing support shared by the protocol's fuzz tests (3E, 4E, iQ-R, 1E):
 * the rule that a decoder may only throw PlcError, and byte-level mutations
 * of valid frames.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { PlcError } from "./errors.ts";

/**
 * Runs `f` and fails on anything thrown that is not a PlcError of kind
 * `protocol` (which must name a byte offset) or `endCode`.
 */
export function onlyPlcError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PlcError)) throw e;
    assert.ok(["protocol", "endCode"].includes(e.code), e.code);
    if (e.code === "protocol") assert.equal(typeof e.offset, "number");
  }
}

/** One change to a frame: flip a bit, set a byte, cut the tail, append a byte, or set the length field. */
export interface Mutation {
  readonly at: number;
  readonly kind: "flip" | "set" | "cut" | "grow" | "length";
  readonly value: number;
}

/**
 * Random mutations; with `length`, also ones that overwrite byte 7 (the
 * binary 3E length's low byte, or an ASCII length digit).
 */
export function mutationArb(options: { length?: boolean } = {}): fc.Arbitrary<Mutation> {
  const kinds: Mutation["kind"][] = ["flip", "set", "cut", "grow"];
  if (options.length) kinds.push("length");
  return fc.record({
    at: fc.nat(),
    kind: fc.constantFrom(...kinds),
    value: fc.integer({ min: 0, max: 255 }),
  });
}

/** `frame` with the mutations applied in order (a copy; `frame` is left alone). */
export function mutate(frame: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(frame);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === "flip" && b.length) b[at] ^= 1 << (m.value % 8);
    else if (m.kind === "set" && b.length) b[at] = m.value;
    else if (m.kind === "cut") b = b.slice(0, at);
    else if (m.kind === "grow") b = Uint8Array.from([...b, m.value]);
    else if (m.kind === "length" && b.length > 8) b[7] = m.value;
  }
  return b;
}
