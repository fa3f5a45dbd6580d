/**
 * Key conventions for system alarms: `<resource>:<code>:<condition>`. The
 * actors that notice a fault raise and clear these keys on the alarm engine,
 * so one fault is one alarm however often it is reported.
 */

/** Keys of rule alarms start with this; system keys must not. */
export const RULE_ALARM_PREFIX = "rule:";

/** The alarm id of a rule's alarm. */
export function ruleAlarmId(ruleId: number): string {
  return `${RULE_ALARM_PREFIX}${ruleId}`;
}

/** Builders for the system alarm keys the runtime uses. */
export const systemKeys = {
  /** A PLC cannot be reached (raised by the plc actor, cleared on reconnect). */
  plcDisconnected: (plcCode: string): string => `plc:${plcCode}:disconnected`,
  /** A polling group's cycles overrun their interval. */
  groupOverrun: (groupCode: string): string => `group:${groupCode}:overrun`,
  /** A HANDSHAKE group's handshake failed (request bit, step timeout, ack bit). */
  handshakeFault: (groupCode: string): string => `group:${groupCode}:handshake`,
  /** A historian sink refuses writes; samples go to the disk journal. */
  sinkDown: (sinkKind: string): string => `sink:${sinkKind}:down`,
  /** The writer's disk journal is close to its size limit. */
  journalNearlyFull: (): string => "writer:journal:nearly-full",
  /** Samples are being lost (buffer, journal or disk full), with the reason and the count. */
  samplesLost: (): string => "writer:samples:lost",
  /** The Sparkplug publisher has had no broker connection for a few seconds (data is spooled). */
  sparkplugUnreachable: (): string => "sparkplug:broker:unreachable",
  /** The Sparkplug spool dropped values at its bound: they never reach the broker. */
  sparkplugSpoolDropped: (): string => "sparkplug:spool:dropped",
} as const;

/** Suggested severities for system alarms (1–1000), so actors agree. */
export const SYSTEM_SEVERITY = {
  plcDisconnected: 800,
  groupOverrun: 400,
  handshakeFault: 700,
  sinkDown: 900,
  journalNearlyFull: 950,
  samplesLost: 1000,
  sparkplugUnreachable: 700,
  sparkplugSpoolDropped: 950,
} as const;

/** Whether `key` is usable as a system alarm key: 1–200 characters, no `rule:` prefix, no control characters. */
export function isValidSystemKey(key: string): boolean {
  if (key.length === 0 || key.length > 200 || key.startsWith(RULE_ALARM_PREFIX)) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) < 0x20) return false;
  return true;
}
