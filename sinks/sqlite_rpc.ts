/**
 * The message protocol between the SQLite sink (main thread) and its worker:
 * numbered requests naming an engine method, answered in order with a result
 * or a plain-data error; id −1 carries maintenance errors of the worker's
 * own timer.
 */
import type { SqliteEngine, SqliteEngineSettings } from "./sqlite_engine.ts";

/** Engine methods the main thread may call. */
export type EngineOp =
  | "write"
  | "ping"
  | "close"
  | "samples"
  | "history"
  | "compact"
  | "pruneOlderThan"
  | "maintain";

/** A request to the worker. */
export type RpcRequest =
  | { readonly id: number; readonly op: "open"; readonly args: [SqliteEngineSettings] }
  | { readonly id: number; readonly op: EngineOp; readonly args: unknown[] };

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** The worker's answer to request `id` (−1: a maintenance error). */
export type RpcResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/** Result type of an engine method, for typed calls. */
export type OpResult<K extends EngineOp> = ReturnType<SqliteEngine[K]>;

/** Turns anything thrown into plain data that survives structured cloning. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { name: "Error", message: String(error) };
}

/** Rebuilds a thrown error on the main thread (RangeError and TypeError keep their class). */
export function deserializeError(e: SerializedError): Error {
  const Ctor = e.name === "RangeError" ? RangeError : e.name === "TypeError" ? TypeError : Error;
  const error = new Ctor(e.message);
  if (Ctor === Error && e.name !== "Error") error.name = e.name;
  if (e.code !== undefined) Object.assign(error, { code: e.code });
  return error;
}
