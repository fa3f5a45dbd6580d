/**
 * Forms built from field definitions, with the server's validation
 * messages shown beside the fields they name: a 400's `issues[].path`
 * (`port`, `host`, `tags.csv/2/data_type` …) is mapped to the field of that
 * name; what names no field is shown for the form as a whole.
 *
 * A field: `{ name, label (i18n key), type, required, nullable, options,
 * hint, showIf(values), min, max, step, placeholder, autocomplete }`, where
 * `type` is text, textarea, password, number, select, checkbox, datetime, or
 * tag (a tag code typed with suggestions, sent as its id). `options` is an
 * array of `{ value, label }` (or plain values), or a function of the form's
 * current values (dependent selects).
 */
import { api } from "./api.js";
import { debounce, fromLocalInput, h, toLocalInput } from "./dom.js";
import { t } from "./i18n.js";

let formCounter = 0;

/** A built form: its element and what can be done with it. */
export function buildForm(fields, initial = {}, { readOnly = false } = {}) {
  const prefix = `f${++formCounter}`;
  const rows = new Map();
  const element = h("div", { class: "form-grid" });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });

  for (const field of fields) {
    const id = `${prefix}-${field.name}`;
    const errorId = `${id}-error`;
    const hintId = field.hint ? `${id}-hint` : null;
    const input = makeInput(field, id, readOnly);
    input.dataset.field = field.name;
    const describedBy = [hintId, errorId].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", describedBy);
    if (field.required) input.setAttribute("aria-required", "true");
    const label = h(
      "label",
      { for: id, class: "field-label" },
      h("span", { i18n: field.label }),
      field.required ? h("span", { class: "required", "aria-hidden": "true", text: " *" }) : null,
    );
    const error = h("p", { class: "field-error", id: errorId, hidden: true });
    const row = h(
      "div",
      {
        class: ["field", `field-${field.type ?? "text"}`, field.wide && "field-wide"],
        dataset: { field: field.name },
      },
      field.type === "checkbox" ? [input, label] : [label, input],
      field.hint ? h("p", { class: "field-hint", id: hintId, i18n: field.hint }) : null,
      field.type === "tag" ? h("datalist", { id: `${id}-list` }) : null,
      error,
    );
    rows.set(field.name, { field, row, input, error });
    element.append(row);
  }

  const values = () => {
    const out = {};
    for (const { field, input } of rows.values()) out[field.name] = rawValue(field, input);
    return out;
  };
  const refresh = () => {
    const current = values();
    for (const { field, row, input } of rows.values()) {
      if (field.showIf) row.hidden = !field.showIf(current);
      if (typeof field.options === "function" && input instanceof HTMLSelectElement) {
        fillOptions(input, field, field.options(current), input.value);
      }
    }
  };
  for (const { field, input } of rows.values()) {
    setValue(field, input, initial[field.name] ?? field.default);
    input.addEventListener("change", refresh);
    if (field.type === "tag") attachTagSuggestions(input);
  }
  refresh();
  // Dependent selects were filled for the initial values: set those again.
  for (const { field, input } of rows.values()) {
    if (typeof field.options === "function") setValue(field, input, initial[field.name]);
  }

  return {
    element,
    formError,
    /** Clears every message. */
    clearIssues() {
      formError.hidden = true;
      formError.textContent = "";
      for (const { input, error } of rows.values()) {
        error.hidden = true;
        error.textContent = "";
        input.removeAttribute("aria-invalid");
      }
    },
    /**
     * Shows `issues` (`[{ path, message }]`) beside their fields and the rest
     * (plus `message` when no issue names a field) above; focuses the first
     * field in error. Answers whether any issue named a field.
     */
    showIssues(issues, message) {
      this.clearIssues();
      const general = [];
      let first = null;
      for (const issue of issues ?? []) {
        const name = String(issue.path ?? "").split(/[./]/)[0];
        const r = rows.get(name);
        if (r && !r.row.hidden) {
          r.error.textContent = r.error.textContent
            ? `${r.error.textContent}; ${issue.message}`
            : issue.message;
          r.error.hidden = false;
          r.input.setAttribute("aria-invalid", "true");
          first ??= r.input;
        } else {
          general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
        }
      }
      if (general.length || (!first && message)) {
        formError.textContent = general.length ? general.join("; ") : message;
        formError.hidden = false;
      }
      (first ?? formError).focus?.();
      return first !== null;
    },
    /**
     * The values to send: visible fields converted to their types; fields
     * hidden by `showIf` are sent as null when nullable. With `original`,
     * only what differs from it (a PATCH).
     */
    read(original) {
      const all = values();
      const out = {};
      for (const { field, row } of rows.values()) {
        if (field.readOnlyOnEdit && original) continue;
        let v = all[field.name];
        if (row.hidden) {
          if (!field.nullable) continue;
          v = null;
        }
        if (v === undefined) {
          // Empty: omitted on create (the server's default or "is required"), sent as null on edit.
          if (!original) continue;
          if (field.omitEmptyOnEdit) continue;
          v = null;
        }
        if (original && sameValue(original[field.name], v)) continue;
        out[field.name] = v;
      }
      return out;
    },
    /**
     * Turns the codes typed into tag fields into tag ids (GET /tags); answers
     * the issues for codes that name no tag.
     */
    async resolveTags() {
      const issues = [];
      for (const { field, input, row } of rows.values()) {
        if (field.type !== "tag" || row.hidden) continue;
        const code = input.value.trim();
        delete input.dataset.tagId;
        if (!code) continue;
        const tag = await findTagByCode(code);
        if (tag) input.dataset.tagId = String(tag.id);
        else issues.push({ path: field.name, message: t("form.noSuchTag", { code }) });
      }
      return issues;
    },
    /** The raw current values (for dependent fields). */
    values,
    /** The input element of a field. */
    input: (name) => rows.get(name)?.input,
    /** Shows an issue beside one field (a check made in the browser). */
    fieldIssue(name, message) {
      this.showIssues([{ path: name, message }]);
    },
  };
}

