/** What a {@link KnownRequests} remembers of a request in the queue. */
export interface KnownRequest {
  id: string;
  handled: boolean;
}

/**
 * The requests a queue has written or found present, by unique key; once `capacity` are
 * remembered, the first remembered is forgotten first. (Refreshing an entry on each read would
 * cost a map deletion per read, which made lookups several times slower.)
 */
export class KnownRequests {
  readonly #capacity: number;
  #entries = new Map<string, KnownRequest>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(uniqueKey: string): KnownRequest | undefined {
    return this.#entries.get(uniqueKey);
  }

  remember(uniqueKey: string, id: string, handled: boolean): void {
    this.#entries.set(uniqueKey, { id, handled });
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
