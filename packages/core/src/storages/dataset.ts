/**
 * `Dataset`: an append-only list of result items with Crawlee 3's API, backed by whichever
 * storage client the configuration uses.
 */

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import type { Configuration } from '../configuration.js';
import { assertKnownOptions } from '../utils/options.js';
import type { Dictionary } from '../utils/types.js';
import {
  assertCount,
  assertNoUnwind,
  exportFormatOf,
  itemsToCsv,
  normaliseItem,
  shapeItems,
} from './dataset-items.js';
import { writeFileAtomic } from './filesystem/atomic-write.js';
import { KeyValueStore } from './key-value-store.js';
import type { DatasetClient, DatasetInfo, StorageClient } from './storage-client.js';
import { forgetStorage, openStorage, type StorageManagerOptions } from './storage-manager.js';

export { MAX_PAYLOAD_SIZE_BYTES } from './dataset-items.js';

/** Options of {@link Dataset.getData}. */
export interface DatasetDataOptions {
  /** Items to skip from the start (or from the end with `desc`). @default 0 */
  offset?: number;
  /** Items to return at most. @default every item after `offset` */
  limit?: number;
  /** Newest item first. @default false */
  desc?: boolean;
  /** Keep only these keys of each item, in this order. @default every key */
  fields?: string[];
  /** Both `skipHidden` and `skipEmpty`. @default false */
  clean?: boolean;
  /** Leave out items with no keys (after `fields` and `skipHidden`). @default false */
  skipEmpty?: boolean;
  /** Leave out keys starting with `#`. @default false */
  skipHidden?: boolean;
  /** Not supported yet: giving it throws a ConfigurationError. */
  unwind?: string;
}

/** Options of the iterating methods ({@link Dataset.forEach}, `map`, `reduce`, `export`). */
export type DatasetIteratorOptions = Omit<DatasetDataOptions, 'offset' | 'limit'>;

/** A page of items, as {@link Dataset.getData} returns it. */
export interface DatasetContent<Data> {
  items: Data[];
  /** Items in the whole dataset. */
  total: number;
  /** Items on this page. */
  count: number;
  offset: number;
  limit: number;
  desc: boolean;
}

/** Options of {@link Dataset.exportToJSON} and {@link Dataset.exportToCSV}. */
export interface DatasetExportToOptions {
  /** The dataset to export, for the static methods. @default the default dataset */
  fromDataset?: string;
  /** The key-value store to write to. @default the default store */
  toKVS?: string;
  /** CSV only: the header holds the keys of every item, not only the first. @default false */
  collectAllKeys?: boolean;
}

/** Options of {@link Dataset.exportToFile}. */
export interface DatasetExportToFileOptions {
  /** CSV only: the header holds the keys of every item, not only the first. @default false */
  collectAllKeys?: boolean;
}

const OPEN_OPTIONS: ReadonlySet<string> = new Set(['config', 'storageClient']);
const DATA_OPTIONS: ReadonlySet<string> = new Set([
  'offset',
  'limit',
  'desc',
  'fields',
  'clean',
  'skipEmpty',
  'skipHidden',
  'unwind',
]);
const ITERATOR_OPTIONS: ReadonlySet<string> = new Set(
  [...DATA_OPTIONS].filter((option) => option !== 'offset' && option !== 'limit'),
);
const EXPORT_OPTIONS: ReadonlySet<string> = new Set(['fromDataset', 'toKVS', 'collectAllKeys']);
const FILE_OPTIONS: ReadonlySet<string> = new Set(['collectAllKeys']);
const ITERATOR_PAGE_SIZE = 10_000;

/**
 * An append-only list of result items (plain objects). On disk each item is a file
 * `datasets/<name>/000000001.json`, as in Crawlee.
 *
 * @example
 * const dataset = await Dataset.open();
 * await dataset.pushData({ url, title });
 * await dataset.exportToFile('results.csv');
 */
export class Dataset<Data extends Dictionary = Dictionary> {
  /** The dataset's id; for local storages the same as its name. */
  readonly id: string;
  /** The dataset's name. */
  readonly name: string;
  /** The configuration the dataset was opened with. */
  readonly config: Configuration;
  /** The storage client's handle on this dataset. */
  readonly client: DatasetClient;
  /** The storage client the dataset belongs to. */
  readonly storageClient: StorageClient;

