/**
 * Small DOM helpers shared by every page: element building from nodes and
 * text (nothing the server sends is ever parsed as markup), number
 * and time formatting, debouncing, per-frame batching and ARIA tabs.
 */
import { getLang, t } from "./i18n.js";

/**
 * Builds an element. `props`: `class` (string or array), `text`, `i18n`
 * (a dictionary key for the text, re-applied on language change),
 * `i18nAttr` (`{ "aria-label": key }`), `dataset`, `on` (`{ click: fn }`),
 * `hidden`, `value`, `checked`, `disabled`, and any other attribute.
 * `children`: nodes, strings, or arrays of them; null and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    switch (key) {
      case "class":
        el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
        break;
      case "text":
        el.textContent = String(value);
        break;
      case "i18n":
        el.dataset.i18n = value;
        el.textContent = t(value);
        break;
      case "i18nAttr":
        setI18nAttrs(el, value);
        break;
      case "dataset":
        for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
        break;
      case "on":
        for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
        break;
      case "value":
      case "checked":
      case "disabled":
      case "hidden":
      case "selected":
      case "multiple":
        el[key] = value;
        break;
      default:
        el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Sets translated attributes (`{ placeholder: "key" }`) and remembers them for a language change. */
export function setI18nAttrs(el, attrs) {
  el.dataset.i18nAttr = Object.entries(attrs).map(([a, k]) => `${a}:${k}`).join(";");
  for (const [a, k] of Object.entries(attrs)) el.setAttribute(a, t(k));
}

/** The element with this id (throws if the page lacks it: a bug, not a condition). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el;
}

/** Removes every child. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/**
 * Text with line-break opportunities after `_`, `:` and `.` (as `<wbr>`), so
 * long codes such as `plc:PLCASSY0100001:disconnected` can wrap in a narrow
 * table column.
 */
export function breakable(text) {
  const out = [];
  for (const part of String(text ?? "").match(/[^_:.]*[_:.]?/g).filter(Boolean)) {
    if (out.length) out.push(document.createElement("wbr"));
    out.push(part);
  }
  return out;
}

/** Sets text only when it differs (cheap for in-place live updates). */
export function setText(el, text) {
  const s = text === null || text === undefined ? "" : String(text);
  if (el.textContent !== s) el.textContent = s;
}

/** Calls `fn` once, `ms` after the last call. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Coalesces calls into one per animation frame: DOM writes from many
 * WebSocket messages land together, once per frame.
 */
export function frameBatcher(fn) {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      fn();
    });
  };
}

const numberFormats = new Map();
function numberFormat(digits) {
  const key = `${getLang()}:${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(getLang(), { maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/** A number for people: grouping, at most `digits` decimals. */
export function formatNumber(n, digits = 3) {
  if (n === null || n === undefined || n === "") return "";
  return typeof n === "number" && Number.isFinite(n) ? numberFormat(digits).format(n) : String(n);
}

/** A tag value: booleans as ON/OFF, numbers with at most 3 decimals, text as is. */
export function formatValue(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? t("value.on") : t("value.off");
  if (typeof v === "number") return formatNumber(v, 3);
  return String(v);
}

/** ms since the epoch or an ISO string → ms, or null. */
export function toMs(ts) {
  if (ts === null || ts === undefined || ts === "") return null;
  if (typeof ts === "number") return ts;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : ms;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** Local time of day, `HH:MM:SS` (with `.mmm` when asked). */
export function formatTime(ts, millis = false) {
  const ms = toMs(ts);
  if (ms === null) return "";
  const d = new Date(ms);
  const s = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return millis ? `${s}.${pad(d.getMilliseconds(), 3)}` : s;
}

/** Local date and time, `YYYY-MM-DD HH:MM:SS`. */
export function formatDateTime(ts) {
  const ms = toMs(ts);
  if (ms === null) return "";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(ms)}`;
}

