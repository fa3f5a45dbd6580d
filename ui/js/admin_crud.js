/**
 * One admin list view for one resource: a paged, sortable, searchable table
 * (GET /api/v1/<resource>?limit&offset&sort&order&q&filters), and for
 * admins create and edit dialogs (POST, PATCH with only the changed fields)
 * that show the server's validation messages beside the fields, and delete
 * with a confirmation (and the cascade option where the API has one).
 *
 * Test hooks: the view has `data-testid="view-<key>"`; rows `data-id`;
 * buttons `data-testid` new / edit / delete.
 */
import { api, ApiError } from "./api.js";
import { confirmDialog, openDialog } from "./dialog.js";
import { announce, debounce, h, setText } from "./dom.js";
import { buildForm } from "./form.js";
import { t } from "./i18n.js";

const PAGE_SIZES = [25, 50, 100, 250];

/** A list view with its dialogs. */
export class ResourceView {
  #key;
  #def;
  #refs;
  #root;
  #tbody;
  #status;
  #prev;
  #next;
  #thead;
  #query = { q: "", filters: {}, sort: "", order: "asc", limit: 50, offset: 0 };
  #items = [];
  #loading = 0;
  #canEdit;
  #hasActions;
  #extra;

  /**
   * `key`, `def` (admin_resources.js), `refs`, `session`; `options.canEdit`
   * (default: admin), `options.rowActions(record)` for extra buttons,
   * `options.create` to replace the create dialog, `options.editable` false
   * for resources without PATCH.
   */
  constructor({ key, def, refs, session, options = {} }) {
    this.#key = key;
    this.#def = def;
    this.#refs = refs;
    this.#canEdit = options.canEdit ?? session.can("admin");
    this.#extra = options;
    this.#hasActions = this.#canEdit || typeof options.rowActions === "function";
    this.#query.sort = def.columns.find((c) => c.sort)?.sort ?? "";
  }

