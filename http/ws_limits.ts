/**
 * Bounds on open WebSocket connections: per client address and per user
 * (anonymous clients count only per address). A client over a bound is
 * refused before the upgrade (429), so one address or one account cannot
 * hold hundreds of sockets, each with its own buffers, open.
 */

/** The bounds of {@link WsConnectionLimits}. */
export interface WsConnectionLimitOptions {
  /** Open connections per client address. Default 50. */
  readonly maxPerAddress?: number;
  /** Open connections per user name. Default 100 (one shared control-room account on many screens). */
  readonly maxPerUser?: number;
}

/** An admitted connection: call `release` once when it closes. */
export interface WsAdmission {
  readonly ok: true;
  release(): void;
}

/** A refused connection, with the reason for the 429. */
export interface WsRefusal {
  readonly ok: false;
  readonly message: string;
}

/** Counts open WebSocket connections per address and per user. */
export class WsConnectionLimits {
  readonly maxPerAddress: number;
  readonly maxPerUser: number;
  readonly #byAddress = new Map<string, number>();
  readonly #byUser = new Map<string, number>();

  constructor(options: WsConnectionLimitOptions = {}) {
    this.maxPerAddress = options.maxPerAddress ?? 50;
    this.maxPerUser = options.maxPerUser ?? 100;
  }

  /** Open connections of an address (for tests and status). */
  openFrom(address: string): number {
    return this.#byAddress.get(address) ?? 0;
  }

  /** Admits one more connection from `address` as `user` (null: anonymous), or refuses it. */
  admit(address: string, user: string | null): WsAdmission | WsRefusal {
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (fromAddress >= this.maxPerAddress) {
      return {
        ok: false,
        message: `too many WebSocket connections from this address (at most ${this.maxPerAddress})`,
      };
    }
    const key = user?.toLowerCase();
    const ofUser = key === undefined ? 0 : this.#byUser.get(key) ?? 0;
    if (key !== undefined && ofUser >= this.maxPerUser) {
      return {
        ok: false,
        message: `too many WebSocket connections for user ${user} (at most ${this.maxPerUser})`,
      };
    }
    this.#byAddress.set(address, fromAddress + 1);
    if (key !== undefined) this.#byUser.set(key, ofUser + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        decrement(this.#byAddress, address);
        if (key !== undefined) decrement(this.#byUser, key);
      },
    };
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
