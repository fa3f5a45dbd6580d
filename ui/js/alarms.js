/**
 * Alarms on the monitor: the banner in the header (how many are active, how
 * many wait for acknowledgement, the highest severity; it blinks gently
 * while anything is unacknowledged, and not at all for users who ask for
 * reduced motion), the active alarm list with acknowledge (with a comment),
 * shelve and unshelve for operators, and the alarm history with filters.
 *
 * The list comes from GET /api/v1/alarms and then from the WebSocket's
 * `alarms` messages (`active`: the whole list after each change). Commands
 * are POST /api/v1/alarms/{id}/acknowledge | shelve | unshelve.
 */
import { api, ApiError } from "./api.js";
import { openDialog } from "./dialog.js";
import {
  announce,
  breakable,
  byId,
  formatDateTime,
  formatTime,
  formatValue,
  fromLocalInput,
  h,
  setText,
  severityBand,
} from "./dom.js";
import { buildForm } from "./form.js";
import { t } from "./i18n.js";

const UNACKED = new Set(["active-unacknowledged", "cleared-unacknowledged"]);
/** Shelve durations offered, minutes. */
const SHELVE_MINUTES = [15, 30, 60, 120, 240, 480];

/** The alarm banner, list and history. */
export class Alarms {
  #items = [];
  #canOperate;
  #onOpen;
  #onChange;
  #available = true;
  #lastAnnounced = "";
  #history = { offset: 0, limit: 50, total: 0 };

