import assert from "node:assert/strict";
import fc from "fast-check";
import { type DeviceName, DEVICES, parseAddress } from "./devices.ts";
import {
  extractValues,
  MC_MAX_WORDS,
  naiveRequestCount,
  type PlanOptions,
  planReads,
  type PlanTag,
  type ReadPlan,
} from "./planner.ts";
import { type DataType, decodeValue, type TagValue, wordCount } from "./values.ts";

const tag = (id: string | number, address: string, type: DataType = "INT16", length?: number) =>
  ({ id, address: parseAddress(address), type, length }) as PlanTag;

const isBitDevice = (name: DeviceName) => DEVICES.get(name)!.kind === "bit";

/** The limits the reference checks below take. */
type Limits = Required<Pick<PlanOptions, "maxGap" | "maxWords">>;

/** The word span a tag occupies, worked out here apart from the planner. */
function spanOf(t: PlanTag): [number, number] {
  const a = t.address.address;
  if (isBitDevice(t.address.device)) return [a >> 4, a >> 4];
  return [a, a + wordCount(t.type, t.length) - 1];
}

/** A block [b, e] is valid per the planner's definition for the spans of its device's tags. */
function validBlock(spans: [number, number][], b: number, e: number, o: Limits) {
  if (e < b || e - b + 1 > o.maxWords) return false;
  const covered = new Array<boolean>(e - b + 1).fill(false);
  for (const [s, t] of spans) {
    if (s >= b && t <= e) { for (let w = s; w <= t; w++) covered[w - b] = true; }
  }
  if (!covered[0] || !covered[e - b]) return false;
  let run = 0;
  for (const c of covered) if ((run = c ? 0 : run + 1) > o.maxGap) return false;
  return true;
}

function spansByDevice(tags: readonly PlanTag[]): Map<DeviceName, [number, number][]> {
  const map = new Map<DeviceName, [number, number][]>();
  for (const t of tags) {
    const list = map.get(t.address.device) ?? [];
    list.push(spanOf(t));
    map.set(t.address.device, list);
  }
  return map;
}

/** Fewest valid blocks, by searching every set of valid blocks (small cases only). */
function bruteForceMinimum(tags: readonly PlanTag[], o: Limits): number {
  let total = 0;
  for (const spans of spansByDevice(tags).values()) {
    const lo = Math.min(...spans.map((s) => s[0])), hi = Math.max(...spans.map((s) => s[1]));
    const masks: number[] = [];
    for (let b = lo; b <= hi; b++) {
      for (let e = b; e <= hi; e++) {
        if (!validBlock(spans, b, e, o)) continue;
        masks.push(spans.reduce((m, [s, t], i) => s >= b && t <= e ? m | (1 << i) : m, 0));
      }
    }
    const full = (1 << spans.length) - 1;
    const blocks = new Array<number>(full + 1).fill(Infinity);
    blocks[0] = 0;
    for (let m = 0; m <= full; m++) {
      for (const c of masks) blocks[m | c] = Math.min(blocks[m | c], blocks[m] + 1);
    }
    total += blocks[full];
  }
  return total;
}

/** Asserts that `plan` is valid for `tags` and that its entries point where the tags are. */
function assertValidPlan(tags: readonly PlanTag[], plan: ReadPlan, o: Limits) {
  const spans = spansByDevice(tags);
  for (const block of plan.blocks) {
    assert.equal(block.unit, "word");
    const perWord = isBitDevice(block.device) ? 16 : 1;
    assert.equal(block.start % perWord, 0, "bit-device heads are multiples of 16");
    const b = block.start / perWord, e = b + block.points - 1;
    assert.ok(validBlock(spans.get(block.device)!, b, e, o), `invalid block ${b}..${e}`);
    assert.ok((e + 1) * perWord <= DEVICES.get(block.device)!.size);
  }
  assert.equal(plan.entries.length, tags.length);
  tags.forEach((t, i) => {
    const entry = plan.entries[i], block = plan.blocks[entry.block];
    const [s, last] = spanOf(t), perWord = isBitDevice(block.device) ? 16 : 1;
    assert.equal(entry.tag, i);
    assert.equal(block.device, t.address.device);
    assert.ok(block.entries.includes(entry));
    assert.equal(entry.offset, s - block.start / perWord);
    assert.ok(entry.offset + last - s < block.points, "the tag lies wholly in its block");
    assert.equal(entry.bit, perWord === 16 ? t.address.address & 15 : t.address.bit ?? 0);
  });
}

