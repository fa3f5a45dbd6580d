/**
 * The plant overview: lines → processes → PLCs → polling groups, with each
 * PLC's connection state, round trip and last error and each group's state,
 * cycle time, overruns and errors. Built once from the configuration
 * (GET /lines, /processes, /plcs, /groups); the live state comes from GET
 * /runtime (full detail, polled) and the WebSocket's `status` message (every
 * second), both applied in place by code.
 *
 * After ISA-101: normal states are calm grey, colour is for what is wrong
 * now (a failed PLC is the one red tile). Each PLC tile says its state, the
 * groups running, the values polled per second, the worst cycle time against
 * its interval and the active alarms by severity; a click on the PLC shows
 * its tags. Errors carry their time; after recovery they turn into a muted
 * "last error at hh:mm:ss" and leave after {@link PAST_ERROR_MS}.
 *
 * Test hooks: `[data-plc-code]` (with `data-level`), `[data-group-code]`, `[data-field]`.
 */
import { formatAge, formatNumber, formatTime, h, setText, severityBand } from "./dom.js";
import { t } from "./i18n.js";

/** PLC states → chip colour. */
const PLC_LEVEL = {
  connected: "ok",
  connecting: "warn",
  degraded: "warn",
  failed: "bad",
  backoff: "bad",
  disconnected: "bad",
};

/** How long a recovered error stays in view, muted, ms. */
export const PAST_ERROR_MS = 10 * 60_000;

/**
 * How an error shows: `current` (red, with its time) while it is what is
 * wrong now, `past` (muted "last error at …") after recovery, `gone` after
 * {@link PAST_ERROR_MS} or when there is none.
 */
export function errorView(message, at, failingNow, now = Date.now()) {
  if (!message) return { kind: "gone", text: "" };
  const time = at ? formatTime(at) : "";
  if (failingNow) return { kind: "current", text: time ? `${time} ${message}` : message };
  if (!at || now - at > PAST_ERROR_MS) return { kind: "gone", text: "" };
  return { kind: "past", text: t("overview.lastErrorAt", { time }), title: message };
}

const FOLD_KEY = "jsscada.overview.folded";

/** PLC codes whose groups the operator folded (kept in this browser). */
function foldedPlcs() {
  try {
    return new Set(JSON.parse(localStorage.getItem(FOLD_KEY) ?? "[]"));
  } catch {
    return new Set();
  }
}

function rememberFold(code, open) {
  const folded = foldedPlcs();
  if (open) folded.delete(code);
  else folded.add(code);
  try {
    localStorage.setItem(FOLD_KEY, JSON.stringify([...folded]));
  } catch { /* private mode: the fold lasts for this page only */ }
}

function showError(el, view) {
  el.hidden = view.kind === "gone";
  el.dataset.kind = view.kind;
  el.className = view.kind === "past" ? "error-past" : "error-text";
  setText(el, view.text);
  if (view.title) el.title = view.title;
  else el.removeAttribute("title");
}

/** The overview tree and summary. */
export class PlantOverview {
  #tree;
  #summary;
  #plcs = new Map();
  #groups = new Map();
  #onGroup;
  #onPlc;
  #runtimeKnown = false;

  /**
   * `tree`, `summary`: elements to fill; `onGroup(group)` when a group is
   * chosen, `onPlc(plc)` when a PLC tile is.
   */
  constructor({ tree, summary, onGroup, onPlc }) {
    this.#tree = tree;
    this.#summary = summary;
    this.#onGroup = onGroup;
    this.#onPlc = onPlc;
  }

