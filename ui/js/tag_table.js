/**
 * The live tag table: every tag of the plant (3,491 in the sample plant) in
 * one scrollable table that renders only the rows in view (plus a few above
 * and below), reusing a small pool of `<tr>` elements. Live values from the
 * WebSocket update the data in place; the visible cells are rewritten once
 * per animation frame, and only where their text changed. Search, filters
 * (group, PLC, quality) and sorting work on the whole list.
 *
 * Dense rows (at least 20 in view at 1366×768), a sparkline of the last
 * minutes for numeric tags in view (kept from the live values), values past
 * an alarm limit marked (ISA-101: analog values against their limits), the
 * trend as an icon action; a click on a row opens the tag's faceplate.
 *
 * Test hooks: each row has `data-tag-code`, each cell `data-col`.
 */
import { frameBatcher, h, qualityClass, setText, toMs } from "./dom.js";
import { formatTime, formatValue } from "./dom.js";
import { t } from "./i18n.js";
import { sparkline } from "./sparkline.js";

const OVERSCAN = 8;
/** How far back a row's sparkline reaches, ms. */
export const SPARK_SPAN_MS = 5 * 60_000;
/** Most points kept per sparkline. */
const SPARK_MAX = 150;
/** Filters and sorts on live fields (value, quality, time) are re-applied at most this often. */
const REFILTER_MS = 1000;
const COLUMNS = [
  "code",
  "name",
  "value",
  "spark",
  "unit",
  "quality",
  "time",
  "group",
  "plc",
  "trend",
];
const CELL = Object.fromEntries(COLUMNS.map((c, i) => [c, i]));
const NUMERIC = new Set(["INT16", "UINT16", "INT32", "UINT32", "FLOAT32", "FLOAT64"]);

/** The live tag table. */
export class TagTable {
  #scroller;
  #tbody;
  #table;
  #empty;
  #count;
  #rows = [];
  #byId = new Map();
  #byCode = new Map();
  #view = [];
  #pool = [];
  #topSpacer;
  #bottomSpacer;
  #rowH = 44;
  #measured = false;
  #filter = { q: "", groupId: "", plcId: "", quality: "" };
  #sort = { key: "code", dir: 1 };
  #refilterTimer = 0;
  #lastRefilter = 0;
  #trended;
  #onTrend;
  #onOpen;
  #onRow;
  #limits = new Map();
  #inactive = () => false;
  #schedule;

