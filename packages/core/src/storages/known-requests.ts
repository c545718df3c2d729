/**
 * The requests a queue instance has seen added or handled, by unique key, so that adding one
 * again is answered from memory instead of storage. Bounded: past `capacity` the entries seen
 * longest ago are forgotten, and a forgotten request is simply looked up in storage again.
 */

interface KnownRequest {
  id: string;
  isHandled: boolean;
}

/** A bounded map from unique key to request id and handled state, oldest entries dropped first. */
export class KnownRequests {
  readonly #entries = new Map<string, KnownRequest>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The request with this unique key, when it is remembered. */
  get(uniqueKey: string): KnownRequest | undefined {
    return this.#entries.get(uniqueKey);
  }

  /** Remembers a request; a handled one stays handled. */
  remember(uniqueKey: string, id: string, isHandled: boolean): void {
    const entry = this.#entries.get(uniqueKey);
    if (entry !== undefined) {
      entry.isHandled ||= isHandled;
      return;
    }
    if (this.#entries.size >= this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(uniqueKey, { id, isHandled });
  }
}
