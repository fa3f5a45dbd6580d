/**
 * CSV import and export. Export: a download link per file (GET
 * /api/v1/export/{resource}). Import (admins): choose the file(s) and the
 * mode, check them first (POST /api/v1/import/{resource}?dryRun=true, or
 * POST /api/v1/import with several files), see every problem by file, row,
 * line and column, then apply the same files — the Apply button only works
 * after a clean check of exactly what is selected. The same form imports a
 * GX Works3 global-label or GX Works2 device-comment export as tags of one
 * PLC and polling group (POST /api/v1/import/gxworks/{kind}; docs/gxworks_import.md).
 */
import { api, ApiError } from "./api.js";
import { announce, formatNumber, h, setText } from "./dom.js";
import { t } from "./i18n.js";

/** The CSV files, in dependency order. */
export const CSV_FILES = ["lines", "processes", "plcs", "groups", "tags", "alarms"];

/** GX Works exports the form imports as tags. */
export const GX_KINDS = ["gxworks3-labels", "gxworks2-comments"];

/** Tag types of GX Works2 word devices (device comments carry no type). */
export const GX_WORD_TYPES = ["INT16", "UINT16", "INT32", "UINT32", "FLOAT32", "FLOAT64"];

/**
 * The request of a GX Works import: the path under /api/v1 and its query,
 * or `missing` naming the first field still empty.
 */
export function gxRequest({ kind, plc, group, wordType, prefix, dryRun }) {
  if (!plc.trim()) return { missing: "plc" };
  if (!group.trim()) return { missing: "group" };
  return {
    path: `import/gxworks/${kind}`,
    query: {
      plc: plc.trim(),
      group: group.trim(),
      wordType: kind === "gxworks2-comments" ? wordType : undefined,
      prefix: prefix.trim() || undefined,
      dryRun: dryRun ? "true" : undefined,
    },
  };
}

/** The CSV view. */
export class CsvView {
  #canImport;
  #checked = null;
  #els = {};

  constructor({ session }) {
    this.#canImport = session.can("admin");
  }

