import assert from "node:assert/strict";
import type net from "node:net";
import { noDelaySockets } from "./postgres_socket.ts";

function settled(socket: net.Socket): Promise<"connect" | string> {
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connect"));
    socket.once("error", (e) => resolve(`error: ${e.message}`));
  });
}

Deno.test("noDelaySockets connects to the URL's host and port and names them on the socket", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  const socket = noDelaySockets()({ host: ["127.0.0.1"], port: [port] });
  try {
    assert.equal(await settled(socket), "connect");
    const conn = await accepted;
    conn.close();
    assert.deepEqual(
      [(socket as unknown as { host: string }).host, (socket as unknown as { port: number }).port],
      ["127.0.0.1", port],
    );
  } finally {
    socket.destroy();
    listener.close();
  }
});

Deno.test("noDelaySockets returns a refused connection as the socket's error event, never a throw", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const socket = noDelaySockets()({ host: ["127.0.0.1"], port: [port] });
  const closed = new Promise((resolve) => socket.once("close", resolve));
  try {
    assert.match(await settled(socket), /^error: /);
    await closed;
  } finally {
    socket.destroy();
  }
});

Deno.test("noDelaySockets takes the URL's hosts in turn", async () => {
  const listeners = [0, 1].map(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  const factory = noDelaySockets();
  const sockets: net.Socket[] = [];
  try {
    for (let k = 0; k < 2; k++) {
      const accepted = listeners[k].accept();
      const socket = factory({ host: ["127.0.0.1", "127.0.0.1"], port: ports });
      sockets.push(socket);
      assert.equal(await settled(socket), "connect");
      (await accepted).close();
      assert.equal((socket as unknown as { port: number }).port, ports[k]);
    }
  } finally {
    for (const s of sockets) s.destroy();
    for (const l of listeners) l.close();
  }
});
