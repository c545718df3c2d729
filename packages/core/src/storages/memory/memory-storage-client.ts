/**
 * The storage backend used when `persistStorage` is off: every storage lives in this process's
 * memory and nothing touches the disk.
 */

import { SqliteRequestQueueClient } from '../sqlite/sqlite-request-queue-client.js';
import type { RequestQueueClient, StorageClient } from '../storage-client.js';
import { MemoryDatasetClient } from './memory-dataset-client.js';
import { MemoryKeyValueStoreClient } from './memory-key-value-store-client.js';

const INPUT_KEY = 'INPUT';

/**
 * Keeps datasets, key-value stores and request queues in memory (queues in an in-memory SQLite
 * database). Opening the same name again gives the same data until the client is dropped.
 *
 * @example
 * const config = new Configuration({ storageClient: new MemoryStorageClient() });
 * const dataset = await Dataset.open(null, { config });
 */
export class MemoryStorageClient implements StorageClient {
  #datasets = new Map<string, MemoryDatasetClient>();
  #stores = new Map<string, MemoryKeyValueStoreClient>();
  #queues = new Map<string, Promise<SqliteRequestQueueClient>>();

  /** Opens the dataset with this name, creating it when absent. */
  async dataset(name: string): Promise<MemoryDatasetClient> {
    let client = this.#datasets.get(name);
    if (!client) {
      client = new MemoryDatasetClient({ name, onDelete: () => this.#datasets.delete(name) });
      this.#datasets.set(name, client);
    }
    return client;
  }

  /** Opens the key-value store with this name, creating it when absent. */
  async keyValueStore(name: string): Promise<MemoryKeyValueStoreClient> {
    let client = this.#stores.get(name);
    if (!client) {
      client = new MemoryKeyValueStoreClient({ name, onDelete: () => this.#stores.delete(name) });
      this.#stores.set(name, client);
    }
    return client;
  }

  /**
   * Opens the request queue with this name in an in-memory SQLite database. One client is kept
   * per name, so the `clientKey` of the first call holds for every later one.
   */
  async requestQueue(
    name: string,
    options: { clientKey?: string } = {},
  ): Promise<RequestQueueClient> {
    let opening = this.#queues.get(name);
    // A dropped queue is gone: the next open starts an empty one.
    if (opening && (await opening.catch(() => undefined))?.isClosed) {
      opening = undefined;
    }
    if (!opening) {
      opening = SqliteRequestQueueClient.open({
        name,
        path: ':memory:',
        clientKey: options.clientKey,
      });
      this.#queues.set(name, opening);
      void opening.catch(() => this.#queues.delete(name));
    }
    return opening;
  }

  /**
   * Empties the default dataset, forgets the default request queue and deletes every record of
   * the default key-value store except `INPUT`. Named storages stay.
   */
  async purge(defaults: {
    datasetName: string;
    keyValueStoreName: string;
    requestQueueName: string;
  }): Promise<void> {
    await this.#datasets.get(defaults.datasetName)?.clear();
    await this.#stores.get(defaults.keyValueStoreName)?.purgeRecords(INPUT_KEY);
    await this.#forgetQueue(defaults.requestQueueName);
  }

  /** Closes every request queue; their data is gone afterwards. */
  async teardown(): Promise<void> {
    await Promise.all([...this.#queues.keys()].map((name) => this.#forgetQueue(name)));
  }

  async #forgetQueue(name: string): Promise<void> {
    const opening = this.#queues.get(name);
    this.#queues.delete(name);
    if (opening) {
      await (await opening).close();
    }
  }
}
