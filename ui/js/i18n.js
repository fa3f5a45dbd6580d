/**
 * Labels in English (the default) and Korean. Static markup names its
 * dictionary key in `data-i18n` (text) and `data-i18n-attr`
 * (`placeholder:key;aria-label:key`); `translate()` fills them in, and runs
 * again when the language changes. Scripts call `t(key, vars)`. The choice
 * is kept in localStorage.
 */
import en from "../i18n/en.js";
import ko from "../i18n/ko.js";

const DICTIONARIES = { en, ko };
const STORAGE_KEY = "jsscada.lang";
/** The languages offered, with their own names. */
export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "ko", name: "한국어" },
];

let lang = readStoredLang();
const listeners = new Set();

function readStoredLang() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && stored in DICTIONARIES) return stored;
  } catch { /* storage blocked: English */ }
  return "en";
}

/** The current language code. */
export function getLang() {
  return lang;
}

/**
 * The text for `key` in the current language, with `{name}` placeholders
 * filled from `vars`. Falls back to English, then to the key itself.
 */
export function t(key, vars) {
  const text = DICTIONARIES[lang][key] ?? en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Fills in every `data-i18n` and `data-i18n-attr` below `root`, and the page's lang. */
export function translate(root = document) {
  if (root === document) document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  const title = document.querySelector("title[data-i18n]");
  if (root === document && title) document.title = t(title.dataset.i18n);
}

/** Switches the language, remembers it, re-translates the page and tells the listeners. */
export function setLang(code) {
  if (!(code in DICTIONARIES) || code === lang) return;
  lang = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch { /* not remembered */ }
  translate(document);
  for (const fn of listeners) fn(lang);
}

/** Calls `fn(lang)` after every language change; returns the unsubscribe. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
