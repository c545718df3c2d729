import { decodeRecordValue, validateRecordKey } from '../content-type.js';
import type {
  KeyValueStoreClient,
  KeyValueStoreListOptions,
  KeyValueStoreListResult,
  KeyValueStoreRecord,
  StorageInfo,
} from '../storage-client.js';

/** Options of {@link MemoryKeyValueStoreClient}. */
export interface MemoryKeyValueStoreClientOptions {
  /** The store's name. */
  name: string;
  /** Called once the store has been deleted. */
  onDelete?: () => void;
}

interface StoredRecord {
  bytes: Buffer;
  contentType: string;
}

const DEFAULT_LIST_LIMIT = 1000;

/**
 * A key-value store held in this process's memory. Values are copied on write and on read, so
 * callers cannot change a stored record through a reference.
 */
export class MemoryKeyValueStoreClient implements KeyValueStoreClient {
  /** The store's name. */
  readonly name: string;
  #records = new Map<string, StoredRecord>();
  #createdAt = new Date();
  #modifiedAt = this.#createdAt;
  #accessedAt = this.#createdAt;
  #deleted = false;
  #onDelete?: () => void;

  constructor(options: MemoryKeyValueStoreClientOptions) {
    this.name = options.name;
    this.#onDelete = options.onDelete;
  }

  /** Facts about the store; undefined once deleted. */
  async get(): Promise<StorageInfo | undefined> {
    if (this.#deleted) {
      return undefined;
    }
    return {
      id: this.name,
      name: this.name,
      createdAt: this.#createdAt,
      modifiedAt: this.#modifiedAt,
      accessedAt: this.#accessedAt,
    };
  }

  /** Forgets every record and the store itself. */
  async delete(): Promise<void> {
    this.#records.clear();
    this.#deleted = true;
    this.#onDelete?.();
  }

  /**
   * Reads a record with the content type it was written with.
   * @throws CorruptStorageFileError when a JSON record does not parse
   */
  async getRecord(key: string): Promise<KeyValueStoreRecord | undefined> {
    validateRecordKey(key);
    const record = this.#records.get(key);
    if (!record) {
      return undefined;
    }

    this.#accessedAt = new Date();
    const where = `memory:key_value_stores/${this.name}/${key}`;
    const value = decodeRecordValue(Buffer.from(record.bytes), record.contentType, where);
    return { key, value, contentType: record.contentType };
  }

  /** Stores a copy of the value. */
  async setRecord(record: {
    key: string;
    value: string | Buffer;
    contentType: string;
  }): Promise<void> {
    validateRecordKey(record.key);
    const bytes = Buffer.from(record.value);
    this.#records.set(record.key, { bytes, contentType: record.contentType });
    this.#modifiedAt = new Date();
  }

  /** Deletes a record; a missing one is not an error. */
  async deleteRecord(key: string): Promise<void> {
    validateRecordKey(key);
    this.#records.delete(key);
    this.#modifiedAt = new Date();
  }

  /** Whether the store holds a record under `key`. */
  async recordExists(key: string): Promise<boolean> {
    validateRecordKey(key);
    return this.#records.has(key);
  }

  /** Lists keys in sorted order. */
  async listKeys(options: KeyValueStoreListOptions = {}): Promise<KeyValueStoreListResult> {
    const { limit = DEFAULT_LIST_LIMIT, exclusiveStartKey, prefix } = options;
    const keys = [...this.#records.keys()]
      .filter((key) => prefix === undefined || key.startsWith(prefix))
      .filter((key) => exclusiveStartKey === undefined || key > exclusiveStartKey)
      .sort();
    const page = keys.slice(0, limit);
    const isTruncated = keys.length > page.length;

    this.#accessedAt = new Date();
    return {
      items: page.map((key) => ({ key, size: this.#records.get(key)?.bytes.length ?? 0 })),
      count: page.length,
      limit,
      isTruncated,
      exclusiveStartKey,
      nextExclusiveStartKey: isTruncated ? page.at(-1) : undefined,
    };
  }

  /**
   * A `memory:` URL naming the record. Nothing outside this process can read it: a memory store
   * has no public address.
   */
  getPublicUrl(key: string): string {
    validateRecordKey(key);
    return `memory:key_value_stores/${this.name}/${key}`;
  }

  /** Deletes every record except `keepKey`, as purging the default store does with `INPUT`. */
  async purgeRecords(keepKey: string): Promise<void> {
    for (const key of [...this.#records.keys()]) {
      if (key !== keepKey) {
        this.#records.delete(key);
      }
    }
    this.#modifiedAt = new Date();
  }
}