  /** Wraps a client; use {@link Dataset.open} instead. */
  constructor(options: {
    name: string;
    client: DatasetClient;
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
   * Opens the dataset with this name, or the default dataset (`defaultDatasetId`), creating it
   * when absent. Opening a name again returns the same instance.
   * @throws InputError on an invalid name
   */
  static async open<Data extends Dictionary = Dictionary>(
    nameOrId?: string | null,
    options: StorageManagerOptions = {},
  ): Promise<Dataset<Data>> {
    assertKnownOptions(options, OPEN_OPTIONS, 'Dataset.open');
    return openStorage('dataset', nameOrId, options, async (storageClient, name, config) => {
      const client = await storageClient.dataset(name);
      return new Dataset<Data>({ name, client, config, storageClient });
    });
  }

  /** Appends items to the default dataset; see {@link Dataset.pushData}. */
  static async pushData<Data extends Dictionary = Dictionary>(data: Data | Data[]): Promise<void> {
    return (await Dataset.open<Data>()).pushData(data);
  }

  /** Reads items of the default dataset; see {@link Dataset.getData}. */
  static async getData<Data extends Dictionary = Dictionary>(
    options?: DatasetDataOptions,
  ): Promise<DatasetContent<Data>> {
    return (await Dataset.open<Data>()).getData(options);
  }

  /** Writes a dataset (`fromDataset`) as a JSON record; see {@link Dataset.exportToJSON}. */
  static async exportToJSON(key: string, options: DatasetExportToOptions = {}): Promise<void> {
    return (await Dataset.open(options.fromDataset ?? null)).exportToJSON(key, options);
  }

  /** Writes a dataset (`fromDataset`) as a CSV record; see {@link Dataset.exportToCSV}. */
  static async exportToCSV(key: string, options: DatasetExportToOptions = {}): Promise<void> {
    return (await Dataset.open(options.fromDataset ?? null)).exportToCSV(key, options);
  }

  /**
   * Appends one item or an array of items, in order.
   * @throws InputError naming the item when it is not a plain object, has no JSON form, or is
   *   over {@link MAX_PAYLOAD_SIZE_BYTES} as JSON; nothing is written then
   */
  async pushData(data: Data | Data[]): Promise<void> {
    const items = Array.isArray(data)
      ? data.map((item, index) => normaliseItem(item, `at index ${index} `))
      : [normaliseItem(data, '')];
    if (items.length > 0) {
      await this.client.pushItems(items);
    }
  }

  /**
   * Reads a page of items.
   * @throws ConfigurationError on an unknown option, a bad `offset` or `limit`, or `unwind`
   * @throws CorruptStorageFileError when a stored item is not valid JSON
   */
  async getData(options: DatasetDataOptions = {}): Promise<DatasetContent<Data>> {
    assertKnownOptions(options, DATA_OPTIONS, 'Dataset.getData');
    assertCount('offset', options.offset);
    assertCount('limit', options.limit);
    assertNoUnwind(options.unwind);

    const { offset = 0, limit, desc = false } = options;
    const page = await this.client.listItems({ offset, limit, desc });
    const items = shapeItems(page.items, options) as Data[];
    return { ...page, items, count: items.length };
  }

  /** Calls `iteratee` on every item in order, awaiting it, reading 10,000 items at a time. */
  async forEach(
    iteratee: (item: Data, index: number) => unknown,
    options: DatasetIteratorOptions = {},
    index = 0,
  ): Promise<void> {
    let position = index;
    for await (const item of this.values(options)) {
      await iteratee(item, position);
      position += 1;
    }
  }

  /** The results of `iteratee` on every item, in order. */
  async map<R>(
    iteratee: (item: Data, index: number) => R | Promise<R>,
    options: DatasetIteratorOptions = {},
  ): Promise<R[]> {
    const results: R[] = [];
    await this.forEach(async (item, index) => {
      results.push(await iteratee(item, index));
    }, options);
    return results;
  }

  /**
   * Folds every item into one value, like `Array.prototype.reduce`: without `memo` the first item
   * is the start value and an empty dataset gives undefined.
   */
  async reduce<T>(
    iteratee: (memo: T, item: Data, index: number) => T | Promise<T>,
    memo?: T,
    options: DatasetIteratorOptions = {},
  ): Promise<T | undefined> {
    let current = memo;
    let started = memo !== undefined;
    await this.forEach(async (item, index) => {
      if (!started) {
        current = item as unknown as T;
        started = true;
        return;
      }
      current = await iteratee(current as T, item, index);
    }, options);
    return current;
  }

  /** Yields every item in order, reading 10,000 items at a time. */
  async *values(options: DatasetIteratorOptions = {}): AsyncGenerator<Data> {
    assertKnownOptions(options, ITERATOR_OPTIONS, 'Dataset iteration');
    assertNoUnwind(options.unwind);
    let offset = 0;
    for (;;) {
      const limit = ITERATOR_PAGE_SIZE;
      const page = await this.client.listItems({ offset, limit, desc: options.desc });
      yield* shapeItems(page.items, options) as Data[];
      offset += page.count;
      if (page.count < limit || offset >= page.total) {
        return;
      }
    }
  }

  /** Yields `[index, item]` pairs in order. */
  async *entries(options: DatasetIteratorOptions = {}): AsyncGenerator<[number, Data]> {
    let index = 0;
    for await (const item of this.values(options)) {
      yield [index, item];
      index += 1;
    }
  }

  /** Yields every item in order, as {@link Dataset.values}. */
  [Symbol.asyncIterator](): AsyncGenerator<Data> {
    return this.values();
  }

  /** Every item, in order. */
  async export(options: DatasetIteratorOptions = {}): Promise<Data[]> {
    return this.map((item) => item, options);
  }

  /** Writes every item as a JSON array to the record `key` of the store `toKVS`. */
  async exportToJSON(key: string, options: DatasetExportToOptions = {}): Promise<void> {
    assertKnownOptions(options, EXPORT_OPTIONS, 'Dataset.exportToJSON');
    const store = await this.#openStore(options.toKVS);
    await store.setValue(key, await this.export());
  }

  /**
   * Writes every item as CSV (`text/csv`) to the record `key` of the store `toKVS`. The header is
   * the first item's keys, or every item's keys with `collectAllKeys`; nested values are JSON.
   */
  async exportToCSV(key: string, options: DatasetExportToOptions = {}): Promise<void> {
    assertKnownOptions(options, EXPORT_OPTIONS, 'Dataset.exportToCSV');
    const store = await this.#openStore(options.toKVS);
    const csv = itemsToCsv(await this.export(), options.collectAllKeys ?? false);
    await store.setValue(key, csv, { contentType: 'text/csv' });
  }

  /**
   * Writes every item to a file, atomically: JSON (4-space indented) or CSV, chosen by `format`
   * or else by the path's extension. A trawl addition.
   * @throws ConfigurationError when the format is neither given nor told by a `.json` or `.csv`
   *   extension
   */
  async exportToFile(
    path: string,
    format?: 'json' | 'csv',
    options: DatasetExportToFileOptions = {},
  ): Promise<void> {
    assertKnownOptions(options, FILE_OPTIONS, 'Dataset.exportToFile');
    const kind = exportFormatOf(path, format);
    const items = await this.export();
    const text =
      kind === 'csv'
        ? itemsToCsv(items, options.collectAllKeys ?? false)
        : JSON.stringify(items, null, 4);

    const target = resolve(path);
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, text);
  }

  /** Facts about the dataset: item count and timestamps. */
  async getInfo(): Promise<DatasetInfo | undefined> {
    return this.client.get();
  }

  /** Deletes the dataset with every item; a later `open()` creates it anew. */
  async drop(): Promise<void> {
    await this.client.delete();
    forgetStorage(this.storageClient, 'dataset', this.name);
  }

  #openStore(name: string | undefined): Promise<KeyValueStore> {
    return KeyValueStore.open(name ?? null, {
      config: this.config,
      storageClient: this.storageClient,
    });
  }
}
