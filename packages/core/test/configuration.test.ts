import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../src/configuration.js';
import { ConfigurationError } from '../src/errors.js';
import { LogLevel, log } from '../src/log.js';

const ENV_KEYS = [
  'CRAWLEE_PURGE_ON_START',
  'CRAWLEE_PERSIST_STORAGE',
  'CRAWLEE_STORAGE_DIR',
  'CRAWLEE_MEMORY_MBYTES',
  'CRAWLEE_LOG_LEVEL',
  'CRAWLEE_HEADLESS',
  'CRAWLEE_DEFAULT_DATASET_ID',
];

describe('Configuration', () => {
  let saved: Record<string, string | undefined>;
  let cwd: string;
  let dir: string;

  beforeEach(() => {
    saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
    ENV_KEYS.forEach((key) => delete process.env[key]);
    cwd = process.cwd();
    dir = mkdtempSync(join(tmpdir(), 'trawl-config-'));
    process.chdir(dir);
    Configuration.resetGlobalState();
  });

  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
    log.setLevel(LogLevel.INFO);
    Configuration.resetGlobalState();
  });

  test('has Crawlee defaults', () => {
    const config = new Configuration();

    expect(config.get('purgeOnStart')).toBe(true);
    expect(config.get('persistStorage')).toBe(true);
    expect(config.get('defaultDatasetId')).toBe('default');
    expect(config.get('defaultKeyValueStoreId')).toBe('default');
    expect(config.get('defaultRequestQueueId')).toBe('default');
    expect(config.get('persistStateIntervalMillis')).toBe(60_000);
    expect(config.get('availableMemoryRatio')).toBe(0.25);
    expect(config.get('inputKey')).toBe('INPUT');
    expect(config.get('headless')).toBe(true);
    expect(config.get('memoryMbytes')).toBeUndefined();
    expect(config.get('memoryMbytes', 512)).toBe(512);
  });

  test('reads crawlee.json, then options, then environment variables, each overriding', () => {
    writeFileSync(
      'crawlee.json',
      JSON.stringify({ memoryMbytes: 100, headless: false, inputKey: 'A' }),
    );
    process.env.CRAWLEE_MEMORY_MBYTES = '300';

    const config = new Configuration({ memoryMbytes: 200, inputKey: 'B' });

    expect(config.get('headless')).toBe(false);
    expect(config.get('inputKey')).toBe('B');
    expect(config.get('memoryMbytes')).toBe(300);
  });

  test('reads booleans from the environment as Crawlee does: 0, false and empty are false', () => {
    for (const [raw, expected] of [
      ['0', false],
      ['false', false],
      ['', false],
      ['1', true],
      ['true', true],
    ] as const) {
      process.env.CRAWLEE_PURGE_ON_START = raw;
      expect(new Configuration().get('purgeOnStart')).toBe(expected);
    }
  });

  test('CRAWLEE_LOG_LEVEL sets the log level by name', () => {
    process.env.CRAWLEE_LOG_LEVEL = 'DEBUG';

    const config = new Configuration();

    expect(config.get('logLevel')).toBe(LogLevel.DEBUG);
    expect(log.getLevel()).toBe(LogLevel.DEBUG);
  });

  test('the storage folder is CRAWLEE_STORAGE_DIR, else ./storage', () => {
    expect(new Configuration().storageDir).toBe(join(process.cwd(), 'storage'));

    process.env.CRAWLEE_STORAGE_DIR = join(dir, 'elsewhere');
    expect(new Configuration().storageDir).toBe(join(dir, 'elsewhere'));

    const options = { storageClientOptions: { localDataDirectory: join(dir, 'given') } };
    expect(new Configuration(options).storageDir).toBe(join(dir, 'given'));
  });

  test('rejects an unknown option and names the closest known one', () => {
    const make = () => new Configuration({ purgeOnStrat: true } as never);

    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(/"purgeOnStrat".*did you mean "purgeOnStart"/);
  });

  test('rejects an unparsable number in the environment, naming the variable', () => {
    process.env.CRAWLEE_MEMORY_MBYTES = 'lots';

    expect(() => new Configuration()).toThrow(/CRAWLEE_MEMORY_MBYTES must be a number, got "lots"/);
  });

  test('rejects a crawlee.json that is not JSON, naming the file', () => {
    writeFileSync('crawlee.json', '{ persistStorage: ');

    expect(() => new Configuration()).toThrow(/crawlee\.json is not valid JSON/);
  });

  test('the global configuration is one object until reset', () => {
    const first = Configuration.getGlobalConfig();
    Configuration.set('headless', false);

    expect(Configuration.getGlobalConfig()).toBe(first);
    expect(first.get('headless')).toBe(false);

    Configuration.resetGlobalState();
    expect(Configuration.getGlobalConfig()).not.toBe(first);
  });

  test('set rejects unknown keys too', () => {
    expect(() => new Configuration().set('headles' as never, true as never)).toThrow(
      /did you mean "headless"/,
    );
  });

  test('gives one event manager and one storage client per configuration', () => {
    const config = new Configuration({ persistStorage: false });

    expect(config.getEventManager()).toBe(config.getEventManager());
    expect(config.getStorageClient()).toBe(config.getStorageClient());
    expect(new Configuration().getEventManager()).not.toBe(config.getEventManager());
  });
});
