/**
 * Sparkplug identifiers (group, edge node, device, host application): the
 * specification's character rules, checked before anything is published so
 * that a bad setting fails at start with a sentence naming it.
 *
 * Sparkplug B 3.0, topics chapter: each ID MUST be a valid UTF-8 string and
 * MUST NOT contain the MQTT reserved characters `+`, `/` and `#`; it is one
 * topic level, so it cannot be empty either.
 */

/** What an ID names, for error messages. */
export type SparkplugIdKind = "group" | "edge node" | "device" | "primary host";

/** A Sparkplug ID that breaks the specification's rules. */
export class SparkplugIdError extends Error {}

const encoder = new TextEncoder();

/** Why `id` is not a valid Sparkplug ID, or undefined when it is. */
export function sparkplugIdProblem(id: string): string | undefined {
  if (id.length === 0) return "must not be empty";
  const reserved = /[+/#]/.exec(id);
  if (reserved) {
    return `must not contain "${reserved[0]}" (character ${reserved.index + 1}): ` +
      "+, / and # are reserved by MQTT";
  }
  if (!id.isWellFormed()) return "must be valid UTF-8 (it holds a lone surrogate)";
  // deno-lint-ignore no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(id);
  if (control) {
    return `must not contain control characters (character ${control.index + 1})`;
  }
  if (encoder.encode(id).length > 65_535) return "is longer than an MQTT topic may be";
  return undefined;
}

/** Returns `id` when it is a valid Sparkplug ID; throws SparkplugIdError naming `kind` otherwise. */
export function validateSparkplugId(kind: SparkplugIdKind, id: string): string {
  const problem = sparkplugIdProblem(id);
  if (problem) throw new SparkplugIdError(`Sparkplug ${kind} ID "${id}" ${problem}`);
  return id;
}