/** Device memory of a fake PLC: each cell a hash of (seed, device, number), so nothing is stored. */
class FakeMemory {
  constructor(private readonly seed: number) {}
  /** A word of a word device, or a point (0 or 1) of a bit device. */
  cell(name: DeviceName, n: number): number {
    let h = Math.imul(this.seed ^ DEVICES.get(name)!.binaryCode, 0x9e3779b1) ^ n;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return isBitDevice(name) ? h & 1 : h & 0xffff;
  }
  /** What a word-unit batch read returns; the PLC packs bit devices 16 points a word. */
  read(name: DeviceName, start: number, words: number): Uint16Array {
    const out = new Uint16Array(words);
    for (let k = 0; k < words; k++) {
      if (!isBitDevice(name)) out[k] = this.cell(name, start + k);
      else for (let j = 0; j < 16; j++) out[k] |= this.cell(name, start + 16 * k + j) << j;
    }
    return out;
  }
  /** The value a tag should read, straight from memory. */
  expected(t: PlanTag): TagValue {
    const { device, address, bit } = t.address;
    if (isBitDevice(device)) return this.cell(device, address) === 1;
    const n = wordCount(t.type, t.length);
    const words = Array.from({ length: n }, (_, k) => this.cell(device, address + k));
    return decodeValue(words, 0, t.type, { bit, length: t.length });
  }
}

function assertExtractsMemory(tags: readonly PlanTag[], plan: ReadPlan, seed: number) {
  const memory = new FakeMemory(seed);
  const responses = plan.blocks.map((b) => memory.read(b.device, b.start, b.points));
  const values = extractValues(plan, responses);
  tags.forEach((t, i) => assert.ok(Object.is(values[i], memory.expected(t)), `tag ${t.id}`));
}

const defaults: Limits = { maxGap: 64, maxWords: MC_MAX_WORDS };

Deno.test("adjacent word tags of mixed types merge into one block", () => {
  const tags = [tag(1, "D100"), tag(2, "D101", "INT32"), tag(3, "D103", "FLOAT64")];
  const plan = planReads(tags);
  assert.deepEqual(plan.blocks.map((b) => [b.device, b.start, b.points]), [["D", 100, 7]]);
  assert.deepEqual(plan.entries.map((e) => e.offset), [0, 1, 3]);
});

Deno.test("a gap of maxGap words stays in the block; one word more splits it", () => {
  const tags = [tag("a", "D0"), tag("b", "D5")];
  assert.equal(planReads(tags, { maxGap: 4 }).blocks.length, 1);
  assert.equal(planReads(tags, { maxGap: 3 }).blocks.length, 2);
});

Deno.test("2,000 consecutive words split into 960-word reads", () => {
  const tags = Array.from({ length: 2000 }, (_, i) => tag(i, `D${i}`));
  const plan = planReads(tags, { maxGap: 0 });
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0, 960], [960, 960], [1920, 80]]);
  assertExtractsMemory(tags, plan, 7);
});

Deno.test("a tag is never split across the 960-word boundary", () => {
  const tags = [
    ...Array.from({ length: 959 }, (_, i) => tag(i, `D${i}`)),
    tag("f", "D959", "FLOAT64"),
  ];
  const plan = planReads(tags);
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0, 959], [959, 4]]);
});

Deno.test("a long tag that fills a gap lets the block grow past the gap", () => {
  const tags = [tag(1, "D0"), tag(2, "D8"), tag(3, "D3", "STRING", 10)];
  const plan = planReads(tags, { maxGap: 2 });
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0, 13]]);
});

Deno.test("a tag too long for the current block starts the next one, so no word is read twice", () => {
  const tags = [tag(1, "D0"), tag(2, "D2", "STRING", 9), tag(3, "D3", "INT32")];
  const plan = planReads(tags, { maxWords: 10 });
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0, 1], [2, 9]]);
});

Deno.test("overlapping and duplicate tags share a block and each reads its own value", () => {
  const tags = [
    tag("s", "D0", "STRING", 4),
    tag("i", "D2"),
    tag("j", "D2"),
    tag("u", "D2", "UINT16"),
  ];
  const plan = planReads(tags, { maxGap: 0 });
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0, 4]]);
  const values = extractValues(plan, [[0x4241, 0x4443, 0xffff, 0x0046]]);
  assert.deepEqual(values, ["ABCD\xff\xffF", -1, -1, 0xffff]);
});

