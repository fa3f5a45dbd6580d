/**
 * The faceplate of one tag (opened by clicking a row of the live tag table):
 * value, quality, time, unit, address, write limits, the tag's alarm rules
 * and whether each is active now, a short trend of the last minutes, and —
 * for writable tags and operators only — a setpoint entry (numbers, text) or
 * ON / OFF / pulse buttons (BOOL). Every write asks for a confirmation that
 * shows old → new; the answer shows the value read back and the time taken.
 * A refusal (limit, type, PLC failed) is shown beside the field. Viewers see
 * no write control at all (the server refuses them anyway).
 *
 * Test hooks: `[data-testid=faceplate]`, `faceplate-value`, `faceplate-setpoint`,
 * `faceplate-write`, `faceplate-confirm`, `faceplate-back`, `faceplate-error`,
 * `faceplate-result`, `faceplate-on`, `faceplate-off`, `faceplate-pulse`.
 */
import { api, ApiError } from "./api.js";
import { formatNumber, formatTime, formatValue, h, qualityClass, setText } from "./dom.js";
import { t } from "./i18n.js";
import { sparkline } from "./sparkline.js";

/** How long a pulse holds the bit ON, ms. */
export const PULSE_MS = 1000;
/** The faceplate's trend: the last 10 minutes. */
const TREND_SPAN_MS = 10 * 60_000;

/** The faceplate dialog; one open at a time. */
export class Faceplate {
  #canWrite;
  #alarms;
  #dialog = null;
  #row = null;
  #fields = null;
  #points = [];

  /**
   * `canWrite`: the user is an operator or admin; `alarms()`: the active
   * alarms (to mark the tag's rules that are active now).
   */
  constructor({ canWrite, alarms }) {
    this.#canWrite = canWrite;
    this.#alarms = alarms;
  }

  /** Whether a faceplate is open. */
  get isOpen() {
    return this.#dialog !== null;
  }

