/**
 * The REST client of the pages: `fetch` under /api/v1 with the session
 * cookie, the CSRF header on every change (`X-Requested-With: jsscada`),
 * JSON in and out, and one error type carrying the server's `{ error,
 * message, issues }`. A 401 sends the browser to the login page and back.
 */
import { t } from "./i18n.js";

/** Where the REST API lives. */
export const API_BASE = "/api/v1";

/** An answer other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(status, body, headers) {
    const message = body && typeof body === "object" && typeof body.message === "string"
      ? body.message
      : typeof body === "string" && body
      ? body
      : t("error.status", { status });
    super(message);
    this.name = "ApiError";
    this.status = status;
    /** The stable error code (`validation`, `conflict`, `csrf` …), or `network`. */
    this.code = body && typeof body === "object" ? body.error : undefined;
    /** `[{ path, message }]` from a 400. */
    this.issues = body && typeof body === "object" && Array.isArray(body.issues) ? body.issues : [];
    this.body = body;
    this.headers = headers;
  }

  /** The route does not exist on this server (an older server, or a feature not built yet). */
  get missing() {
    return this.status === 404 && this.code === "not_found" && /no route/i.test(this.message);
  }
}

/** The login page's address, returning to where the user is now. */
export function loginUrl() {
  const here = location.pathname + location.search + location.hash;
  return `/login?next=${encodeURIComponent(here)}`;
}

/** Builds `/api/v1/<path>?<query>`, skipping empty query values. */
export function apiUrl(path, query) {
  const url = new URL(path.startsWith("/") ? path : `${API_BASE}/${path}`, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    url.searchParams.set(k, String(v));
  }
  return url.pathname + url.search;
}

/**
 * Sends one request. `body`: an object (sent as JSON), or a string, Blob or
 * FormData sent as is (give `headers["Content-Type"]` for strings).
 * `allow401`: hand a 401 to the caller instead of going to the login page.
 */
export async function request(method, path, options = {}) {
  const { query, body, headers = {}, allow401 = false, signal } = options;
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...headers },
    signal,
  };
  if (method !== "GET" && method !== "HEAD") init.headers["X-Requested-With"] = "jsscada";
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob || body instanceof FormData) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  let res;
  try {
    res = await fetch(apiUrl(path, query), init);
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, { error: "network", message: t("error.network") });
  }
  const type = res.headers.get("Content-Type") ?? "";
  let parsed = null;
  if (res.status !== 204) {
    parsed = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  }
  if (res.status === 401 && !allow401) {
    location.assign(loginUrl());
    throw new ApiError(401, parsed, res.headers);
  }
  if (!res.ok) throw new ApiError(res.status, parsed, res.headers);
  return parsed;
}

/** Shorthands. */
export const api = {
  get: (path, query, options) => request("GET", path, { ...options, query }),
  post: (path, body, options) => request("POST", path, { ...options, body }),
  patch: (path, body, options) => request("PATCH", path, { ...options, body }),
  del: (path, query, options) => request("DELETE", path, { ...options, query }),
};

/**
 * Every item of a list endpoint, page by page (`limit` per request), for
 * lists the pages keep whole (the plant's 3,491 tags, its groups …).
 */
export async function getAll(path, query = {}, limit = 1000) {
  const first = await api.get(path, { ...query, limit, offset: 0 });
  const items = [...first.items];
  const total = typeof first.total === "number" ? first.total : items.length;
  const pages = [];
  for (let offset = items.length; offset < total && first.items.length > 0;) {
    pages.push(api.get(path, { ...query, limit, offset }));
    offset += first.items.length;
  }
  for (const page of await Promise.all(pages)) items.push(...page.items);
  return items;
}
