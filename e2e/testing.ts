/**
 * Helpers of the e2e suite: the sample plant's fixture PLCs started by the
 * test itself (so that a test can record what they served, change their
 * profile, stall or kill them, and keep them running across a gateway
 * restart), a data directory whose store points at them, a gateway on it, taps
 * that count what the pollers produced, and direct reads of the SQLite
 * history file.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FixturePlant, startFixturePlant } from "../fixtures/fixture_plant.ts";
import type { FixturePlcOptions } from "../fixtures/plc_server.ts";
import type { FixtureProfile } from "../fixtures/profile.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";
import { type Gateway, type GatewayOptions, startGateway } from "../gateway/gateway.ts";
import type { GroupStatus } from "../actors/poller_status.ts";
import type { GroupConfig, TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";
import { formatAddress, parseAddress } from "../protocol/devices.ts";
import type { TagValue } from "../protocol/values.ts";
import { decodeValue } from "../sinks/codes.ts";
import { ensureSamplePlant } from "../store/startup.ts";
import { openDataDirStore } from "../store/store.ts";

/** The admin password every e2e gateway is given (so none is generated and printed). */
export const E2E_ENV = { JSSCADA_ADMIN_PASSWORD: "e2e correct horse battery" };

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `condition` every `everyMs` until it returns a truthy value, which is
 * returned; throws naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  timeoutMs: number,
  everyMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await condition();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

/** The sample plant's fixture profile, optionally changed by `edit` (a deep copy is passed). */
export function sampleProfile(edit?: (p: FixtureProfile) => void): FixtureProfile {
  const profile = structuredClone(generateSamplePlant().profile);
  edit?.(profile);
  return profile;
}

/** Starts the sample plant's fixture PLCs on free loopback ports. */
export function startPlant(
  options: { profile?: FixtureProfile } & Omit<FixturePlcOptions, "port" | "code"> = {},
): Promise<FixturePlant> {
  const { profile, ...shared } = options;
  return startFixturePlant(profile ?? sampleProfile(), { ...shared, ports: 0 });
}

/**
 * Loads the sample plant into the data directory's configuration store (when
 * empty) and points its PLC records at the running fixture PLCs.
 */
export function prepareDataDir(dataDir: string, plant: FixturePlant): void {
  const store = openDataDirStore(dataDir);
  try {
    ensureSamplePlant(store);
    for (const plc of plant.plcs) {
      const record = store.plcs.getByCode(plc.code);
      if (record.host !== "127.0.0.1" || record.port !== plc.port) {
        store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
      }
    }
  } finally {
    store.close();
  }
}

/** A gateway on `dataDir` whose PLCs are the test's own fixture plant (no fixture of its own). */
export function startE2eGateway(
  dataDir: string,
  options: Omit<GatewayOptions, "dataDir"> = {},
): Promise<Gateway> {
  return startGateway({
    dataDir,
    fixture: false,
    env: E2E_ENV,
    print: (line) => {
      throw new Error(`the gateway printed unexpectedly: ${line}`);
    },
    ...options,
  });
}

/** Resolves once every PLC of the gateway is connected. */
export function waitConnected(gw: Gateway, timeoutMs = 5000): Promise<boolean> {
  return waitFor("every PLC connected", () => {
    const plcs = gw.runtime.status().plcs;
    return plcs.length > 0 && plcs.every((p) => p.status?.state === "connected");
  }, timeoutMs);
}

/** Each running group's status by group code. */
export function groupStatuses(gw: Gateway): Map<string, GroupStatus> {
  const out = new Map<string, GroupStatus>();
  for (const g of gw.runtime.status().groups) if (g.status) out.set(g.code, g.status);
  return out;
}

/** Tags and groups of the plant, indexed the ways the tests need them. */
export interface PlantIndex {
  readonly tags: readonly TagConfig[];
  readonly groups: readonly GroupConfig[];
  readonly tagById: ReadonlyMap<number, TagConfig>;
  readonly groupById: ReadonlyMap<number, GroupConfig>;
  readonly groupByCode: ReadonlyMap<string, GroupConfig>;
  /** PLC code → normal-form address (`D100`, `X1A0`, `D1007.3`) → enabled tag. */
  readonly tagAt: ReadonlyMap<string, ReadonlyMap<string, TagConfig>>;
  /** Enabled tags of a group. */
  tagsOf(groupCode: string): TagConfig[];
}