  /** Builds the tree from the configuration (`{ lines, processes, plcs, groups }`). */
  setPlant({ lines, processes, plcs, groups }) {
    this.#plcs.clear();
    this.#groups.clear();
    const byCode = (a, b) => a.code.localeCompare(b.code);
    const processesOf = (lineId) => processes.filter((p) => p.lineId === lineId).sort(byCode);
    const plcsOf = (processId) => plcs.filter((p) => p.processId === processId).sort(byCode);
    const groupsOf = (plcId) => groups.filter((g) => g.plcId === plcId).sort(byCode);
    const list = h(
      "ul",
      { class: "tree" },
      [...lines].sort(byCode).map((line) =>
        h(
          "li",
          { class: "tree-line", dataset: { lineCode: line.code } },
          h(
            "div",
            { class: "tree-head" },
            h("span", { class: "tree-code", text: line.code }),
            " ",
            h("span", { class: "tree-name", text: line.name }),
          ),
          h(
            "ul",
            {},
            processesOf(line.id).map((process) =>
              h(
                "li",
                { class: "tree-process", dataset: { processCode: process.code } },
                h(
                  "div",
                  { class: "tree-head" },
                  h("span", { class: "tree-code", text: process.code }),
                  " ",
                  h("span", { class: "tree-name", text: process.name }),
                ),
                h("ul", {}, plcsOf(process.id).map((plc) => this.#plcItem(plc, groupsOf(plc.id)))),
              )
            ),
          ),
        )
      ),
    );
    this.#tree.replaceChildren(list);
    if (!lines.length) {
      this.#tree.replaceChildren(h("p", { class: "muted", i18n: "overview.empty" }));
    }
  }

  #plcItem(plc, groups) {
    const chip = h("span", { class: "state-chip", dataset: { level: "none" }, text: "—" });
    const rtt = h("span", { class: "meta", dataset: { field: "rtt" } });
    const error = h("p", { class: "error-text", dataset: { field: "error" }, hidden: true });
    const stats = h("div", { class: "plc-stats", dataset: { field: "stats" } });
    const alarms = h("div", { class: "plc-alarms", dataset: { field: "alarms" } });
    // Groups are the drill-down: an operator may fold them so that every tile fits the screen.
    const groupList = h(
      "ul",
      { class: "groups", id: `groups-${plc.id}` },
      groups.map((g) => this.#groupItem(g)),
    );
    const fold = h("button", {
      type: "button",
      class: "btn btn-icon fold",
      "aria-expanded": "false",
      "aria-controls": `groups-${plc.id}`,
      "aria-label": t("overview.groupsOf", { code: plc.code }),
      title: t("overview.groupsOf", { code: plc.code }),
      text: "▸",
      on: { click: () => setFold(groupList.hidden, true) },
    });
    const setFold = (open, remember = false) => {
      groupList.hidden = !open;
      fold.setAttribute("aria-expanded", String(open));
      fold.textContent = open ? "▾" : "▸";
      if (remember) rememberFold(plc.code, open);
    };
    setFold(!foldedPlcs().has(plc.code));
    const item = h(
      "li",
      {
        class: ["tree-plc", !plc.enabled && "disabled"],
        dataset: { plcCode: plc.code, level: plc.enabled ? "none" : "off" },
      },
      h(
        "div",
        { class: "plc-head" },
        chip,
        h("button", {
          type: "button",
          class: "tree-code plc-link",
          title: t("overview.showTags", { code: plc.code }),
          text: plc.code,
          on: {
            click: () => {
              setFold(true, true);
              this.#onPlc?.(plc);
            },
          },
        }),
        rtt,
        groups.length ? fold : null,
      ),
      h("div", { class: "tree-name", text: plc.name }),
      stats,
      alarms,
      error,
      groupList,
    );
    this.#plcs.set(plc.code, { plc, chip, rtt, error, stats, alarms, item });
    if (!plc.enabled) setChip(chip, "off", t("state.disabled"));
    return item;
  }

  #groupItem(group) {
    const chip = h("span", { class: "state-chip small", dataset: { level: "none" }, text: "—" });
    const cycle = h("span", { class: "meta", dataset: { field: "cycle" } });
    const counters = h("span", { class: "meta", dataset: { field: "counters" } });
    const error = h("p", { class: "error-text", dataset: { field: "error" }, hidden: true });
    const button = h("button", {
      type: "button",
      class: "group-link",
      dataset: { groupId: group.id },
      title: group.name,
      text: group.code,
      on: { click: () => this.#onGroup(group) },
    });
    const item = h(
      "li",
      { class: ["tree-group", !group.enabled && "disabled"], dataset: { groupCode: group.code } },
      h("div", { class: "group-head" }, chip, button),
      h("div", { class: "group-meta" }, cycle, counters),
      error,
    );
    this.#groups.set(group.code, { group, chip, cycle, counters, error, item, intervalMs: null });
    setText(cycle, intervalText(group.mode, group.intervalMs, undefined));
    if (!group.enabled) setChip(chip, "off", t("state.disabled"));
    return item;
  }

  /** Applies GET /runtime (`{ state, plcs, groups, writer, buffer }`). */
  applyRuntime(runtime) {
    this.#runtimeKnown = true;
    for (const p of runtime.plcs ?? []) this.#applyPlc(p, true);
    for (const g of runtime.groups ?? []) this.#applyGroup(g, true);
    this.#applyTiles();
    // The writer's status, directly or inside its supervision wrapper.
    const w = runtime.writer?.status ?? runtime.writer;
    this.#applySummary({
      buffer: runtime.buffer ?? w?.buffer,
      writer: w
        ? {
          condition: w.condition,
          valuesPerSecond: w.valuesPerSecond ?? w.window?.valuesPerSecond,
        }
        : undefined,
      state: runtime.state,
    });
  }

