import assert from "node:assert/strict";
import { acceptLoop } from "./accept_loop.ts";
import { PlcClient } from "./client.ts";
import { FakeMcServer } from "./fake_mc_server.ts";
import { resetBeforeAccept } from "./testing_reset_clients.ts";

Deno.test("the accept loop survives NotConnected, ConnectionReset and ConnectionAborted", async () => {
  const script: (() => Promise<string>)[] = [
    () => Promise.reject(new Deno.errors.NotConnected("gone")),
    () => Promise.resolve("a"),
    () => Promise.reject(new Deno.errors.ConnectionReset("reset")),
    () => Promise.reject(new Deno.errors.ConnectionAborted("aborted")),
    () => Promise.resolve("b"),
    () => Promise.reject(new Deno.errors.BadResource("listener closed")),
    () => Promise.resolve("never"),
  ];
  const accepted: string[] = [];
  const errors: unknown[] = [];
  await acceptLoop({ accept: () => script.shift()!() }, {
    isOpen: () => true,
    onConnection: (c) => accepted.push(c),
    onError: (e) => errors.push(e),
  });
  assert.deepEqual(accepted, ["a", "b"]);
  assert.equal(errors.length, 3);
  assert.equal(script.length, 1); // ended at BadResource
});

Deno.test("the accept loop backs off after other errors and ends once its owner closed", async () => {
  let open = true;
  let calls = 0;
  const accepted: string[] = [];
  await acceptLoop({
    accept: () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error("EMFILE: too many open files"));
      if (calls === 2) return Promise.resolve("x");
      open = false;
      return Promise.reject(new Error("whatever the closed listener throws"));
    },
  }, { isOpen: () => open, onConnection: (c) => accepted.push(c), backoffMs: 1 });
  assert.deepEqual(accepted, ["x"]);
  assert.equal(calls, 3);
});

Deno.test("the fake MC server keeps serving after clients that reset before being accepted", async () => {
  const server = FakeMcServer.start();
  const client = new PlcClient({ host: "127.0.0.1", port: server.port, frame: "binary" });
  try {
    const reset = await resetBeforeAccept(server.port, 8);
    assert.ok(reset > 0, "the resetting clients connected");
    server.memory("D")[5] = 4321;
    const res = await client.request({
      command: "readWords",
      head: { device: "D", address: 5 },
      points: 1,
    });
    assert.deepEqual([...res.words], [4321]);
    assert.ok(server.acceptErrors >= 1, "the resets did reach accept()");
  } finally {
    await client.close();
    await server.close();
  }
});
