import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { ConfigurationError } from './errors.js';
import { EventManager } from './events/event-manager.js';
import { LogLevel, log, parseLogLevel } from './log.js';
import { FilesystemStorageClient } from './storages/filesystem/filesystem-storage-client.js';
import { MemoryStorageClient } from './storages/memory/memory-storage-client.js';
import type { StorageClient } from './storages/storage-client.js';
import { assertKnownOptions } from './utils/options.js';

/** Options of {@link Configuration}; names, environment variables and defaults are Crawlee's. */
export interface ConfigurationOptions {
  /** The storage backend. @default filesystem under `storage/`, or memory without persistence */
  storageClient?: StorageClient;
  /** Options for the default storage client. */
  storageClientOptions?: { localDataDirectory?: string };
  /** The event manager. @default a new {@link EventManager} */
  eventManager?: EventManager;
  /** Name of the default dataset (`CRAWLEE_DEFAULT_DATASET_ID`). @default 'default' */
  defaultDatasetId?: string;
  /**
   * Name of the default key-value store (`CRAWLEE_DEFAULT_KEY_VALUE_STORE_ID`).
   * @default 'default'
   */
  defaultKeyValueStoreId?: string;
  /** Name of the default request queue (`CRAWLEE_DEFAULT_REQUEST_QUEUE_ID`). @default 'default' */
  defaultRequestQueueId?: string;
  /** Clear the default storages on first use (`CRAWLEE_PURGE_ON_START`). @default true */
  purgeOnStart?: boolean;
  /**
   * Keep storages on disk (`CRAWLEE_PERSIST_STORAGE`); false keeps them in memory.
   * @default true
   */
  persistStorage?: boolean;
  /** Memory the crawl may use, in megabytes (`CRAWLEE_MEMORY_MBYTES`). @default unset */
  memoryMbytes?: number;
  /** Share of total memory the crawl may use (`CRAWLEE_AVAILABLE_MEMORY_RATIO`). @default 0.25 */
  availableMemoryRatio?: number;
  /** CPU ratio above which the system counts as overloaded. @default 0.95 */
  maxUsedCpuRatio?: number;
  /** How often state is saved (`CRAWLEE_PERSIST_STATE_INTERVAL_MILLIS`). @default 60_000 */
  persistStateIntervalMillis?: number;
  /** How often a load sample is taken, in milliseconds. @default 1_000 */
  systemInfoIntervalMillis?: number;
  /** Key of the input record (`CRAWLEE_INPUT_KEY`). @default 'INPUT' */
  inputKey?: string;
  /** Run browsers headless (`CRAWLEE_HEADLESS`). @default true */
  headless?: boolean;
  /** Run browsers under Xvfb (`CRAWLEE_XVFB`). @default false */
  xvfb?: boolean;
  /** Path of a Chrome binary (`CRAWLEE_CHROME_EXECUTABLE_PATH`). */
  chromeExecutablePath?: string;
  /** Path of the default browser binary (`CRAWLEE_DEFAULT_BROWSER_PATH`). */
  defaultBrowserPath?: string;
  /** Launch browsers without a sandbox (`CRAWLEE_DISABLE_BROWSER_SANDBOX`). */
  disableBrowserSandbox?: boolean;
  /** Log level, a {@link LogLevel} or its name (`CRAWLEE_LOG_LEVEL`). @default INFO */
  logLevel?: LogLevel | string;
  /** Use cgroup-aware load readings (`CRAWLEE_SYSTEM_INFO_V2`). @default true */
  systemInfoV2?: boolean;
  /** Running in a container (`CRAWLEE_CONTAINERIZED`). @default detected */
  containerized?: boolean;
}

type Kind = 'string' | 'number' | 'boolean' | 'level';

const ENV_VARS: Record<string, [env: string, kind: Kind]> = {
  defaultDatasetId: ['CRAWLEE_DEFAULT_DATASET_ID', 'string'],
  defaultKeyValueStoreId: ['CRAWLEE_DEFAULT_KEY_VALUE_STORE_ID', 'string'],
  defaultRequestQueueId: ['CRAWLEE_DEFAULT_REQUEST_QUEUE_ID', 'string'],
  purgeOnStart: ['CRAWLEE_PURGE_ON_START', 'boolean'],
  persistStorage: ['CRAWLEE_PERSIST_STORAGE', 'boolean'],
  memoryMbytes: ['CRAWLEE_MEMORY_MBYTES', 'number'],
  availableMemoryRatio: ['CRAWLEE_AVAILABLE_MEMORY_RATIO', 'number'],
  persistStateIntervalMillis: ['CRAWLEE_PERSIST_STATE_INTERVAL_MILLIS', 'number'],
  inputKey: ['CRAWLEE_INPUT_KEY', 'string'],
  headless: ['CRAWLEE_HEADLESS', 'boolean'],
  xvfb: ['CRAWLEE_XVFB', 'boolean'],
  chromeExecutablePath: ['CRAWLEE_CHROME_EXECUTABLE_PATH', 'string'],
  defaultBrowserPath: ['CRAWLEE_DEFAULT_BROWSER_PATH', 'string'],
  disableBrowserSandbox: ['CRAWLEE_DISABLE_BROWSER_SANDBOX', 'boolean'],
  logLevel: ['CRAWLEE_LOG_LEVEL', 'level'],
  systemInfoV2: ['CRAWLEE_SYSTEM_INFO_V2', 'boolean'],
  containerized: ['CRAWLEE_CONTAINERIZED', 'boolean'],
};