  /** Builds the view into `root`. */
  mount(root) {
    const exportList = h(
      "ul",
      { class: "link-list" },
      CSV_FILES.map((name) =>
        h(
          "li",
          {},
          h("a", {
            class: "btn",
            href: `/api/v1/export/${name}`,
            download: `${name}.csv`,
            "data-testid": `export-${name}`,
            text: `${name}.csv`,
          }),
        )
      ),
    );
    const parts = [
      h("div", { class: "view-head" }, h("h2", { class: "panel-title", i18n: "csv.title" })),
      h(
        "section",
        { class: "card", "aria-labelledby": "csv-export-title" },
        h("h3", { id: "csv-export-title", i18n: "csv.export" }),
        h("p", { class: "muted", i18n: "csv.exportHint" }),
        exportList,
      ),
    ];
    if (this.#canImport) parts.push(this.#importSection());
    root.replaceChildren(h("div", { class: "view", "data-testid": "view-csv" }, parts));
  }

  #importSection() {
    const e = this.#els;
    e.resource = h(
      "select",
      { id: "csv-resource", "data-testid": "csv-resource" },
      CSV_FILES.map((name) => h("option", { value: name, text: `${name}.csv` })),
      h("option", { value: "*", text: t("csv.several") }),
      GX_KINDS.map((kind) => h("option", { value: kind, i18n: `csv.${kind}` })),
    );
    e.file = h("input", {
      id: "csv-file",
      type: "file",
      accept: ".csv,.txt,text/csv,text/plain,text/tab-separated-values",
      "data-testid": "csv-file",
    });
    const text = (id) =>
      h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", "data-testid": id });
    e.plc = text("gx-plc");
    e.group = text("gx-group");
    e.prefix = text("gx-prefix");
    e.wordType = h(
      "select",
      { id: "gx-word-type", "data-testid": "gx-word-type" },
      GX_WORD_TYPES.map((type) => h("option", { value: type, text: type })),
    );
    const field = (id, label, input, hint) =>
      h(
        "div",
        { class: "field", hidden: true },
        h("label", { for: id, class: "field-label", i18n: label }),
        input,
        hint ? h("p", { class: "field-hint", i18n: hint }) : null,
      );
    e.gxFields = [
      field("gx-plc", "csv.plc", e.plc),
      field("gx-group", "csv.group", e.group),
      field("gx-word-type", "csv.wordType", e.wordType, "csv.wordTypeHint"),
      field("gx-prefix", "csv.prefix", e.prefix, "csv.prefixHint"),
    ];
    e.mode = h(
      "select",
      { id: "csv-mode", "data-testid": "csv-mode" },
      h("option", { value: "merge", text: t("csv.merge") }),
      h("option", { value: "replace", text: t("csv.replace") }),
    );
    e.check = h("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "csv-check",
      i18n: "csv.check",
    });
    e.apply = h("button", {
      type: "button",
      class: "btn",
      disabled: true,
      "data-testid": "csv-apply",
      i18n: "csv.apply",
      on: { click: () => this.#run(false) },
    });
    e.status = h("p", { class: "status-line", "aria-live": "polite", "data-testid": "csv-status" });
    e.report = h("div", { class: "import-report", "data-testid": "csv-report" });
    const reset = () => {
      this.#checked = null;
      e.apply.disabled = true;
      e.apply.classList.remove("btn-primary");
      e.file.multiple = e.resource.value === "*";
      const gx = GX_KINDS.includes(e.resource.value);
      e.gxFields.forEach((f, i) => {
        f.hidden = !gx || (i === 2 && e.resource.value !== "gxworks2-comments");
      });
      // A GX Works import merges into the group: there is no replace.
      e.mode.closest(".field").hidden = gx;
    };
    for (const el of [e.resource, e.file, e.mode, e.plc, e.group, e.wordType, e.prefix]) {
      el.addEventListener("change", reset);
    }
    const form = h(
      "form",
      { class: "form-grid import-form", novalidate: true },
      h(
        "div",
        { class: "field" },
        h("label", { for: "csv-resource", class: "field-label", i18n: "csv.file" }),
        e.resource,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "csv-file", class: "field-label", i18n: "csv.choose" }),
        e.file,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "csv-mode", class: "field-label", i18n: "csv.mode" }),
        e.mode,
        h("p", { class: "field-hint", i18n: "csv.modeHint" }),
      ),
      ...e.gxFields,
      h("div", { class: "field field-wide form-buttons" }, e.check, e.apply),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.#run(true);
    });
    return h(
      "section",
      { class: "card", "aria-labelledby": "csv-import-title" },
      h("h3", { id: "csv-import-title", i18n: "csv.import" }),
      h("p", { class: "muted", i18n: "csv.importHint" }),
      form,
      e.status,
      e.report,
    );
  }

  /** Sends the chosen files: a dry run (`dryRun`) or the real import. */
  async #run(dryRun) {
    const e = this.#els;
    const files = [...(e.file.files ?? [])];
    const resource = e.resource.value;
    const mode = e.mode.value;
    if (!files.length) {
      setText(e.status, t("csv.noFile"));
      e.status.classList.add("error-text");
      e.file.focus();
      return;
    }
    const gx = GX_KINDS.includes(resource);
    const gxFields = [e.plc.value, e.group.value, e.wordType.value, e.prefix.value];
    const signature = `${resource}|${mode}|${gx ? gxFields.join("|") : ""}|${
      files.map((f) => `${f.name}:${f.size}:${f.lastModified}`).join(",")
    }`;
    if (!dryRun && this.#checked !== signature) return;
    let path;
    let body;
    let headers;
    let query = { dryRun: dryRun ? "true" : undefined, mode };
    if (gx) {
      const request = gxRequest({
        kind: resource,
        plc: e.plc.value,
        group: e.group.value,
        wordType: e.wordType.value,
        prefix: e.prefix.value,
        dryRun,
      });
      if (request.missing) {
        setText(e.status, t(`csv.${request.missing}Missing`));
        e.status.classList.add("error-text");
        e[request.missing].focus();
        return;
      }
      // Sent as it was exported (UTF-16 or UTF-8, tab or comma): the server reads the encoding.
      body = new FormData();
      body.append("file", files[0], files[0].name);
      ({ path, query } = request);
    } else if (resource === "*" || files.length > 1) {
      body = new FormData();
      for (const f of files) {
        const stem = f.name.replace(/\.csv$/i, "").toLowerCase();
        if (!CSV_FILES.includes(stem)) {
          setText(e.status, t("csv.badName", { file: f.name, names: CSV_FILES.join(", ") }));
          e.status.classList.add("error-text");
          return;
        }
        body.append(stem, f, f.name);
      }
      path = "import";
    } else {
      body = await files[0].text();
      headers = { "Content-Type": "text/csv; charset=utf-8" };
      path = `import/${resource}`;
    }
    e.check.disabled = true;
    e.apply.disabled = true;
    e.status.classList.remove("error-text");
    setText(e.status, t(dryRun ? "csv.checking" : "csv.applying"));
    let report;
    try {
      report = await api.post(path, body, { headers, query });
    } catch (err) {
      if (
        err instanceof ApiError && err.body && typeof err.body === "object" && "counts" in err.body
      ) {
        report = err.body; // a real import with problems: 400 with the report
      } else {
        e.check.disabled = false;
        setText(e.status, err.message);
        e.status.classList.add("error-text");
        e.report.replaceChildren();
        return;
      }
    } finally {
      e.check.disabled = false;
    }
    this.#showReport(report);
    if (dryRun && report.ok) {
      this.#checked = signature;
      e.apply.disabled = false;
      e.apply.classList.add("btn-primary");
      setText(e.status, t("csv.checkedOk"));
    } else if (dryRun) {
      this.#checked = null;
      setText(e.status, t("csv.checkedBad", { n: report.issues?.length ?? 0 }));
      e.status.classList.add("error-text");
    } else if (report.ok) {
      this.#checked = null;
      setText(e.status, t("csv.applied"));
      announce(t("csv.applied"));
    } else {
      this.#checked = null;
      setText(e.status, report.message ?? t("csv.checkedBad", { n: report.issues?.length ?? 0 }));
      e.status.classList.add("error-text");
    }
  }

  #showReport(report) {
    const counts = Object.entries(report.counts ?? {});
    const countTable = counts.length
      ? h(
        "table",
        { class: "data-table compact", "data-testid": "csv-counts" },
        h("caption", { i18n: report.dryRun ? "csv.wouldChange" : "csv.changed" }),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              "csv.fileCol",
              "csv.rows",
              "csv.created",
              "csv.updated",
              "csv.deleted",
              "csv.unchanged",
            ]
              // Numbers are right-aligned: so are their headers, or they sit under the next one.
              .map((k, i) => h("th", { scope: "col", class: i > 0 ? "num" : undefined, i18n: k })),
          ),
        ),
        h(
          "tbody",
          {},
          counts.map(([file, c]) =>
            h(
              "tr",
              {},
              h("td", { class: "code", text: file }),
              ...["rows", "created", "updated", "deleted", "unchanged"].map((k) =>
                h("td", { class: "num", text: formatNumber(c[k] ?? 0) })
              ),
            )
          ),
        ),
      )
      : null;
    const issues = report.issues ?? [];
    const issueTable = issues.length
      ? h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table compact issues", "data-testid": "csv-issues" },
          h("caption", { text: t("csv.problems", { n: issues.length }) }),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["csv.fileCol", "csv.row", "csv.line", "csv.column", "csv.problem"].map((k) =>
                h("th", {
                  scope: "col",
                  class: k === "csv.row" || k === "csv.line" ? "num" : undefined,
                  i18n: k,
                })
              ),
            ),
          ),
          h(
            "tbody",
            {},
            issues.map((i) =>
              h(
                "tr",
                { dataset: { row: i.row ?? "", column: i.column ?? "" } },
                h("td", { class: "code", text: i.file ?? "" }),
                h("td", { class: "num", text: i.row ?? "" }),
                h("td", { class: "num", text: i.line ?? "" }),
                h("td", { class: "code", text: i.column ?? "" }),
                h("td", { text: i.message }),
              )
            ),
          ),
        ),
      )
      : null;
    this.#els.report.replaceChildren(...[countTable, issueTable].filter(Boolean));
  }
}
