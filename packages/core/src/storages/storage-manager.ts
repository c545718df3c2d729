import { Configuration } from '../configuration.js';
import { InputError } from '../errors.js';
import type { StorageClient } from './storage-client.js';

/** The three kinds of storage. */
export type StorageKind = 'dataset' | 'keyValueStore' | 'requestQueue';

/** Options every storage's `open()` accepts. */
export interface StorageManagerOptions {
  /** The configuration whose storage client and defaults to use. @default the global one */
  config?: Configuration;
  /** A storage client to use instead of the configuration's. */
  storageClient?: StorageClient;
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
const DEFAULT_NAME_OPTION = {
  dataset: 'defaultDatasetId',
  keyValueStore: 'defaultKeyValueStoreId',
  requestQueue: 'defaultRequestQueueId',
} as const;

const opened = new WeakMap<StorageClient, Map<string, Promise<unknown>>>();
const purged = new WeakSet<StorageClient>();

/**
 * Checks a storage name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at
 * most 100 characters, so it can never leave the storage folder.
 * @throws InputError naming the storage and the rule
 */
export function validateStorageName(kind: StorageKind, name: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InputError(
      `Invalid ${kind} name "${String(name)}": use 1-100 letters, digits, ".", "_" or "-", ` +
        'starting with a letter or digit',
      { code: 'TRAWL_INVALID_STORAGE_NAME' },
    );
  }
}

/** The name a storage opened with `nameOrId` has: the configured default when none is given. */
export function resolveStorageName(
  kind: StorageKind,
  nameOrId: string | null | undefined,
  config: Configuration,
): string {
  const name = nameOrId ?? (config.get(DEFAULT_NAME_OPTION[kind]) as string);
  validateStorageName(kind, name);
  return name;
}

/**
 * Clears the default storages of the configuration's storage client, keeping `INPUT` records;
 * with `onlyPurgeOnce` (the default for `open()`), a client is purged at most once per process.
 */
export async function purgeDefaultStorages(
  options: { onlyPurgeOnce?: boolean; config?: Configuration; client?: StorageClient } = {},
): Promise<void> {
  const config = options.config ?? Configuration.getGlobalConfig();
  const client = options.client ?? config.getStorageClient();
  if (options.onlyPurgeOnce && purged.has(client)) {
    return;
  }
  purged.add(client);
  await client.purge({
    datasetName: config.get('defaultDatasetId') as string,
    keyValueStoreName: config.get('defaultKeyValueStoreId') as string,
    requestQueueName: config.get('defaultRequestQueueId') as string,
  });
}

/**
 * Opens a storage once per client and name, purging the default storages first when
 * `purgeOnStart` is on. Later opens of the same name return the same instance.
 */
export async function openStorage<T>(
  kind: StorageKind,
  nameOrId: string | null | undefined,
  options: StorageManagerOptions,
  create: (client: StorageClient, name: string, config: Configuration) => Promise<T>,
): Promise<T> {
  const config = options.config ?? Configuration.getGlobalConfig();
  const client = options.storageClient ?? config.getStorageClient();
  const name = resolveStorageName(kind, nameOrId, config);
  if (config.get('purgeOnStart')) {
    await purgeDefaultStorages({ onlyPurgeOnce: true, config, client });
  }
  let cache = opened.get(client);
  if (!cache) {
    cache = new Map();
    opened.set(client, cache);
  }
  const key = `${kind}:${name}`;
  let storage = cache.get(key) as Promise<T> | undefined;
  if (!storage) {
    storage = create(client, name, config);
    cache.set(key, storage);
    void storage.catch(() => cache.delete(key));
  }
  return storage;
}

/** Forgets an opened storage, so the next `open()` creates it anew (after `drop()`). */
export function forgetStorage(client: StorageClient, kind: StorageKind, name: string): void {
  opened.get(client)?.delete(`${kind}:${name}`);
}