const DEFAULTS: Partial<ConfigurationOptions> = {
  defaultDatasetId: 'default',
  defaultKeyValueStoreId: 'default',
  defaultRequestQueueId: 'default',
  purgeOnStart: true,
  persistStorage: true,
  availableMemoryRatio: 0.25,
  maxUsedCpuRatio: 0.95,
  persistStateIntervalMillis: 60_000,
  systemInfoIntervalMillis: 1_000,
  inputKey: 'INPUT',
  headless: true,
  systemInfoV2: true,
};

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(ENV_VARS),
  'storageClient',
  'storageClientOptions',
  'eventManager',
  'maxUsedCpuRatio',
  'systemInfoIntervalMillis',
]);

/**
 * The storage folder: `CRAWLEE_STORAGE_DIR`, else `./crawlee_storage` if it exists, else
 * `./storage`.
 */
export function defaultStorageDir(): string {
  const fromEnv = process.env.CRAWLEE_STORAGE_DIR;
  if (fromEnv) {
    return resolve(fromEnv);
  }
  return resolve(existsSync('crawlee_storage') ? 'crawlee_storage' : 'storage');
}

function parseEnvValue(name: string, raw: string, kind: Kind): unknown {
  if (kind === 'string') {
    return raw;
  }
  if (kind === 'boolean') {
    return !['0', 'false', ''].includes(raw.trim().toLowerCase());
  }
  if (kind === 'level') {
    const level = parseLogLevel(raw);
    if (level === undefined) {
      throw new ConfigurationError(
        `${name} must be a log level name (DEBUG, INFO, WARNING, ERROR, OFF) or 0-6, got "${raw}"`,
        { option: name },
      );
    }
    return level;
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new ConfigurationError(`${name} must be a number, got "${raw}"`, { option: name });
  }
  return value;
}

function readConfigFile(): Partial<ConfigurationOptions> {
  const path = resolve('crawlee.json');
  if (!existsSync(path)) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`${path} is not valid JSON; fix the file or remove it`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`${path} must hold a JSON object of configuration options`);
  }
  assertKnownOptions(parsed, KNOWN_OPTIONS, 'crawlee.json');
  return parsed as Partial<ConfigurationOptions>;
}

let globalConfig: Configuration | undefined;

/**
 * Settings of a crawl. Values come from `crawlee.json` in the working directory, then the
 * constructor's options, then `CRAWLEE_*` environment variables, each overriding the one before,
 * as in Crawlee 3.
 *
 * @example
 * const config = new Configuration({ persistStorage: false });
 * const dataset = await Dataset.open(null, { config });
 */
export class Configuration {
  #values: Record<string, unknown>;
  #storageClient?: StorageClient;
  #eventManager?: EventManager;

  /** @throws ConfigurationError on an unknown option or an unparsable environment variable. */
  constructor(options: ConfigurationOptions = {}) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'Configuration');
    this.#values = { ...DEFAULTS, ...readConfigFile(), ...options };
    for (const [key, [env, kind]] of Object.entries(ENV_VARS)) {
      const raw = process.env[env];
      if (raw !== undefined) {
        this.#values[key] = parseEnvValue(env, raw, kind);
      }
    }
    this.#storageClient = options.storageClient;
    this.#eventManager = options.eventManager;
    const level = this.#values.logLevel;
    if (level !== undefined) {
      log.setLevel(
        typeof level === 'number' ? level : (parseLogLevel(String(level)) ?? LogLevel.INFO),
      );
    }
  }

  /** The value of an option, or `defaultValue` when it is unset. */
  get<K extends keyof ConfigurationOptions>(
    key: K,
    defaultValue?: NonNullable<ConfigurationOptions[K]>,
  ): ConfigurationOptions[K] {
    return (this.#values[key] as ConfigurationOptions[K]) ?? defaultValue;
  }

  /** Sets an option for this configuration. */
  set<K extends keyof ConfigurationOptions>(key: K, value: ConfigurationOptions[K]): void {
    assertKnownOptions({ [key]: value }, KNOWN_OPTIONS, 'Configuration');
    this.#values[key] = value;
  }

  /** The folder of the default filesystem storage client. */
  get storageDir(): string {
    const options = this.#values.storageClientOptions as
      { localDataDirectory?: string } | undefined;
    return options?.localDataDirectory ? resolve(options.localDataDirectory) : defaultStorageDir();
  }

  /** Makes `client` the storage backend of this configuration. */
  useStorageClient(client: StorageClient): void {
    this.#storageClient = client;
  }

  /** The storage backend, created on first use from `persistStorage` and the storage folder. */
  getStorageClient(): StorageClient {
    this.#storageClient ??= createDefaultStorageClient(this);
    return this.#storageClient;
  }

  /** Makes `eventManager` the event manager of this configuration. */
  useEventManager(eventManager: EventManager): void {
    this.#eventManager = eventManager;
  }

  /** The event manager, created on first use. */
  getEventManager(): EventManager {
    this.#eventManager ??= new EventManager({
      persistStateIntervalMillis: this.get('persistStateIntervalMillis'),
      systemInfoIntervalMillis: this.get('systemInfoIntervalMillis'),
      maxUsedCpuRatio: this.get('maxUsedCpuRatio'),
    });
    return this.#eventManager;
  }

  /** The process-wide configuration, created on first use. */
  static getGlobalConfig(): Configuration {
    globalConfig ??= new Configuration();
    return globalConfig;
  }

  /** Sets an option on the global configuration. */
  static set<K extends keyof ConfigurationOptions>(key: K, value: ConfigurationOptions[K]): void {
    Configuration.getGlobalConfig().set(key, value);
  }

  /** Forgets the global configuration, so the next use reads files and environment again. */
  static resetGlobalState(): void {
    globalConfig = undefined;
  }
}

function createDefaultStorageClient(config: Configuration): StorageClient {
  if (config.get('persistStorage')) {
    return new FilesystemStorageClient({ storageDir: config.storageDir });
  }
  return new MemoryStorageClient();
}
