/**
 * Isolation of the data plane: the sample plant's fixture PLCs run in another
 * process and the gateway in a third; a quiet window is measured, then a
 * loaded one in which the main thread takes a 100,000-row tags CSV dry run,
 * 50 parallel wrong-password logins and 200 WebSocket clients subscribed to
 * the whole plant. The pollers and the historian run on their own threads,
 * so the loaded window must keep the quiet one's schedule and throughput.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { ensureAdmin, ensureSamplePlant } from "../store/startup.ts";
import { openDataDirStore } from "../store/store.ts";
import {
  closedPort,
  E2E_ENV,
  HistoryFile,
  REPO_ROOT,
  sampleProfile,
  ServeProcess,
  sleep,
} from "./testing.ts";

const SERVING = /JSScada is serving (\S+)/;
/** Each window's length: three ticks of the slowest group (5 s), so the deadband's variation averages out. */
const WINDOW_MS = 15_000;
const CSV_ROWS = 100_000;
const LOGINS = 50;
const WS_CLIENTS = 200;

interface Family {
  name: string;
  metrics: { labels?: Record<string, string>; value?: string }[];
}

/** Counters that the windows compare, from one /metrics scrape and the runtime status. */
interface Scrape {
  readonly at: number;
  readonly cycles: Map<string, number>;
  readonly overruns: Map<string, number>;
  readonly written: number;
  /** Samples that reached the historian's buffer (one poll's granularity, not a batch's). */
  readonly pushed: number;
  readonly dropped: number;
  /** Tick lateness of every FIXED group, summed: count per bucket. */
  readonly tickCounts: number[];
  readonly tickBounds: number[];
}

interface GroupView {
  mode: string;
  tickErrors: { boundsMs: number[]; counts: number[]; count: number } | null;
}

async function scrape(base: string, token: string): Promise<Scrape> {
  const runtime = await (await fetch(`${base}/api/v1/runtime`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json() as { groups: GroupView[]; buffer: { pushed: number; dropped: number } };
  let tickBounds: number[] = [];
  let tickCounts: number[] = [];
  for (const g of runtime.groups) {
    if (g.mode !== "FIXED" || !g.tickErrors) continue;
    tickBounds = g.tickErrors.boundsMs;
    if (tickCounts.length === 0) tickCounts = g.tickErrors.counts.map(() => 0);
    g.tickErrors.counts.forEach((n, i) => tickCounts[i] += n);
  }
  const text = await (await fetch(`${base}/metrics`)).text();
  const families = parsePrometheusTextFormat(text) as Family[];
  const byGroup = (name: string) => {
    const out = new Map<string, number>();
    for (const m of families.find((f) => f.name === name)?.metrics ?? []) {
      out.set(m.labels?.group ?? "", Number(m.value));
    }
    return out;
  };
  const written = families.find((f) => f.name === "jsscada_writer_written_samples_total")
    ?.metrics.reduce((a, m) => a + Number(m.value), 0) ?? 0;
  return {
    at: performance.now(),
    cycles: byGroup("jsscada_group_cycles_total"),
    overruns: byGroup("jsscada_group_overruns_total"),
    written,
    pushed: runtime.buffer.pushed,
    dropped: runtime.buffer.dropped,
    tickCounts,
    tickBounds,
  };
}

/** The p99 tick lateness between two scrapes, ms ("> last bound" when above every bound). */
function tickP99(a: Scrape, b: Scrape): string {
  const counts = b.tickCounts.map((n, i) => n - (a.tickCounts[i] ?? 0));
  const total = counts.reduce((x, y) => x + y, 0);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= 0.99 * total) {
      return i < b.tickBounds.length ? `≤ ${b.tickBounds[i]} ms` : `> ${b.tickBounds.at(-1)} ms`;
    }
  }
  return "—";
}

interface WindowFigures {
  readonly seconds: number;
  readonly tickP99: string;
  readonly storedPerSecond: number;
  /** Per FIXED group: ticks missed (overruns) of the ticks due. */
  readonly groups: { code: string; due: number; missed: number }[];
}

