/**
 * Test helpers for the writer: a fake sink that fails, hangs or commits on
 * demand and keeps (tag, ts) unique the way real sinks do, and a harness
 * that runs a writer on a manual clock against a real journal in a temp
 * directory. Used by the writer's tests only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createActor } from "xstate";
import type { Sample } from "../model/sample.ts";
import type { Sink, SinkHealth } from "../sinks/sink.ts";
import { SampleBuffer } from "./buffer.ts";
import { ManualClock, settle } from "./clock.ts";
import { Journal, type JournalEvent, type JournalOptions } from "./journal.ts";
import {
  type WriterActor,
  type WriterEmitted,
  writerMachine,
  type WriterSettings,
} from "./writer.ts";

/**
 * A sink that stores rows keyed by (tag, ts) like the real ones. A write of
 * a row already stored leaves one row and is counted in `duplicateAttempts`,
 * so tests can tell "stored exactly once" from "sent twice".
 */
export class FakeSink implements Sink {
  readonly kind = "fake";
  /** Stored rows by (tag, ts) key. */
  readonly rows = new Map<string, Sample>();
  /** Committed batches in commit order, with a copy taken when each was handed over. */
  readonly batches: { batch: readonly Sample[]; copy: Sample[] }[] = [];
  /** Clock times of write attempts (when a clock is attached). */
  readonly attemptTimes: number[] = [];
  /** Rows sent again after they were stored (absorbed by the (tag, ts) key). */
  duplicateAttempts = 0;
  /** Write calls, failed ones included. */
  attempts = 0;
  /** Writes and health probes fail while true. */
  down = false;
  /** The next write stores its rows and then never answers (a commit whose reply is lost). */
  commitThenHang = false;
  /** Writes never answer until {@link release}. */
  hang = false;
  /**
   * How long a write takes on the clock, ms, by batch (0: at once). Needs a
   * clock with timers; the write commits when the time is up.
   */
  delayMs: (batch: readonly Sample[]) => number = () => 0;
  /** Writes under way on the clock (see {@link delayMs}). */
  delayed = 0;
  /** Clock intervals the sink was busy with a delayed write, with the batch size. */
  readonly busy: { start: number; end: number; values: number }[] = [];
  #hung: (() => void)[] = [];

  /** A fake sink; with a clock it records when each write was attempted. */
  constructor(
    readonly clock?: { now(): number; setTimeout?(fn: () => void, ms: number): unknown },
  ) {}

