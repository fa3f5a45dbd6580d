/**
 * The browser UI: the pages (/login, /monitor, /admin; / goes to /monitor)
 * and their files under /ui/ (stylesheet, ES modules, dictionaries, icon)
 * plus uPlot under /ui/vendor/. Every file is imported as text, so it is part
 * of the module graph and `deno compile` embeds it with no --include, and
 * nothing is read from disk at run time. Answers carry an ETag (a hash of
 * the content) and `Cache-Control: no-cache`, so browsers revalidate with a
 * cheap 304 and a new binary's files are picked up at once.
 *
 * These routes are outside /api/v1 and not in the OpenAPI document; they are
 * public (the data behind the pages is not: the pages call the API, which
 * checks the session). The app's security headers apply to them: the pages
 * use no inline script or style, so `default-src 'self'` holds.
 */
import { createHash } from "node:crypto";
import type { Context, Env, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "./auth_middleware.ts";
import type { ApiApp, RouteContext } from "./context.ts";
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import adminHtml from "../ui/admin.html" with { type: "text" };
import loginHtml from "../ui/login.html" with { type: "text" };
import monitorHtml from "../ui/monitor.html" with { type: "text" };
import favicon from "../ui/favicon.svg" with { type: "text" };
import appCss from "../ui/css/app.css" with { type: "text" };
import enJs from "../ui/i18n/en.js" with { type: "text" };
import koJs from "../ui/i18n/ko.js" with { type: "text" };
import adminJs from "../ui/js/admin.js" with { type: "text" };
import adminAuditJs from "../ui/js/admin_audit.js" with { type: "text" };
import adminCrudJs from "../ui/js/admin_crud.js" with { type: "text" };
import adminCsvJs from "../ui/js/admin_csv.js" with { type: "text" };
import adminResourcesJs from "../ui/js/admin_resources.js" with { type: "text" };
import adminRuntimeJs from "../ui/js/admin_runtime.js" with { type: "text" };
import adminTokensJs from "../ui/js/admin_tokens.js" with { type: "text" };
import alarmsJs from "../ui/js/alarms.js" with { type: "text" };
import apiJs from "../ui/js/api.js" with { type: "text" };
import dialogJs from "../ui/js/dialog.js" with { type: "text" };
import domJs from "../ui/js/dom.js" with { type: "text" };
import faceplateJs from "../ui/js/faceplate.js" with { type: "text" };
import formJs from "../ui/js/form.js" with { type: "text" };
import i18nJs from "../ui/js/i18n.js" with { type: "text" };
import loginJs from "../ui/js/login.js" with { type: "text" };
import monitorJs from "../ui/js/monitor.js" with { type: "text" };
import plantOverviewJs from "../ui/js/plant_overview.js" with { type: "text" };
import sessionJs from "../ui/js/session.js" with { type: "text" };
import sparklineJs from "../ui/js/sparkline.js" with { type: "text" };
import tagTableJs from "../ui/js/tag_table.js" with { type: "text" };
import trendJs from "../ui/js/trend.js" with { type: "text" };
import wsJs from "../ui/js/ws.js" with { type: "text" };

/** One served file: its content, media type and validator. */
export interface UiAsset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const SVG = "image/svg+xml";

function asset(body: string, type: string): UiAsset {
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 22);
  return { body, type, etag: `"${hash}"` };
}

/** The pages, by path. */
export const UI_PAGES: ReadonlyMap<string, UiAsset> = new Map([
  ["/login", asset(loginHtml, HTML)],
  ["/monitor", asset(monitorHtml, HTML)],
  ["/admin", asset(adminHtml, HTML)],
]);