Deno.test("bits of word devices read their bit of the word", () => {
  const tags = [tag("b3", "D10.3", "BOOL"), tag("bF", "D10.F", "BOOL"), tag("w", "D11")];
  const plan = planReads(tags);
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[10, 2]]);
  assert.deepEqual(extractValues(plan, [[0x8008, 7]]), [true, true, 7]);
  assert.deepEqual(extractValues(plan, [[0x7ff7, 7]]), [false, false, 7]);
});

Deno.test("bit devices are read in word units from heads aligned to 16 points", () => {
  const tags = [tag(1, "M100", "BOOL"), tag(2, "M131", "BOOL")];
  const plan = planReads(tags);
  assert.deepEqual(plan.blocks.map((b) => [b.device, b.unit, b.start, b.points]), [
    ["M", "word", 96, 3],
  ]);
  assert.deepEqual(plan.entries.map((e) => [e.offset, e.bit]), [[0, 4], [2, 3]]);
  assert.deepEqual(extractValues(plan, [[1 << 4, 0xffff, 0xfff7]]), [true, false]);
});

Deno.test("hex devices plan on device numbers: X1F and X20 are neighbouring words", () => {
  const tags = [tag(1, "X0", "BOOL"), tag(2, "X1F", "BOOL"), tag(3, "X20", "BOOL")];
  tags.push(tag(4, "X1A0", "BOOL"), tag(5, "W1A0"), tag(6, "W1A1", "INT32"));
  const plan = planReads(tags, { maxGap: 0 });
  assert.deepEqual(plan.blocks.map((b) => [b.device, b.start, b.points]), [
    ["X", 0, 3],
    ["X", 0x1a0, 1],
    ["W", 0x1a0, 3],
  ]);
  assertExtractsMemory(tags, plan, 11);
});

Deno.test("every bit device's size is a multiple of 16, so aligned word reads stay inside it", () => {
  for (const info of DEVICES.values()) if (info.kind === "bit") assert.equal(info.size % 16, 0);
  const plan = planReads([tag(1, "X1FFF", "BOOL"), tag(2, "SB7FF", "BOOL")]);
  assert.deepEqual(plan.blocks.map((b) => [b.start, b.points]), [[0x1ff0, 1], [0x7f0, 1]]);
});

Deno.test("tags that cannot be read are RangeErrors naming the tag", () => {
  const bad: [PlanTag, RegExp][] = [
    [tag("motor", "M5", "INT16"), /"motor".*INT16 on bit device M/],
    [{ id: "b", address: { device: "M", address: 5, bit: 1 }, type: "BOOL" }, /"b"/],
    [tag("t", "D10.1", "INT16"), /"t".*BOOL/],
    [tag("end", "D32767", "INT32"), /"end".*past the end/],
    [tag("s", "D0", "STRING"), /"s".*STRING/],
    [tag("huge", "D0", "STRING", 961), /"huge"/],
    [{ id: "x", address: { device: "Q" as DeviceName, address: 0 }, type: "BOOL" }, /"x"/],
    [{ id: "n", address: { device: "D", address: -1 }, type: "INT16" }, /"n"/],
  ];
  for (const [t, message] of bad) {
    assert.throws(() => planReads([t]), { name: "RangeError", message });
  }
  assert.throws(() => planReads([tag(1, "D0", "FLOAT64")], { maxWords: 3 }), RangeError);
  assert.throws(() => planReads([], { maxWords: 961 }), RangeError);
  assert.throws(() => planReads([], { maxGap: -1 }), RangeError);
});

Deno.test("no tags plan no reads; the naive baseline is one request per tag", () => {
  const plan = planReads([]);
  assert.deepEqual([plan.blocks, extractValues(plan, [])], [[], []]);
  assert.equal(naiveRequestCount([tag(1, "D0"), tag(2, "D1")]), 2);
});

Deno.test("extraction rejects responses that do not fit the plan", () => {
  const plan = planReads([tag(1, "D0", "INT32")]);
  assert.throws(() => extractValues(plan, []), RangeError);
  assert.throws(() => extractValues(plan, [[1]]), RangeError);
  const out: TagValue[] = [];
  assert.equal(extractValues(plan, [new Uint16Array([2, 0])], out), out);
  assert.deepEqual(out, [2]);
});

const TYPES: DataType[] = ["BOOL", "INT16", "UINT16", "INT32", "UINT32", "FLOAT32", "FLOAT64"];

