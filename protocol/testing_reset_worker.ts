/// <reference lib="deno.worker" />
/**
 * Worker side of {@link resetBeforeAccept}: opens `count` TCP connections to
 * 127.0.0.1:`port`, resets each (SO_LINGER 0 through node:net's
 * resetAndDestroy) as soon as it is connected, then flags the shared word.
 */
import net from "node:net";

self.onmessage = async (e: MessageEvent) => {
  const { port, count, shared } = e.data as {
    port: number;
    count: number;
    shared: SharedArrayBuffer;
  };
  const flag = new Int32Array(shared);
  let reset = 0;
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          reset++;
          s.resetAndDestroy();
        });
        s.on("close", () => resolve());
        s.on("error", () => {});
      })),
  );
  Atomics.store(flag, 1, reset);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
