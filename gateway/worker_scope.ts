/**
 * The worker side of a data-plane worker: its message port to the main
 * thread, typed, without the worker lib's globals (so every file type-checks
 * with the same libs).
 */

/** What a worker module uses of its global scope. */
export interface WorkerScope<TIn, TOut> {
  postMessage(message: TOut, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<TIn>) => void) | null;
  close(): void;
}

/** This worker's scope. */
export function workerScope<TIn, TOut>(): WorkerScope<TIn, TOut> {
  return globalThis as unknown as WorkerScope<TIn, TOut>;
}