/** A value for an `<input type="datetime-local">` from ms. */
export function toLocalInput(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

/** ms from an `<input type="datetime-local">` value, or null when empty or invalid. */
export function fromLocalInput(value) {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** How long ago, roughly ("12 s", "5 min", "3 h", "2 d"). */
export function formatAge(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return "";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return t("age.s", { n: s });
  if (s < 3600) return t("age.min", { n: Math.floor(s / 60) });
  if (s < 86400) return t("age.h", { n: Math.floor(s / 3600) });
  return t("age.d", { n: Math.floor(s / 86400) });
}

/** `good`, `bad` or `stale`: the three colours an operator needs to tell apart. */
export function qualityClass(q) {
  if (q === "good") return "good";
  if (q === "stale") return "stale";
  if (q === null || q === undefined) return "none";
  return "bad";
}

/** Alarm severity band (1–1000): critical, high, medium, low. */
export function severityBand(severity) {
  if (severity >= 750) return "critical";
  if (severity >= 500) return "high";
  if (severity >= 250) return "medium";
  return "low";
}

/** Whether keyboard shortcuts should be ignored (typing in a field, a dialog open). */
export function isTyping(event) {
  const el = event.target;
  if (!(el instanceof Element)) return false;
  return el.closest("input, textarea, select, [contenteditable=true], dialog[open]") !== null;
}

/**
 * ARIA tabs: `tablist` holds `[role=tab]` buttons whose `aria-controls` name
 * their panels. Arrow keys, Home and End move between tabs; the selected tab
 * is remembered in the URL hash (`#name`). `onChange(name)` runs on each switch.
 */
export function setupTabs(tablist, onChange) {
  const tabs = () => [...tablist.querySelectorAll("[role=tab]")].filter((t) => !isHidden(t));
  const select = (tab, focus = false, updateHash = true) => {
    for (const other of tablist.querySelectorAll("[role=tab]")) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    const name = tab.dataset.tab;
    if (updateHash && location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    onChange?.(name);
  };
  tablist.addEventListener("click", (e) => {
    const tab = e.target instanceof Element ? e.target.closest("[role=tab]") : null;
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (e) => {
    const list = tabs();
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    const vertical = tablist.getAttribute("aria-orientation") === "vertical";
    const next = vertical ? "ArrowDown" : "ArrowRight";
    const prev = vertical ? "ArrowUp" : "ArrowLeft";
    let j = -1;
    if (e.key === next) j = (i + 1) % list.length;
    else if (e.key === prev) j = (i - 1 + list.length) % list.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = list.length - 1;
    if (j < 0) return;
    e.preventDefault();
    select(list[j], true);
  });
  const byName = (name) => tabs().find((t) => t.dataset.tab === name);
  const fromHash = () => byName(location.hash.slice(1).split("?")[0]);
  addEventListener("hashchange", () => {
    const tab = fromHash();
    if (tab) select(tab, false, false);
  });
  return {
    /** Selects the tab named `name` (or the first visible one). */
    show(name, focus = false) {
      const tab = byName(name) ?? tabs()[0];
      if (tab) select(tab, focus);
    },
    /** Selects the tab named in the URL hash, or `fallback`. */
    showInitial(fallback) {
      const tab = fromHash() ?? byName(fallback) ?? tabs()[0];
      if (tab) select(tab, false, false);
    },
  };
}

/** Hidden by `hidden` or by a role rule in the stylesheet. */
function isHidden(el) {
  return el.hidden || getComputedStyle(el).display === "none";
}

/** Announces a message to screen readers and shows it as a short-lived toast. */
export function announce(message, kind = "info") {
  const region = document.getElementById("toasts");
  if (!region) return;
  const toast = h("div", { class: ["toast", `toast-${kind}`], role: "status", text: message });
  region.append(toast);
  setTimeout(() => toast.remove(), kind === "error" ? 8000 : 4000);
}
