/**
 * The worker entry of CSV and GX Works import checks (csv_check.ts): one request in, one
 * result out. Referenced through `new URL(…, import.meta.url)`, so
 * `deno compile` needs it in its `--include` list.
 */
import {
  checkCsv,
  checkGxWorks,
  type CsvCheckRequest,
  type CsvCheckResult,
  type GxCheckRequest,
  type GxCheckResult,
} from "./csv_check.ts";

const port = globalThis as unknown as {
  postMessage(message: CsvCheckResult | GxCheckResult): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent<CsvCheckRequest | GxCheckRequest>) => void,
  ): void;
};

port.addEventListener(
  "message",
  ({ data }) =>
    port.postMessage(
      "kind" in data && data.kind === "gxworks"
        ? checkGxWorks(data)
        : checkCsv(data as CsvCheckRequest),
    ),
);
