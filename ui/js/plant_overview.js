/**
 * The plant overview: lines → processes → PLCs → polling groups, with each
 * PLC's connection state, round trip and last error and each group's state,
 * cycle time, overruns and errors. Built once from the configuration
 * (GET /lines, /processes, /plcs, /groups); the live state comes from GET
 * /runtime (full detail, polled) and the WebSocket's `status` message (every
 * second), both applied in place by code.
 *
 * Test hooks: `[data-plc-code]`, `[data-group-code]`, `[data-field]`.
 */
import { formatAge, formatNumber, h, setText } from "./dom.js";
import { t } from "./i18n.js";

/** PLC states → chip colour. */
const PLC_LEVEL = {
  connected: "ok",
  connecting: "warn",
  degraded: "warn",
  backoff: "bad",
  disconnected: "bad",
};

/** The overview tree and summary. */
export class PlantOverview {
  #tree;
  #summary;
  #plcs = new Map();
  #groups = new Map();
  #onGroup;
  #runtimeKnown = false;

  /** `tree`, `summary`: elements to fill; `onGroup(group)` when a group is chosen. */
  constructor({ tree, summary, onGroup }) {
    this.#tree = tree;
    this.#summary = summary;
    this.#onGroup = onGroup;
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
    const item = h(
      "li",
      { class: ["tree-plc", !plc.enabled && "disabled"], dataset: { plcCode: plc.code } },
      h(
        "div",
        { class: "plc-head" },
        chip,
        h("span", { class: "tree-code", text: plc.code }),
        rtt,
      ),
      h("div", { class: "tree-name", text: plc.name }),
      error,
      h("ul", { class: "groups" }, groups.map((g) => this.#groupItem(g))),
    );
    this.#plcs.set(plc.code, { plc, chip, rtt, error, item });
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

  /** Applies the WebSocket's `status` message (the short form, every second). */
  applyStatus(status) {
    this.#runtimeKnown = true;
    for (const p of status.plcs ?? []) this.#applyPlc(p, false);
    for (const g of status.groups ?? []) this.#applyGroup(g, false);
    this.#applySummary({ buffer: status.buffer, writer: status.writer });
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
    setChip(entry.chip, PLC_LEVEL[state] ?? "warn", t(`plc.state.${state}`));
    entry.item.dataset.state = state;
    setText(
      entry.rtt,
      typeof p.rttMs === "number" ? t("overview.rtt", { ms: formatNumber(p.rttMs, 1) }) : "",
    );
    if (full) {
      const show = p.lastError && state !== "connected";
      entry.error.hidden = !show;
      setText(
        entry.error,
        show ? `${p.lastError}${p.lastErrorAt ? ` (${formatAge(p.lastErrorAt)})` : ""}` : "",
      );
    } else if (state === "connected") {
      entry.error.hidden = true;
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
      entry.error.hidden = !g.lastError;
      setText(entry.error, g.lastError ?? "");
    }
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