function figures(a: Scrape, b: Scrape, fixed: ReadonlySet<string>): WindowFigures {
  const seconds = (b.at - a.at) / 1000;
  const groups = [...fixed].map((code) => {
    const cycles = (b.cycles.get(code) ?? 0) - (a.cycles.get(code) ?? 0);
    const missed = (b.overruns.get(code) ?? 0) - (a.overruns.get(code) ?? 0);
    return { code, due: cycles + missed, missed };
  });
  return {
    seconds,
    tickP99: tickP99(a, b),
    // Values handed to the historian per second: the writer keeps up (asserted apart), and
    // its own count moves in batches of up to 5,000, too coarse for an 8 s window.
    storedPerSecond: (b.pushed - a.pushed) / seconds,
    groups,
  };
}

/** A 100,000-row tags CSV: valid rows of a PLC's free D range, for a dry run. */
function bigTagsCsv(): string {
  const header =
    "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";
  const rows = [header];
  for (let i = 0; i < CSV_ROWS; i++) {
    rows.push(
      `LOAD${String(i).padStart(6, "0")},Load test ${i},,PLCPRESS010001,PRESS_MOTION,` +
        `ZR${100000 + i},INT16,,1,0,,,true`,
    );
  }
  return rows.join("\n") + "\n";
}