/** Indexes the enabled tags and the groups of the data directory's store. */
export function indexPlant(dataDir: string): PlantIndex {
  const store = openDataDirStore(dataDir);
  try {
    const plant = store.loadPlant();
    const plcCode = new Map(plant.plcs.map((p) => [p.id, p.code]));
    const tags = plant.tags.filter((t) => t.enabled);
    const tagAt = new Map<string, Map<string, TagConfig>>();
    for (const t of tags) {
      const code = plcCode.get(t.plcId)!;
      const m = tagAt.get(code) ?? new Map<string, TagConfig>();
      m.set(formatAddress(parseAddress(t.address)), t);
      tagAt.set(code, m);
    }
    const groupByCode = new Map(plant.groups.map((g) => [g.code, g]));
    return {
      tags,
      groups: plant.groups,
      tagById: new Map(tags.map((t) => [t.id, t])),
      groupById: new Map(plant.groups.map((g) => [g.id, g])),
      groupByCode,
      tagAt,
      tagsOf: (code) => tags.filter((t) => t.groupId === groupByCode.get(code)!.id),
    };
  } finally {
    store.close();
  }
}

/** One call of the pollers into the live cache (one read of one group). */
export interface LivePoll {
  /** Wall time when the poller handed the read's samples over. */
  readonly at: number;
  readonly groupId: number;
  /** The samples' time (FIXED: the tick). */
  readonly ts: number;
  readonly samples: readonly Sample[];
}

/**
 * Records every read the pollers hand to the live cache (every sample, also
 * those the deadband keeps out of the historian), with the wall time at which
 * its batch reached the main thread.
 */
export function tapLive(gw: Gateway, index: PlantIndex): LivePoll[] {
  const polls: LivePoll[] = [];
  gw.onSamples((samples) => {
    // A batch holds every poll an acquisition worker finished in one turn: split it by group.
    const byGroup = new Map<number, Sample[]>();
    for (const s of samples) {
      const groupId = index.tagById.get(s.tagId)?.groupId ?? -1;
      const list = byGroup.get(groupId);
      if (list) list.push(s);
      else byGroup.set(groupId, [s]);
    }
    const at = Date.now();
    for (const [groupId, list] of byGroup) {
      polls.push({ at, groupId, ts: list[0].ts, samples: list });
    }
  });
  return polls;
}

/** What the pollers pushed into the buffer, per tag: every ts in push order. */
export interface ProducedTap {
  readonly byTag: Map<number, number[]>;
  /** Samples pushed. */
  count: number;
  /** Pushes whose ts was not above the tag's previous one (a duplicate or out of order). */
  notIncreasing: number;
}

/** Records every sample the pollers send to the historian worker (what the historian must get). */
export function tapProduced(gw: Gateway, into?: ProducedTap): ProducedTap {
  const tap = into ?? { byTag: new Map(), count: 0, notIncreasing: 0 };
  gw.onSamples((_, stored) => {
    for (const s of stored) {
      let list = tap.byTag.get(s.tagId);
      if (!list) tap.byTag.set(s.tagId, list = []);
      if (list.length > 0 && list[list.length - 1] >= s.ts) tap.notIncreasing++;
      list.push(s.ts);
      tap.count++;
    }
  });
  return tap;
}

/** A stored history row read straight from the SQLite file. */
export interface HistoryRow {
  readonly tag_id: number;
  readonly ts: number;
  readonly value: number | string | null;
  readonly kind: number;
  readonly quality: number;
}

/**
 * The SQLite history file read directly (read-only, no sink): every table
 * that holds samples (the recent table and the day tables), unioned.
 */
export class HistoryFile {
  readonly db: DatabaseSync;
  readonly tables: string[];
  readonly #union: string;

  constructor(dataDir: string) {
    this.db = new DatabaseSync(join(dataDir, "history.db"), { readOnly: true });
    this.tables = (this.db.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND (name = 'history_recent' ` +
        `OR name GLOB 'history_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]') ORDER BY name`,
    ).all() as { name: string }[]).map((r) => r.name);
    this.#union = this.tables.map((t) => `SELECT tag_id, ts, value, kind, quality FROM ${t}`)
      .join(" UNION ALL ");
  }

  /** Rows in every table (a row in two tables counts twice). */
  count(where = "1"): number {
    return Number(
      (this.db.prepare(`SELECT count(*) AS n FROM (${this.#union}) WHERE ${where}`).get() as {
        n: number;
      }).n,
    );
  }

