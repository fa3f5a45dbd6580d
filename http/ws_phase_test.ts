import assert from "node:assert/strict";
import { FlushPhase } from "./ws_phase.ts";

const T0 = 1_700_000_000_000;

/** Every 100 ms for `seconds`: reads that finish `offsets` ms after the tick, `n` values each. */
function periodic(phase: FlushPhase, from: number, seconds: number, offsets: number[], n = 50) {
  for (let k = 0; k < seconds * 10; k++) {
    for (const x of offsets) phase.record(from + k * 100 + x, n);
  }
}

Deno.test("the flush phase lands just after nearly all periodic reads, not in the middle of a burst", () => {
  const phase = new FlushPhase(100, { marginMs: 1 });
  periodic(phase, T0, 0.5, [5, 10, 15, 20, 25, 30, 35]);
  assert.equal(phase.phase(T0 + 500), undefined, "not before a whole second is counted");
  periodic(phase, T0 + 500, 3.5, [5, 10, 15, 20, 25, 30, 35]);
  assert.equal(phase.phase(T0 + 4_000), 37);
});

Deno.test("a handshake's burst at a random moment does not move the flush", () => {
  const phase = new FlushPhase(100, { marginMs: 1 });
  periodic(phase, T0, 3, [3, 8, 12]);
  phase.record(T0 + 3_000 + 67, 1_000);
  periodic(phase, T0 + 3_000, 3, [3, 8, 12]);
  assert.equal(phase.phase(T0 + 6_000), 14);
});

Deno.test("the phase follows a changed pattern within a few seconds", () => {
  const phase = new FlushPhase(100, { marginMs: 0 });
  periodic(phase, T0, 5, [10]);
  assert.equal(phase.phase(T0 + 5_000), 11);
  periodic(phase, T0 + 5_000, 5, [60]);
  assert.equal(phase.phase(T0 + 10_000), 61);
});

Deno.test("next() is the first time at or after a moment that is `phase` ms into a period", () => {
  const phase = new FlushPhase(100);
  assert.equal(phase.next(1_000, 30), 1_030);
  assert.equal(phase.next(1_030, 30), 1_030);
  assert.equal(phase.next(1_031, 30), 1_130);
  assert.equal(phase.next(1_099, 0), 1_100);
});

Deno.test("a slower group reading once a second is covered even when stray values break up the quiet part", () => {
  const phase = new FlushPhase(100, { marginMs: 2 });
  for (let sec = 0; sec < 6; sec++) {
    const at = T0 + sec * 1000;
    periodic(phase, at, 1, [5, 15, 25], 100);
    phase.record(at + 45, 40);
    for (const x of [60, 70, 80, 90]) phase.record(at + 200 + x, 1);
  }
  assert.equal(phase.phase(T0 + 6_000), 48);
});
