/**
 * A cache of per-code metric handles (one per PLC, one per group): created
 * with their series at zero on first use, removed with their series when the
 * PLC or group leaves the configuration.
 */

/** A handle whose series can be removed from its registry. */
export interface RemovableHandle {
  remove(): void;
}

/** Creates and caches handles by code. */
export class HandleSet<H extends RemovableHandle> {
  readonly #make: (code: string) => H;
  readonly #byCode = new Map<string, H>();

  /** `make` builds the handle of one code (on the families already registered). */
  constructor(make: (code: string) => H) {
    this.#make = make;
  }

  /** The handle of `code`, created on first use. */
  get(code: string): H {
    let h = this.#byCode.get(code);
    if (h === undefined) {
      h = this.#make(code);
      this.#byCode.set(code, h);
    }
    return h;
  }

  /** Removes `code`'s series; a later `get` starts it afresh. */
  remove(code: string): void {
    this.#byCode.get(code)?.remove();
    this.#byCode.delete(code);
  }

  /** The codes with series. */
  codes(): string[] {
    return [...this.#byCode.keys()];
  }
}
