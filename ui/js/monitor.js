/**
 * The monitor page: who is logged in, then the plant configuration (GET
 * /lines, /processes, /plcs, /groups), the latest values (GET /values, paged;
 * GET /tags when the server has no live values), the runtime state (GET
 * /runtime) and the active alarms (GET /alarms). Then the WebSocket keeps
 * everything current: `values` into the tag table, `status` into the
 * overview, `alarms` into the banner and list. While the WebSocket is down
 * the banner says so and the page polls REST every 5 s instead.
 */
import { api, ApiError, getAll } from "./api.js";
import { Alarms } from "./alarms.js";
import { Faceplate } from "./faceplate.js";
import { announce, byId, debounce, h, setupTabs } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { PlantOverview } from "./plant_overview.js";
import { addShortcut, startSession } from "./session.js";
import { TagTable } from "./tag_table.js";
import { Trend } from "./trend.js";
import { LiveSocket } from "./ws.js";

const POLL_MS = 5_000;
const RUNTIME_POLL_MS = 10_000;

async function main() {
  const session = await startSession("monitor");
  const canOperate = session.can("operator");

  const table = new TagTable({
    scroller: byId("tag-scroller"),
    table: byId("tag-table"),
    count: byId("tag-count"),
    empty: byId("tag-empty"),
    isTrended: (id) => trend.has(id),
    onTrend: (row) => trend.toggle(row),
    onOpen: (row) => {
      faceplate.open(row).catch((e) =>
        announce(t("faceplate.openFailed", { message: e.message ?? String(e) }), "error")
      );
    },
    onRow: (row) => faceplate.applyRow(row),
  });
  const faceplate = new Faceplate({ canWrite: canOperate, alarms: () => alarms.items });
  const trend = new Trend({
    lookup: (code) => table.byCode(code),
    onChange: () => table.refresh(),
  });
  const overview = new PlantOverview({
    tree: byId("overview-tree"),
    summary: byId("overview-summary"),
    onGroup: (group) => {
      byId("tag-filter-group").value = String(group.id);
      byId("tag-filter-plc").value = "";
      table.setFilter({ groupId: String(group.id), plcId: "" });
      tabs.show("tags");
      byId("tag-search").focus();
    },
    onPlc: (plc) => {
      byId("tag-filter-plc").value = String(plc.id);
      byId("tag-filter-group").value = "";
      table.setFilter({ plcId: String(plc.id), groupId: "" });
      tabs.show("tags");
    },
  });
  const plcOfTag = (tagId) => table.byId(tagId)?.plcId;
  const alarms = new Alarms({
    canOperate,
    onOpen: () => tabs.show("alarms", true),
    onChange: (items) => overview.applyAlarms(items, plcOfTag),
  });

  const tabs = setupTabs(byId("monitor-tabs"), (name) => {
    trend.setVisible(name === "trend");
    if (name === "tags") table.refresh();
  });
  tabs.showInitial("tags");

  // The configuration: the overview tree and the filter lists.
  const [lines, processes, plcs, groups] = await Promise.all(
    ["lines", "processes", "plcs", "groups"].map((r) => getAll(r, {}, 5000)),
  );
  const plant = { lines, processes, plcs, groups };
  overview.setPlant(plant);
  fillFilter(byId("tag-filter-group"), groups);
  fillFilter(byId("tag-filter-plc"), plcs);
  const names = {
    groups: new Map(groups.map((g) => [g.id, g.code])),
    plcs: new Map(plcs.map((p) => [p.id, p.code])),
  };

  // The tags and their latest values.
  let valuesAvailable = true;
  try {
    table.setItems(await getAll("values", {}, 1000), names);
  } catch (e) {
    if (!(e instanceof ApiError && e.missing)) throw e;
    valuesAvailable = false;
    table.setItems(await getAll("tags", {}, 5000), names);
  }
  // A disabled PLC's or group's tags are stale (last value kept), never a frozen "Good".
  const off = new Set([
    ...plcs.filter((p) => !p.enabled).map((p) => `p${p.id}`),
    ...groups.filter((g) => !g.enabled).map((g) => `g${g.id}`),
  ]);
  if (off.size) table.setInactive((row) => off.has(`p${row.plcId}`) || off.has(`g${row.groupId}`));
  trend.setCandidates(table.rows);
  trend.restore();
  table.refresh();
  // Alarm limits: sparklines draw them, values past them are marked.
  getAll("alarm-rules", {}, 1000).then((rules) => {
    const limits = new Map();
    for (const r of rules) {
      if (!r.enabled || r.limit === null || r.kind === "ON" || r.kind === "OFF") continue;
      const list = limits.get(r.tagId) ?? [];
      list.push({ kind: r.kind, value: r.limit });
      limits.set(r.tagId, list);
    }
    table.setLimits(limits);
  }).catch(() => {/* limits are an aid; the table works without them */});

  // Runtime state, in full every 10 s (the WebSocket brings the short form every second).
  let lastRuntime = null;
  let lastStatus = null;
  let runtimeAvailable = true;
  const refreshRuntime = async () => {
    if (!runtimeAvailable) return;
    try {
      lastRuntime = await api.get("runtime");
      overview.applyRuntime(lastRuntime);
    } catch (e) {
      if (e instanceof ApiError && e.missing) {
        runtimeAvailable = false;
        overview.markUnavailable();
      }
    }
  };
  await Promise.all([refreshRuntime(), alarms.load()]);
  setInterval(() => {
    if (!document.hidden) refreshRuntime();
  }, RUNTIME_POLL_MS);

  // REST polling while the WebSocket is down.
  let pollTimer = 0;
  const poll = async () => {
    if (valuesAvailable) {
      try {
        table.applyValues(await getAll("values", {}, 1000));
      } catch { /* the banner already says the link is down */ }
    }
    await Promise.all([refreshRuntime(), alarms.load()]);
  };
  const startPolling = () => {
    if (!pollTimer) pollTimer = setInterval(poll, POLL_MS);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = 0;
  };

  const socket = new LiveSocket({
    subscription: { all: true },
    banner: byId("connection-banner"),
    indicator: byId("conn-state"),
  });
  let opened = false;
  socket.on("open", () => {
    stopPolling();
    if (opened) poll(); // catch up on what was missed while disconnected
    opened = true;
  });
  socket.on("close", startPolling);
  socket.on("values", (msg) => table.applyValues(msg.items ?? []));
  socket.on("status", (msg) => {
    lastStatus = msg;
    // A PLC failed or recovered: fetch its error and time now rather than at the next 10 s poll.
    if (overview.applyStatus(msg)) refreshRuntime();
  });
  socket.on("alarms", (msg) => {
    if (Array.isArray(msg.active)) alarms.set(msg.active);
  });
  socket.on("error", (msg) => announce(t("conn.serverError", { message: msg.message }), "error"));
  socket.start();
  addEventListener("pagehide", () => socket.stop());

  // Search and filters.
  const search = byId("tag-search");
  search.addEventListener("input", debounce(() => table.setFilter({ q: search.value }), 120));
  byId("tag-filter-group").addEventListener(
    "change",
    (e) => table.setFilter({ groupId: e.target.value }),
  );
  byId("tag-filter-plc").addEventListener(
    "change",
    (e) => table.setFilter({ plcId: e.target.value }),
  );
  byId("tag-filter-quality").addEventListener(
    "change",
    (e) => table.setFilter({ quality: e.target.value }),
  );

  addShortcut("/", "keys.search", () => {
    tabs.show("tags");
    search.focus();
    search.select();
  });
  addShortcut("t", "keys.tags", () => tabs.show("tags", true));
  addShortcut("r", "keys.trend", () => tabs.show("trend", true));
  addShortcut("a", "keys.alarms", () => tabs.show("alarms", true));

  onLangChange(() => {
    overview.setPlant(plant);
    if (lastRuntime) overview.applyRuntime(lastRuntime);
    if (lastStatus) overview.applyStatus(lastStatus);
    if (!runtimeAvailable) overview.markUnavailable();
    table.refresh();
    trend.relabel();
    alarms.relabel();
  });
  document.body.dataset.ready = "true";
}

function fillFilter(select, records) {
  const sorted = [...records].sort((a, b) => a.code.localeCompare(b.code));
  select.append(
    ...sorted.map((r) => h("option", { value: String(r.id), text: `${r.code} — ${r.name}` })),
  );
}

main().catch((e) => {
  console.error(e);
  announce(t("error.pageFailed", { message: e instanceof Error ? e.message : String(e) }), "error");
});
