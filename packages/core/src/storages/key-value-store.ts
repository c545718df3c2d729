/**
 * `KeyValueStore`: named records (JSON, text or binary) with Crawlee 3's API, backed by whichever
 * storage client the configuration uses.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Configuration } from '../configuration.js';
import { ConfigurationError } from '../errors.js';
import { EventType } from '../events/event-manager.js';
import { assertKnownOptions } from '../utils/options.js';
import type { Dictionary } from '../utils/types.js';
import { encodeRecord, validateRecordKey } from './content-type.js';
import type { KeyValueStoreClient, StorageClient, StorageInfo } from './storage-client.js';
import { forgetStorage, openStorage, type StorageManagerOptions } from './storage-manager.js';

/** Options of {@link KeyValueStore.setValue}. */
export interface RecordOptions {
  /**
   * The record's content type; the value must then be a string, a Buffer or a readable stream.
   * @default `application/json; charset=utf-8`, the value being JSON-stringified
   */
  contentType?: string;
  /** Accepted for Crawlee compatibility and ignored: local writes do not time out. */
  timeoutSecs?: number;
  /** Accepted for Crawlee compatibility and ignored: local writes are not retried. */
  doNotRetryTimeouts?: boolean;
}

/** Options of {@link KeyValueStore.forEachKey} and the key iterators. */
export interface KeyValueStoreIteratorOptions {
  /** Start after this key (keys are listed in sorted order). @default the first key */
  exclusiveStartKey?: string;
  /** Only keys starting with this. @default every key */
  prefix?: string;
}

/** Called by {@link KeyValueStore.forEachKey} for each key. */
export type KeyConsumer = (key: string, index: number, info: { size: number }) => unknown;

const OPEN_OPTIONS: ReadonlySet<string> = new Set(['config', 'storageClient']);
const RECORD_OPTIONS: ReadonlySet<string> = new Set([
  'contentType',
  'timeoutSecs',
  'doNotRetryTimeouts',
]);
const ITERATOR_OPTIONS: ReadonlySet<string> = new Set(['exclusiveStartKey', 'prefix']);

/**
 * A store of records by key: JSON values, text, or binary data such as screenshots. On disk each
 * record is a file `key_value_stores/<name>/<key>.<ext>`, as in Crawlee.
 *
 * @example
 * const store = await KeyValueStore.open();
 * await store.setValue('OUTPUT', { pages: 12 });
 * const state = await store.getAutoSavedValue('STATE', { done: 0 });
 * state.done += 1; // saved on the next persistState event
 */
export class KeyValueStore {
  /** The store's id; for local storages the same as its name. */
  readonly id: string;
  /** The store's name. */
  readonly name: string;
  /** The configuration the store was opened with. */
  readonly config: Configuration;
  /** The storage client's handle on this store. */
  readonly client: KeyValueStoreClient;
  /** The storage client the store belongs to. */
  readonly storageClient: StorageClient;
  #autoSaved = new Map<string, Promise<unknown>>();
  #persistListener?: () => Promise<void>;

  /** Wraps a client; use {@link KeyValueStore.open} instead. */
  constructor(options: {
    name: string;
    client: KeyValueStoreClient;
    config: Configuration;
    storageClient: StorageClient;
  }) {
    this.id = options.name;
    this.name = options.name;
    this.client = options.client;
    this.config = options.config;
    this.storageClient = options.storageClient;
  }

  /**
   * Opens the store with this name, or the default store (`defaultKeyValueStoreId`), creating it
   * when absent. Opening a name again returns the same instance.
   * @throws InputError on an invalid name
   */
  static async open(
    nameOrId?: string | null,
    options: StorageManagerOptions = {},
  ): Promise<KeyValueStore> {
    assertKnownOptions(options, OPEN_OPTIONS, 'KeyValueStore.open');
    return openStorage('keyValueStore', nameOrId, options, async (storageClient, name, config) => {
      const client = await storageClient.keyValueStore(name);
      return new KeyValueStore({ name, client, config, storageClient });
    });
  }

