/**
 * Test tool: clients that connect and reset before the server accepts them.
 * The calling thread (and its event loop, hence every listener in it) is
 * blocked while a worker thread connects and resets, so each connection sits
 * in the kernel's accept queue already reset; the listener's next accepts then
 * meet them (Deno throws `NotConnected`). Used by the listener tests.
 */

/**
 * Makes `count` connections to 127.0.0.1:`port` that reset (SO_LINGER 0)
 * before this thread can accept them; resolves to how many connected and were
 * reset (0 means the test proved nothing).
 */
export async function resetBeforeAccept(port: number, count = 8): Promise<number> {
  const shared = new SharedArrayBuffer(8);
  const flag = new Int32Array(shared);
  const worker = new Worker(new URL("./testing_reset_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    worker.postMessage({ port, count, shared });
    // Block this thread (no accept can run) until the worker has reset them all.
    Atomics.wait(flag, 0, 0, 10_000);
    return Atomics.load(flag, 1);
  } finally {
    worker.terminate();
    // Let the terminated worker's resources go before the test's leak check.
    await new Promise((r) => setTimeout(r, 0));
  }
}
