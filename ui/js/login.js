/**
 * The login page: POST /api/v1/auth/login with name and password; on
 * success, back to the page that sent the user here (`?next=`, same site
 * only), else to the monitor. Wrong logins and the rate limit (429 with
 * Retry-After) are shown above the form.
 */
import { api, ApiError } from "./api.js";
import { byId } from "./dom.js";
import { t, translate } from "./i18n.js";
import { setupLanguageSelect } from "./session.js";

/**
 * Where to go after logging in: a path on this site, never another site.
 * The server's redirect to this page keeps the fragment (`#groups`), so it
 * is carried on to the page.
 */
export function nextPath(search = location.search, hash = location.hash) {
  const next = new URLSearchParams(search).get("next");
  if (!isSameOriginPath(next) || next.startsWith("/login")) return "/monitor";
  return next.includes("#") ? next : next + hash;
}

/**
 * True for a path on this site only: it starts with one slash, holds no
 * control character (a URL parser drops tab and newline, so `/\t/evil` would
 * become `//evil`), no backslash (read as a slash), and resolves to the
 * same origin.
 */
export function isSameOriginPath(next) {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return false;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return false;
  const base = "http://same-origin.invalid";
  try {
    return new URL(next, base).origin === base;
  } catch {
    return false;
  }
}

function start() {
  translate(document);
  setupLanguageSelect();
  const form = byId("login-form");
  const name = byId("login-name");
  const password = byId("login-password");
  const error = byId("login-error");
  const submit = byId("login-submit");
  const showError = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  name.focus();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    if (!name.value.trim() || !password.value) {
      showError(t("login.missing"));
      (name.value.trim() ? password : name).focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await api.post("auth/login", { name: name.value.trim(), password: password.value }, {
        allow401: true,
      });
      location.assign(nextPath());
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const seconds = Number(err.headers?.get("Retry-After")) || 60;
        showError(t("login.rateLimited", { seconds }));
      } else if (err instanceof ApiError && err.status === 401) {
        showError(t("login.wrong"));
      } else {
        showError(err instanceof Error ? err.message : String(err));
      }
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
}

// Imported by the unit test outside a browser: only a page starts the form.
if (typeof document !== "undefined") start();