  /** Reads a record of the default store; see {@link KeyValueStore.getValue}. */
  static async getValue<T = unknown>(key: string): Promise<T | null>;
  static async getValue<T>(key: string, defaultValue: T): Promise<T>;
  static async getValue<T>(key: string, defaultValue?: T): Promise<T | null> {
    return (await KeyValueStore.open()).getValue<T>(key, defaultValue as T);
  }

  /** Writes a record of the default store; see {@link KeyValueStore.setValue}. */
  static async setValue<T>(key: string, value: T | null, options?: RecordOptions): Promise<void> {
    return (await KeyValueStore.open()).setValue(key, value, options);
  }

  /** Whether the default store holds `key`. */
  static async recordExists(key: string): Promise<boolean> {
    return (await KeyValueStore.open()).recordExists(key);
  }

  /** An auto-saved value of the default store; see {@link KeyValueStore.getAutoSavedValue}. */
  static async getAutoSavedValue<T extends Dictionary = Dictionary>(
    key: string,
    defaultValue?: T,
  ): Promise<T> {
    return (await KeyValueStore.open()).getAutoSavedValue<T>(key, defaultValue);
  }

  /** The crawl's input; see {@link KeyValueStore.getInput}. */
  static async getInput<T = unknown>(): Promise<T | null> {
    return (await KeyValueStore.open()).getInput<T>();
  }

  /**
   * Reads a record: parsed JSON, a string for text, a Buffer for anything else; `defaultValue`
   * (or null) when there is none.
   * @throws InputError on an invalid key
   * @throws CorruptStorageFileError when a stored JSON record does not parse
   */
  async getValue<T = unknown>(key: string): Promise<T | null>;
  async getValue<T>(key: string, defaultValue: T): Promise<T>;
  async getValue<T>(key: string, defaultValue?: T): Promise<T | null> {
    validateRecordKey(key);
    const record = await this.client.getRecord(key);
    return record ? (record.value as T) : (defaultValue ?? null);
  }

  /**
   * Writes a record, or deletes it when `value` is null. Without `contentType` the value is
   * stored as 2-space indented JSON (a string too, as Crawlee does); a Buffer or a stream without
   * `contentType` is stored as `application/octet-stream`, where Crawlee would JSON-encode it.
   * @throws InputError on an invalid key, an undefined value, a value that does not fit
   *   `contentType`, or one that cannot be turned into JSON
   */
  async setValue<T>(key: string, value: T | null, options: RecordOptions = {}): Promise<void> {
    assertKnownOptions(options, RECORD_OPTIONS, 'KeyValueStore.setValue');
    validateRecordKey(key);
    if (value === null) {
      await this.client.deleteRecord(key);
      return;
    }
    const record = await encodeRecord(key, value, options.contentType);
    await this.client.setRecord({ key, ...record });
  }

  /** Whether the store holds a record under `key`. */
  async recordExists(key: string): Promise<boolean> {
    validateRecordKey(key);
    return this.client.recordExists(key);
  }

