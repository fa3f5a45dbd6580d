/**
 * Plants for the runtime benchmarks, derived from the sample plant: the
 * sample plant as configured (FIXED timing, RSS), or `copies` copies of it
 * with every group FIXED at one interval and no deadband (end-to-end
 * throughput: every polled value is stored). Copy 1 keeps the sample plant's
 * codes; copy c renames PLCs to `…0c` (still 14 characters) and groups and
 * tags to `CODE_c`. The fixture profile gets the same PLC codes on port 0.
 */
import { generateSamplePlant, type SamplePlant } from "../fixtures/sample_plant/generate.ts";
import type { FixtureProfile } from "../fixtures/profile.ts";

/** How to derive a bench plant from the sample plant. */
export interface BenchPlantOptions {
  /** Copies of the sample plant (1 to 99); default 1. */
  readonly copies?: number;
  /**
   * Every group FIXED at this interval (HANDSHAKE groups too), ms; default:
   * the sample plant's own modes and intervals.
   */
  readonly intervalMs?: number;
  /** Drop every deadband so that every polled value is stored; default false. */
  readonly noDeadband?: boolean;
  /**
   * Nudge each FIXED group's interval to a distinct prime next to it (100 ms →
   * 101 and 103, 1 s → 997 and 1009 …), so that groups almost never tick at
   * the same instant: shows what the epoch-aligned schedule costs.
   */
  readonly stagger?: boolean;
}

function isPrime(n: number): boolean {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return n > 1;
}

/** The prime nearest to `ms` that is not taken yet (taken ones are added). */
function nearPrime(ms: number, taken: Set<number>): number {
  for (let delta = 0;; delta++) {
    for (const n of [ms + delta, ms - delta]) {
      if (n > 1 && isPrime(n) && !taken.has(n)) {
        taken.add(n);
        return n;
      }
    }
  }
}

/** The PLC code of copy `c` (copy 1 is the original). */
export function plcCodeOf(code: string, c: number): string {
  return c === 1 ? code : code.slice(0, 12) + String(c).padStart(2, "0");
}

const suffix = (code: string, c: number) => c === 1 ? code : `${code}_${c}`;

/** The plant and the fixture profile that serves it. */
export function benchPlant(
  options: BenchPlantOptions = {},
): { plant: SamplePlant; profile: FixtureProfile } {
  const copies = options.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > 99) {
    throw new RangeError("copies must be 1 to 99");
  }
  const base = generateSamplePlant();
  const plant: SamplePlant = {
    lines: base.lines,
    processes: base.processes,
    plcs: [],
    groups: [],
    tags: [],
    alarms: [],
    profile: { plcs: [] },
  };
  const taken = new Set<number>();
  for (let c = 1; c <= copies; c++) {
    for (const p of base.plcs) plant.plcs.push({ ...p, code: plcCodeOf(p.code, c) });
    for (const g of base.groups) {
      const fixed = options.intervalMs === undefined ? {} : {
        mode: "FIXED" as const,
        interval_ms: options.intervalMs,
        trigger: undefined,
        request_bit: undefined,
        ack_bit: undefined,
        step_timeout_ms: undefined,
      };
      const group = { ...g, ...fixed, code: suffix(g.code, c), plc: plcCodeOf(g.plc, c) };
      if (options.stagger && group.mode === "FIXED" && group.interval_ms) {
        group.interval_ms = nearPrime(group.interval_ms, taken);
      }
      plant.groups.push(group);
    }
    for (const t of base.tags) {
      plant.tags.push({
        ...t,
        code: suffix(t.code, c),
        plc: plcCodeOf(t.plc, c),
        group: suffix(t.group, c),
        ...(options.noDeadband ? { deadband: undefined } : {}),
      });
    }
    for (const a of base.alarms) plant.alarms.push({ ...a, tag: suffix(a.tag, c) });
    for (const p of base.profile.plcs) {
      plant.profile.plcs.push({ ...p, code: plcCodeOf(p.code, c), port: 0 });
    }
  }
  return { plant, profile: plant.profile };
}

/** Values per second that a plant's FIXED groups ask for (enabled tags × rate). */
export function demandPerSecond(plant: SamplePlant): number {
  const interval = new Map(
    plant.groups.filter((g) => g.mode === "FIXED" && g.enabled !== false).map((
      g,
    ) => [g.code, g.interval_ms!]),
  );
  let demand = 0;
  for (const t of plant.tags) {
    const ms = interval.get(t.group);
    if (t.enabled !== false && ms) demand += 1000 / ms;
  }
  return demand;
}
