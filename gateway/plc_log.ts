/**
 * Log lines for the PLC events of the runtime. The plc actor already keeps
 * them few (state changes, reconnect attempts once per backoff step then once
 * a minute, the comm alarm condition); this turns each into a LogTape message
 * template, its level and its properties, so a failing PLC writes a handful
 * of lines with counts instead of two lines a second.
 */
import type { RuntimeEvent } from "../actors/events.ts";

/** One log line: level, LogTape message template, properties. */
export interface PlcLogLine {
  readonly level: "info" | "warning";
  readonly message: string;
  readonly properties: Record<string, unknown>;
}

/** The log line of a PLC event, or undefined for events that are not about a PLC. */
export function plcLogLine(e: RuntimeEvent): PlcLogLine | undefined {
  switch (e.type) {
    case "plc.state":
      return {
        level: e.state === "failed" ? "warning" : "info",
        message: e.error && e.state !== "connected"
          ? "PLC {code} is {state}: {error}"
          : "PLC {code} is {state}",
        properties: { ...e },
      };
    case "plc.retrying":
      return {
        level: "warning",
        message: "PLC {code} still not answering: {newAttempts} more reconnect attempt(s), " +
          "{attempts} since it failed; next in {delayMs} ms" + (e.error ? ": {error}" : ""),
        properties: { ...e },
      };
    case "plc.commAlarm":
      return {
        level: e.active ? "warning" : "info",
        message: "{message}",
        properties: { ...e },
      };
    default:
      return undefined;
  }
}
