/**
 * The runtime view: every polling group and PLC as the runtime sees them
 * (GET /api/v1/runtime, refreshed every 2 s while shown), the writer and
 * buffer, and for operators start, stop and trigger per group (POST
 * /runtime/groups/{code}/start | stop | trigger) and start-all / stop-all.
 * A trigger's answer (the values read) is shown in a dialog.
 */
import { api, ApiError } from "./api.js";
import { confirmDialog, openDialog } from "./dialog.js";
import { announce, formatDateTime, formatNumber, formatValue, h, setText } from "./dom.js";
import { t } from "./i18n.js";
import { errorView } from "./plant_overview.js";

const REFRESH_MS = 2_000;

/** The runtime view. */
export class RuntimeView {
  #root;
  #canOperate;
  #timer = 0;
  #summary;
  #groups;
  #plcs;
  #status;

  constructor({ session }) {
    this.#canOperate = session.can("operator");
  }

  /** Builds the view into `root`. */
  mount(root) {
    this.#root = root;
    this.#summary = h("div", { class: "runtime-summary", "data-testid": "runtime-summary" });
    this.#status = h("p", { class: "status-line", "aria-live": "polite" });
    this.#groups = h("tbody");
    this.#plcs = h("tbody");
    const controls = this.#canOperate
      ? h(
        "div",
        { class: "view-actions" },
        h("button", {
          type: "button",
          class: "btn",
          "data-testid": "start-all",
          i18n: "runtime.startAll",
          on: { click: () => this.#all("start-all") },
        }),
        h("button", {
          type: "button",
          class: "btn btn-danger",
          "data-testid": "stop-all",
          i18n: "runtime.stopAll",
          on: { click: () => this.#all("stop-all") },
        }),
      )
      : null;
    const th = (key, cls) => h("th", { scope: "col", class: cls, i18n: key });
    root.replaceChildren(
      h(
        "div",
        { class: "view", "data-testid": "view-runtime" },
        h(
          "div",
          { class: "view-head" },
          h("h2", { class: "panel-title", i18n: "runtime.title" }),
          controls,
        ),
        this.#summary,
        this.#status,
        h("h3", { i18n: "runtime.groups" }),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "data-table runtime-table", "data-testid": "runtime-groups" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                th("field.code"),
                th("runtime.state"),
                this.#canOperate ? th("common.actions", "c-actions") : null,
                th("field.mode"),
                th("field.intervalMs", "num"),
                th("runtime.lastCycle", "num"),
                th("runtime.cycles", "num"),
                th("runtime.overruns", "num"),
                th("runtime.errors", "num"),
                th("runtime.lastError"),
              ),
            ),
            this.#groups,
          ),
        ),
        h("h3", { i18n: "runtime.plcs" }),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "data-table runtime-table", "data-testid": "runtime-plcs" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                th("field.code"),
                th("field.name"),
                th("runtime.state"),
                th("runtime.rtt", "num"),
                th("runtime.connects", "num"),
                th("runtime.failedReads", "num"),
                th("runtime.model"),
                th("runtime.lastError"),
              ),
            ),
            this.#plcs,
          ),
        ),
      ),
    );
    this.#groups.addEventListener("click", (e) => {
      const b = e.target instanceof Element ? e.target.closest("button[data-command]") : null;
      if (b) this.#command(b.dataset.group, b.dataset.command);
    });
  }

  /** Starts or stops the periodic refresh (while the view is shown). */
  setVisible(visible) {
    clearInterval(this.#timer);
    this.#timer = 0;
    if (!visible) return;
    this.refresh();
    this.#timer = setInterval(() => {
      if (!document.hidden) this.refresh();
    }, REFRESH_MS);
  }

  /** Loads GET /runtime. */
  async refresh() {
    try {
      const r = await api.get("runtime");
      this.#render(r);
      setText(this.#status, "");
    } catch (e) {
      setText(
        this.#status,
        e instanceof ApiError && e.missing ? t("runtime.unavailable") : e.message,
      );
      if (e instanceof ApiError && e.missing) this.setVisible(false);
    }
  }

  #render(r) {
    const w = r.writer?.status ?? r.writer;
    const buffer = r.buffer ?? w?.buffer;
    const parts = [
      [t("runtime.state"), r.state ? t(`runtime.state.${r.state}`) : "—"],
      [t("runtime.writer"), w?.condition ? t(`writer.${w.condition}`) : "—"],
      [
        t("runtime.buffer"),
        buffer ? `${formatNumber(buffer.size)} / ${formatNumber(buffer.capacity)}` : "—",
      ],
      [t("runtime.dropped"), buffer ? formatNumber(buffer.dropped ?? 0) : "—"],
      [t("runtime.history"), historianText(r.historian)],
    ];
    this.#summary.replaceChildren(
      h(
        "dl",
        { class: "facts" },
        parts.map(([k, v]) =>
          h("div", { class: "fact" }, h("dt", { text: k }), h("dd", { text: v }))
        ),
      ),
    );
    const groups = [...(r.groups ?? [])].sort((a, b) => a.code.localeCompare(b.code));
    this.#groups.replaceChildren(...groups.map((g) => this.#groupRow(g)));
    const plcs = [...(r.plcs ?? [])].sort((a, b) => a.code.localeCompare(b.code));
    this.#plcs.replaceChildren(
      ...plcs.map((p) =>
        h(
          "tr",
          { dataset: { plcCode: p.code, state: p.state ?? "" } },
          h("td", { class: "code", text: p.code }),
          h("td", { text: p.name ?? "" }),
          h(
            "td",
            {},
            h("span", {
              class: "state-chip",
              dataset: {
                level: p.state === "connected" ? "ok" : p.state === "connecting" ? "warn" : "bad",
              },
              text: p.state ? t(`plc.state.${p.state}`) : "—",
            }),
          ),
          h("td", { class: "num", text: formatNumber(p.rttMs, 1) }),
          h("td", { class: "num", text: formatNumber(p.connects) }),
          h("td", { class: "num", text: formatNumber(p.failedReads) }),
          h("td", { text: p.model ?? "" }),
          errorCell(
            p.lastError,
            p.lastErrorAt,
            !["connected", "connecting", "degraded"].includes(p.state),
          ),
        )
      ),
    );
  }

  #groupRow(g) {
    const running = g.running === true;
    const actions = [];
    if (this.#canOperate) {
      const b = (command, key, extra) =>
        h("button", {
          type: "button",
          class: ["btn", "btn-small", extra],
          dataset: { command, group: g.code },
          "data-testid": `${command}-${g.code}`,
          "aria-label": t(`runtime.${command}Label`, { code: g.code }),
          text: t(key),
        });
      actions.push(
        running ? b("stop", "runtime.stop") : b("start", "runtime.start", "btn-primary"),
      );
      if (g.mode === "HANDSHAKE") actions.push(b("trigger", "runtime.trigger"));
    }
    return h(
      "tr",
      { dataset: { groupCode: g.code, state: g.state ?? "", running: String(running) } },
      // The PLC under the group's code: one column less, so every column fits 1366 px.
      h(
        "td",
        { class: "code c-group", title: g.name ?? "" },
        g.code,
        h("span", { class: "sub", text: g.plcCode ?? "" }),
      ),
      h(
        "td",
        {},
        h("span", {
          class: "state-chip",
          dataset: { level: !running ? "off" : g.state === "misconfigured" ? "bad" : "ok" },
          text: groupState(g.state),
        }),
      ),
      this.#canOperate ? h("td", { class: "c-actions" }, actions) : null,
      h("td", {
        class: "c-mode",
        text: g.mode === "HANDSHAKE" ? `${g.mode} (${g.trigger ?? ""})` : g.mode ?? "",
      }),
      h("td", { class: "num", dataset: { col: "intervalMs" }, text: formatNumber(g.intervalMs) }),
      h("td", { class: "num", text: formatNumber(g.lastCycleMs, 1) }),
      h("td", { class: "num", text: formatNumber(g.cycles) }),
      h("td", { class: ["num", g.overruns > 0 && "warn-text"], text: formatNumber(g.overruns) }),
      h("td", { class: ["num", g.errors > 0 && "warn-text"], text: formatNumber(g.errors) }),
      errorCell(
        g.lastError,
        g.lastErrorAt,
        g.lastErrorAt && Date.now() - g.lastErrorAt < Math.max(5000, 3 * (g.intervalMs ?? 0)),
      ),
    );
  }

  async #command(code, command) {
    try {
      const answer = await api.post(`runtime/groups/${encodeURIComponent(code)}/${command}`);
      if (command === "trigger") this.#showTrigger(code, answer);
      else announce(t(command === "start" ? "runtime.started" : "runtime.stopped", { code }));
    } catch (e) {
      announce(e.message, "error");
    }
    this.refresh();
  }

  async #all(command) {
    const ok = await confirmDialog({
      title: t(command === "start-all" ? "runtime.startAll" : "runtime.stopAll"),
      message: t(command === "start-all" ? "runtime.startAllQuestion" : "runtime.stopAllQuestion"),
      confirmLabel: t(command === "start-all" ? "runtime.startAll" : "runtime.stopAll"),
      danger: command === "stop-all",
    });
    if (!ok) return;
    try {
      await api.post(`runtime/${command}`);
      announce(t(command === "start-all" ? "runtime.allStarted" : "runtime.allStopped"));
    } catch (e) {
      announce(e.message, "error");
    }
    this.refresh();
  }

  #showTrigger(code, answer) {
    const values = answer?.values ?? [];
    openDialog({
      title: t("runtime.triggerResult", { code }),
      testId: "trigger-dialog",
      wide: true,
      body: [
        h("p", {
          text: t("runtime.triggerRead", { n: values.length, at: formatDateTime(answer?.ts) }),
        }),
        h(
          "div",
          { class: "table-scroll dialog-table" },
          h(
            "table",
            { class: "data-table compact" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col", i18n: "tags.col.code" }),
                h("th", { scope: "col", class: "num", i18n: "tags.col.value" }),
                h("th", { scope: "col", i18n: "tags.col.quality" }),
                h("th", { scope: "col", i18n: "tags.col.time" }),
              ),
            ),
            h(
              "tbody",
              {},
              values.map((v) =>
                h(
                  "tr",
                  {},
                  h("td", { class: "code", text: v.code }),
                  h("td", { class: "num", text: formatValue(v.value) }),
                  h("td", { text: t(`quality.${v.quality}`) }),
                  h("td", { text: formatDateTime(v.ts) }),
                )
              ),
            ),
          ),
        ),
      ],
      actions: [{ label: t("action.close"), value: "close", primary: true }],
      noCancel: true,
    });
  }
}

function groupState(state) {
  if (!state) return "—";
  if (state.startsWith("handshake:")) {
    return t("group.state.handshake", { step: state.slice("handshake:".length) });
  }
  return t(`group.state.${state}`);
}

/**
 * The last error of a PLC or group: one line (the whole text in its title),
 * red with its time while it is what is wrong now, muted "last error at …"
 * after recovery, empty after a while.
 */
function errorCell(message, at, failingNow) {
  const view = errorView(message, at, Boolean(failingNow));
  return h("td", {
    class: ["c-error", view.kind === "current" ? "error-text" : "muted"],
    title: message ?? "",
    dataset: { kind: view.kind },
    text: view.text,
  });
}

/** How long the historian keeps history, for the runtime page (GET /runtime's `historian`). */
function historianText(h) {
  if (!h) return "—";
  if (h.retentionDays === null) return t("runtime.historyExternal", { kind: h.kind });
  return h.minFreeMb === null
    ? t("runtime.historyDays", { days: formatNumber(h.retentionDays) })
    : t("runtime.historyDaysGuard", {
      days: formatNumber(h.retentionDays),
      mb: formatNumber(h.minFreeMb),
    });
}