/** The files the pages load, by path (ui/<file> is served as /ui/<file>). */
export const UI_ASSETS: ReadonlyMap<string, UiAsset> = new Map([
  ["/ui/favicon.svg", asset(favicon, SVG)],
  ["/ui/css/app.css", asset(appCss, CSS)],
  ["/ui/i18n/en.js", asset(enJs, JS)],
  ["/ui/i18n/ko.js", asset(koJs, JS)],
  ["/ui/js/admin.js", asset(adminJs, JS)],
  ["/ui/js/admin_audit.js", asset(adminAuditJs, JS)],
  ["/ui/js/admin_crud.js", asset(adminCrudJs, JS)],
  ["/ui/js/admin_csv.js", asset(adminCsvJs, JS)],
  ["/ui/js/admin_resources.js", asset(adminResourcesJs, JS)],
  ["/ui/js/admin_runtime.js", asset(adminRuntimeJs, JS)],
  ["/ui/js/admin_tokens.js", asset(adminTokensJs, JS)],
  ["/ui/js/alarms.js", asset(alarmsJs, JS)],
  ["/ui/js/api.js", asset(apiJs, JS)],
  ["/ui/js/dialog.js", asset(dialogJs, JS)],
  ["/ui/js/dom.js", asset(domJs, JS)],
  ["/ui/js/faceplate.js", asset(faceplateJs, JS)],
  ["/ui/js/form.js", asset(formJs, JS)],
  ["/ui/js/i18n.js", asset(i18nJs, JS)],
  ["/ui/js/login.js", asset(loginJs, JS)],
  ["/ui/js/monitor.js", asset(monitorJs, JS)],
  ["/ui/js/plant_overview.js", asset(plantOverviewJs, JS)],
  ["/ui/js/session.js", asset(sessionJs, JS)],
  ["/ui/js/sparkline.js", asset(sparklineJs, JS)],
  ["/ui/js/tag_table.js", asset(tagTableJs, JS)],
  ["/ui/js/trend.js", asset(trendJs, JS)],
  ["/ui/js/ws.js", asset(wsJs, JS)],
  ["/ui/vendor/uplot.js", asset(uplotJs, JS)],
  ["/ui/vendor/uplot.css", asset(uplotCss, CSS)],
]);

/** Where `/` sends the browser. */
export const UI_HOME = "/monitor";
/** The login page (the only page shown without a session). */
export const UI_LOGIN = "/login";

/** Options of {@link registerUiRoutes}. */
export interface UiRouteOptions {
  /**
   * Whether the request carries a valid session. When given and false, the
   * monitor and admin pages answer with a redirect to the login page (which
   * returns to them), so the browser never loads a page only to be sent
   * away. Leave it out when anonymous visitors may read (anonymousRead).
   */
  readonly hasSession?: (c: Context) => boolean;
}

/** Answers one file, or 304 when the browser's copy (If-None-Match) is current. */
function send(c: Context, file: UiAsset): Response {
  const headers = { ETag: file.etag, "Cache-Control": "no-cache" };
  const match = c.req.header("If-None-Match");
  if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === file.etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(file.body, 200, { ...headers, "Content-Type": file.type });
}

/**
 * Adds the UI's routes to `app` (the app from createApp, so its security
 * headers and error handling apply). Unknown /ui/ paths get the app's 404.
 */
export function registerUiRoutes<E extends Env>(
  app: Hono<E>,
  options: UiRouteOptions = {},
): void {
  const { hasSession } = options;
  app.get("/", (c) => c.redirect(UI_HOME, 302));
  for (const [path, page] of UI_PAGES) {
    app.get(path, (c) => {
      if (path !== UI_LOGIN && hasSession && !hasSession(c)) {
        const url = new URL(c.req.url);
        return c.redirect(`${UI_LOGIN}?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
      }
      return send(c, page);
    });
  }
  app.get("/ui/*", (c) => {
    const file = UI_ASSETS.get(c.req.path);
    return file ? send(c, file) : c.notFound();
  });
}

/**
 * {@link registerUiRoutes} as a route module, for createApp's `rootRoutes`:
 * pages need a session unless the server allows anonymous reading.
 */
export function uiRoutes(app: ApiApp, { store, options }: RouteContext): void {
  registerUiRoutes(app, {
    hasSession: options.anonymousRead ? undefined : (c) => {
      const id = getCookie(c, SESSION_COOKIE);
      return id !== undefined && store.sessions.verify(id) !== null;
    },
  });
}
