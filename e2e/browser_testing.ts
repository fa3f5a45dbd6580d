/**
 * Helpers of the browser tests: Debian's Chromium launched headless through
 * playwright-core (never a downloaded browser), a watcher that collects every
 * console message, page error and Content-Security-Policy violation of a
 * page, and screenshots saved under artifacts/screenshots/.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "./testing.ts";

/** Debian's Chromium (package `chromium`); the browser tests drive nothing else. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether Debian's Chromium is installed (the browser tests are skipped, loudly, without it). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches Chromium headless, without the sandbox (containers and CI have no
 * user namespaces) and without any traffic of its own (background
 * networking, component updates, sync, QUIC): the tests talk only to the
 * gateway on 127.0.0.1. Playwright gives it a fresh temporary profile.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** Where the screenshots go (git-ignored). */
export const SCREENSHOT_DIR = join(REPO_ROOT, "artifacts", "screenshots");

/** Saves a screenshot of the page as `<SCREENSHOT_DIR>/<name>.png`; answers the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled", caret: "hide" });
  return path;
}

/**
 * Removes the screenshots a previous run left (`NN-*.png`, `failed-*.png`),
 * so that the folder shows this run only.
 */
export async function clearScreenshots(): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const name of await readdir(SCREENSHOT_DIR)) {
    if (/^(\d\d-|failed-).*\.png$/.test(name)) await rm(join(SCREENSHOT_DIR, name));
  }
}

/** Name of the binding the page calls with each `securitypolicyviolation` event. */
const CSP_BINDING = "__jsscadaCspViolation";

/**
 * Everything a page said that a test wants to see empty: console errors,
 * uncaught exceptions and CSP violations (reported by the browser both as a
 * `securitypolicyviolation` event and as a "Refused to …" console message),
 * each with the address of the page it happened on. Every console message
 * and every answer of 400 or more is kept too, to explain a failure.
 */
export class PageWatch {
  /** Console messages of type error, and uncaught page errors. */
  readonly errors: string[] = [];
  /** CSP violations. */
  readonly csp: string[] = [];
  /** Every console message (type and text). */
  readonly console: string[] = [];
  /** Answers with status 400 or more: `status method url`. */
  readonly failedResponses: string[] = [];
  /** Requests made, with their URL (for "was this done over REST?" checks). */
  readonly requests: string[] = [];

  private constructor(readonly page: Page) {}

  /** Starts watching `page` (before its first navigation, so nothing is missed). */
  static async attach(page: Page): Promise<PageWatch> {
    const w = new PageWatch(page);
    page.on("console", (msg) => {
      const text = msg.text();
      const where = msg.location();
      const line = `${page.url()}: [${msg.type()}] ${text}` +
        (where.url ? ` (${where.url}:${where.lineNumber})` : "");
      w.console.push(line);
      if (msg.type() === "error") w.errors.push(line);
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(text)) w.csp.push(line);
    });
    page.on("pageerror", (e) => w.errors.push(`${page.url()}: uncaught ${e.stack ?? e.message}`));
    page.on("request", (r) => w.requests.push(r.url()));
    page.on("response", (r) => {
      if (r.status() >= 400) {
        w.failedResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`);
      }
    });
    await page.exposeFunction(CSP_BINDING, (report: string) => {
      w.csp.push(`${page.url()}: securitypolicyviolation ${report}`);
    });
    // Injected by the browser's debugging protocol, so the page's own CSP does not apply to it.
    await page.addInitScript({
      content: `document.addEventListener("securitypolicyviolation", (e) => {
        globalThis.${CSP_BINDING}?.(
          e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
            (e.sourceFile || "?") + ":" + e.lineNumber + " " + (e.sample || ""),
        );
      });`,
    });
    return w;
  }

  /** A summary of what went wrong, for assertion messages. */
  report(): string {
    return [
      `errors: ${JSON.stringify(this.errors, null, 2)}`,
      `CSP violations: ${JSON.stringify(this.csp, null, 2)}`,
      `answers >= 400: ${JSON.stringify(this.failedResponses, null, 2)}`,
    ].join("\n");
  }
}