  write(batch: readonly Sample[]): Promise<void> {
    this.attempts++;
    if (this.clock) this.attemptTimes.push(this.clock.now());
    const keys = new Set(batch.map(key));
    assert.equal(keys.size, batch.length, "a batch holds each (tag, ts) once");
    if (this.down) return Promise.reject(new Error("fake sink is down"));
    if (this.hang) return new Promise((resolve) => this.#hung.push(() => resolve()));
    const ms = this.delayMs(batch);
    const clock = this.clock;
    if (ms > 0 && clock?.setTimeout) {
      const start = clock.now();
      this.delayed++;
      return new Promise((resolve) => {
        clock.setTimeout!(() => {
          this.delayed--;
          this.busy.push({ start, end: clock.now(), values: batch.length });
          this.#commit(batch);
          resolve();
        }, ms);
      });
    }
    this.#commit(batch);
    if (this.commitThenHang) {
      this.commitThenHang = false;
      return new Promise((resolve) => this.#hung.push(() => resolve()));
    }
    return Promise.resolve();
  }

  health(): Promise<SinkHealth> {
    return Promise.resolve(this.down ? { ok: false, detail: "fake sink is down" } : { ok: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Writes waiting for {@link release}. */
  get hung(): number {
    return this.#hung.length;
  }

  /** Answers every hung write (without storing what `hang` held back). */
  release(): void {
    for (const r of this.#hung.splice(0)) r();
  }

  /** Fails the test if the writer changed a batch after handing it over. */
  assertBatchesUntouched(): void {
    for (const { batch, copy } of this.batches) assert.deepEqual(batch, copy);
  }

  #commit(batch: readonly Sample[]): void {
    for (const s of batch) {
      const k = key(s);
      if (this.rows.has(k)) this.duplicateAttempts++;
      else this.rows.set(k, s);
    }
    this.batches.push({ batch, copy: [...batch] });
  }
}

/** The (tag, ts) key of a sample. */
export const key = (s: Sample): string => `${s.tagId}@${s.ts}`;

/** `n` samples of tags 1..tags with increasing, unique timestamps from `from`. */
export function makeSamples(from: number, n: number, tags = 3): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    tagId: 1 + ((from + i) % tags),
    ts: from + i,
    value: (from + i) % 7 === 0 ? null : (from + i) * 0.5,
    quality: (from + i) % 7 === 0 ? "bad-comm" : "good",
  }));
}

/** Options of {@link startWriter}. */
export interface HarnessOptions {
  readonly settings?: Partial<WriterSettings>;
  /** An existing temp dir (a second writer after a "crash"); default: a new one. */
  readonly dir?: string;
  readonly sink?: FakeSink;
  readonly capacity?: number;
  readonly journal?: Partial<JournalOptions>;
  readonly clock?: ManualClock;
}

/** A writer on a manual clock, with everything a test looks at. */
export interface Harness {
  readonly dir: string;
  readonly clock: ManualClock;
  readonly buffer: SampleBuffer;
  readonly journal: Journal;
  readonly sink: FakeSink;
  readonly actor: WriterActor;
  readonly emitted: WriterEmitted[];
  readonly journalEvents: JournalEvent[];
  /** Waits until the writer waits for data or time (or has stopped). */
  idle(): Promise<void>;
  /** Moves the clock `ms` forward, one due timer at a time, letting the writer finish each step. */
  advance(ms: number): Promise<void>;
  /** Stops the actor without draining (a crash), closes the journal; keeps the directory. */
  crash(): Promise<void>;
  /** Crash, then remove the directory. */
  close(): Promise<void>;
}

/** Starts a writer with a fake sink, a buffer and a real journal in a temp dir. */
export async function startWriter(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "writer_test_" });
  const clock = options.clock ?? new ManualClock();
  const buffer = new SampleBuffer(options.capacity ?? 100_000);
  const journalEvents: JournalEvent[] = [];
  const journal = await Journal.open({
    dir: join(dir, "journal"),
    now: () => clock.now(),
    onEvent: (e) => journalEvents.push(e),
    ...options.journal,
  });
  const sink = options.sink ?? new FakeSink(clock);
  const emitted: WriterEmitted[] = [];
  const actor = createActor(writerMachine, {
    input: { sink, buffer, journal, clock, settings: options.settings },
  });
  actor.on("*", (e) => emitted.push(e as WriterEmitted));
  actor.start();
  const isIdle = () => {
    const s = actor.getSnapshot();
    // Idle: waiting for data or time, or stuck on a hung sink call that only
    // a clock timer (its timeout, the stop deadline) can end.
    return s.status !== "active" || s.matches({ running: "waiting" }) || sink.delayed > 0 ||
      (sink.hung > 0 && !s.matches({ running: "spilling" }) && !s.matches("finalSpill"));
  };
  const idle = async () => {
    // Journal I/O (fsync) takes real time: wait for it, up to a generous bound.
    const giveUpAt = performance.now() + 15_000;
    while (performance.now() < giveUpAt) {
      await settle();
      if (isIdle()) {
        await settle();
        if (isIdle()) return;
      }
    }
    throw new Error(`writer never settled: ${JSON.stringify(actor.getSnapshot().value)}`);
  };
  const advance = async (ms: number) => {
    const target = clock.now() + ms;
    await idle();
    for (let next = clock.nextDue; next !== undefined && next <= target; next = clock.nextDue) {
      await clock.advanceTo(next);
      await idle();
    }
    await clock.advanceTo(target);
    await idle();
  };
  let crashed = false;
  const crash = async () => {
    if (crashed) return;
    crashed = true;
    actor.stop();
    sink.release();
    await journal.close();
  };
  const close = async () => {
    await crash();
    await Deno.remove(dir, { recursive: true });
  };
  return {
    dir,
    clock,
    buffer,
    journal,
    sink,
    actor,
    emitted,
    journalEvents,
    idle,
    advance,
    crash,
    close,
  };
}

/** Segment files in a harness's journal directory. */
export async function segmentFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(dir, "journal"))) {
    if (e.name.endsWith(".csv")) names.push(e.name);
  }
  return names.sort();
}