/** The fixture PLCs of the sample plant in a process of their own, on free ports. */
async function startFixtureProcess(dir: string) {
  const profile = sampleProfile((p) => {
    for (const plc of p.plcs) plc.port = closedPort();
  });
  const file = join(dir, "profile.json");
  await Deno.writeTextFile(file, JSON.stringify(profile));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "fixture-plc", "--profile", file],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + 30_000;
  while ((out.match(/listening on/g) ?? []).length < profile.plcs.length) {
    if (Date.now() > deadline) throw new Error(`fixture PLCs did not start:\n${out}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`fixture PLCs exited:\n${out}`);
    out += value;
  }
  const draining = (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return {
    plcs: profile.plcs.map((p) => ({ code: p.code, port: p.port })),
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.stdin.close().catch(() => {});
      await draining.catch(() => {});
      await child.status;
    },
  };
}

Deno.test("isolation: a CSV dry run, a login flood and 200 WebSocket clients cost the pollers and the historian nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada-e2e-iso-" });
  const dataDir = join(dir, "data");
  const fixture = await startFixtureProcess(dir);
  let serve: ServeProcess | undefined;
  const sockets: WebSocket[] = [];
  try {
    const store = openDataDirStore(dataDir);
    let token: string;
    let fixed: Set<string>;
    try {
      ensureSamplePlant(store);
      for (const plc of fixture.plcs) {
        const record = store.plcs.getByCode(plc.code);
        store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
      }
      const plant = store.loadPlant();
      fixed = new Set(plant.groups.filter((g) => g.mode === "FIXED").map((g) => g.code));
      await ensureAdmin(store, E2E_ENV);
      const admin = store.users.list({ limit: 10 }).items.find((u) => u.name === "admin")!;
      token = store.tokens.create({ name: "isolation", userId: admin.id }).token;
    } finally {
      store.close();
    }
    // 200 browsers from one address: the per-address WebSocket bound (50) is raised for them.
    serve = new ServeProcess([
      ...["--port", "0", "--data-dir", dataDir, "--quiet"],
      ...["--ws-max-per-address", "1000", "--ws-max-per-user", "1000"],
    ]);
    const base = (await serve.waitForOutput(SERVING, 30_000))[1].replace("localhost", "127.0.0.1");
    await sleep(4_000); // connected, first samples stored, caches warm

    const qStart = Date.now();
    const q0 = await scrape(base, token);
    await sleep(WINDOW_MS);
    const q1 = await scrape(base, token);
    const qEnd = Date.now();
    const quiet = figures(q0, q1, fixed);

    const csv = bigTagsCsv();
    const auth = { Authorization: `Bearer ${token}` };
    const lStart = Date.now();
    const l0 = await scrape(base, token);
    const loadStart = performance.now();
    const wsUrl = `${base.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(token)}`;
    let wsMessages = 0;
    const wsOpen = Promise.all(
      Array.from({ length: WS_CLIENTS }, () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          sockets.push(ws);
          ws.onopen = () => {
            ws.send(JSON.stringify({ type: "subscribe", all: true }));
            resolve();
          };
          ws.onmessage = () => wsMessages++;
          ws.onerror = () => reject(new Error("a WebSocket client failed"));
        })),
    );
    const logins = Promise.all(
      Array.from({ length: LOGINS }, () =>
        fetch(`${base}/api/v1/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name: "admin", password: "wrong password" }),
        }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        })),
    );
    const dryRun = fetch(`${base}/api/v1/import/tags?dryRun=true`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "text/csv", "X-Requested-With": "jsscada" },
      body: csv,
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const [, statuses, report] = await Promise.all([wsOpen, logins, dryRun]);
    const loadMs = performance.now() - loadStart;
    await sleep(Math.max(0, WINDOW_MS - loadMs));
    const l1 = await scrape(base, token);
    const lEnd = Date.now();
    const loaded = figures(l0, l1, fixed);

    assert.ok(statuses.every((s) => s === 401 || s === 429), `login answers ${statuses}`);
    assert.ok(
      report.status === 200 || report.status === 400,
      `dry run answered ${report.status}: ${report.body.slice(0, 300)}`,
    );
    assert.ok(wsMessages > WS_CLIENTS, `only ${wsMessages} WebSocket messages`);

    const show = (w: WindowFigures) =>
      `${w.seconds.toFixed(1)} s, ${
        Math.round(w.storedPerSecond)
      } values/s to the historian, tick ` +
      `lateness p99 ${w.tickP99}, missed ` +
      w.groups.map((g) => `${g.code} ${g.missed}/${g.due}`).join(", ");
    console.log(
      `isolation: quiet ${show(quiet)}\nisolation: loaded ${show(loaded)} (load took ` +
        `${Math.round(loadMs)} ms: CSV dry run ${report.status}, ${LOGINS} logins, ` +
        `${WS_CLIENTS} WebSocket clients, ${wsMessages} messages)`,
    );
    assert.equal(l1.dropped, 0, "samples dropped by the historian's buffer");
    // Everything handed over in the loaded window is written within a few seconds.
    const deadline = Date.now() + 15_000;
    let caughtUp = await scrape(base, token);
    while (caughtUp.written < l1.pushed && Date.now() < deadline) {
      await sleep(250);
      caughtUp = await scrape(base, token);
    }
    assert.ok(
      caughtUp.written >= l1.pushed,
      `the writer did not catch up: ${caughtUp.written} written of ${l1.pushed}`,
    );
    for (const g of loaded.groups) {
      assert.ok(g.due > 0, `${g.code}: no ticks due in the loaded window`);
      assert.ok(g.missed <= 0.01 * g.due, `${g.code} missed ${g.missed} of ${g.due} ticks`);
    }

    for (const ws of sockets) ws.close();
    await serve.stop("SIGTERM");
    // Values stored per second, counted in the history by their poll time (the tick they were
    // read on): no status lag or HTTP latency at the window edges.
    const history = new HistoryFile(dataDir);
    let quietStored: number, loadedStored: number;
    try {
      quietStored = history.count(`ts >= ${qStart} AND ts < ${qEnd}`) / ((qEnd - qStart) / 1000);
      loadedStored = history.count(`ts >= ${lStart} AND ts < ${lEnd}`) / ((lEnd - lStart) / 1000);
    } finally {
      history.close();
    }
    console.log(
      `isolation: stored in the history ${Math.round(quietStored)} values/s quiet, ` +
        `${Math.round(loadedStored)} loaded (${(100 * loadedStored / quietStored).toFixed(1)} %)`,
    );
    assert.ok(
      loadedStored >= 0.97 * quietStored,
      `stored ${loadedStored.toFixed(0)}/s loaded vs ${quietStored.toFixed(0)}/s quiet`,
    );
    const db = new DatabaseSync(join(dataDir, "config.db"), { readOnly: true });
    try {
      const row = db.prepare(
        "SELECT count(*) AS n FROM alarm_journal WHERE system_key LIKE 'plc:%' AND action = 'raise'",
      ).get() as { n: number };
      assert.equal(row.n, 0, "PLC failure alarms");
    } finally {
      db.close();
    }
  } finally {
    for (const ws of sockets) {
      try {
        ws.close();
      } catch { /* closed */ }
    }
    await serve?.stop("SIGKILL");
    await fixture.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
