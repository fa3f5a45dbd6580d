/**
 * The gateway as the live API benchmarks run it, in its own process (spawned
 * by live_rig.ts): the same `startGateway` and `startHttpServer` as `jsscada
 * serve`, with the sample plant, rate limiting off (the load comes from one
 * user) and the WebSocket hub stamping each value with its arrival time, so
 * that clients can tell the fan-out delay from the PLC read. Prints one JSON
 * line `{ "base", "token" }` once every PLC is connected; stops on "stop" or
 * the end of stdin.
 *
 *   deno run -A bench/live_child.ts --data-dir DIR                 # fixture PLCs in-process
 *   deno run -A bench/live_child.ts --data-dir DIR --ports '{"PLCPRESS010001":5001,…}'
 */
import { parseArgs } from "node:util";
import { startGateway } from "../gateway/gateway.ts";
import { startHttpServer } from "../gateway/http_server.ts";
import { openDataDirStore } from "../store/store.ts";
import { ensureSamplePlant } from "../store/startup.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "data-dir": { type: "string" },
      ports: { type: "string" },
      "gather-ms": { type: "string" },
    },
  });
  const dataDir = values["data-dir"]!;
  const ports: Record<string, number> | undefined = values.ports
    ? JSON.parse(values.ports)
    : undefined;
  if (ports) {
    const store = openDataDirStore(dataDir);
    try {
      ensureSamplePlant(store);
      for (const [code, port] of Object.entries(ports)) {
        const plc = store.plcs.getByCode(code);
        store.plcs.update(plc.id, { host: "127.0.0.1", port }, { actor: "bench" });
      }
    } finally {
      store.close();
    }
  }
  const gateway = await startGateway({
    dataDir,
    samplePlant: true,
    fixture: ports ? false : "any",
    env: { JSSCADA_ADMIN_PASSWORD: "bench-admin-password" },
    print: () => {},
  });
  const server = await startHttpServer(
    gateway,
    {
      hostname: "127.0.0.1",
      port: 0,
      tls: undefined,
      anonymousRead: false,
      rateLimitPerMinute: 0,
      // Every simulated browser comes from 127.0.0.1 as one user.
      hardening: { importMaxRows: 200_000, wsMaxPerAddress: 10_000, wsMaxPerUser: 10_000 },
    },
    [],
    {
      arrivalStamps: true,
      ...(values["gather-ms"] ? { gatherMs: Number(values["gather-ms"]) } : {}),
    },
  );
  const admin = gateway.store.users.list({ limit: 10 }).items.find((u) => u.name === "admin")!;
  const token = gateway.store.tokens.create({ name: "bench", userId: admin.id }).token;
  for (let i = 0; i < 200; i++) {
    const plcs = gateway.runtime.status().plcs;
    if (plcs.every((p) => p.status?.state === "connected")) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(JSON.stringify({ base: `http://127.0.0.1:${server.port}`, token }));
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await lines.read();
    if (done || value.includes("stop")) break;
  }
  await server.shutdown();
  await gateway.stop();
  Deno.exit(0);
}
