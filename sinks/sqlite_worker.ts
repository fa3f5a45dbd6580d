/**
 * Worker entry of the SQLite sink: owns the SqliteEngine and answers the main
 * thread's requests one at a time, so SQLite's synchronous work (writes,
 * trend queries, compaction, retention) never holds the main event loop.
 * Protocol: sinks/sqlite_rpc.ts.
 */
import { SqliteEngine } from "./sqlite_engine.ts";
import { type RpcRequest, type RpcResponse, serializeError } from "./sqlite_rpc.ts";

const port = globalThis as unknown as {
  postMessage(message: RpcResponse): void;
  addEventListener(type: "message", listener: (event: MessageEvent<RpcRequest>) => void): void;
  close(): void;
};

let engine: SqliteEngine | undefined;

port.addEventListener("message", ({ data: req }) => {
  try {
    let result: unknown;
    if (req.op === "open") {
      engine = new SqliteEngine(req.args[0], Date.now, (error) => {
        port.postMessage({ id: -1, ok: false, error: serializeError(error) });
      });
    } else if (engine === undefined) {
      throw new Error("the SQLite engine is not open");
    } else {
      const method = engine[req.op] as (...args: unknown[]) => unknown;
      result = method.apply(engine, req.args);
    }
    port.postMessage({ id: req.id, ok: true, result });
  } catch (error) {
    port.postMessage({ id: req.id, ok: false, error: serializeError(error) });
  }
  if (req.op === "close") port.close();
});