function sameValue(a, b) {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b;
}

function makeInput(field, id, readOnly) {
  const common = { id, name: field.name, disabled: readOnly || undefined };
  switch (field.type) {
    case "select": {
      const select = h("select", common);
      if (typeof field.options !== "function") fillOptions(select, field, field.options ?? []);
      return select;
    }
    case "checkbox":
      return h("input", { ...common, type: "checkbox" });
    case "textarea":
      return h("textarea", { ...common, rows: 3, maxlength: field.max });
    case "number":
      return h("input", {
        ...common,
        type: "number",
        inputmode: "decimal",
        step: field.step ?? "any",
        min: field.min,
        max: field.max,
      });
    case "password":
      return h("input", {
        ...common,
        type: "password",
        autocomplete: field.autocomplete ?? "new-password",
      });
    case "datetime":
      return h("input", { ...common, type: "datetime-local" });
    case "tag":
      return h("input", {
        ...common,
        type: "text",
        list: `${id}-list`,
        autocomplete: "off",
        spellcheck: "false",
        class: "code-input",
      });
    default:
      return h("input", {
        ...common,
        type: "text",
        autocomplete: field.autocomplete ?? "off",
        spellcheck: "false",
        placeholder: field.placeholder,
        class: field.code ? "code-input" : undefined,
      });
  }
}

function fillOptions(select, field, options, keep) {
  const wanted = options.map((o) => (typeof o === "object" ? o : { value: o, label: String(o) }));
  const signature = JSON.stringify(wanted);
  if (select.dataset.options === signature) return;
  select.dataset.options = signature;
  select.replaceChildren();
  if (!field.required || field.nullable) {
    select.append(h("option", { value: "", text: field.emptyLabel ? t(field.emptyLabel) : "—" }));
  } else {
    select.append(h("option", { value: "", text: t("form.choose"), disabled: true }));
  }
  for (const o of wanted) {
    select.append(h("option", { value: String(o.value), text: o.label ?? String(o.value) }));
  }
  if (keep !== undefined && wanted.some((o) => String(o.value) === keep)) select.value = keep;
  else select.value = "";
}

function setValue(field, input, value) {
  if (field.type === "checkbox") {
    input.checked = value === undefined ? true : value === true || value === "true";
    return;
  }
  if (value === null || value === undefined) {
    input.value = "";
    return;
  }
  if (field.type === "datetime") {
    const ms = typeof value === "number" ? value : Date.parse(value);
    input.value = Number.isNaN(ms) ? "" : toLocalInput(ms);
    return;
  }
  if (field.type === "tag") {
    input.dataset.tagId = String(value);
    input.value = field.display ? field.display(value) : String(value);
    return;
  }
  input.value = String(value);
}

/** The typed value of one input: undefined when empty. */
function rawValue(field, input) {
  switch (field.type) {
    case "checkbox":
      return input.checked;
    case "number": {
      if (input.value.trim() === "") return undefined;
      const n = Number(input.value);
      return Number.isNaN(n) ? input.value : n;
    }
    case "select": {
      if (input.value === "") return undefined;
      if (field.numeric) return Number(input.value);
      return input.value;
    }
    case "datetime": {
      const ms = fromLocalInput(input.value);
      return ms === null ? undefined : new Date(ms).toISOString();
    }
    case "password":
      return input.value === "" ? undefined : input.value;
    case "tag":
      if (input.dataset.tagId) return Number(input.dataset.tagId);
      return input.value.trim() === "" ? undefined : input.value.trim();
    case "textarea":
      return input.value;
    default: {
      const v = input.value.trim();
      if (v === "") return field.emptyString ? "" : undefined;
      return v;
    }
  }
}

/** Tag code suggestions from GET /tags?codePrefix=… while typing. */
function attachTagSuggestions(input) {
  const list = () => document.getElementById(input.getAttribute("list"));
  const suggest = debounce(async () => {
    const prefix = input.value.trim().toUpperCase();
    if (prefix.length < 1) return;
    try {
      const page = await api.get("tags", { codePrefix: prefix, limit: 20, sort: "code" });
      list()?.replaceChildren(
        ...page.items.map((tag) => h("option", { value: tag.code, text: tag.name })),
      );
    } catch { /* no suggestions */ }
  }, 200);
  input.addEventListener("input", () => {
    delete input.dataset.tagId;
    suggest();
  });
}

/** Finds a tag by exact code (for `tag` fields); null when there is none. */
export async function findTagByCode(code) {
  const wanted = String(code ?? "").trim().toUpperCase();
  if (!wanted) return null;
  const page = await api.get("tags", { codePrefix: wanted, limit: 50, sort: "code" });
  return page.items.find((tag) => tag.code === wanted) ?? null;
}