  /**
   * `canOperate`: show the commands; `onOpen()`: show the alarm panel (banner
   * click); `onChange(items)`: after each new active list.
   */
  constructor({ canOperate, onOpen, onChange }) {
    this.#canOperate = canOperate;
    this.#onOpen = onOpen;
    this.#onChange = onChange;
    byId("alarm-banner").addEventListener("click", () => this.#onOpen());
    byId("alarm-rows").addEventListener("click", (e) => {
      const b = e.target instanceof Element ? e.target.closest("button[data-action]") : null;
      if (!b) return;
      const alarm = this.#items.find((a) => a.id === b.closest("tr").dataset.alarmId);
      if (alarm) this.#command(b.dataset.action, alarm);
    });
    byId("alarm-show-shelved").addEventListener("change", () => this.#renderList());
    byId("alarm-history-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.#history.offset = 0;
      this.loadHistory();
    });
    byId("alarm-history-prev").addEventListener("click", () => {
      this.#history.offset = Math.max(0, this.#history.offset - this.#history.limit);
      this.loadHistory();
    });
    byId("alarm-history-next").addEventListener("click", () => {
      this.#history.offset += this.#history.limit;
      this.loadHistory();
    });
    byId("alarm-history").addEventListener("toggle", (e) => {
      if (e.target.open) this.loadHistory();
    });
  }

  /** Loads the active list over REST (at start, and after a reconnect). */
  async load() {
    try {
      const answer = await api.get("alarms");
      this.set(answer.items ?? []);
    } catch (e) {
      if (e instanceof ApiError && e.missing) {
        this.#available = false;
        this.set([]);
        return;
      }
      announce(t("alarms.loadFailed", { message: e.message }), "error");
    }
  }

  /** The active alarms, as last received. */
  get items() {
    return this.#items;
  }

  /** Replaces the active list (REST answer or the WebSocket's `active`). */
  set(items) {
    this.#available = true;
    this.#items = Array.isArray(items) ? items : [];
    this.#renderBanner();
    this.#renderList();
    this.#onChange?.(this.#items);
  }

  /** Re-renders after a language change. */
  relabel() {
    this.#lastAnnounced = "";
    this.#renderBanner();
    this.#renderList();
  }

  #renderBanner() {
    const banner = byId("alarm-banner");
    const text = byId("alarm-banner-text");
    const visible = this.#items.filter((a) => !a.shelf);
    const unacked = visible.filter((a) => UNACKED.has(a.state));
    const top = visible.reduce((m, a) => Math.max(m, a.severity ?? 0), 0);
    const level = visible.length ? severityBand(top) : "none";
    banner.dataset.level = level;
    banner.dataset.count = String(visible.length);
    banner.dataset.unacked = String(unacked.length);
    banner.classList.toggle("unacked", unacked.length > 0);
    let message;
    if (!this.#available) message = t("alarms.unavailable");
    else if (!visible.length) message = t("alarms.none");
    else {
      message = t(unacked.length ? "alarms.summary" : "alarms.summaryAcked", {
        count: visible.length,
        unacked: unacked.length,
        severity: top,
        band: t(`severity.${level}`),
      });
    }
    setText(text, message);
    banner.setAttribute("aria-label", message);
    const count = document.getElementById("alarm-count");
    if (count) count.textContent = visible.length ? String(visible.length) : "";
    // Tell screen readers when the counts change (not on every identical update).
    if (message !== this.#lastAnnounced) {
      this.#lastAnnounced = message;
      setText(byId("alarm-announcer"), message);
    }
  }

  #renderList() {
    const showShelved = byId("alarm-show-shelved").checked;
    const items = this.#items.filter((a) => showShelved || !a.shelf);
    byId("alarm-empty").hidden = items.length > 0;
    byId("alarm-empty").textContent = this.#available
      ? t("alarms.noneActive")
      : t("alarms.unavailable");
    byId("alarm-rows").replaceChildren(...items.map((a) => this.#row(a)));
  }

  #row(a) {
    const band = severityBand(a.severity ?? 0);
    const unacked = UNACKED.has(a.state);
    const actions = [];
    if (this.#canOperate) {
      if (unacked) {
        actions.push(
          button("acknowledge", t("alarms.ack"), t("alarms.ackLabel", { message: a.message })),
        );
      }
      actions.push(
        a.shelf
          ? button(
            "unshelve",
            t("alarms.unshelve"),
            t("alarms.unshelveLabel", { message: a.message }),
          )
          : button("shelve", t("alarms.shelve"), t("alarms.shelveLabel", { message: a.message })),
      );
    }
    const detail = a.shelf
      ? t("alarms.shelvedUntil", {
        until: formatDateTime(a.shelf.until),
        user: a.shelf.user ?? "—",
      })
      : a.acknowledged
      ? t("alarms.ackedBy", { user: a.acknowledged.user ?? "—", at: formatTime(a.acknowledged.ts) })
      : "";
    const comment = a.shelf?.comment ?? a.acknowledged?.comment;
    return h(
      "tr",
      {
        class: ["alarm-row", `sev-${band}`, unacked && "unacked", a.shelf && "shelved"],
        dataset: { alarmId: a.id, state: a.state },
      },
      h(
        "td",
        { class: "c-sev" },
        h("span", {
          class: ["sev-chip", `sev-${band}`],
          title: t(`severity.${band}`),
          text: String(a.severity ?? ""),
        }),
      ),
      h("td", { class: "c-time", text: formatWhen(a.activeSince ?? a.lastChange) }),
      h("td", { class: "c-tag" }, breakable(a.tagCode ?? a.systemKey ?? a.source ?? "")),
      h(
        "td",
        { class: "c-message" },
        h("div", { class: "alarm-message", text: a.message }),
        h("span", { class: ["alarm-state", `st-${a.state}`], text: t(`alarm.state.${a.state}`) }),
        detail ? h("div", { class: "alarm-detail", text: detail }) : null,
        comment ? h("div", { class: "alarm-detail", text: `“${comment}”` }) : null,
      ),
      h("td", { class: "c-value num", text: formatValue(a.value) }),
      h("td", { class: "c-actions needs-operator" }, actions),
    );
  }

  async #command(action, alarm) {
    const path = `alarms/${encodeURIComponent(alarm.id)}/${action}`;
    if (action === "unshelve") {
      try {
        await api.post(path, {});
        announce(t("alarms.unshelved"));
        await this.load();
      } catch (e) {
        announce(e.message, "error");
      }
      return;
    }
    const fields = action === "shelve"
      ? [
        {
          name: "minutes",
          label: "alarms.minutes",
          type: "select",
          required: true,
          numeric: true,
          options: SHELVE_MINUTES.map((m) => ({
            value: m,
            label: t("alarms.forMinutes", { n: m }),
          })),
        },
        { name: "comment", label: "alarms.comment", type: "textarea", required: true, max: 500 },
      ]
      : [{ name: "comment", label: "alarms.commentOptional", type: "textarea", max: 500 }];
    const form = buildForm(fields, { minutes: 60, comment: "" });
    await openDialog({
      title: t(action === "shelve" ? "alarms.shelveTitle" : "alarms.ackTitle"),
      testId: `${action}-dialog`,
      body: [
        h(
          "p",
          { class: "dialog-subject" },
          h("strong", { text: alarm.tagCode ?? "" }),
          " ",
          alarm.message,
        ),
        form.formError,
        form.element,
      ],
      actions: [{
        label: t(action === "shelve" ? "alarms.shelve" : "alarms.ack"),
        value: action,
        primary: true,
      }],
      onAction: async () => {
        const values = form.values();
        const body = action === "shelve"
          ? { minutes: values.minutes, comment: values.comment ?? "" }
          : values.comment
          ? { comment: values.comment }
          : {};
        try {
          await api.post(path, body);
        } catch (e) {
          if (e instanceof ApiError) {
            form.showIssues(e.issues, e.message);
            return false;
          }
          throw e;
        }
        announce(t(action === "shelve" ? "alarms.shelved" : "alarms.acked"));
        await this.load();
        return true;
      },
    });
  }

