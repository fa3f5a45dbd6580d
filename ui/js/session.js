/**
 * What every signed-in page does first: translate the static labels, find
 * out who is logged in (GET /auth/me), mark the page with the user's role so
 * that controls the role may not use stay hidden (the server refuses them
 * anyway), and wire the header: user name, language switch, log out, and
 * the keyboard shortcut help.
 */
import { api, ApiError, loginUrl } from "./api.js";
import { openDialog } from "./dialog.js";
import { byId, h, isTyping } from "./dom.js";
import { getLang, LANGUAGES, setLang, t, translate } from "./i18n.js";

const ROLES = ["viewer", "operator", "admin"];

/** Whether `role` is at least `needed` (viewer < operator < admin). */
export function roleAtLeast(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Starts the page: `{ user, role, can(role) }`. `user` is null when the
 * server lets anonymous visitors read (anonymousRead); otherwise an
 * anonymous visitor is sent to the login page.
 */
export async function startSession(page) {
  translate(document);
  setupLanguageSelect();
  for (const link of document.querySelectorAll(".mainnav a[data-page]")) {
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
  }
  let user = null;
  try {
    const me = await api.get("auth/me", undefined, { allow401: true });
    user = me.user;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    // Nobody is logged in: the server may still allow reading (wall-mounted dashboards).
    try {
      await api.get("lines", { limit: 1 }, { allow401: true });
    } catch {
      location.assign(loginUrl());
      return new Promise(() => {});
    }
  }
  const role = user?.role ?? "anonymous";
  const body = document.body;
  body.dataset.role = role;
  body.classList.toggle("logged-in", user !== null);
  body.classList.toggle("can-operate", user !== null && roleAtLeast(role, "operator"));
  body.classList.toggle("can-admin", user !== null && roleAtLeast(role, "admin"));
  showUser(user);
  setupShortcutHelp();
  return {
    user,
    role,
    /** Whether the user has at least this role. */
    can: (needed) => user !== null && roleAtLeast(role, needed),
  };
}

function showUser(user) {
  const name = byId("user-name");
  const role = byId("user-role");
  const logout = byId("logout");
  const login = byId("login-link");
  if (user) {
    name.textContent = user.name;
    role.dataset.i18n = `role.${user.role}`;
    role.textContent = t(`role.${user.role}`);
    role.dataset.role = user.role;
    logout.hidden = false;
    login.hidden = true;
  } else {
    name.textContent = t("auth.anonymous");
    role.textContent = "";
    logout.hidden = true;
    login.hidden = false;
    login.href = loginUrl();
  }
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    try {
      await api.post("auth/logout");
    } catch { /* the session is gone either way */ }
    location.assign("/login");
  });
}

/** Fills the header's language select and switches on change. */
export function setupLanguageSelect() {
  const select = document.getElementById("lang-select");
  if (!select) return;
  for (const { code, name } of LANGUAGES) {
    select.append(h("option", { value: code, text: name, lang: code }));
  }
  select.value = getLang();
  select.addEventListener("change", () => setLang(select.value));
}

const shortcuts = [];

/** Adds a one-key shortcut (ignored while typing or in a dialog), listed in the "?" help. */
export function addShortcut(key, labelKey, fn) {
  shortcuts.push({ key, labelKey, fn });
}

function setupShortcutHelp() {
  addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
    if (e.key === "?") {
      e.preventDefault();
      showShortcutHelp();
      return;
    }
    const s = shortcuts.find((s) => s.key === e.key);
    if (s) {
      e.preventDefault();
      s.fn();
    }
  });
  const help = document.getElementById("shortcut-help");
  help?.addEventListener("click", showShortcutHelp);
}

function showShortcutHelp() {
  const rows = [
    ...shortcuts.map((s) => [s.key, t(s.labelKey)]),
    ["?", t("keys.help")],
    ["Esc", t("keys.close")],
    ["Tab", t("keys.tab")],
  ];
  openDialog({
    title: t("keys.title"),
    testId: "shortcut-dialog",
    body: h(
      "table",
      { class: "data-table compact" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col", i18n: "keys.key" }),
          h("th", {
            scope: "col",
            i18n: "keys.action",
          }),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map(([k, label]) =>
          h("tr", {}, h("td", {}, h("kbd", { text: k })), h("td", { text: label }))
        ),
      ),
    ),
    actions: [{ label: t("action.close"), value: "close", primary: true }],
  });
}
