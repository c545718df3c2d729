/** What a {@link KnownRequests} remembers of a request in the queue. */
export interface KnownRequest {
  id: string;
  handled: boolean;
}

/**
 * The requests a queue has recently written or found present, by unique key. Entries live in two
 * generations of at most `generationSize` each: when the newer one is full it becomes the older
 * one, and the older one is forgotten whole. (Evicting one entry at a time from a map leaves
 * holes at its start that every eviction then walks past.)
 */
export class KnownRequests {
  readonly #generationSize: number;
  #newer = new Map<string, KnownRequest>();
  #older = new Map<string, KnownRequest>();

  constructor(generationSize: number) {
    this.#generationSize = generationSize;
  }

  get(uniqueKey: string): KnownRequest | undefined {
    return this.#newer.get(uniqueKey) ?? this.#older.get(uniqueKey);
  }

  remember(uniqueKey: string, id: string, handled: boolean): void {
    if (this.#newer.size >= this.#generationSize && !this.#newer.has(uniqueKey)) {
      this.#older = this.#newer;
      this.#newer = new Map();
    }
    this.#newer.set(uniqueKey, { id, handled });
  }

  clear(): void {
    this.#newer.clear();
    this.#older.clear();
  }
}
