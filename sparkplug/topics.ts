/**
 * The Sparkplug B topic namespace (specification 3.0, chapter 4):
 * `spBv1.0/<group>/<message type>/<edge node>[/<device>]` for edge node and
 * device messages, `spBv1.0/STATE/<host id>` for a host application's state.
 * Pure: builds the topics this edge node publishes and subscribes to, and
 * parses the ones it receives.
 */

/** The namespace element of every Sparkplug B topic. */
export const NAMESPACE = "spBv1.0";

/** Edge node message types. */
export type NodeMessageType = "NBIRTH" | "NDEATH" | "NDATA" | "NCMD";
/** Device message types. */
export type DeviceMessageType = "DBIRTH" | "DDEATH" | "DDATA" | "DCMD";

/** The topics of one edge node. */
export class Topics {
  /** `group` and `node` must already be valid Sparkplug IDs (see ids.ts). */
  constructor(readonly group: string, readonly node: string) {}

  /** `spBv1.0/<group>/<type>/<node>`. */
  nodeTopic(type: NodeMessageType): string {
    return `${NAMESPACE}/${this.group}/${type}/${this.node}`;
  }

  /** `spBv1.0/<group>/<type>/<node>/<device>`. */
  deviceTopic(type: DeviceMessageType, deviceId: string): string {
    return `${NAMESPACE}/${this.group}/${type}/${this.node}/${deviceId}`;
  }

  /** The command topics this edge node subscribes to: its NCMD and every device's DCMD. */
  commandFilters(): string[] {
    return [this.nodeTopic("NCMD"), `${NAMESPACE}/${this.group}/DCMD/${this.node}/+`];
  }
}

/** `spBv1.0/STATE/<host id>`: where a host application publishes its STATE. */
export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}

/** A topic this edge node receives, parsed. */
export type IncomingTopic =
  | { readonly kind: "NCMD" }
  | { readonly kind: "DCMD"; readonly deviceId: string }
  | { readonly kind: "STATE"; readonly hostId: string }
  | { readonly kind: "other" };

/** What a received topic is, for this edge node (`other` when it is not addressed to it). */
export function parseIncoming(topics: Topics, topic: string): IncomingTopic {
  const parts = topic.split("/");
  if (parts[0] !== NAMESPACE) return { kind: "other" };
  if (parts.length === 3 && parts[1] === "STATE") return { kind: "STATE", hostId: parts[2] };
  if (parts[1] !== topics.group || parts[3] !== topics.node) return { kind: "other" };
  if (parts.length === 4 && parts[2] === "NCMD") return { kind: "NCMD" };
  if (parts.length === 5 && parts[2] === "DCMD") return { kind: "DCMD", deviceId: parts[4] };
  return { kind: "other" };
}

/** A primary host's STATE payload (3.0: JSON `{"online": bool, "timestamp": ms}`), or undefined. */
export function parseStatePayload(
  bytes: Uint8Array,
): { online: boolean; timestamp: number } | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof v?.online !== "boolean" || typeof v?.timestamp !== "number") return undefined;
    return { online: v.online, timestamp: v.timestamp };
  } catch {
    return undefined;
  }
}