  /**
   * Applies the WebSocket's `status` message (the short form, every second).
   * Returns true when a PLC's level changed (the caller fetches GET /runtime
   * then, for the error and its time, which the short form does not carry).
   */
  applyStatus(status) {
    this.#runtimeKnown = true;
    const before = [...this.#plcs.values()].map((e) => e.item.dataset.level).join();
    for (const p of status.plcs ?? []) this.#applyPlc(p, false);
    for (const g of status.groups ?? []) this.#applyGroup(g, false);
    this.#applyTiles();
    this.#applySummary({ buffer: status.buffer, writer: status.writer });
    return before !== [...this.#plcs.values()].map((e) => e.item.dataset.level).join();
  }

  /**
   * Active alarms by PLC and severity: tag alarms through `plcOfTag(tagId)`,
   * system alarms through the PLC or group code in their key.
   */
  applyAlarms(items, plcOfTag) {
    const groupPlc = new Map([...this.#groups.values()].map((g) => [g.group.code, g.group.plcId]));
    const codeOfPlc = new Map([...this.#plcs.values()].map((p) => [p.plc.id, p.plc.code]));
    const counts = new Map();
    for (const a of items ?? []) {
      if (a.shelf) continue;
      let code;
      if (a.tagId !== null && a.tagId !== undefined) code = codeOfPlc.get(plcOfTag(a.tagId));
      else if (a.systemKey?.startsWith("plc:")) code = a.systemKey.split(":")[1];
      else if (a.systemKey?.startsWith("group:")) {
        code = codeOfPlc.get(groupPlc.get(a.systemKey.split(":")[1]));
      }
      if (!code) continue;
      const band = severityBand(a.severity ?? 0);
      const c = counts.get(code) ?? {};
      c[band] = (c[band] ?? 0) + 1;
      counts.set(code, c);
    }
    for (const [code, entry] of this.#plcs) {
      const c = counts.get(code) ?? {};
      entry.alarms.replaceChildren(
        ...["critical", "high", "medium", "low"].filter((b) => c[b]).map((b) =>
          h("span", {
            class: ["sev-chip", `sev-${b}`],
            title: t(`severity.${b}`),
            text: `${c[b]} ${t(`severity.${b}`)}`,
          })
        ),
      );
    }
  }

  /** Per PLC: groups running, values/s polled, worst cycle against its interval. */
  #applyTiles() {
    for (const entry of this.#plcs.values()) {
      if (!entry.plc.enabled) {
        setText(entry.stats, "");
        continue;
      }
      const groups = [...this.#groups.values()].filter((g) =>
        g.group.plcId === entry.plc.id && g.group.enabled
      );
      const running = groups.filter((g) => g.running);
      let rate = 0, worst = null;
      for (const g of running) {
        const every = g.intervalMs ?? g.group.intervalMs;
        if (g.group.mode === "FIXED" && every > 0) rate += (g.tags ?? 0) * 1000 / every;
        // A HANDSHAKE group's interval is how often it watches its request bit, not a cycle budget.
        if (g.group.mode === "FIXED" && typeof g.lastCycleMs === "number" && every > 0) {
          const ratio = g.lastCycleMs / every;
          if (!worst || ratio > worst.ratio) worst = { ratio, ms: g.lastCycleMs, every };
        }
      }
      const parts = [t("overview.tileGroups", { n: running.length, total: groups.length })];
      if (rate > 0) parts.push(t("overview.tileRate", { n: formatNumber(rate, 0) }));
      if (worst) {
        parts.push(t("overview.tileWorst", {
          ms: formatNumber(worst.ms, 0),
          every: formatNumber(worst.every, 0),
        }));
      }
      setText(entry.stats, parts.join(" · "));
      entry.stats.classList.toggle("over", worst !== null && worst.ratio > 0.8);
    }
  }

  /** Says that the server has no runtime status to show. */
  markUnavailable() {
    if (this.#runtimeKnown) return;
    setText(this.#summary, t("overview.noRuntime"));
  }

  #applyPlc(p, full) {
    const entry = this.#plcs.get(p.code);
    if (!entry) return;
    if (!entry.plc.enabled) return;
    const state = p.state ?? p.supervision?.state ?? "unknown";
    const level = PLC_LEVEL[state] ?? "warn";
    setChip(entry.chip, level, t(`plc.state.${state}`));
    entry.item.dataset.state = state;
    entry.item.dataset.level = level;
    setText(
      entry.rtt,
      typeof p.rttMs === "number" ? t("overview.rtt", { ms: formatNumber(p.rttMs, 1) }) : "",
    );
    if (full) {
      entry.lastError = p.lastError;
      entry.lastErrorAt = p.lastErrorAt;
    }
    showError(entry.error, errorView(entry.lastError, entry.lastErrorAt, level === "bad"));
    if (entry.error.dataset.kind === "current" && entry.lastErrorAt) {
      entry.error.title = formatAge(entry.lastErrorAt);
    }
  }

  #applyGroup(g, full) {
    const entry = this.#groups.get(g.code);
    if (!entry) return;
    if (!entry.group.enabled) return;
    const state = String(g.state ?? "unknown");
    const level = state === "stopped" || g.running === false
      ? "off"
      : state === "misconfigured"
      ? "bad"
      : "ok";
    const label = state.startsWith("handshake:")
      ? t("group.state.handshake", { step: state.slice("handshake:".length) })
      : t(`group.state.${state}`);
    setChip(entry.chip, level, label);
    entry.item.dataset.state = state;
    entry.running = level !== "off";
    if (typeof g.tags === "number") entry.tags = g.tags;
    if (typeof g.lastCycleMs === "number") entry.lastCycleMs = g.lastCycleMs;
    // GET /runtime has the interval the poller runs at (it follows edits); the status frame has not.
    if (typeof g.intervalMs === "number") entry.intervalMs = g.intervalMs;
    const every = entry.intervalMs ?? entry.group.intervalMs;
    setText(entry.cycle, intervalText(entry.group.mode, every, g.lastCycleMs));
    setText(
      entry.counters,
      t("overview.counters", { overruns: g.overruns ?? 0, errors: g.errors ?? 0 }),
    );
    entry.counters.classList.toggle("has-errors", (g.overruns ?? 0) + (g.errors ?? 0) > 0);
    if (full) {
      entry.lastError = g.lastError;
      entry.lastErrorAt = g.lastErrorAt;
    }
    // An error is current while it is younger than three intervals (or 5 s).
    const fresh = Math.max(5000, 3 * (every ?? 0));
    const current = entry.lastErrorAt && Date.now() - entry.lastErrorAt < fresh;
    showError(entry.error, errorView(entry.lastError, entry.lastErrorAt, current));
  }

  #applySummary({ buffer, writer, state }) {
    const parts = [];
    const plcs = [...this.#plcs.values()].filter((p) => p.plc.enabled);
    const connected = plcs.filter((p) => p.item.dataset.state === "connected").length;
    parts.push(t("overview.plcsConnected", { n: connected, total: plcs.length }));
    const groups = [...this.#groups.values()].filter((g) => g.group.enabled);
    const running =
      groups.filter((g) => g.item.dataset.state && g.item.dataset.state !== "stopped").length;
    parts.push(t("overview.groupsRunning", { n: running, total: groups.length }));
    if (writer?.condition) {
      parts.push(t("overview.writer", { condition: t(`writer.${writer.condition}`) }));
    }
    if (typeof writer?.valuesPerSecond === "number") {
      parts.push(t("overview.rate", { n: formatNumber(writer.valuesPerSecond, 0) }));
    }
    if (buffer && typeof buffer.size === "number") {
      parts.push(t("overview.buffer", {
        size: formatNumber(buffer.size),
        capacity: formatNumber(buffer.capacity),
      }));
      if (buffer.dropped) parts.push(t("overview.dropped", { n: formatNumber(buffer.dropped) }));
    }
    if (state && state !== "running") parts.push(t(`runtime.state.${state}`));
    this.#summary.replaceChildren(
      ...parts.map((p) => h("span", { class: "summary-item", text: p })),
    );
    this.#summary.classList.toggle(
      "warn",
      connected < plcs.length || (writer?.condition && writer.condition !== "healthy"),
    );
  }
}

function setChip(chip, level, text) {
  if (chip.dataset.level !== level) chip.dataset.level = level;
  setText(chip, text);
}

function intervalText(mode, intervalMs, lastCycleMs) {
  const every = mode === "HANDSHAKE"
    ? t("overview.handshake")
    : t("overview.every", { ms: formatNumber(intervalMs ?? 0) });
  if (typeof lastCycleMs !== "number") return every;
  return `${t("overview.cycle", { ms: formatNumber(lastCycleMs, 1) })} · ${every}`;
}
