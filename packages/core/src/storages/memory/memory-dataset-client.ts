import type {
  DatasetClient,
  DatasetClientListOptions,
  DatasetInfo,
  PaginatedList,
} from '../storage-client.js';

/** Options of {@link MemoryDatasetClient}. */
export interface MemoryDatasetClientOptions {
  /** The dataset's name. */
  name: string;
  /** Called once the dataset has been deleted. */
  onDelete?: () => void;
}

type Item = Record<string, unknown>;

/**
 * A dataset held in this process's memory. Items are copied when pushed and when read, so a
 * caller changing an object it pushed or got back does not change the stored item.
 */
export class MemoryDatasetClient implements DatasetClient {
  /** The dataset's name. */
  readonly name: string;
  #items: Item[] = [];
  #createdAt = new Date();
  #modifiedAt = this.#createdAt;
  #accessedAt = this.#createdAt;
  #deleted = false;
  #onDelete?: () => void;

  constructor(options: MemoryDatasetClientOptions) {
    this.name = options.name;
    this.#onDelete = options.onDelete;
  }

  /** Facts about the dataset; undefined once deleted. */
  async get(): Promise<DatasetInfo | undefined> {
    if (this.#deleted) {
      return undefined;
    }
    return {
      id: this.name,
      name: this.name,
      itemCount: this.#items.length,
      createdAt: this.#createdAt,
      modifiedAt: this.#modifiedAt,
      accessedAt: this.#accessedAt,
    };
  }

  /** Forgets every item and the dataset itself. */
  async delete(): Promise<void> {
    this.#items = [];
    this.#deleted = true;
    this.#onDelete?.();
  }

  /** Removes every item, keeping the dataset open. */
  async clear(): Promise<void> {
    this.#items = [];
    this.#modifiedAt = new Date();
  }

  /** Appends copies of the items in order. */
  async pushItems(items: Item[]): Promise<void> {
    this.#items.push(...items.map((item) => structuredClone(item)));
    this.#modifiedAt = new Date();
  }

  /** Returns copies of a page of items, newest first with `desc`. */
  async listItems(options: DatasetClientListOptions = {}): Promise<PaginatedList<Item>> {
    const { offset = 0, limit, desc = false } = options;
    const total = this.#items.length;
    const start = Math.min(offset, total);
    const end = limit === undefined ? total : Math.min(total, start + limit);

    const items = Array.from({ length: end - start }, (_, i) => {
      const position = desc ? total - 1 - (start + i) : start + i;
      return structuredClone(this.#items[position]);
    });
    this.#accessedAt = new Date();
    return { items, total, count: items.length, offset, limit: limit ?? end - start, desc };
  }
}
