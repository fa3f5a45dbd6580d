/**
 * The worker entry of CSV import checks (csv_check.ts): one request in, one
 * result out. Referenced through `new URL(…, import.meta.url)`, so
 * `deno compile` needs it in its `--include` list.
 */
import { checkCsv, type CsvCheckRequest, type CsvCheckResult } from "./csv_check.ts";

const port = globalThis as unknown as {
  postMessage(message: CsvCheckResult): void;
  addEventListener(type: "message", listener: (event: MessageEvent<CsvCheckRequest>) => void): void;
};

port.addEventListener("message", ({ data }) => port.postMessage(checkCsv(data)));