  /**
   * Returns an object kept in memory and saved under `key` on every `persistState` event and on
   * {@link KeyValueStore.persistAutoSavedValues}. Every call for a key returns the same object;
   * the first one reads the stored record, or takes `defaultValue` when there is none.
   */
  async getAutoSavedValue<T extends Dictionary = Dictionary>(
    key: string,
    defaultValue: T = {} as T,
  ): Promise<T> {
    validateRecordKey(key);
    let cached = this.#autoSaved.get(key);
    if (!cached) {
      cached = this.getValue<T>(key, defaultValue);
      this.#autoSaved.set(key, cached);
      void cached.catch(() => this.#autoSaved.delete(key));
      this.#listenForPersistState();
    }
    return cached as Promise<T>;
  }

  /** Saves every auto-saved value now. */
  async persistAutoSavedValues(): Promise<void> {
    const entries = [...this.#autoSaved.entries()];
    await Promise.all(entries.map(async ([key, value]) => this.setValue(key, await value)));
  }

  /**
   * Calls `iteratee` for each key in sorted order, with its position and size in bytes; an async
   * iteratee is awaited before the next key.
   */
  async forEachKey(
    iteratee: KeyConsumer,
    options: KeyValueStoreIteratorOptions = {},
  ): Promise<void> {
    let index = 0;
    for await (const item of this.#listKeys(options)) {
      await iteratee(item.key, index, { size: item.size });
      index += 1;
    }
  }

  /** Yields every key in sorted order. */
  async *keys(options: KeyValueStoreIteratorOptions = {}): AsyncGenerator<string> {
    for await (const item of this.#listKeys(options)) {
      yield item.key;
    }
  }

  /** Yields every value in key order. */
  async *values<T = unknown>(options: KeyValueStoreIteratorOptions = {}): AsyncGenerator<T> {
    for await (const [, value] of this.entries<T>(options)) {
      yield value;
    }
  }

  /** Yields `[key, value]` pairs in key order; a record deleted meanwhile yields null. */
  async *entries<T = unknown>(
    options: KeyValueStoreIteratorOptions = {},
  ): AsyncGenerator<[string, T]> {
    for await (const item of this.#listKeys(options)) {
      yield [item.key, (await this.getValue<T>(item.key)) as T];
    }
  }

  /** Yields `[key, value]` pairs in key order, as {@link KeyValueStore.entries}. */
  [Symbol.asyncIterator](): AsyncGenerator<[string, unknown]> {
    return this.entries();
  }

  /**
   * A URL of the record: for the filesystem client the `file://` URL of its file, extension
   * included, under the configured storage folder. Crawlee always names `./storage` and leaves
   * the extension out; trawl names the file that is really there.
   */
  getPublicUrl(key: string): string {
    validateRecordKey(key);
    return this.client.getPublicUrl(key);
  }

  /** Facts about the store. */
  async getInfo(): Promise<StorageInfo | undefined> {
    return this.client.get();
  }

  /**
   * The crawl's input: `<inputKey>.json`, `<inputKey>.txt` or `<inputKey>` in the working
   * directory when one exists, else this store's `inputKey` record (`INPUT` by default).
   * @throws ConfigurationError when the `.json` input file is not valid JSON
   */
  async getInput<T = unknown>(): Promise<T | null> {
    const inputKey = this.config.get('inputKey') ?? 'INPUT';
    const fromFile = await readInputFile(inputKey);
    return fromFile === undefined ? this.getValue<T>(inputKey) : (fromFile as T);
  }

  /** Deletes the store with every record; a later `open()` creates it anew. */
  async drop(): Promise<void> {
    if (this.#persistListener) {
      this.config.getEventManager().off(EventType.PERSIST_STATE, this.#persistListener);
      this.#persistListener = undefined;
    }
    this.#autoSaved.clear();
    await this.client.delete();
    forgetStorage(this.storageClient, 'keyValueStore', this.name);
  }

  async *#listKeys(options: KeyValueStoreIteratorOptions) {
    assertKnownOptions(options, ITERATOR_OPTIONS, 'KeyValueStore.forEachKey');
    let exclusiveStartKey = options.exclusiveStartKey;
    for (;;) {
      const page = await this.client.listKeys({ exclusiveStartKey, prefix: options.prefix });
      yield* page.items;
      if (!page.isTruncated || page.nextExclusiveStartKey === undefined) {
        return;
      }
      exclusiveStartKey = page.nextExclusiveStartKey;
    }
  }

  #listenForPersistState(): void {
    if (this.#persistListener) {
      return;
    }
    this.#persistListener = () => this.persistAutoSavedValues();
    this.config.getEventManager().on(EventType.PERSIST_STATE, this.#persistListener);
  }
}

// The input files Crawlee reads from the working directory, in its order of preference.
async function readInputFile(inputKey: string): Promise<unknown> {
  for (const fileName of [`${inputKey}.json`, `${inputKey}.txt`, inputKey]) {
    const path = resolve(fileName);
    const text = await readFile(path, 'utf8').catch(skipMissingFile);
    if (text === undefined) {
      continue;
    }
    if (fileName.endsWith('.json')) {
      return parseInputJson(path, text);
    }
    return tryParseJson(text);
  }
  return undefined;
}

function skipMissingFile(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT' || error.code === 'EISDIR') {
    return undefined;
  }
  throw error;
}

function parseInputJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `Input file ${path} is not valid JSON (${(error as Error).message}); fix it or remove it`,
      { cause: error },
    );
  }
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