  /** Opens the faceplate of a tag table row (`{ id, code, name, unit, dataType, value, quality, ts }`). */
  async open(row) {
    this.close();
    this.#row = row;
    this.#points = [];
    const [tag, rules] = await Promise.all([
      api.get(`tags/${row.id}`),
      api.get("alarm-rules", { tagId: row.id, limit: 50 }).then((r) => r.items ?? []).catch(
        () => [],
      ),
    ]);
    if (this.#row !== row) return; // another row was opened meanwhile
    this.#build(tag, rules);
    this.#loadTrend(row);
  }

  /** Closes the faceplate. */
  close() {
    if (!this.#dialog) return;
    const d = this.#dialog;
    this.#dialog = null;
    this.#row = null;
    if (d.open) d.close();
    d.remove();
  }

  /** Live values: updates the open faceplate when its tag changed. */
  applyRow(row) {
    if (!this.#dialog || !this.#row || row.id !== this.#row.id) return;
    this.#showValue(row);
    if (typeof row.value === "number" && row.ts) {
      const last = this.#points[this.#points.length - 1];
      if (!last || last[0] < row.ts) this.#points.push([row.ts, row.value]);
      this.#drawTrend();
    }
  }

  #build(tag, rules) {
    const f = {};
    f.value = h("span", { class: "fp-value", "data-testid": "faceplate-value" });
    f.unit = h("span", { class: "fp-unit", text: tag.unit ?? "" });
    f.quality = h("span", { class: "quality" });
    f.time = h("span", { class: "fp-time" });
    f.trend = h("div", { class: "fp-trend", "data-testid": "faceplate-trend" });
    const limits = tag.writeMin !== null || tag.writeMax !== null
      ? t("faceplate.limitsRange", {
        min: tag.writeMin === null ? "—" : formatNumber(tag.writeMin),
        max: tag.writeMax === null ? "—" : formatNumber(tag.writeMax),
        unit: tag.unit ?? "",
      })
      : t("faceplate.noLimits");
    const active = new Set(
      (this.#alarms() ?? []).filter((a) => a.tagId === tag.id).map((a) => a.kind),
    );
    const ruleList = rules.length
      ? h(
        "ul",
        { class: "fp-rules" },
        rules.map((r) =>
          h(
            "li",
            { class: active.has(r.kind) ? "fp-rule active" : "fp-rule", dataset: { kind: r.kind } },
            h("strong", { text: r.kind }),
            " ",
            r.limit === null ? "" : `${formatNumber(r.limit)} ${tag.unit ?? ""} `,
            h("span", { class: "muted", text: t("faceplate.severity", { n: r.severity }) }),
            " ",
            h("span", {
              class: active.has(r.kind) ? "fp-rule-state is-active" : "fp-rule-state",
              text: active.has(r.kind) ? t("faceplate.ruleActive") : t("faceplate.ruleNormal"),
            }),
          )
        ),
      )
      : h("p", { class: "muted", text: t("faceplate.noRules") });

    const writable = this.#canWrite && tag.writable;
    const close = h("button", {
      type: "button",
      class: "btn btn-icon fp-close",
      "aria-label": t("action.close"),
      text: "×",
      "data-testid": "faceplate-close",
      on: { click: () => this.close() },
    });
    const dialog = h(
      "dialog",
      {
        class: "dialog faceplate",
        "aria-labelledby": "faceplate-title",
        "data-testid": "faceplate",
        dataset: { tagCode: tag.code },
      },
      h(
        "div",
        { class: "fp-head" },
        h(
          "h2",
          { id: "faceplate-title", class: "dialog-title" },
          h("span", { class: "fp-code", text: tag.code }),
          " ",
          h("span", { class: "fp-name", text: tag.name }),
        ),
        close,
      ),
      h(
        "div",
        { class: "fp-main" },
        h("div", { class: "fp-reading" }, f.value, " ", f.unit),
        h("div", { class: "fp-status" }, f.quality, " ", f.time),
      ),
      h(
        "dl",
        { class: "fp-facts" },
        h("dt", { text: t("faceplate.address") }),
        h("dd", { text: `${tag.address} · ${tag.dataType}` }),
        h("dt", { text: t("faceplate.limits") }),
        h("dd", { "data-testid": "faceplate-limits", text: limits }),
        h("dt", { text: t("faceplate.alarms") }),
        h("dd", {}, ruleList),
      ),
      f.trend,
      writable ? this.#writeControls(tag, f) : null,
    );
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      this.close();
    });
    dialog.addEventListener("click", (e) => {
      if (e.target === dialog) this.close(); // the backdrop
    });
    document.body.append(dialog);
    this.#dialog = dialog;
    this.#fields = f;
    this.#showValue(this.#row);
    dialog.showModal();
    (dialog.querySelector("[data-testid=faceplate-setpoint]") ?? close).focus();
  }

  #writeControls(tag, f) {
    const error = h("p", {
      class: "field-error",
      role: "alert",
      id: "faceplate-error",
      "data-testid": "faceplate-error",
      hidden: true,
    });
    const result = h("p", { class: "fp-result", "data-testid": "faceplate-result", hidden: true });
    const confirm = h("div", {
      class: "fp-confirm",
      "data-testid": "faceplate-confirmation",
      hidden: true,
    });
    const showError = (text) => {
      error.textContent = text ?? "";
      error.hidden = !text;
      f.input?.setAttribute("aria-invalid", text ? "true" : "false");
    };
    const ask = (next, label, onConfirm) => {
      showError("");
      result.hidden = true;
      const old = this.#row?.value ?? null;
      const unit = tag.unit ? ` ${tag.unit}` : "";
      confirm.replaceChildren(
        h("p", { class: "fp-question" }, t("faceplate.confirm", { code: tag.code })),
        h(
          "p",
          { class: "fp-change", "data-testid": "faceplate-change" },
          h("span", { class: "fp-old", text: `${formatValue(old)}${unit}` }),
          " → ",
          h("strong", { class: "fp-new", text: label ?? `${formatValue(next)}${unit}` }),
        ),
        h(
          "div",
          { class: "dialog-actions" },
          h("button", {
            type: "button",
            class: "btn",
            "data-testid": "faceplate-back",
            text: t("faceplate.back"),
            on: {
              click: () => {
                confirm.hidden = true;
                (f.input ?? f.on)?.focus();
              },
            },
          }),
          h("button", {
            type: "button",
            class: "btn btn-primary",
            "data-testid": "faceplate-confirm",
            text: t("faceplate.confirmButton"),
            on: {
              click: async (e) => {
                e.currentTarget.disabled = true;
                confirm.hidden = true;
                await onConfirm();
              },
            },
          }),
        ),
      );
      confirm.hidden = false;
      confirm.querySelector("[data-testid=faceplate-confirm]").focus();
    };
    const send = async (value) => {
      const t0 = performance.now();
      try {
        const answer = await api.post(`tags/${encodeURIComponent(tag.code)}/write`, { value });
        const ms = Math.round(performance.now() - t0);
        if (this.#row) {
          this.#row.value = answer.readBack ?? this.#row.value;
          this.#showValue(this.#row);
        }
        result.textContent = t("faceplate.written", {
          value: formatValue(answer.readBack),
          unit: tag.unit ?? "",
          ms: formatNumber(answer.ms, 0),
          total: formatNumber(ms, 0),
        });
        result.dataset.readBack = String(answer.readBack);
        result.dataset.ms = String(ms);
        result.hidden = false;
        return true;
      } catch (e) {
        showError(e instanceof ApiError ? e.message : String(e));
        return false;
      }
    };

    if (tag.dataType === "BOOL") {
      const button = (value, key, testid) =>
        h("button", {
          type: "button",
          class: "btn",
          "data-testid": testid,
          text: t(key),
          on: {
            click: () => ask(value, undefined, () => send(value)),
          },
        });
      f.on = button(true, "value.on", "faceplate-on");
      const pulse = h("button", {
        type: "button",
        class: "btn",
        "data-testid": "faceplate-pulse",
        text: t("faceplate.pulse", { s: PULSE_MS / 1000 }),
        on: {
          click: () =>
            ask(true, t("faceplate.pulseLabel", { s: PULSE_MS / 1000 }), async () => {
              if (await send(true)) {
                await new Promise((r) => setTimeout(r, PULSE_MS));
                await send(false);
              }
            }),
        },
      });
      return h(
        "section",
        { class: "fp-write", "aria-label": t("faceplate.command") },
        h("h3", { class: "fp-write-title", text: t("faceplate.command") }),
        h("div", { class: "fp-buttons" }, f.on, button(false, "value.off", "faceplate-off"), pulse),
        error,
        confirm,
        result,
      );
    }

    const isText = tag.dataType === "STRING";
    f.input = h("input", {
      id: "faceplate-setpoint",
      class: "fp-input",
      inputmode: isText ? "text" : "decimal",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "faceplate-error",
      "data-testid": "faceplate-setpoint",
      ...(isText ? {} : {
        type: "number",
        step: "any",
        ...(tag.writeMin !== null ? { min: String(tag.writeMin) } : {}),
        ...(tag.writeMax !== null ? { max: String(tag.writeMax) } : {}),
      }),
    });
    if (this.#row?.value !== null && this.#row?.value !== undefined) {
      f.input.value = String(this.#row.value);
    }
    const write = h("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "faceplate-write",
      text: t("faceplate.write"),
    });
    const form = h(
      "form",
      { class: "fp-write", novalidate: true, "aria-label": t("faceplate.setpoint") },
      h("label", {
        for: "faceplate-setpoint",
        class: "fp-write-title",
        text: t("faceplate.setpoint"),
      }),
      h(
        "div",
        { class: "fp-entry" },
        f.input,
        h("span", { class: "fp-unit", text: tag.unit ?? "" }),
        write,
        error,
      ),
      confirm,
      result,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const problem = isText ? undefined : checkNumber(f.input.value, tag);
      if (problem) {
        showError(problem);
        return;
      }
      const value = isText ? f.input.value : Number(f.input.value);
      ask(value, undefined, () => send(value));
    });
    return form;
  }

  #showValue(row) {
    const f = this.#fields;
    if (!f) return;
    setText(f.value, formatValue(row.value));
    const q = qualityClass(row.quality);
    f.quality.className = `quality q-${q}`;
    setText(f.quality, row.quality ? t(`quality.${row.quality}`) : "—");
    setText(f.time, row.ts ? t("faceplate.at", { time: formatTime(row.ts) }) : "");
  }

  async #loadTrend(row) {
    if (row.dataType === "STRING" || row.dataType === "BOOL") {
      this.#fields?.trend.remove();
      return;
    }
    const to = Date.now();
    try {
      const answer = await api.get(`values/${encodeURIComponent(row.code)}/history`, {
        from: to - TREND_SPAN_MS,
        to,
        points: 120,
      });
      const older = (answer.buckets ?? []).filter((b) => typeof b.avg === "number")
        .map((b) => [b.ts, b.avg]);
      const first = this.#points[0]?.[0] ?? Infinity;
      this.#points = [...older.filter((p) => p[0] < first), ...this.#points];
    } catch { /* no history on this server: the live points alone */ }
    this.#drawTrend();
  }

  #drawTrend() {
    const box = this.#fields?.trend;
    if (!box || !box.isConnected) return;
    const cut = Date.now() - TREND_SPAN_MS;
    this.#points = this.#points.filter((p) => p[0] >= cut);
    box.replaceChildren(
      this.#points.length > 1
        ? sparkline(this.#points, { width: 360, height: 60, label: t("faceplate.trend") })
        : h("p", { class: "muted", text: t("faceplate.noTrend") }),
    );
  }
}

/** Why a typed setpoint is not acceptable here (same rules as the server's), or undefined. */
export function checkNumber(text, tag) {
  const unit = tag.unit ? ` ${tag.unit}` : "";
  if (String(text).trim() === "" || !Number.isFinite(Number(text))) {
    return t("faceplate.notNumber");
  }
  const v = Number(text);
  if (tag.writeMin !== null && v < tag.writeMin) {
    return t("faceplate.belowMin", {
      value: formatNumber(v),
      min: formatNumber(tag.writeMin),
      unit,
    });
  }
  if (tag.writeMax !== null && v > tag.writeMax) {
    return t("faceplate.aboveMax", {
      value: formatNumber(v),
      max: formatNumber(tag.writeMax),
      unit,
    });
  }
  if (
    ["INT16", "UINT16", "INT32", "UINT32"].includes(tag.dataType) && tag.scale === 1 &&
    tag.offset === 0 && !Number.isInteger(v)
  ) {
    return t("faceplate.notInteger", { type: tag.dataType });
  }
  return undefined;
}
