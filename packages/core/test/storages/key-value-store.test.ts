import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, InputError } from '../../src/errors.js';
import { EventType } from '../../src/events/event-manager.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { MemoryStorageClient } from '../../src/storages/memory/memory-storage-client.js';
import { createMemoryConfig, createTempStorage, runScript } from '../helpers/temp-storage.js';

interface Backend {
  config: Configuration;
  cleanup: () => Promise<void>;
}

const backends: [string, () => Backend][] = [
  ['filesystem', () => createTempStorage('trawl-kvs-')],
  ['memory', () => ({ config: createMemoryConfig(), cleanup: async () => undefined })],
];

describe.each(backends)('KeyValueStore on %s storage', (kind, makeBackend) => {
  let backend: Backend;
  let store: KeyValueStore;

  beforeEach(async () => {
    backend = makeBackend();
    store = await KeyValueStore.open(null, { config: backend.config });
  });

  afterEach(async () => {
    await backend.cleanup();
  });

  test('round-trips JSON, text, binary and streamed values', async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);

    await store.setValue('OBJECT', { a: [1, 2], b: null });
    await store.setValue('STRING', 'hello');
    await store.setValue('TEXT', 'plain words', { contentType: 'text/plain' });
    await store.setValue('IMAGE', bytes, { contentType: 'image/png' });
    await store.setValue('RAW', bytes);
    await store.setValue('STREAM', Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      contentType: 'application/octet-stream',
    });

    expect(await store.getValue('OBJECT')).toEqual({ a: [1, 2], b: null });
    expect(await store.getValue('STRING')).toBe('hello');
    expect(await store.getValue('TEXT')).toBe('plain words');
    expect(await store.getValue('IMAGE')).toEqual(bytes);
    expect(await store.getValue('RAW')).toEqual(bytes);
    expect(await store.getValue('STREAM')).toEqual(Buffer.from('abcd'));
  });

  test('returns the default value, else null, for a missing key', async () => {
    expect(await store.getValue('MISSING')).toBeNull();
    expect(await store.getValue('MISSING', { fallback: true })).toEqual({ fallback: true });
  });

  test('deletes a record when set to null, and reports existence', async () => {
    await store.setValue('KEY', { a: 1 });
    expect(await store.recordExists('KEY')).toBe(true);

    await store.setValue('KEY', null);

    expect(await store.recordExists('KEY')).toBe(false);
    expect(await store.getValue('KEY')).toBeNull();
  });

  test('copies values so callers cannot change stored records', async () => {
    const value = { n: 1 };
    const bytes = Buffer.from('abc');
    await store.setValue('OBJ', value);
    await store.setValue('BIN', bytes, { contentType: 'application/octet-stream' });
    value.n = 2;
    bytes[0] = 0;

    (await store.getValue<{ n: number }>('OBJ'))!.n = 3;
    (await store.getValue<Buffer>('BIN'))![1] = 0;

    expect(await store.getValue('OBJ')).toEqual({ n: 1 });
    expect(await store.getValue('BIN')).toEqual(Buffer.from('abc'));
  });

  test('rejects undefined, mistyped and unserialisable values with InputError', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    await expect(store.setValue('K', undefined)).rejects.toThrow(/pass null to delete/);
    await expect(store.setValue('K', { a: 1 }, { contentType: 'text/plain' })).rejects.toThrow(
      /must be a string, a Buffer or a readable stream/,
    );
    await expect(
      store.setValue('K', '{not json', { contentType: 'application/json' }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(store.setValue('K', circular)).rejects.toThrow(/cannot be turned into JSON/);
    await expect(store.setValue('K', 1, { contentTyp: 'x' } as never)).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(await store.recordExists('K')).toBe(false);
  });

  test.each([['../../etc/passwd'], ['a'.repeat(257)], [''], ['with space'], ['a/b']])(
    'rejects the invalid key %j with InputError',
    async (key) => {
      await expect(store.setValue(key, 1)).rejects.toBeInstanceOf(InputError);
      await expect(store.getValue(key)).rejects.toThrow(/1-256 characters/);
      await expect(store.recordExists(key)).rejects.toBeInstanceOf(InputError);
    },
  );

  test('accepts long keys made of every allowed character', async () => {
    // On disk `<key>.json` must fit in a 255-byte file name, so 250 characters is the most there.
    const length = kind === 'filesystem' ? 250 : 256;
    const key = "az-AZ_09!.'()".repeat(20).slice(0, length);

    await store.setValue(key, { ok: true });

    expect(key).toHaveLength(length);
    expect(await store.getValue(key)).toEqual({ ok: true });
  });

  test('walks keys in sorted order with sizes, prefix and exclusiveStartKey', async () => {
    await store.setValue('b-2', 'x', { contentType: 'text/plain' });
    await store.setValue('a-1', { v: 1 });
    await store.setValue('b-1', 'yy', { contentType: 'text/plain' });
    const visits: unknown[] = [];

    await store.forEachKey((key, index, info) => {
      visits.push([key, index, info.size]);
    });
    const bKeys: string[] = [];
    for await (const key of store.keys({ prefix: 'b-' })) {
      bKeys.push(key);
    }
    const after: string[] = [];
    await store.forEachKey((key) => void after.push(key), { exclusiveStartKey: 'a-1' });

    expect(visits).toEqual([
      ['a-1', 0, 12],
      ['b-1', 1, 2],
      ['b-2', 2, 1],
    ]);
    expect(bKeys).toEqual(['b-1', 'b-2']);
    expect(after).toEqual(['b-1', 'b-2']);
  });

  test('yields values and entries, and entries through for await', async () => {
    await store.setValue('one', 1);
    await store.setValue('two', { n: 2 });
    const values: unknown[] = [];
    const entries: unknown[] = [];

    for await (const value of store.values()) {
      values.push(value);
    }
    for await (const entry of store) {
      entries.push(entry);
    }

    expect(values).toEqual([1, { n: 2 }]);
    expect(entries).toEqual([
      ['one', 1],
      ['two', { n: 2 }],
    ]);
  });

  test('pages through more keys than one listing returns', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    for (const key of keys) {
      await store.setValue(key, 1);
    }
    const seen: string[] = [];

    await store.forEachKey((key) => void seen.push(key));

    expect(seen).toEqual(keys);
  });

  test('returns the same auto-saved object and saves it on persistState', async () => {
    await store.setValue('STATE', { count: 5 });

    const state = await store.getAutoSavedValue<{ count: number }>('STATE');
    const again = await store.getAutoSavedValue('STATE');
    const fresh = await store.getAutoSavedValue('FRESH', { items: [] as number[] });
    state.count += 1;
    fresh.items.push(1);
    backend.config.getEventManager().emit(EventType.PERSIST_STATE, { isMigrating: false });
    await backend.config.getEventManager().waitForAllListenersToComplete();

    expect(again).toBe(state);
    expect(await store.getValue('STATE')).toEqual({ count: 6 });
    expect(await store.getValue('FRESH')).toEqual({ items: [1] });
  });

  test('saves auto-saved values on persistAutoSavedValues', async () => {
    const state = await store.getAutoSavedValue('STATE');
    state.saved = true;

    await store.persistAutoSavedValues();

    expect(await store.getValue('STATE')).toEqual({ saved: true });
  });

  test('gives a public URL of the record', async () => {
    await store.setValue('PAGE', '<p>hi</p>', { contentType: 'text/html' });

    const url = store.getPublicUrl('PAGE');

    if (kind === 'filesystem') {
      expect(url).toMatch(/^file:\/\/.*\/key_value_stores\/default\/PAGE\.html$/);
      expect(url).toContain(encodeURI(backend.config.storageDir));
    } else {
      expect(url).toBe('memory:key_value_stores/default/PAGE');
    }
  });

  test('reads the input record of the default store', async () => {
    await store.setValue('INPUT', { startUrls: ['https://example.com'] });

    expect(await store.getInput()).toEqual({ startUrls: ['https://example.com'] });
  });

  test('drops a store so the next open starts empty', async () => {
    const named = await KeyValueStore.open('to-drop', { config: backend.config });
    await named.setValue('A', 1);

    await named.drop();
    const reopened = await KeyValueStore.open('to-drop', { config: backend.config });

    expect(reopened).not.toBe(named);
    expect(await reopened.getValue('A')).toBeNull();
  });
});

