/**
 * The audit log (admins): GET /api/v1/audit with filters (user, resource,
 * action, from, to), newest first, paged; each entry opens to show what
 * changed (for an update, field by field from `before` to `after`).
 */
import { api } from "./api.js";
import { debounce, formatDateTime, fromLocalInput, h, setText } from "./dom.js";
import { t } from "./i18n.js";

const RESOURCES = [
  "lines",
  "processes",
  "plcs",
  "groups",
  "tags",
  "alarmRules",
  "users",
  "tokens",
  "sessions",
];
const ACTIONS = ["create", "update", "delete", "import", "login", "login_failed", "logout"];
const LIMIT = 50;

/** The audit view. */
export class AuditView {
  #offset = 0;
  #form;
  #tbody;
  #status;
  #prev;
  #next;

  /** Builds the view into `root` and loads the newest entries. */
  mount(root) {
    const select = (name, values, label) => {
      const id = `audit-${name}`;
      return h(
        "label",
        { class: "inline-field", for: id },
        h("span", { i18n: label }),
        h(
          "select",
          { id, name },
          h("option", { value: "", text: t("common.all") }),
          values.map((v) => h("option", { value: v, text: v })),
        ),
      );
    };
    const input = (name, label, type = "text") => {
      const id = `audit-${name}`;
      return h(
        "label",
        { class: "inline-field", for: id },
        h("span", { i18n: label }),
        h("input", { id, name, type, autocomplete: "off", spellcheck: "false" }),
      );
    };
    this.#form = h(
      "form",
      { class: "toolbar", role: "search", novalidate: true },
      input("user", "field.user"),
      select("resource", RESOURCES, "audit.resource"),
      select("action", ACTIONS, "audit.action"),
      input("from", "common.from", "datetime-local"),
      input("to", "common.to", "datetime-local"),
    );
    const reload = () => {
      this.#offset = 0;
      this.load();
    };
    this.#form.addEventListener("submit", (e) => {
      e.preventDefault();
      reload();
    });
    this.#form.addEventListener("change", (e) => {
      if (e.target.name !== "user") reload();
    });
    const typed = debounce(reload, 400);
    this.#form.addEventListener("input", (e) => {
      if (e.target.name === "user") typed();
    });
    this.#tbody = h("tbody");
    this.#status = h("span", { class: "muted", "aria-live": "polite" });
    this.#prev = h("button", {
      type: "button",
      class: "btn",
      i18n: "common.prev",
      on: {
        click: () => {
          this.#offset = Math.max(0, this.#offset - LIMIT);
          this.load();
        },
      },
    });
    this.#next = h("button", {
      type: "button",
      class: "btn",
      i18n: "common.next",
      on: {
        click: () => {
          this.#offset += LIMIT;
          this.load();
        },
      },
    });
    root.replaceChildren(h(
      "div",
      { class: "view", "data-testid": "view-audit" },
      h("div", { class: "view-head" }, h("h2", { class: "panel-title", i18n: "audit.title" })),
      this.#form,
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table audit-table", "data-testid": "table-audit" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              [
                "audit.at",
                "field.user",
                "audit.action",
                "audit.resource",
                "audit.resourceId",
                "audit.details",
              ]
                .map((k) => h("th", { scope: "col", i18n: k })),
            ),
          ),
          this.#tbody,
        ),
      ),
      h("div", { class: "pager" }, this.#prev, this.#status, this.#next),
    ));
    this.load();
  }

  /** Loads one page with the current filters. */
  async load() {
    const data = new FormData(this.#form);
    const iso = (name) => {
      const ms = fromLocalInput(String(data.get(name) ?? ""));
      return ms === null ? undefined : new Date(ms).toISOString();
    };
    setText(this.#status, t("common.loading"));
    try {
      const page = await api.get("audit", {
        user: String(data.get("user") ?? "").trim() || undefined,
        resource: data.get("resource") || undefined,
        action: data.get("action") || undefined,
        from: iso("from"),
        to: iso("to"),
        limit: LIMIT,
        offset: this.#offset,
      });
      this.#tbody.replaceChildren(...page.items.map(row));
      if (!page.items.length) {
        this.#tbody.append(
          h("tr", {}, h("td", { colspan: "6", class: "empty", i18n: "common.nothing" })),
        );
      }
      const first = page.items.length ? this.#offset + 1 : 0;
      setText(
        this.#status,
        t("common.range", { first, last: this.#offset + page.items.length, total: page.total }),
      );
      this.#prev.disabled = this.#offset === 0;
      this.#next.disabled = this.#offset + page.items.length >= page.total;
    } catch (e) {
      setText(this.#status, e.message);
    }
  }
}

function row(entry) {
  return h(
    "tr",
    { dataset: { id: entry.id } },
    h("td", { class: "c-time", text: formatDateTime(entry.at) }),
    h("td", { text: entry.user ?? "—" }),
    h("td", { text: entry.action }),
    h("td", { text: entry.resource }),
    h("td", { class: "code", text: entry.resourceId ?? "" }),
    h("td", {}, details(entry)),
  );
}

/** What changed: field by field for an update, the record for a create or delete. */
function details(entry) {
  const before = entry.before && typeof entry.before === "object" ? entry.before : null;
  const after = entry.after && typeof entry.after === "object" ? entry.after : null;
  if (!before && !after) return "";
  let lines;
  if (before && after) {
    lines = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
  } else {
    const record = after ?? before;
    lines = Object.entries(record).map(([k, v]) => `${k}: ${show(v)}`);
  }
  return h(
    "details",
    {},
    h("summary", { text: t("audit.show", { n: lines.length }) }),
    h("pre", { class: "audit-diff", text: lines.join("\n") }),
  );
}

function show(v) {
  if (v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}