  /**
   * `scroller`: the scrolling element around the table; `table`; `count`: where
   * "n of m tags" goes; `empty`: shown when nothing matches. `isTrended(id)` and
   * `onTrend(row)` connect the trend buttons to the trend chart; `onOpen(row)`
   * runs on a click on a row (the faceplate); `onRow(row)` after each live update.
   */
  constructor({ scroller, table, count, empty, isTrended, onTrend, onOpen, onRow }) {
    this.#scroller = scroller;
    this.#table = table;
    this.#tbody = table.tBodies[0];
    this.#count = count;
    this.#empty = empty;
    this.#trended = isTrended;
    this.#onTrend = onTrend;
    this.#onOpen = onOpen;
    this.#onRow = onRow;
    this.#schedule = frameBatcher(() => this.#render());
    this.#topSpacer = spacer();
    this.#bottomSpacer = spacer();
    this.#tbody.replaceChildren(this.#topSpacer, this.#bottomSpacer);
    scroller.addEventListener("scroll", () => this.#schedule(), { passive: true });
    new ResizeObserver(() => this.#schedule()).observe(scroller);
    for (const button of table.tHead.querySelectorAll("button[data-sort]")) {
      button.addEventListener("click", () => this.sortBy(button.dataset.sort));
    }
    this.#tbody.addEventListener("click", (e) => {
      if (!(e.target instanceof Element)) return;
      const tr = e.target.closest("tr.row");
      const row = tr ? this.#byId.get(Number(tr.dataset.tagId)) : undefined;
      if (!row) return;
      if (e.target.closest("button[data-trend]")) this.#onTrend(row);
      else this.#onOpen?.(row);
    });
    this.#tbody.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !(e.target instanceof Element)) return;
      const tr = e.target.closest("tr.row");
      const row = tr ? this.#byId.get(Number(tr.dataset.tagId)) : undefined;
      if (row && !e.target.closest("button")) this.#onOpen?.(row);
    });
    this.#showSort();
  }

  /**
   * Replaces the whole list. `items`: `[{ tagId, code, name, unit, dataType,
   * groupId, plcId, value, quality, ts }]` (GET /values, or GET /tags without
   * values); `names`: `{ groups: Map(id → code), plcs: Map(id → code) }`.
   */
  setItems(items, names) {
    this.#rows = items.map((it) => {
      const id = it.tagId ?? it.id;
      return {
        id,
        code: it.code,
        name: it.name ?? "",
        unit: it.unit ?? "",
        dataType: it.dataType ?? "",
        groupId: it.groupId,
        plcId: it.plcId,
        group: names.groups.get(it.groupId) ?? "",
        plc: names.plcs.get(it.plcId) ?? "",
        value: it.value ?? null,
        quality: it.quality ?? null,
        ts: toMs(it.ts),
        hist: [],
        hay: `${it.code} ${it.name ?? ""} ${it.description ?? ""}`.toLowerCase(),
      };
    });
    this.#byId = new Map(this.#rows.map((r) => [r.id, r]));
    this.#byCode = new Map(this.#rows.map((r) => [r.code, r]));
    this.#refilter();
  }

  /** Every row (for the trend's tag picker). */
  get rows() {
    return this.#rows;
  }

  /** The row of a tag id. */
  byId(id) {
    return this.#byId.get(id);
  }

  /** The row of a tag code. */
  byCode(code) {
    return this.#byCode.get(code);
  }

  /**
   * Live values from the WebSocket (`[{ id, c, v, q, t }]`) or GET /values
   * (`[{ tagId, code, value, quality, ts }]`).
   */
  applyValues(items) {
    let touched = false;
    for (const it of items) {
      const row = this.#byId.get(it.id ?? it.tagId) ?? this.#byCode.get(it.c ?? it.code);
      if (!row) continue;
      row.value = "v" in it ? it.v : it.value ?? null;
      row.quality = this.#inactive(row) ? "stale" : "q" in it ? it.q : it.quality ?? null;
      row.ts = toMs("t" in it ? it.t : it.ts);
      // Only rows that have been in view keep a history: the sparklines are for what is shown.
      if (row.seen && typeof row.value === "number" && row.ts && NUMERIC.has(row.dataType)) {
        const last = row.hist[row.hist.length - 1];
        if (!last || last[0] < row.ts) row.hist.push([row.ts, row.value]);
        const cut = row.ts - SPARK_SPAN_MS;
        while (row.hist.length > SPARK_MAX || (row.hist.length && row.hist[0][0] < cut)) {
          row.hist.shift();
        }
        row.histVersion = (row.histVersion ?? 0) + 1;
      }
      this.#onRow?.(row);
      touched = true;
    }
    if (!touched) return;
    if (this.#filter.quality || ["value", "quality", "time"].includes(this.#sort.key)) {
      this.#refilterSoon();
    }
    this.#schedule();
  }

  /**
   * The alarm limits by tag id (`Map(id → [{ kind, value }])`, HIHI/HI/LO/LOLO
   * rules): sparklines draw them and values past them are marked.
   */
  setLimits(limits) {
    this.#limits = limits;
    this.refresh();
  }

  /**
   * Which rows nobody reads now (`inactive(row)`: their PLC or group is
   * disabled): they show `stale` with their last value, whatever arrives.
   */
  setInactive(inactive) {
    this.#inactive = inactive;
    for (const row of this.#rows) if (inactive(row)) row.quality = "stale";
    this.refresh();
  }

  /** Changes the filter (`{ q, groupId, plcId, quality }`, any subset). */
  setFilter(filter) {
    this.#filter = { ...this.#filter, ...filter };
    this.#refilter();
    this.#scroller.scrollTop = 0;
  }

  /** The current filter. */
  get filter() {
    return { ...this.#filter };
  }

  /** Sorts by a column (again: the other direction). */
  sortBy(key) {
    this.#sort = this.#sort.key === key
      ? { key, dir: -this.#sort.dir }
      : { key, dir: key === "time" ? -1 : 1 };
    this.#showSort();
    this.#refilter();
  }

  /** Re-renders after a change elsewhere (a tag added to the trend, a language change). */
  refresh() {
    for (const tr of this.#pool) {
      tr.dataset.fill = "";
      tr.dataset.spark = "";
      tr.cells[CELL.quality].firstChild.dataset.q = "";
    }
    this.#updateCount();
    this.#schedule();
  }

  #refilterSoon() {
    if (this.#refilterTimer) return;
    const wait = Math.max(0, REFILTER_MS - (performance.now() - this.#lastRefilter));
    this.#refilterTimer = setTimeout(() => {
      this.#refilterTimer = 0;
      this.#refilter();
    }, wait);
  }

  #refilter() {
    this.#lastRefilter = performance.now();
    const { q, groupId, plcId, quality } = this.#filter;
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    const gid = groupId === "" ? null : Number(groupId);
    const pid = plcId === "" ? null : Number(plcId);
    const view = this.#rows.filter((r) =>
      (gid === null || r.groupId === gid) &&
      (pid === null || r.plcId === pid) &&
      (!quality || matchesQuality(r.quality, quality)) &&
      terms.every((term) => r.hay.includes(term))
    );
    const { key, dir } = this.#sort;
    const get = key === "time" ? (r) => r.ts : (r) => r[key];
    view.sort((a, b) => dir * compare(get(a), get(b)) || compare(a.code, b.code));
    this.#view = view;
    this.#updateCount();
    this.#schedule();
  }

  #updateCount() {
    setText(this.#count, t("tags.count", { shown: this.#view.length, total: this.#rows.length }));
    this.#empty.hidden = this.#view.length > 0 || this.#rows.length === 0;
    this.#table.setAttribute("aria-rowcount", String(this.#view.length + 1));
  }

  #showSort() {
    for (const th of this.#table.tHead.querySelectorAll("th")) {
      const key = th.querySelector("button[data-sort]")?.dataset.sort;
      if (!key) continue;
      th.setAttribute(
        "aria-sort",
        key === this.#sort.key ? (this.#sort.dir > 0 ? "ascending" : "descending") : "none",
      );
    }
  }

  #render() {
    const n = this.#view.length;
    const header = this.#table.tHead.offsetHeight;
    const top = Math.max(0, this.#scroller.scrollTop - header);
    const height = Math.max(this.#scroller.clientHeight, this.#rowH * 10);
    const first = Math.max(0, Math.floor(top / this.#rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + height) / this.#rowH) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.#pool.length < needed) {
      const tr = this.#newRow();
      this.#pool.push(tr);
      this.#bottomSpacer.before(tr);
    }
    for (let i = 0; i < this.#pool.length; i++) {
      const tr = this.#pool[i];
      if (i < needed) {
        const index = first + i;
        tr.hidden = false;
        tr.setAttribute("aria-rowindex", String(index + 2));
        this.#fill(tr, this.#view[index]);
      } else if (!tr.hidden) {
        tr.hidden = true;
        tr.dataset.tagCode = "";
        tr.dataset.tagId = "";
      }
    }
    setHeight(this.#topSpacer, first * this.#rowH);
    setHeight(this.#bottomSpacer, (n - last) * this.#rowH);
    if (!this.#measured && needed > 0) {
      // Row height comes from the stylesheet (touch targets); measure it once.
      this.#measured = true;
      const real = this.#pool[0].getBoundingClientRect().height;
      if (real > 0 && Math.abs(real - this.#rowH) > 0.5) {
        this.#rowH = real;
        this.#schedule();
      }
    }
  }

  #newRow() {
    const tr = h("tr", { class: "row", tabindex: "0" });
    for (const col of COLUMNS) {
      const td = h("td", { class: `c-${col}`, dataset: { col } });
      if (col === "quality") td.append(h("span", { class: "quality" }));
      if (col === "trend") {
        td.append(h("button", {
          type: "button",
          class: "btn btn-icon btn-trend",
          dataset: { trend: "" },
          "aria-pressed": "false",
        }));
      }
      tr.append(td);
    }
    return tr;
  }

  #fill(tr, row) {
    const cells = tr.cells;
    row.seen = true;
    if (tr.dataset.tagId !== String(row.id) || tr.dataset.fill !== "1") {
      tr.dataset.tagId = String(row.id);
      tr.dataset.tagCode = row.code;
      tr.dataset.fill = "1";
      tr.dataset.spark = "";
      setText(cells[CELL.code], row.code);
      setText(cells[CELL.name], row.name);
      cells[CELL.name].title = row.name;
      setText(cells[CELL.unit], row.unit);
      setText(cells[CELL.group], row.group);
      setText(cells[CELL.plc], row.plc);
      const button = cells[CELL.trend].firstChild;
      const on = this.#trended(row.id);
      button.setAttribute("aria-pressed", String(on));
      button.disabled = row.dataType === "STRING";
      setText(button, on ? "✓" : "∿");
      const label = t(on ? "tags.inTrendLabel" : "tags.trendLabel", { code: row.code });
      button.setAttribute("aria-label", label);
      button.title = label;
    }
    const q = qualityClass(row.quality);
    if (tr.dataset.q !== q) {
      tr.dataset.q = q;
      tr.className = `row q-${q}`;
    }
    setText(cells[CELL.value], formatValue(row.value));
    const limit = pastLimit(row.value, this.#limits.get(row.id));
    if ((cells[CELL.value].dataset.limit ?? "") !== limit) {
      if (limit) cells[CELL.value].dataset.limit = limit;
      else delete cells[CELL.value].dataset.limit;
    }
    const version = String(row.histVersion ?? 0);
    if (tr.dataset.spark !== version) {
      tr.dataset.spark = version;
      const limits = this.#limits.get(row.id) ?? [];
      cells[CELL.spark].replaceChildren(
        row.hist.length > 1
          ? sparkline(row.hist, { width: 80, height: 16, limits, label: "" })
          : "",
      );
    }
    const chip = cells[CELL.quality].firstChild;
    if (chip.dataset.q !== (row.quality ?? "")) {
      chip.dataset.q = row.quality ?? "";
      chip.className = `quality q-${q}`;
      chip.textContent = row.quality ? t(`quality.${row.quality}`) : "—";
    }
    setText(cells[CELL.time], formatTime(row.ts));
  }
}

/** `hi` or `lo` when a number is past one of its alarm limits (HIHI/HI, LO/LOLO), else "". */
export function pastLimit(value, limits) {
  if (typeof value !== "number" || !limits) return "";
  for (const l of limits) {
    if ((l.kind === "HI" || l.kind === "HIHI") && value >= l.value) return "hi";
    if ((l.kind === "LO" || l.kind === "LOLO") && value <= l.value) return "lo";
  }
  return "";
}

function spacer() {
  const tr = h("tr", { class: "spacer", "aria-hidden": "true" });
  tr.append(h("td", { colspan: String(COLUMNS.length) }));
  return tr;
}

function setHeight(tr, px) {
  const td = tr.firstChild;
  const value = `${px}px`;
  if (td.style.height !== value) td.style.height = value;
  tr.hidden = px === 0;
}

function matchesQuality(q, wanted) {
  const c = qualityClass(q);
  if (wanted === "notgood") return c !== "good";
  return c === wanted;
}

function compare(a, b) {
  const an = a === null || a === undefined || a === "";
  const bn = b === null || b === undefined || b === "";
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "number" || typeof b === "number") return typeof a === "number" ? -1 : 1;
  return String(a).localeCompare(String(b));
}
