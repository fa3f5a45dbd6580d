/**
 * The trend chart: one or more tags over a chosen range (last 10 min, 1 h,
 * 8 h, 24 h, 7 d, or from–to), drawn with uPlot (served with the UI as
 * /ui/vendor/uplot.js, loaded by the page as the global `uPlot`). Each tag's
 * history comes from GET /api/v1/values/{tag}/history?from&to&points=500,
 * already downsampled by the server into buckets (min, max, avg, last); the
 * line is the bucket average, and for a single tag the min–max band is
 * shaded. Relative ranges refresh themselves while the chart is in view.
 */
import { api, ApiError } from "./api.js";
import { byId, formatDateTime, fromLocalInput, h, toLocalInput } from "./dom.js";
import { t } from "./i18n.js";

/** The ranges offered, and how often each refreshes while shown. */
export const RANGES = {
  "10m": { ms: 10 * 60_000, refreshMs: 5_000 },
  "1h": { ms: 3_600_000, refreshMs: 15_000 },
  "8h": { ms: 8 * 3_600_000, refreshMs: 60_000 },
  "24h": { ms: 24 * 3_600_000, refreshMs: 120_000 },
  "7d": { ms: 7 * 24 * 3_600_000, refreshMs: 600_000 },
};
/** Most tags in one chart (more lines stop being readable). */
export const MAX_TAGS = 8;
const POINTS = 500;
const STORAGE_KEY = "jsscada.trend";
/** Okabe–Ito colours: told apart with the common colour-vision deficiencies. */
const COLOURS = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#e69f00",
  "#56b4e9",
  "#000000",
  "#7f3c8d",
];

/** The trend panel. */
export class Trend {
  #tags = [];
  #range = "1h";
  #custom = { from: null, to: null };
  #plot = null;
  #visible = false;
  #timer = 0;
  #loading = 0;
  #lookup;
  #onChange;
  #chart;
  #status;
  #chips;