  /** Builds the view into `root` (once) and loads the first page. */
  async mount(root) {
    this.#root = root;
    await this.#refs.load(this.#def.refs);
    root.replaceChildren(this.#build());
    await this.reload();
  }

  #build() {
    const def = this.#def;
    const head = h(
      "div",
      { class: "view-head" },
      h("h2", { class: "panel-title", i18n: def.title }),
      h("div", { class: "view-actions" }, [
        this.#canEdit && this.#extra.creatable !== false
          ? h("button", {
            type: "button",
            class: "btn btn-primary",
            "data-testid": `new-${this.#key}`,
            text: t("action.new", { what: t(def.one) }),
            on: { click: () => (this.#extra.create ? this.#extra.create(this) : this.#edit(null)) },
          })
          : null,
        def.exportName
          ? h("a", {
            class: "btn",
            href: `/api/v1/export/${def.exportName}`,
            download: `${def.exportName}.csv`,
            text: t("csv.exportOne", { file: `${def.exportName}.csv` }),
          })
          : null,
      ]),
    );
    const filters = h("form", { class: "toolbar", role: "search", novalidate: true });
    filters.addEventListener("submit", (e) => e.preventDefault());
    if (def.search) {
      const id = `${this.#key}-q`;
      const input = h("input", {
        id,
        type: "search",
        class: "search",
        autocomplete: "off",
        spellcheck: "false",
        "data-testid": `search-${this.#key}`,
      });
      input.addEventListener(
        "input",
        debounce(() => {
          this.#query.q = input.value.trim();
          this.#query.offset = 0;
          this.reload();
        }, 250),
      );
      filters.append(
        h(
          "label",
          { for: id, class: "inline-field" },
          h("span", {
            i18n: def.searchLabel ?? "common.search",
          }),
          input,
        ),
      );
    }
    for (const f of def.filters) {
      const id = `${this.#key}-filter-${f.name}`;
      const control = f.type === "number"
        ? h("input", { id, type: "number", class: "narrow", min: 1, max: 1000 })
        : h(
          "select",
          { id },
          h("option", { value: "", text: t("common.all") }),
          (f.options?.() ?? []).map((o) =>
            typeof o === "object"
              ? h("option", { value: String(o.value), text: o.label })
              : h("option", { value: String(o), text: String(o) })
          ),
        );
      control.addEventListener("change", () => {
        this.#query.filters[f.name] = control.value;
        this.#query.offset = 0;
        this.reload();
      });
      filters.append(
        h("label", { for: id, class: "inline-field" }, h("span", { i18n: f.label }), control),
      );
    }
    this.#thead = h(
      "tr",
      {},
      def.columns.map((c) =>
        h(
          "th",
          { scope: "col", class: c.cls, dataset: { sort: c.sort ?? "" } },
          c.sort
            ? h("button", {
              type: "button",
              class: "sort",
              text: t(c.label),
              on: { click: () => this.#sortBy(c.sort) },
            })
            : t(c.label),
        )
      ),
      this.#hasActions
        ? h("th", { scope: "col", class: "c-actions", i18n: "common.actions" })
        : null,
    );
    this.#tbody = h("tbody");
    const table = h(
      "table",
      { class: "data-table", "data-testid": `table-${this.#key}` },
      h("thead", {}, this.#thead),
      this.#tbody,
    );
    this.#status = h("span", { class: "muted", "aria-live": "polite" });
    this.#prev = h("button", {
      type: "button",
      class: "btn",
      i18n: "common.prev",
      on: { click: () => this.#page(-1) },
    });
    this.#next = h("button", {
      type: "button",
      class: "btn",
      i18n: "common.next",
      on: { click: () => this.#page(1) },
    });
    const sizeId = `${this.#key}-size`;
    const size = h(
      "select",
      { id: sizeId },
      PAGE_SIZES.map((n) => h("option", { value: String(n), text: String(n) })),
    );
    size.value = String(this.#query.limit);
    size.addEventListener("change", () => {
      this.#query.limit = Number(size.value);
      this.#query.offset = 0;
      this.reload();
    });
    const pager = h(
      "div",
      { class: "pager" },
      this.#prev,
      this.#status,
      this.#next,
      h(
        "label",
        { for: sizeId, class: "inline-field" },
        h("span", { i18n: "common.perPage" }),
        size,
      ),
    );
    this.#showSort();
    return h(
      "div",
      { class: "view", "data-testid": `view-${this.#key}` },
      head,
      filters,
      h("div", { class: "table-scroll" }, table),
      pager,
    );
  }

  #sortBy(key) {
    if (this.#query.sort === key) this.#query.order = this.#query.order === "asc" ? "desc" : "asc";
    else {
      this.#query.sort = key;
      this.#query.order = "asc";
    }
    this.#query.offset = 0;
    this.#showSort();
    this.reload();
  }

  #showSort() {
    for (const th of this.#thead.querySelectorAll("th[data-sort]")) {
      const s = th.dataset.sort;
      if (!s) continue;
      th.setAttribute(
        "aria-sort",
        s === this.#query.sort
          ? (this.#query.order === "asc" ? "ascending" : "descending")
          : "none",
      );
    }
  }

  #page(direction) {
    this.#query.offset = Math.max(0, this.#query.offset + direction * this.#query.limit);
    this.reload();
  }

  /** Loads the current page. */
  async reload() {
    const token = ++this.#loading;
    const { q, filters, sort, order, limit, offset } = this.#query;
    setText(this.#status, t("common.loading"));
    this.#root.setAttribute("aria-busy", "true");
    try {
      await this.#refs.load(this.#def.refs);
      const page = await api.get(this.#def.path, {
        ...filters,
        q: this.#def.search ? q : undefined,
        sort,
        order,
        limit,
        offset,
      });
      if (token !== this.#loading) return;
      await this.#def.prepare?.(page.items);
      this.#items = page.items;
      this.#render(page);
    } catch (e) {
      if (token !== this.#loading) return;
      this.#tbody.replaceChildren(
        h(
          "tr",
          {},
          h("td", {
            colspan: String(this.#def.columns.length + (this.#hasActions ? 1 : 0)),
            class: "error-text",
            text: e.message,
          }),
        ),
      );
      setText(this.#status, "");
    } finally {
      if (token === this.#loading) this.#root.removeAttribute("aria-busy");
    }
  }

  #render(page) {
    const def = this.#def;
    const rows = page.items.map((r) =>
      h(
        "tr",
        { dataset: { id: r.id } },
        def.columns.map((c) =>
          h("td", {
            class: c.cls,
            text: c.render
              ? c.render(r)
              : r[c.key] === null || r[c.key] === undefined
              ? ""
              : String(r[c.key]),
          })
        ),
        this.#hasActions ? h("td", { class: "c-actions" }, this.#actions(r)) : null,
      )
    );
    if (!rows.length) {
      rows.push(h(
        "tr",
        {},
        h("td", {
          colspan: String(def.columns.length + (this.#hasActions ? 1 : 0)),
          class: "empty",
          i18n: "common.nothing",
        }),
      ));
    }
    this.#tbody.replaceChildren(...rows);
    const total = page.total ?? page.items.length;
    const first = page.items.length ? this.#query.offset + 1 : 0;
    setText(
      this.#status,
      t("common.range", { first, last: this.#query.offset + page.items.length, total }),
    );
    this.#prev.disabled = this.#query.offset === 0;
    this.#next.disabled = this.#query.offset + page.items.length >= total;
  }

  #actions(record) {
    const what = this.#def.describe(record);
    const out = [...(this.#extra.rowActions?.(record, this) ?? [])];
    if (this.#canEdit && this.#extra.editable !== false) {
      out.push(h("button", {
        type: "button",
        class: "btn btn-small",
        "data-testid": "edit",
        "aria-label": t("action.editWhat", { what }),
        text: t("action.edit"),
        on: { click: () => this.#edit(record) },
      }));
    }
    if (this.#canEdit) {
      out.push(h("button", {
        type: "button",
        class: "btn btn-small btn-danger",
        "data-testid": "delete",
        "aria-label": t(this.#extra.deleteLabel ?? "action.deleteWhat", { what }),
        text: t(this.#extra.deleteText ?? "action.delete"),
        on: { click: () => this.#delete(record) },
      }));
    }
    return out;
  }

  /** Opens the create (record null) or edit dialog. */
  async #edit(record) {
    const def = this.#def;
    await this.#refs.load(def.refs);
    if (record && def.prepare) await def.prepare([record]);
    const form = buildForm(def.fields, record ?? {});
    const title = record
      ? t("action.editWhat", { what: `${t(def.one)} ${def.describe(record)}` })
      : t("action.new", { what: t(def.one) });
    await openDialog({
      title,
      testId: `form-${this.#key}`,
      wide: def.fields.length > 6,
      body: [form.formError, form.element],
      actions: [{ label: t("action.save"), value: "save", primary: true }],
      onAction: async () => {
        const tagIssues = await form.resolveTags();
        if (tagIssues.length) {
          form.showIssues(tagIssues);
          return false;
        }
        const body = form.read(record ?? undefined);
        if (record && !Object.keys(body).length) {
          announce(t("form.unchanged"));
          return true;
        }
        try {
          if (record) await api.patch(`${def.path}/${record.id}`, body);
          else await api.post(def.path, body);
        } catch (e) {
          if (e instanceof ApiError) {
            form.showIssues(e.issues, e.message);
            return false;
          }
          throw e;
        }
        announce(t(record ? "form.saved" : "form.created", { what: t(def.one) }));
        this.#changed();
        return true;
      },
    });
  }

  async #delete(record) {
    const def = this.#def;
    const what = `${t(def.one)} ${def.describe(record)}`;
    const cascade = def.cascade
      ? h("input", { type: "checkbox", id: `${this.#key}-cascade`, "data-testid": "cascade" })
      : null;
    const body = [
      h("p", { text: t(this.#extra.deleteQuestion ?? "form.deleteQuestion", { what }) }),
      cascade
        ? h(
          "label",
          { class: "check", for: `${this.#key}-cascade` },
          cascade,
          h("span", { i18n: "form.cascade" }),
        )
        : null,
    ];
    await openDialog({
      title: t(this.#extra.deleteLabel ?? "action.deleteWhat", { what }),
      testId: "delete-dialog",
      body,
      actions: [{
        label: t(this.#extra.deleteText ?? "action.delete"),
        value: "delete",
        primary: true,
        danger: true,
      }],
      onAction: async (_value, { setError }) => {
        try {
          await api.del(
            `${def.path}/${record.id}`,
            cascade?.checked ? { cascade: true } : undefined,
          );
        } catch (e) {
          if (e instanceof ApiError) {
            setError(
              e.status === 409 && cascade ? `${e.message} ${t("form.cascadeHint")}` : e.message,
            );
            return false;
          }
          throw e;
        }
        announce(t("form.deleted", { what }));
        this.#changed();
        return true;
      },
    });
  }

  #changed() {
    // Codes shown in other views may have changed: drop the shared lists.
    for (const name of ["lines", "processes", "plcs", "groups", "users", "tags"]) {
      this.#refs.invalidate(name);
    }
    this.#extra.onChange?.();
    this.reload();
  }

  /** Shows a simple confirmation (for row actions of other modules). */
  confirm(options) {
    return confirmDialog(options);
  }
}
