/**
 * One WebSocket client of the hub: who it is, what it subscribed to, and the
 * values it is owed while its socket is congested — a map tag id → newest
 * sample, so a slow client costs at most one entry per subscribed tag however
 * long it lags (older unsent values are replaced and counted).
 */
import type { TagConfig } from "../model/config.ts";
import type { Sample } from "../model/sample.ts";

/** The part of a WebSocket the hub uses (Deno's server-side WebSocket, or a test fake). */
export interface WsSocket {
  readonly readyState: number;
  /** Bytes queued by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The caller a socket authenticated as; null when anonymous read let it in. */
export type WsUser = { readonly name: string; readonly role: string } | null;

const OPEN = 1;

/** One connected client; see the module comment. */
export class WsClient {
  readonly socket: WsSocket;
  readonly user: WsUser;
  /** Subscribed to every tag. */
  all = false;
  /** Subscribed tag ids and group ids. */
  readonly tags: Set<number> = new Set();
  readonly groups: Set<number> = new Set();
  /** Values owed: the snapshot after a subscribe, and changes skipped while congested. */
  readonly pending: Map<number, Sample> = new Map();
  /** An alarms frame was skipped while congested; send the active list when it drains. */
  alarmsMissed = false;

  constructor(socket: WsSocket, user: WsUser) {
    this.socket = socket;
    this.user = user;
  }

  /** Whether the client subscribed to anything. */
  get subscribed(): boolean {
    return this.all || this.tags.size > 0 || this.groups.size > 0;
  }

  /** Whether `tag` is in the subscription. */
  wants(tag: TagConfig): boolean {
    return this.all || this.tags.has(tag.id) || this.groups.has(tag.groupId);
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.socket.readyState === OPEN;
  }

  /** Whether more than `limit` bytes wait in the socket's send queue. */
  congested(limit: number): boolean {
    return this.socket.bufferedAmount > limit;
  }

  /**
   * Owes the client `sample`; returns true when it replaced an older value
   * of the same tag that was never sent.
   */
  owe(sample: Sample): boolean {
    const replaced = this.pending.has(sample.tagId);
    this.pending.set(sample.tagId, sample);
    return replaced;
  }

  /** Sends one frame if the socket is open; false when it could not. */
  send(text: string): boolean {
    if (!this.open) return false;
    try {
      this.socket.send(text);
      return true;
    } catch {
      return false;
    }
  }
}
