/**
 * Configuration change events: the configuration store emits one per change,
 * and the runtime subscribes to apply changes live by restarting only the
 * actors a change touches.
 */

/** Resources whose changes the runtime follows. */
export type ConfigResource = "lines" | "processes" | "plcs" | "groups" | "tags" | "alarmRules";

/** One change to one record. */
export interface ConfigChange {
  readonly resource: ConfigResource;
  readonly id: number;
  readonly kind: "created" | "updated" | "deleted";
}

/** Subscribes to changes; returns the function that unsubscribes. */
export type SubscribeToChanges = (
  listener: (changes: readonly ConfigChange[]) => void,
) => () => void;