  /** `lookup(code)` → the tag's row ({ id, code, name, unit, dataType }); `onChange()` after a tag is added or removed. */
  constructor({ lookup, onChange }) {
    this.#lookup = lookup;
    this.#onChange = onChange;
    this.#chart = byId("trend-chart");
    this.#status = byId("trend-status");
    this.#chips = byId("trend-tags");
    for (const b of byId("trend-ranges").querySelectorAll("button[data-range]")) {
      b.addEventListener("click", () => this.setRange(b.dataset.range));
    }
    byId("trend-apply").addEventListener("click", () => this.#applyCustom());
    byId("trend-refresh").addEventListener("click", () => this.load());
    const add = byId("trend-add");
    const addTyped = () => {
      const row = this.#lookup(add.value.trim().toUpperCase());
      if (!row) {
        this.#setStatus(t("trend.unknownTag", { code: add.value.trim() }), "error");
        return;
      }
      this.add(row);
      add.value = "";
    };
    byId("trend-add-btn").addEventListener("click", addTyped);
    add.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        addTyped();
      }
    });
    this.#chips.addEventListener("click", (e) => {
      const b = e.target instanceof Element ? e.target.closest("button[data-remove]") : null;
      if (b) this.remove(Number(b.dataset.remove));
    });
    new ResizeObserver(() => this.#resize()).observe(this.#chart);
    const now = Date.now();
    byId("trend-from").value = toLocalInput(now - 3_600_000);
    byId("trend-to").value = toLocalInput(now);
  }

  /** Restores the last session's tags and range (codes that still exist). */
  restore() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
      if (saved?.range in RANGES) this.#range = saved.range;
      for (const code of saved?.codes ?? []) {
        const row = this.#lookup(code);
        if (row && this.#tags.length < MAX_TAGS) this.#tags.push(row);
      }
    } catch { /* nothing saved */ }
    this.#renderControls();
  }

  /** Fills the "add tag" suggestions. */
  setCandidates(rows) {
    byId("trend-add-list").replaceChildren(
      ...rows.filter((r) => r.dataType !== "STRING").map((r) =>
        h("option", { value: r.code, text: r.name })
      ),
    );
  }

  /** Whether a tag is in the chart. */
  has(id) {
    return this.#tags.some((tag) => tag.id === id);
  }

  /** The tags in the chart. */
  get tags() {
    return [...this.#tags];
  }

  /** Adds a tag, or removes it when already there. */
  toggle(row) {
    if (this.has(row.id)) this.remove(row.id);
    else this.add(row);
  }

  /** Adds a tag (up to {@link MAX_TAGS}). */
  add(row) {
    if (this.has(row.id)) return;
    if (row.dataType === "STRING") {
      this.#setStatus(t("trend.noStrings"), "error");
      return;
    }
    if (this.#tags.length >= MAX_TAGS) {
      this.#setStatus(t("trend.tooMany", { n: MAX_TAGS }), "error");
      return;
    }
    this.#tags.push(row);
    this.#changed();
  }

  /** Removes a tag. */
  remove(id) {
    this.#tags = this.#tags.filter((tag) => tag.id !== id);
    this.#changed();
  }

  /** Chooses a range (`10m` … `7d`, or `custom`). */
  setRange(key) {
    if (key !== "custom" && !(key in RANGES)) return;
    this.#range = key;
    this.#save();
    this.#renderControls();
    if (key === "custom") {
      byId("trend-from").focus();
      return;
    }
    this.load();
  }

  /** Called when the panel is shown or hidden: loads, and refreshes relative ranges while shown. */
  setVisible(visible) {
    this.#visible = visible;
    clearInterval(this.#timer);
    this.#timer = 0;
    if (!visible) return;
    this.load();
    this.#timer = setInterval(() => {
      if (this.#range in RANGES && this.#tags.length && !document.hidden) this.load(true);
    }, 1000);
  }

  #changed() {
    this.#save();
    this.#renderControls();
    this.#onChange?.();
    if (this.#visible) this.load();
  }

  #applyCustom() {
    const from = fromLocalInput(byId("trend-from").value);
    const to = fromLocalInput(byId("trend-to").value);
    if (from === null || to === null || from >= to) {
      this.#setStatus(t("trend.badRange"), "error");
      return;
    }
    this.#custom = { from, to };
    this.#range = "custom";
    this.#renderControls();
    this.load();
  }

  #window() {
    if (this.#range === "custom") {
      const { from, to } = this.#custom;
      return from !== null && to !== null ? { from, to } : null;
    }
    const to = Date.now();
    return { from: to - RANGES[this.#range].ms, to };
  }

  #lastLoad = 0;

  /**
   * Loads the history of every tag in the chart. `auto`: a periodic refresh,
   * skipped until the range's refresh interval has passed.
   */
  async load(auto = false) {
    if (auto) {
      const every = RANGES[this.#range]?.refreshMs ?? Infinity;
      if (Date.now() - this.#lastLoad < every) return;
    }
    this.#lastLoad = Date.now();
    const range = this.#window();
    if (!this.#tags.length) {
      this.#destroy();
      this.#chart.replaceChildren(h("p", { class: "empty", i18n: "trend.empty" }));
      this.#setStatus("");
      return;
    }
    if (!range) {
      this.#setStatus(t("trend.chooseRange"));
      return;
    }
    const token = ++this.#loading;
    if (!auto) this.#setStatus(t("trend.loading"));
    this.#chart.setAttribute("aria-busy", "true");
    const tags = [...this.#tags];
    const results = await Promise.allSettled(
      tags.map((tag) =>
        api.get(`values/${encodeURIComponent(tag.code)}/history`, {
          from: range.from,
          to: range.to,
          points: POINTS,
        })
      ),
    );
    if (token !== this.#loading) return;
    this.#chart.removeAttribute("aria-busy");
    const failures = [];
    const series = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") series.push({ tag: tags[i], buckets: r.value.buckets ?? [] });
      else {
        const e = r.reason;
        failures.push(
          e instanceof ApiError && e.missing
            ? t("trend.unavailable")
            : `${tags[i].code}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    });
    this.#draw(series, range);
    const points = series.reduce((n, s) => n + s.buckets.length, 0);
    if (failures.length) this.#setStatus([...new Set(failures)].join("; "), "error");
    else if (!points) this.#setStatus(t("trend.noData"));
    else {
      this.#setStatus(
        t("trend.shown", { from: formatDateTime(range.from), to: formatDateTime(range.to) }),
      );
    }
  }

  #draw(series, range) {
    const uPlot = globalThis.uPlot;
    if (!uPlot) {
      this.#setStatus(t("trend.noChart"), "error");
      return;
    }
    const single = series.length === 1;
    const columns = [];
    for (const s of series) {
      // No gaps are drawn where buckets are missing: with a deadband, no sample means no change.
      const buckets = s.buckets;
      const xs = buckets.map((b) => b.ts / 1000);
      columns.push({ xs, ys: buckets.map((b) => numeric(b.avg ?? b.last)) });
      if (single) {
        columns.push({ xs, ys: buckets.map((b) => numeric(b.min)) });
        columns.push({ xs, ys: buckets.map((b) => numeric(b.max)) });
      }
    }
    const data = join(columns);
    const units = [...new Set(series.map((s) => s.tag.unit || ""))];
    const scaleOf = (unit) => `u${units.indexOf(unit || "")}`;
    const uSeries = [{ label: t("trend.time") }];
    series.forEach((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      uSeries.push({
        label: `${s.tag.code}${s.tag.unit ? ` [${s.tag.unit}]` : ""}`,
        stroke: colour,
        width: 2,
        scale: scaleOf(s.tag.unit),
        points: { show: false },
      });
      if (single) {
        for (const which of ["min", "max"]) {
          uSeries.push({
            label: t(`trend.${which}`),
            stroke: colour,
            width: 1,
            dash: [4, 4],
            alpha: 0.6,
            scale: scaleOf(s.tag.unit),
            points: { show: false },
          });
        }
      }
    });
    const shown = fitRange(range, firstTs(series), this.#range !== "custom");
    const axes = [
      {
        // The same 24-hour clock as the rest of the UI (uPlot's default is 12-hour).
        values: (_u, splits) => timeLabels(splits.map((x) => x * 1000), shown.to - shown.from),
      },
      // One axis per unit, alternating left and right, so no series is left without a scale.
      ...units.map((unit, i) => ({
        scale: `u${i}`,
        side: i % 2 === 0 ? 3 : 1,
        label: unit || undefined,
        grid: { show: i === 0 },
        size: 64,
      })),
    ];
    uSeries[0].value = (_u, x) => (x === null ? "" : formatDateTime(x * 1000));
    const scales = { x: { time: true, min: shown.from / 1000, max: shown.to / 1000 } };
    const opts = {
      width: Math.max(200, this.#chart.clientWidth),
      height: Math.max(200, this.#chart.clientHeight - 40),
      series: uSeries,
      axes,
      scales,
      bands: single ? [{ series: [3, 2], fill: "rgba(0, 114, 178, 0.12)" }] : [],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    this.#destroy();
    this.#chart.replaceChildren();
    this.#plot = new uPlot(opts, data, this.#chart);
  }

  #resize() {
    if (!this.#plot || !this.#chart.clientWidth) return;
    this.#plot.setSize({
      width: Math.max(200, this.#chart.clientWidth),
      height: Math.max(200, this.#chart.clientHeight - 40),
    });
  }

  #destroy() {
    this.#plot?.destroy();
    this.#plot = null;
  }

  #setStatus(text, kind = "info") {
    const el = this.#status;
    el.textContent = text;
    el.classList.toggle("error-text", kind === "error");
  }

  #save() {
    try {
      localStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({ codes: this.#tags.map((tag) => tag.code), range: this.#range }),
      );
    } catch { /* not remembered */ }
  }

  #renderControls() {
    for (const b of byId("trend-ranges").querySelectorAll("button[data-range]")) {
      b.setAttribute("aria-pressed", String(b.dataset.range === this.#range));
    }
    byId("trend-custom").hidden = this.#range !== "custom";
    this.#chips.replaceChildren(
      ...this.#tags.map((tag, i) =>
        h(
          "li",
          { class: "chip", dataset: { tagCode: tag.code } },
          h("span", { class: ["swatch", `swatch-${i % COLOURS.length}`], "aria-hidden": "true" }),
          h("span", { class: "chip-code", text: tag.code }),
          h("span", { class: "chip-name", text: tag.name }),
          h("button", {
            type: "button",
            class: "btn btn-icon",
            dataset: { remove: tag.id },
            "aria-label": t("trend.remove", { code: tag.code }),
            text: "×",
          }),
        )
      ),
    );
    const count = document.getElementById("trend-count");
    if (count) count.textContent = this.#tags.length ? String(this.#tags.length) : "";
  }

  /** Re-renders labels after a language change. */
  relabel() {
    this.#renderControls();
    if (this.#visible && this.#tags.length) this.load();
  }
}

function numeric(v) {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

/**
 * Aligns several `{ xs, ys }` series on one x axis (uPlot's data layout).
 * Where a series has no point at another's x, the value is undefined, which
 * uPlot draws through; null (no data) breaks the line.
 */
export function join(columns) {
  const set = new Set();
  for (const c of columns) for (const x of c.xs) set.add(x);
  const xs = [...set].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  for (const c of columns) {
    const ys = new Array(xs.length).fill(undefined);
    c.xs.forEach((x, i) => {
      ys[index.get(x)] = c.ys[i];
    });
    data.push(ys);
  }
  return data;
}

/** The earliest bucket time of any series (ms), or null. */
function firstTs(series) {
  let first = null;
  for (const s of series) {
    const ts = s.buckets[0]?.ts;
    if (typeof ts === "number" && (first === null || ts < first)) first = ts;
  }
  return first;
}

/**
 * The time window to draw: a relative range whose data starts well after its
 * beginning (a fresh start) is narrowed to the data there is, with a little
 * room before it, so two minutes of data do not hug the right edge of an
 * hour; a chosen from–to is drawn as chosen.
 */
export function fitRange(range, first, relative = true) {
  const span = range.to - range.from;
  if (!relative || first === null || first - range.from < span * 0.2) return range;
  const data = range.to - first;
  return { from: Math.max(range.from, first - Math.max(data * 0.05, 1000)), to: range.to };
}

const pad2 = (n) => String(n).padStart(2, "0");

/**
 * Time axis labels on the 24-hour clock: `HH:MM:SS` under 10 minutes,
 * `HH:MM` under two days (with the date at midnight), `MM-DD HH:MM` beyond.
 */
export function timeLabels(ms, spanMs) {
  return ms.map((v) => {
    const d = new Date(v);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const md = `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
    if (spanMs <= 10 * 60_000) return `${hm}:${pad2(d.getSeconds())}`;
    if (spanMs <= 2 * 86_400_000) {
      return d.getHours() === 0 && d.getMinutes() === 0 ? `${md} ${hm}` : hm;
    }
    return `${md} ${hm}`;
  });
}