/** Small random tags on one word device and one bit device, so that the limits bite. */
const smallTags = fc.array(
  fc.oneof(
    fc.record({
      at: fc.integer({ min: 0, max: 32 }),
      type: fc.constantFrom<DataType>(...TYPES, "STRING"),
      length: fc.integer({ min: 1, max: 8 }),
      bit: fc.option(fc.integer({ min: 0, max: 15 })),
    }).map(({ at, type, length, bit }): Omit<PlanTag, "id"> => ({
      address: type === "BOOL" && bit !== null ? { device: "D", address: at, bit } : {
        device: "D",
        address: at,
      },
      type,
      length: type === "STRING" ? length : undefined,
    })),
    fc.integer({ min: 0, max: 400 }).map((p): Omit<PlanTag, "id"> => ({
      address: { device: "M", address: p },
      type: "BOOL",
    })),
  ),
  { minLength: 1, maxLength: 7 },
).map((list) => list.map((t, i): PlanTag => ({ ...t, id: i })));

/** Gaps of 0–4 words split often; larger ones leave the splitting to maxWords. */
const smallOptions = fc.record({
  maxGap: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 24 })),
  maxWords: fc.integer({ min: 8, max: 20 }),
});

Deno.test("plans are valid and have the fewest blocks a brute-force search finds", () => {
  fc.assert(
    fc.property(smallTags, smallOptions, (tags, options) => {
      const plan = planReads(tags, options);
      assertValidPlan(tags, plan, options);
      assert.equal(plan.blocks.length, bruteForceMinimum(tags, options));
    }),
    { numRuns: 1000 },
  );
});

/** Random tags across word, bit and hex devices, up to their ends. */
const wideTags = fc.array(
  fc.constantFrom<DeviceName>("D", "W", "ZR", "SD", "M", "X", "B", "SM").chain((name) => {
    const info = DEVICES.get(name)!;
    const type = info.kind === "bit"
      ? fc.constant<DataType>("BOOL")
      : fc.constantFrom(...TYPES, "STRING");
    return fc.tuple(type, fc.integer({ min: 1, max: 20 })).chain(([type, length]) =>
      fc.integer({ min: 0, max: info.size - wordCount(type, length) }).map((
        address,
      ): Omit<PlanTag, "id"> => ({
        address: type === "BOOL" && info.kind === "word"
          ? { device: name, address, bit: address % 16 }
          : { device: name, address },
        type,
        length: type === "STRING" ? length : undefined,
      }))
    );
  }),
  { maxLength: 60 },
).map((list) => list.map((t, i): PlanTag => ({ ...t, id: `t${i}` })));

Deno.test("every tag reads the value of its own place in device memory", () => {
  fc.assert(
    fc.property(wideTags, fc.integer({ min: 0, max: 100 }), fc.integer(), (tags, maxGap, seed) => {
      const plan = planReads(tags, { maxGap });
      assertValidPlan(tags, plan, { maxGap, maxWords: MC_MAX_WORDS });
      assertExtractsMemory(tags, plan, seed);
    }),
    { numRuns: 300 },
  );
});

/** A plant-sized configuration: 3,500 tags over D, W (STRING) and M. */
function plantTags(): PlanTag[] {
  const tags: PlanTag[] = [];
  const types: DataType[] = ["INT16", "INT32", "FLOAT32", "BOOL", "UINT16", "FLOAT64"];
  for (let i = 0; tags.length < 3500; i++) {
    const id = tags.length;
    if (i % 5 === 4) tags.push(tag(id, `M${i * 3}`, "BOOL"));
    else if (i % 11 === 0) tags.push(tag(id, `W${(i / 11 * 10).toString(16)}`, "STRING", 10));
    else tags.push(tag(id, `D${i * 2}`, types[i % types.length]));
  }
  return tags;
}

Deno.test("a plant-sized configuration plans into few blocks and extracts into a reused array", () => {
  const tags = plantTags();
  const plan = planReads(tags, defaults);
  assert.ok(plan.blocks.length <= 20, `${plan.blocks.length} blocks`);
  const memory = new FakeMemory(5);
  const responses = plan.blocks.map((b) => memory.read(b.device, b.start, b.points));
  const out: TagValue[] = [];
  assert.equal(extractValues(plan, responses, out), out);
  assertExtractsMemory(tags, plan, 3);
});

Deno.test("iQ-R devices are refused by the planner with the tag's name on a Q PLC", () => {
  assert.throws(
    () => planReads([{ id: "T1", address: parseAddress("LTN10"), type: "UINT32" }]),
    /tag "T1" \(LTN10\): LTN \(long timer current value\) is an iQ-R device, which a PLC of series Q/,
  );
});
