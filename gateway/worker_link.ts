/**
 * The main thread's end of one data-plane worker: starts the Deno Worker,
 * hands its messages to a listener, matches replies to requests (with a
 * timeout) and reports a crash — an uncaught error inside the worker — once,
 * without letting it reach the main thread. The supervising actor
 * (actors/worker_actor.ts) restarts a crashed worker.
 */
import type { Reply } from "./worker_messages.ts";

/** A request's own failure: the worker crashed, was terminated, or did not answer in time. */
export class WorkerRequestError extends Error {
  override name = "WorkerRequestError";
}

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** A running worker. */
export class WorkerLink<TIn extends { type: string }, TOut extends { type: string }> {
  readonly name: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #closed = false;
  #onCrash: (error: string) => void;

  /**
   * Starts `url` as a module worker. `onMessage` gets every message that is
   * not a reply; `onCrash` is called once if the worker dies of an error.
   */
  constructor(
    url: URL,
    name: string,
    onMessage: (message: TOut) => void,
    onCrash: (error: string) => void,
  ) {
    this.name = name;
    this.#onCrash = onCrash;
    this.#worker = new Worker(url, { type: "module", name });
    this.#worker.onmessage = (e: MessageEvent<TOut>) => {
      const m = e.data;
      if (m.type === "reply") this.#settle(m as unknown as Reply);
      else {
        try {
          onMessage(m);
        } catch (err) {
          this.#crash(`handling "${m.type}" from ${name} failed: ${String(err)}`);
        }
      }
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#crash(e.message || String(e.error));
    };
    this.#worker.onmessageerror = () => this.#crash(`${name} sent a message that cannot be read`);
  }

  /** Posts a message (transferring `transfer`). Does nothing once closed. */
  post(message: TIn, transfer: Transferable[] = []): void {
    if (!this.#closed) this.#worker.postMessage(message, transfer);
  }

  /**
   * Posts the request `make(id)` and resolves with the reply's value; rejects
   * with a {@link WorkerRequestError} on an error reply, a crash or after `timeoutMs`.
   */
  request<T>(
    make: (id: number) => TIn,
    timeoutMs: number,
    transfer: Transferable[] = [],
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new WorkerRequestError(`${this.name} is not running`));
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new WorkerRequestError(`${this.name} did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#worker.postMessage(make(id), transfer);
    });
  }

  #settle(r: Reply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    this.#pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r.value);
    else p.reject(new WorkerRequestError(r.error));
  }

  #crash(error: string): void {
    if (this.#closed) return;
    this.terminate(`${this.name} crashed: ${error}`);
    this.#onCrash(error);
  }

  /** Whether the worker was terminated (or crashed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the worker at once; pending requests reject with `reason`. */
  terminate(reason = `${this.name} was stopped`): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new WorkerRequestError(reason));
    }
    this.#pending.clear();
  }
}

/**
 * The worker side's reply helper: runs `work` and posts its value, or its
 * error's message, as the reply to request `id`.
 */
export async function answer(
  post: (r: Reply) => void,
  id: number,
  work: () => unknown,
): Promise<void> {
  try {
    post({ type: "reply", id, ok: true, value: await work() });
  } catch (e) {
    post({ type: "reply", id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}
