import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, onTestFinished, test, vi } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, InputError } from '../../src/errors.js';
import { Dataset, MAX_PAYLOAD_SIZE_BYTES } from '../../src/storages/dataset.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { MemoryStorageClient } from '../../src/storages/memory/memory-storage-client.js';
import { createMemoryConfig, createTempStorage } from '../helpers/temp-storage.js';

interface Backend {
  config: Configuration;
  cleanup: () => Promise<void>;
}

const backends: [string, () => Backend][] = [
  ['filesystem', () => createTempStorage('trawl-dataset-')],
  ['memory', () => ({ config: createMemoryConfig(), cleanup: async () => undefined })],
];

describe.each(backends)('Dataset on %s storage', (_kind, makeBackend) => {
  let backend: Backend;
  let dataset: Dataset;

  beforeEach(async () => {
    backend = makeBackend();
    dataset = await Dataset.open(null, { config: backend.config });
  });

  afterEach(async () => {
    await backend.cleanup();
  });

  test('returns pushed items in order with total, count, offset and limit', async () => {
    await dataset.pushData({ n: 1 });
    await dataset.pushData([{ n: 2 }, { n: 3 }]);

    const page = await dataset.getData();

    expect(page).toMatchObject({ total: 3, count: 3, offset: 0, limit: 3, desc: false });
    expect(page.items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test('pages with offset and limit, newest first with desc', async () => {
    await dataset.pushData([1, 2, 3, 4, 5].map((n) => ({ n })));

    const middle = await dataset.getData({ offset: 1, limit: 2 });
    const newest = await dataset.getData({ limit: 2, desc: true });

    expect(middle.items).toEqual([{ n: 2 }, { n: 3 }]);
    expect(middle).toMatchObject({ total: 5, count: 2, offset: 1, limit: 2 });
    expect(newest.items).toEqual([{ n: 5 }, { n: 4 }]);
  });

  test('picks fields, drops hidden keys and skips empty items', async () => {
    await dataset.pushData([{ a: 1, b: 2, '#debug': 'x' }, { '#only': 'hidden' }, { b: 3 }]);

    const picked = await dataset.getData({ fields: ['b', 'a'] });
    const visible = await dataset.getData({ skipHidden: true });
    const cleaned = await dataset.getData({ clean: true });
    const nonEmpty = await dataset.getData({ fields: ['a'], skipEmpty: true });

    expect(picked.items).toEqual([{ b: 2, a: 1 }, {}, { b: 3 }]);
    expect(Object.keys(picked.items[0])).toEqual(['b', 'a']);
    expect(visible.items).toEqual([{ a: 1, b: 2 }, {}, { b: 3 }]);
    expect(cleaned.items).toEqual([{ a: 1, b: 2 }, { b: 3 }]);
    expect(cleaned).toMatchObject({ total: 3, count: 2 });
    expect(nonEmpty.items).toEqual([{ a: 1 }]);
  });

  test('rejects unwind, unknown options and a negative offset as bad configuration', async () => {
    await expect(dataset.getData({ unwind: 'tags' })).rejects.toThrow(/unwind.*not supported/);
    await expect(dataset.getData({ ofset: 1 } as never)).rejects.toThrow(/did you mean "offset"/);
    await expect(dataset.getData({ offset: -1 })).rejects.toBeInstanceOf(ConfigurationError);
  });

  test('rejects items that are not plain objects, naming the item', async () => {
    await expect(dataset.pushData('text' as never)).rejects.toBeInstanceOf(InputError);
    await expect(dataset.pushData([{ ok: 1 }, [1, 2]] as never)).rejects.toThrow(
      /Dataset item at index 1 must be a plain object, got an array/,
    );
    await expect(dataset.pushData(new Date() as never)).rejects.toThrow(/plain object/);
    expect((await dataset.getInfo())?.itemCount).toBe(0);
  });

  test('rejects an item that cannot be turned into JSON', async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;

    await expect(dataset.pushData(circular)).rejects.toThrow(/cannot be turned into JSON/);
  });

  test('rejects an item over 9 MB of JSON and writes nothing of the batch', async () => {
    const big = { text: 'x'.repeat(MAX_PAYLOAD_SIZE_BYTES) };

    const pushing = dataset.pushData([{ small: true }, big]);

    await expect(pushing).rejects.toBeInstanceOf(InputError);
    await expect(pushing).rejects.toThrow(
      /item at index 1 is \d+ bytes as JSON, over the limit of 9437184/,
    );
    expect((await dataset.getInfo())?.itemCount).toBe(0);
  });

  test('stores the JSON form of items, copied so callers cannot change stored data', async () => {
    const item = { when: new Date(0), nested: { n: 1 }, gone: undefined };
    await dataset.pushData(item);
    item.nested.n = 2;

    const [stored] = (await dataset.getData()).items;
    (stored.nested as { n: number }).n = 3;

    expect((await dataset.getData()).items).toEqual([
      { when: '1970-01-01T00:00:00.000Z', nested: { n: 1 } },
    ]);
  });

  test('stores flat items (strings, numbers, booleans, null) as their JSON form too', async () => {
    const item: Record<string, unknown> = { title: 'Caf\u00e9 \ud800', price: 1.5, ok: true };
    Object.assign(item, { none: null, zero: -0, nan: NaN });
    Object.defineProperty(item, '__proto__', { value: 'own', enumerable: true });
    const expected = JSON.stringify(item);
    await dataset.pushData([item, { a: 'x'.repeat(1_000), b: 2 }]);
    item.title = 'changed';

    const [stored, second] = (await dataset.getData()).items;

    expect(JSON.stringify(stored)).toBe(expected);
    expect(stored).toMatchObject({ zero: 0, nan: null });
    expect(second).toEqual({ a: 'x'.repeat(1_000), b: 2 });
  });

  test('iterates with forEach, map, reduce, values, entries and for await', async () => {
    await dataset.pushData([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const seen: [number, unknown][] = [];

    await dataset.forEach((item, index) => {
      seen.push([index, item.n]);
    });
    const doubled = await dataset.map((item) => (item.n as number) * 2);
    const sum = await dataset.reduce((memo, item) => memo + (item.n as number), 0);
    const firstAsMemo = await dataset.reduce<{ n: number }>((memo, item) => ({
      n: memo.n + item.n,
    }));
    const entries: [number, unknown][] = [];
    for await (const [index, item] of dataset.entries({ desc: true })) {
      entries.push([index, item.n]);
    }
    const viaFor: unknown[] = [];
    for await (const item of dataset) {
      viaFor.push(item.n);
    }

    expect(seen).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(doubled).toEqual([2, 4, 6]);
    expect(sum).toBe(6);
    expect(firstAsMemo).toEqual({ n: 6 });
    expect(entries).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
    ]);
    expect(viaFor).toEqual([1, 2, 3]);
  });

  test('reports item count and timestamps in getInfo', async () => {
    await dataset.pushData([{ a: 1 }, { a: 2 }]);

    const info = await dataset.getInfo();

    expect(info).toMatchObject({ id: 'default', name: 'default', itemCount: 2 });
    expect(info?.createdAt).toBeInstanceOf(Date);
    expect(info?.modifiedAt).toBeInstanceOf(Date);
    expect(info?.accessedAt).toBeInstanceOf(Date);
  });

  test('drops a dataset so the next open starts empty', async () => {
    const named = await Dataset.open('to-drop', { config: backend.config });
    await named.pushData({ a: 1 });

    await named.drop();
    const reopened = await Dataset.open('to-drop', { config: backend.config });

    expect(reopened).not.toBe(named);
    expect((await reopened.getData()).items).toEqual([]);
  });

  test('exports every item, and writes JSON and CSV records to a key-value store', async () => {
    await dataset.pushData([
      { name: 'plain', note: 'a, b', ok: true },
      { name: 'quoted "x"', note: 'line 1\nline 2', ok: false, extra: { deep: 1 } },
    ]);

    const exported = await dataset.export();
    await dataset.exportToJSON('OUT');
    await dataset.exportToCSV('OUT_CSV', { toKVS: 'exports' });
    await dataset.exportToCSV('ALL_KEYS', { collectAllKeys: true });
    const store = await KeyValueStore.open(null, { config: backend.config });
    const exports = await KeyValueStore.open('exports', { config: backend.config });

    expect(exported).toHaveLength(2);
    expect(await store.getValue('OUT')).toEqual(exported);
    expect(await exports.getValue('OUT_CSV')).toBe(
      'name,note,ok\nplain,"a, b",true\n"quoted ""x""","line 1\nline 2",false\n',
    );
    expect(await store.getValue('ALL_KEYS')).toBe(
      'name,note,ok,extra\nplain,"a, b",true,\n' +
        '"quoted ""x""","line 1\nline 2",false,"{""deep"":1}"\n',
    );
  });

  test('exports to a JSON or CSV file chosen by extension, rejecting others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trawl-export-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await dataset.pushData([{ a: 1, b: 'x' }]);

    await dataset.exportToFile(join(dir, 'out/items.json'));
    await dataset.exportToFile(join(dir, 'items.csv'));
    await dataset.exportToFile(join(dir, 'items.txt'), 'csv');

    expect(await readFile(join(dir, 'out/items.json'), 'utf8')).toBe(
      '[\n    {\n        "a": 1,\n        "b": "x"\n    }\n]',
    );
    expect(await readFile(join(dir, 'items.csv'), 'utf8')).toBe('a,b\n1,x\n');
    expect(await readFile(join(dir, 'items.txt'), 'utf8')).toBe('a,b\n1,x\n');
    await expect(dataset.exportToFile(join(dir, 'items.xml'))).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});

describe('Dataset iteration and statics', () => {
  afterEach(() => {
    Configuration.resetGlobalState();
  });

  test('reads 10,000 items at a time when iterating', async () => {
    const dataset = await Dataset.open(null, { config: createMemoryConfig() });
    await dataset.pushData(Array.from({ length: 10_005 }, (_, n) => ({ n })));
    const listItems = vi.spyOn(dataset.client, 'listItems');

    const count = await dataset.reduce((memo) => memo + 1, 0);

    expect(count).toBe(10_005);
    expect(listItems.mock.calls.map(([options]) => options)).toEqual([
      { offset: 0, limit: 10_000, desc: undefined },
      { offset: 10_000, limit: 10_000, desc: undefined },
    ]);
  });

  test('static methods use the default dataset of the global configuration', async () => {
    Configuration.getGlobalConfig().useStorageClient(new MemoryStorageClient());
    Configuration.set('purgeOnStart', false);

    await Dataset.pushData([{ a: 1 }, { a: 2 }]);
    const page = await Dataset.getData({ limit: 1 });
    await Dataset.exportToJSON('JSON_OUT');
    await Dataset.exportToCSV('CSV_OUT', { toKVS: 'other' });

    expect(page.items).toEqual([{ a: 1 }]);
    expect(await KeyValueStore.getValue('JSON_OUT')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await (await KeyValueStore.open('other')).getValue('CSV_OUT')).toBe('a\n1\n2\n');
  });
});
