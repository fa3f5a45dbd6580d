/**
 * The WebSocket protocol of /ws: the messages a client sends (validated with
 * zod; a bad one gets an error frame that names the problem) and the frames
 * the server sends, as types and builders. docs/api.md describes it for
 * client authors.
 */
import { z } from "@hono/zod-openapi";
import type { AlarmView } from "../alarms/alarm_record.ts";
import type { AlarmCounts } from "../alarms/engine.ts";
import type { AlarmTransition } from "../alarms/state.ts";
import type { Quality } from "../model/sample.ts";
import type { TagValue } from "../protocol/values.ts";
import { friendlyIssues } from "./validation_hook.ts";

/** Longest client message accepted, characters. */
export const MAX_CLIENT_MESSAGE = 256 * 1024;

const codes = (what: string) =>
  z.array(z.string().min(1).max(64), { error: `must be a list of ${what} codes` }).max(10_000);

const scope = {
  tags: codes("tag").optional(),
  groups: codes("polling group").optional(),
  all: z.boolean({ error: "must be true or false" }).optional(),
};

/** A client's message. */
export const ClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), ...scope }).strict(),
  z.object({ type: z.literal("unsubscribe"), ...scope }).strict(),
  z.object({ type: z.literal("ping") }).strict(),
], { error: 'type must be "subscribe", "unsubscribe" or "ping"' });

/** A parsed client message. */
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** Parses one text frame: the message, or a sentence saying what is wrong with it. */
export function parseClientMessage(
  text: string,
): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  if (text.length > MAX_CLIENT_MESSAGE) {
    return { ok: false, error: `message too large: at most ${MAX_CLIENT_MESSAGE} characters` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `the message is not valid JSON: ${(e as Error).message}` };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, error: 'the message must be a JSON object with a "type"' };
  }
  const result = ClientMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issues = friendlyIssues(result.error, json);
  return {
    ok: false,
    error: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
  };
}

/** One value in a values frame: tag id, code, value, quality, poll time. */
export interface WireValue {
  readonly id: number;
  readonly c: string;
  readonly v: TagValue | null;
  readonly q: Quality;
  readonly t: number;
}

/** The compact status frame, every second. */
export interface StatusFrame {
  readonly type: "status";
  readonly serverTime: number;
  readonly state: string;
  readonly plcs: readonly { code: string; state: string; rttMs: number | null }[];
  readonly groups: readonly {
    code: string;
    state: string;
    lastCycleMs: number | null;
    overruns: number;
    errors: number;
    running: boolean;
  }[];
  readonly buffer: { size: number; capacity: number; dropped: number };
  readonly writer: { condition: string; valuesPerSecond: number; journalBytes: number } | null;
  readonly alarms: AlarmCounts;
}

/** Every frame the server sends. */
export type ServerFrame =
  | {
    readonly type: "hello";
    readonly user: { name: string; role: string } | null;
    readonly serverTime: number;
  }
  | { readonly type: "values"; readonly items: readonly WireValue[] }
  | StatusFrame
  | {
    readonly type: "alarms";
    readonly transitions: readonly AlarmTransition[];
    readonly active: readonly AlarmView[];
  }
  | { readonly type: "pong"; readonly serverTime: number }
  | { readonly type: "error"; readonly message: string };

/** A values frame around already-encoded items (each a JSON object). */
export function valuesFrame(encodedItems: readonly string[]): string {
  return `{"type":"values","items":[${encodedItems.join(",")}]}`;
}
