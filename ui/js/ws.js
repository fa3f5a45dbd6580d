/**
 * The live connection: a WebSocket to /ws (the session cookie authenticates
 * it) that reconnects with exponential backoff and jitter, re-sends the
 * subscription after each reconnect, pings to notice a dead link, and shows
 * a "disconnected — reconnecting…" banner while it is down.
 *
 * Messages are dispatched by `type` to the handlers given to `on(type, fn)`:
 * `hello`, `values`, `status`, `alarms`, `pong`, `error`; plus the pseudo
 * types `open` (after every (re)connect) and `close`.
 */
import { t } from "./i18n.js";

/** Backoff: first retry after 0.5 s, doubling up to 15 s. */
const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
/** A link without any message for this long is treated as dead (status comes every 1 s). */
const SILENCE_MS = 15_000;
const PING_MS = 10_000;
/** The banner waits this long on the first connect, so a normal page load does not flash it. */
const FIRST_GRACE_MS = 1_500;

/** A reconnecting WebSocket. */
export class LiveSocket {
  #url;
  #subscription;
  #handlers = new Map();
  #ws = null;
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #lastMessageAt = 0;
  #stopped = false;
  #everOpen = false;
  #banner;
  #indicator;
  #graceTimer = 0;

  /**
   * `subscription`: the subscribe message's fields (`{ all: true }`,
   * `{ tags: [...] }`, `{ groups: [...] }`). `banner`: the element shown
   * while disconnected; `indicator`: the header's small state label.
   */
  constructor({ path = "/ws", subscription = { all: true }, banner, indicator } = {}) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.#url = `${scheme}//${location.host}${path}`;
    this.#subscription = subscription;
    this.#banner = banner;
    this.#indicator = indicator;
  }

  /** `"connecting"`, `"open"` or `"closed"`. */
  get state() {
    if (this.#ws?.readyState === WebSocket.OPEN) return "open";
    if (this.#ws?.readyState === WebSocket.CONNECTING) return "connecting";
    return "closed";
  }

  /** Registers a handler for one message type; returns the unsubscribe. */
  on(type, fn) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(fn);
    return () => this.#handlers.get(type)?.delete(fn);
  }

  /** Connects (and keeps reconnecting until `stop`). */
  start() {
    this.#stopped = false;
    this.#showState("connecting");
    this.#graceTimer = setTimeout(() => {
      if (this.state !== "open") this.#showBanner(true);
    }, FIRST_GRACE_MS);
    this.#connect();
    this.#pingTimer = setInterval(() => this.#keepAlive(), PING_MS);
  }

  /** Closes for good. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#graceTimer);
    clearInterval(this.#pingTimer);
    this.#ws?.close(1000, "page closed");
    this.#ws = null;
  }

  /** Sends a message if connected; answers whether it was sent. */
  send(message) {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  /** Changes the subscription (sent now if connected, and after each reconnect). */
  subscribe(subscription) {
    this.#subscription = subscription;
    this.send({ type: "subscribe", ...subscription });
  }

  #connect() {
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    ws.addEventListener("open", () => {
      if (this.#ws !== ws) return;
      this.#attempt = 0;
      this.#everOpen = true;
      this.#lastMessageAt = Date.now();
      clearTimeout(this.#graceTimer);
      this.#showBanner(false);
      this.#showState("open");
      ws.send(JSON.stringify({ type: "subscribe", ...this.#subscription }));
      this.#emit("open", {});
    });
    ws.addEventListener("message", (e) => {
      if (this.#ws !== ws) return;
      this.#lastMessageAt = Date.now();
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg && typeof msg.type === "string") this.#emit(msg.type, msg);
    });
    ws.addEventListener("close", () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#emit("close", {});
      if (!this.#stopped) this.#scheduleRetry();
    });
    // An error is always followed by close; nothing to do here.
    ws.addEventListener("error", () => {});
  }

  #scheduleRetry() {
    this.#attempt++;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.#attempt - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#showState("closed");
    if (this.#everOpen || this.#attempt > 1) this.#showBanner(true, delay);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#showState("connecting");
      this.#connect();
    }, delay);
  }

  #keepAlive() {
    if (this.#ws?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.#lastMessageAt > SILENCE_MS) {
      // Silent for too long: drop this link and reconnect.
      const ws = this.#ws;
      this.#ws = null;
      ws.close(4000, "no messages");
      this.#emit("close", {});
      this.#scheduleRetry();
      return;
    }
    this.send({ type: "ping" });
  }

  #emit(type, msg) {
    for (const fn of this.#handlers.get(type) ?? []) {
      try {
        fn(msg);
      } catch (e) {
        console.error(`handler of "${type}" failed`, e);
      }
    }
  }

  #showBanner(show, delayMs) {
    document.body.classList.toggle("live-down", show);
    const banner = this.#banner;
    if (!banner) return;
    // The banner stays in the page as a live region; only its text and look change.
    const text = banner.querySelector("[data-banner-text]") ?? banner;
    banner.classList.toggle("is-shown", show);
    banner.dataset.shown = String(show);
    text.textContent = !show
      ? ""
      : delayMs === undefined
      ? t("conn.reconnecting")
      : t("conn.reconnectingIn", {
        attempt: this.#attempt,
        seconds: Math.max(1, Math.round(delayMs / 1000)),
      });
  }

  #showState(state) {
    const el = this.#indicator;
    if (!el) return;
    el.dataset.state = state;
    el.dataset.i18n = `conn.${state}`;
    el.textContent = t(`conn.${state}`);
  }
}
