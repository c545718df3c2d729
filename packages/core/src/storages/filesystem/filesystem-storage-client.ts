/**
 * The default storage backend: every storage in a folder (`./storage` unless configured), in
 * Crawlee's layout, so Crawlee storage folders open as they are and the Apify CLI reads ours.
 */

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ConfigurationError } from '../../errors.js';
import { assertKnownOptions } from '../../utils/options.js';
import { SqliteRequestQueueClient } from '../sqlite/sqlite-request-queue-client.js';
import type { RequestQueueClient, StorageClient } from '../storage-client.js';
import { removeDirectory, resolveWithinDirectory } from './atomic-write.js';
import { FilesystemDatasetClient } from './filesystem-dataset-client.js';
import { FilesystemKeyValueStoreClient } from './filesystem-key-value-store-client.js';

/** Options of {@link FilesystemStorageClient}. */
export interface FilesystemStorageClientOptions {
  /** The folder holding `datasets/`, `key_value_stores/` and `request_queues/`, created on use. */
  storageDir: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['storageDir']);
const INPUT_KEY = 'INPUT';

/**
 * Keeps datasets, key-value stores and request queues under one folder:
 * `datasets/<name>/000000001.json`, `key_value_stores/<name>/<key>.<ext>` and
 * `request_queues/<name>/queue.sqlite`.
 *
 * @example
 * const client = new FilesystemStorageClient({ storageDir: './storage' });
 * const dataset = await Dataset.open('products', { storageClient: client });
 */
export class FilesystemStorageClient implements StorageClient {
  /** The absolute path of the storage folder. */
  readonly storageDir: string;
  #datasets = new Map<string, Promise<FilesystemDatasetClient>>();
  #stores = new Map<string, Promise<FilesystemKeyValueStoreClient>>();
  #queues = new Map<string, Set<RequestQueueClient>>();

  /** @throws ConfigurationError on an unknown option or a missing `storageDir` */
  constructor(options: FilesystemStorageClientOptions) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'FilesystemStorageClient');
    if (typeof options.storageDir !== 'string' || options.storageDir.length === 0) {
      throw new ConfigurationError(
        'FilesystemStorageClient needs storageDir, the folder to keep storages in; ' +
          `got ${String(options.storageDir)}`,
        { option: 'storageDir' },
      );
    }
    this.storageDir = resolve(options.storageDir);
  }

  /** Opens the dataset folder `datasets/<name>`; one client per name. */
  dataset(name: string): Promise<FilesystemDatasetClient> {
    return openOnce(this.#datasets, name, () =>
      FilesystemDatasetClient.open({
        name,
        storageDir: this.storageDir,
        onDelete: () => this.#datasets.delete(name),
      }),
    );
  }

  /** Opens the key-value store folder `key_value_stores/<name>`; one client per name. */
  keyValueStore(name: string): Promise<FilesystemKeyValueStoreClient> {
    return openOnce(this.#stores, name, () =>
      FilesystemKeyValueStoreClient.open({
        name,
        storageDir: this.storageDir,
        onDelete: () => this.#stores.delete(name),
      }),
    );
  }

  /** Opens the SQLite queue `request_queues/<name>/queue.sqlite`; each call opens a new client. */
  async requestQueue(
    name: string,
    options: { clientKey?: string } = {},
  ): Promise<RequestQueueClient> {
    const folder = this.#queueFolder(name);
    await mkdir(folder, { recursive: true });
    const client = await SqliteRequestQueueClient.open({
      name,
      path: join(folder, 'queue.sqlite'),
      clientKey: options.clientKey,
    });

    let clients = this.#queues.get(name);
    if (!clients) {
      clients = new Set();
      this.#queues.set(name, clients);
    }
    clients.add(client);
    return client;
  }

  /**
   * Deletes the default dataset's items and the default request queue, and every record of the
   * default key-value store except `INPUT` (with any extension). Named storages stay.
   */
  async purge(defaults: {
    datasetName: string;
    keyValueStoreName: string;
    requestQueueName: string;
  }): Promise<void> {
    await Promise.all([
      this.#purgeDataset(defaults.datasetName),
      this.#purgeKeyValueStore(defaults.keyValueStoreName),
      this.#purgeRequestQueue(defaults.requestQueueName),
    ]);
  }

  /** Closes every request queue client this storage client opened. */
  async teardown(): Promise<void> {
    const names = [...this.#queues.keys()];
    await Promise.all(names.map((name) => this.#closeQueues(name)));
  }

  async #purgeDataset(name: string): Promise<void> {
    const opened = this.#datasets.get(name);
    if (opened) {
      await (await opened).clear();
      return;
    }
    await removeDirectory(
      resolveWithinDirectory(join(this.storageDir, 'datasets'), name, 'dataset name'),
    );
  }

  async #purgeKeyValueStore(name: string): Promise<void> {
    const store = await this.keyValueStore(name);
    await store.purgeRecords(INPUT_KEY);
  }

  async #purgeRequestQueue(name: string): Promise<void> {
    await this.#closeQueues(name);
    await removeDirectory(this.#queueFolder(name));
  }

  async #closeQueues(name: string): Promise<void> {
    const clients = [...(this.#queues.get(name) ?? [])];
    this.#queues.delete(name);
    await Promise.all(clients.map((client) => client.close()));
  }

  #queueFolder(name: string): string {
    return resolveWithinDirectory(
      join(this.storageDir, 'request_queues'),
      name,
      'request queue name',
    );
  }
}

// Shares one opening per name; a failed opening is forgotten so the next call tries again.
function openOnce<T>(
  cache: Map<string, Promise<T>>,
  name: string,
  open: () => Promise<T>,
): Promise<T> {
  let opening = cache.get(name);
  if (!opening) {
    opening = open();
    cache.set(name, opening);
    void opening.catch(() => cache.delete(name));
  }
  return opening;
}