  /** Loads one page of the alarm history with the filters of the history form. */
  async loadHistory() {
    const form = byId("alarm-history-form");
    const data = new FormData(form);
    const from = fromLocalInput(String(data.get("from") ?? ""));
    const to = fromLocalInput(String(data.get("to") ?? ""));
    const query = {
      from: from ?? undefined,
      to: to ?? undefined,
      tag: String(data.get("tag") ?? "").trim().toUpperCase() || undefined,
      minSeverity: data.get("minSeverity") || undefined,
      state: data.get("state") || undefined,
      limit: this.#history.limit,
      offset: this.#history.offset,
    };
    const status = byId("alarm-history-status");
    status.textContent = t("common.loading");
    try {
      const answer = await api.get("alarms/history", query);
      this.#history.total = answer.total ?? answer.items.length;
      byId("alarm-history-rows").replaceChildren(...answer.items.map((e) => historyRow(e)));
      const first = answer.items.length ? this.#history.offset + 1 : 0;
      status.textContent = t("common.range", {
        first,
        last: this.#history.offset + answer.items.length,
        total: this.#history.total,
      });
      byId("alarm-history-prev").disabled = this.#history.offset === 0;
      byId("alarm-history-next").disabled =
        this.#history.offset + answer.items.length >= this.#history.total;
    } catch (e) {
      status.textContent = e instanceof ApiError && e.missing
        ? t("alarms.historyUnavailable")
        : e.message;
      byId("alarm-history-rows").replaceChildren();
    }
  }
}

/** Today's times as HH:MM:SS, older ones with the date. */
function formatWhen(ts) {
  if (ts === null || ts === undefined) return "";
  const d = new Date(ts);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? formatTime(ts) : formatDateTime(ts);
}

function button(action, label, ariaLabel) {
  return h("button", {
    type: "button",
    class: ["btn", "btn-small", action === "acknowledge" && "btn-primary"],
    dataset: { action },
    "aria-label": ariaLabel,
    text: label,
  });
}

/** One journal entry (a transition) of the alarm history. */
function historyRow(e) {
  const band = severityBand(e.severity ?? 0);
  const state = e.to ?? e.state;
  return h(
    "tr",
    {},
    h("td", { class: "c-time", text: formatDateTime(e.ts ?? e.at) }),
    h("td", {}, h("span", { class: ["sev-chip", `sev-${band}`], text: String(e.severity ?? "") })),
    h("td", { class: "c-tag" }, breakable(e.tagCode ?? e.alarmId ?? "")),
    h("td", { text: e.message ?? "" }),
    h("td", { text: e.action ? t(`alarm.action.${e.action}`) : "" }),
    h("td", { text: state ? t(`alarm.state.${state}`) : "" }),
    h("td", { text: formatValue(e.value) }),
    h("td", { text: [e.user, e.comment].filter(Boolean).join(": ") }),
  );
}