describe('KeyValueStore input and statics', () => {
  afterEach(() => {
    Configuration.resetGlobalState();
  });

  test('getInput prefers INPUT.json in the working directory over the stored record', async () => {
    const storage = createTempStorage('trawl-input-');
    const cwd = mkdtempSync(join(tmpdir(), 'trawl-cwd-'));
    onTestFinished(async () => {
      await storage.cleanup();
      await rm(cwd, { recursive: true, force: true });
    });
    const store = await KeyValueStore.open(null, { config: storage.config });
    await store.setValue('INPUT', { from: 'store' });

    const fromStore = JSON.parse(
      await runScript('storage-child.ts', ['input', storage.dir], { cwd }),
    );
    writeFileSync(join(cwd, 'INPUT.json'), '{ "from": "cwd" }');
    const fromCwd = JSON.parse(
      await runScript('storage-child.ts', ['input', storage.dir], { cwd }),
    );

    expect(fromStore).toEqual({ input: { from: 'store' } });
    expect(fromCwd).toEqual({ input: { from: 'cwd' } });
  });

  test('static methods use the default store of the global configuration', async () => {
    Configuration.getGlobalConfig().useStorageClient(new MemoryStorageClient());
    Configuration.set('purgeOnStart', false);

    await KeyValueStore.setValue('A', { a: 1 });
    const state = await KeyValueStore.getAutoSavedValue('STATE', { n: 1 });

    expect(await KeyValueStore.getValue('A')).toEqual({ a: 1 });
    expect(await KeyValueStore.getValue('B', 'fallback')).toBe('fallback');
    expect(await KeyValueStore.recordExists('A')).toBe(true);
    expect(await KeyValueStore.getAutoSavedValue('STATE')).toBe(state);
  });
});
