/**
 * The floor of the WebSocket benchmark: a server that does nothing but send,
 * every 100 ms, one values frame shaped like the hub's (57 items, stamped
 * `a` and `t` with the send time) to every connected socket. Measured with
 * the same load processes as the gateway (ws_bench.ts), it shows what the
 * clients' own event loops and Deno's WebSocket transport add on this
 * machine, apart from JSScada. Prints its URL, stops on stdin's end.
 *
 *   deno run -A bench/ws_floor_server.ts
 */

if (import.meta.main) {
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (req.headers.get("upgrade") !== "websocket") return new Response("ws only", { status: 426 });
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => sockets.add(socket);
    socket.onclose = () => sockets.delete(socket);
    socket.onmessage = (e) => {
      // The load's subscribe: answer with a snapshot-sized frame, as the hub would.
      if (String(e.data).includes('"subscribe"')) socket.send(frame(3491));
    };
    return response;
  });
  const frame = (n: number) => {
    const now = Date.now();
    const items = Array.from(
      { length: n },
      (_, i) => `{"id":${i + 1},"c":"TAG${i + 1}","v":${i * 1.5},"q":"good","t":${now},"a":${now}}`,
    );
    return `{"type":"values","items":[${items.join(",")}]}`;
  };
  const timer = setInterval(() => {
    const text = frame(57);
    for (const s of sockets) s.send(text);
  }, 100);
  console.log(JSON.stringify({ base: `http://127.0.0.1:${server.addr.port}`, token: "none" }));
  for await (const _ of Deno.stdin.readable) { /* until the parent closes stdin */ }
  clearInterval(timer);
  for (const s of sockets) s.close();
  await server.shutdown();
  Deno.exit(0);
}