  /** (tag, ts) pairs stored more than once across the tables, with how often. */
  duplicates(limit = 10): { tag_id: number; ts: number; n: number }[] {
    return this.db.prepare(
      `SELECT tag_id, ts, count(*) AS n FROM (${this.#union}) GROUP BY tag_id, ts ` +
        `HAVING count(*) > 1 LIMIT ${limit}`,
    ).all() as unknown as { tag_id: number; ts: number; n: number }[];
  }

  /** Every row, per tag, oldest first (where `where` holds). */
  byTag(where = "1"): Map<number, HistoryRow[]> {
    const out = new Map<number, HistoryRow[]>();
    const it = this.db.prepare(
      `SELECT * FROM (${this.#union}) WHERE ${where} ORDER BY tag_id, ts`,
    ).iterate() as Iterable<HistoryRow>;
    for (const r of it) {
      let list = out.get(r.tag_id);
      if (!list) out.set(r.tag_id, list = []);
      list.push(r);
    }
    return out;
  }

  close(): void {
    this.db.close();
  }
}

/** The rows with from ≤ ts ≤ to of a tag's rows (sorted by ts). */
export function between(
  rows: readonly HistoryRow[] | undefined,
  from: number,
  to: number,
): HistoryRow[] {
  return (rows ?? []).filter((r) => r.ts >= from && r.ts <= to);
}

/** A stored row's value as the sink would return it (sinks/codes.ts). */
export function rowValue(row: HistoryRow): TagValue | null {
  return decodeValue(
    row.kind,
    typeof row.value === "number" ? row.value : null,
    typeof row.value === "string" ? row.value : null,
  );
}

/** Whether two values are the same (NaN equals NaN). */
export function sameValue(a: TagValue | null, b: TagValue | null): boolean {
  return Object.is(a, b) || (a === b);
}

/** Journal segment files (`segment_*.csv`) in `<dataDir>/journal`, sorted. */
export async function journalSegments(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, "journal");
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /^segment_.*\.csv$/.test(e.name)) out.push(join(dir, e.name));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** p-th percentile (nearest rank) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The repository root (where deno.json is). */
export const REPO_ROOT = new URL("..", import.meta.url).pathname;

/** `jsscada serve` running in a child process, its output collected. */
export class ServeProcess {
  readonly child: Deno.ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output = "";
  readonly #reading: Promise<void>;
  #waiters = new Set<() => void>();

  /** Starts `deno run -A main.ts serve …args` in the repository root, with `env` added. */
  constructor(args: readonly string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "serve", ...args],
      cwd: REPO_ROOT,
      env: { ...E2E_ENV, NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([this.#read(this.child.stdout), this.#read(this.child.stderr)])
      .then(() => {});
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      this.output += text;
      for (const w of this.#waiters) w();
    }
  }

  /** Resolves with the first match of `re` in the output; throws after `timeoutMs`. */
  async waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(re);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${re} in the output within ${timeoutMs} ms:\n${this.output}`);
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiters.add(resolve);
      const timer = setTimeout(resolve, left);
      await promise;
      clearTimeout(timer);
      this.#waiters.delete(resolve);
    }
  }

  /** Sends a signal (if it still runs) and waits for the exit and the end of the output. */
  async stop(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    try {
      this.child.kill(signal);
    } catch { /* already exited */ }
    return await this.done();
  }

  /** Waits for the exit and the end of the output. */
  async done(): Promise<Deno.CommandStatus> {
    const status = await this.child.status;
    await this.#reading;
    return status;
  }
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * A TCP server on loopback that accepts connections and reads them but never
 * answers: a database server that hangs (or a network that drops replies).
 */
export class HangingServer {
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;

  constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** The port it listens on. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Connections accepted so far. */
  accepted = 0;

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.accepted++;
        this.#conns.add(conn);
        const task = this.#drain(conn).finally(() => {
          this.#conns.delete(conn);
          this.#tasks.delete(task);
        });
        this.#tasks.add(task);
      }
    } catch { /* closed */ }
  }

  async #drain(conn: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(4096);
    try {
      while ((await conn.read(buf)) !== null) { /* never answer */ }
    } catch { /* reset */ }
    try {
      conn.close();
    } catch { /* closed */ }
  }

  /** Closes the listener and every connection, and waits for them. */
  async close(): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await Promise.all([...this.#tasks]);
  }
}
