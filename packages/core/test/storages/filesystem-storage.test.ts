import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, CorruptStorageFileError, InputError } from '../../src/errors.js';
import { Dataset } from '../../src/storages/dataset.js';
// prettier-ignore
import {
  FilesystemDatasetClient,
} from '../../src/storages/filesystem/filesystem-dataset-client.js';
// prettier-ignore
import {
  FilesystemStorageClient,
} from '../../src/storages/filesystem/filesystem-storage-client.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { MemoryStorageClient } from '../../src/storages/memory/memory-storage-client.js';
import { purgeDefaultStorages } from '../../src/storages/storage-manager.js';
import {
  createTempStorage,
  FIXTURES_DIR,
  runScript,
  type TempStorage,
} from '../helpers/temp-storage.js';

let storage: TempStorage;

beforeEach(() => {
  storage = createTempStorage('trawl-fs-');
});

afterEach(async () => {
  await storage.cleanup();
});

function read(...parts: string[]): string {
  return readFileSync(join(storage.dir, ...parts), 'utf8');
}

function write(path: string, content: string | Buffer): void {
  const full = join(storage.dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
}

function list(...parts: string[]): string[] {
  return readdirSync(join(storage.dir, ...parts)).sort();
}

async function openBoth(config: Configuration = storage.config) {
  return {
    dataset: await Dataset.open(null, { config }),
    store: await KeyValueStore.open(null, { config }),
  };
}

describe('filesystem layout', () => {
  test('writes items as tab-indented numbered files and records as <key>.<ext>', async () => {
    const { dataset, store } = await openBoth();

    await dataset.pushData([{ a: 1, nested: { b: [1] } }, { a: 2 }]);
    await store.setValue('OBJ', { a: 1 });
    await store.setValue('TEXT', 'hi', { contentType: 'text/plain; charset=utf-8' });
    await store.setValue('PIC', Buffer.from('png'), { contentType: 'image/png' });
    await store.setValue('BLOB', Buffer.from('?'), { contentType: 'application/x-custom' });
    await store.setValue('data.json', '[1]', { contentType: 'application/json' });

    expect(list('datasets', 'default')).toEqual(['000000001.json', '000000002.json']);
    expect(read('datasets', 'default', '000000001.json')).toBe(
      '{\n\t"a": 1,\n\t"nested": {\n\t\t"b": [\n\t\t\t1\n\t\t]\n\t}\n}',
    );
    expect(list('key_value_stores', 'default')).toEqual([
      'BLOB.bin',
      'OBJ.json',
      'PIC.png',
      'TEXT.txt',
      'data.json',
    ]);
    expect(read('key_value_stores', 'default', 'OBJ.json')).toBe('{\n  "a": 1\n}');
    expect(await store.getValue('data.json')).toEqual([1]);
  });

  test('moves a record to its new extension when its content type changes', async () => {
    const { store } = await openBoth();

    await store.setValue('KEY', { a: 1 });
    await store.setValue('KEY', 'now text', { contentType: 'text/plain' });

    expect(list('key_value_stores', 'default')).toEqual(['KEY.txt']);
    expect(await store.getValue('KEY')).toBe('now text');
  });

  test('opens a hand-written Crawlee storage folder as it is', async () => {
    cpSync(join(FIXTURES_DIR, 'crawlee-storage'), storage.dir, { recursive: true });
    const { dataset, store } = await openBoth();

    const items = (await dataset.getData()).items;
    await dataset.pushData({ url: 'https://example.com/c' });
    const keys: string[] = [];
    await store.forEachKey((key) => void keys.push(key));
    const photo = await store.getValue<Buffer>('photo');

    expect(items).toEqual([
      { url: 'https://example.com/a', title: 'Alpha', tags: ['x', 'y'] },
      { url: 'https://example.com/b', title: 'Beta, "quoted"', price: 12.5 },
    ]);
    expect(list('datasets', 'default')).toContain('000000003.json');
    expect((await dataset.getInfo())?.itemCount).toBe(3);
    expect(keys).toEqual(['INPUT', 'SDK_X', 'notes', 'photo']);
    expect(await store.getValue('INPUT')).toEqual({
      startUrls: ['https://example.com'],
      maxPages: 3,
    });
    expect(await store.getValue('SDK_X')).toEqual({ state: { done: 7 } });
    expect(await store.getValue('notes')).toBe('plain text notes\n');
    expect(photo?.subarray(1, 4).toString()).toBe('PNG');
  });

  test('counts item files around gaps and appends after the highest index', async () => {
    for (const index of ['000000001', '000000002', '000000005']) {
      write(`datasets/default/${index}.json`, JSON.stringify({ index }, null, '\t'));
    }
    write('datasets/default/__metadata__.json', '{}');
    write('datasets/default/notes.txt', 'not an item');
    const { dataset } = await openBoth();

    await dataset.pushData({ index: 'new' });

    expect(list('datasets', 'default')).toContain('000000006.json');
    expect((await dataset.getData()).items.map((item) => item.index)).toEqual([
      '000000001',
      '000000002',
      '000000005',
      'new',
    ]);
    expect((await dataset.getData({ desc: true, limit: 1 })).items).toEqual([{ index: 'new' }]);
  });

  test('reserved pushes commit concurrently and count items in reservation order', async () => {
    const client = await FilesystemDatasetClient.open({ name: 'default', storageDir: storage.dir });
    const reserved: number[] = [];
    const pushes = Array.from({ length: 20 }, (_, push) =>
      client.pushItemsReserving(
        Array.from({ length: (push % 3) + 1 }, (_, item) => ({ push, item })),
        async (startIndex) => {
          reserved.push(startIndex);
        },
      ),
    );
    // While the files are being written, the count never covers a file that is not there yet.
    const counts: number[] = [];
    const watcher = (async () => {
      for (let look = 0; look < 20; look += 1) {
        const count = (await client.get())!.itemCount;
        counts.push(count);
        const files = list('datasets', 'default').filter((name) => /^\d{9}\.json$/.test(name));
        expect(files.length).toBeGreaterThanOrEqual(count);
      }
    })();
    await Promise.all([...pushes, watcher]);

    const total = Array.from({ length: 20 }, (_, push) => (push % 3) + 1).reduce((a, b) => a + b);
    expect(reserved).toEqual([...reserved].sort((a, b) => a - b));
    const { items } = await client.listItems();
    expect(items).toHaveLength(total);
    expect(items.map((item) => item.push)).toEqual(
      [...items.map((i) => i.push)].sort((a, b) => +a! - +b!),
    );
    expect(counts.length).toBe(20);
  });

  test('a reserved push that finds a file taken fails, and every file is counted', async () => {
    const client = await FilesystemDatasetClient.open({ name: 'default', storageDir: storage.dir });
    await client.pushItems([{ n: 1 }]);
    // Another process takes index 3 after this one looked.
    const push = client.pushItemsReserving([{ n: 2 }, { n: 3 }, { n: 4 }], async (start) => {
      expect(start).toBe(2);
      write('datasets/default/000000003.json', JSON.stringify({ n: 'other' }));
    });

    await expect(push).rejects.toThrow(/Another process wrote item 3 of dataset "default"/);
    expect((await client.listItems()).items.map((item) => item.n)).toEqual([1, 2, 'other', 4]);
    await client.pushItems([{ n: 5 }]);
    expect((await client.listItems()).items.map((item) => item.n)).toEqual([1, 2, 'other', 4, 5]);
  });

  test('a reserved push whose commit fails writes nothing and leaves a gap', async () => {
    const client = await FilesystemDatasetClient.open({ name: 'default', storageDir: storage.dir });
    const failing = client.pushItemsReserving([{ n: 'lost' }, { n: 'lost' }], async () => {
      throw new Error('commit failed');
    });
    const next = client.pushItemsReserving([{ n: 'kept' }], async (start) => {
      expect(start).toBe(3);
    });

    await expect(failing).rejects.toThrow('commit failed');
    await next;
    expect(list('datasets', 'default')).toEqual(['000000003.json']);
    expect((await client.listItems()).items).toEqual([{ n: 'kept' }]);
    expect((await client.get())!.itemCount).toBe(1);
  });

  test('leaves no temporary files behind and ignores leftover ones', async () => {
    const { dataset, store } = await openBoth();
    await dataset.pushData({ a: 1 });
    await store.setValue('A', 1);
    expect(list('datasets', 'default')).toEqual(['000000001.json']);
    expect(list('key_value_stores', 'default')).toEqual(['A.json']);

    write('key_value_stores/default/.1-2-ab.trawl-tmp', '{"torn');
    write('datasets/default/.1-3-cd.trawl-tmp', '{"torn');

    const keys: string[] = [];
    await store.forEachKey((key) => void keys.push(key));
    expect(keys).toEqual(['A']);
    expect((await dataset.getInfo())?.itemCount).toBe(1);
  });

  test('gives the file:// URL of the record file in the configured folder', async () => {
    const { store } = await openBoth();
    await store.setValue('SHOT', Buffer.from('jpg'), { contentType: 'image/jpeg' });

    const url = new URL(store.getPublicUrl('SHOT'));

    expect(url.protocol).toBe('file:');
    expect(decodeURIComponent(url.pathname)).toBe(
      join(storage.dir, 'key_value_stores', 'default', 'SHOT.jpg'),
    );
  });

  test('keeps request queues in request_queues/<name>/queue.sqlite', async () => {
    const client = storage.config.getStorageClient();

    const queue = await client.requestQueue('crawl', { clientKey: 'test' });

    expect(queue.clientKey).toBe('test');
    expect(existsSync(join(storage.dir, 'request_queues', 'crawl', 'queue.sqlite'))).toBe(true);
  });
});

describe('two processes', () => {
  test('a storage written by another process reads back here', async () => {
    const payload = { items: [{ a: 1 }, { a: 2 }], records: { STATE: { n: 1 }, NOTE: 'text' } };

    await runScript('storage-child.ts', ['write', storage.dir, JSON.stringify(payload)]);
    const { dataset, store } = await openBoth();

    expect((await dataset.getData()).items).toEqual(payload.items);
    expect(await store.getValue('STATE')).toEqual({ n: 1 });
    expect(await store.getValue('NOTE')).toBe('text');
  });

  test('another process reads what this one wrote', async () => {
    const { dataset, store } = await openBoth();
    await dataset.pushData([{ b: 'x' }]);
    await store.setValue('STATE', { n: 2 });
    await store.setValue('PIC', Buffer.from([1, 2, 3]), { contentType: 'image/png' });

    const output = await runScript('storage-child.ts', ['read', storage.dir]);

    expect(JSON.parse(output)).toEqual({
      items: [{ b: 'x' }],
      records: { PIC: '<3 bytes>', STATE: { n: 2 } },
    });
  });

  test('items and records another process adds after opening are found', async () => {
    const { dataset, store } = await openBoth();
    await dataset.pushData({ mine: true });
    expect(await store.getValue('LATER')).toBeNull();

    const payload = { items: [{ theirs: true }], records: { LATER: { ok: 1 } } };
    await runScript('storage-child.ts', ['write', storage.dir, JSON.stringify(payload)]);

    expect(await store.getValue('LATER')).toEqual({ ok: 1 });
    expect((await dataset.getInfo())?.itemCount).toBe(2);
    expect((await dataset.getData()).items).toEqual([{ mine: true }, { theirs: true }]);
  });

  test('two writers on one dataset folder never overwrite each other', async () => {
    const first = await new FilesystemStorageClient({ storageDir: storage.dir }).dataset('shared');
    const second = await new FilesystemStorageClient({ storageDir: storage.dir }).dataset('shared');

    await first.pushItems([{ from: 'first' }]);
    await second.pushItems([{ from: 'second' }]);
    await first.pushItems([{ from: 'first again' }]);

    expect((await second.listItems()).items).toEqual([
      { from: 'first' },
      { from: 'second' },
      { from: 'first again' },
    ]);
  });
});

describe('purge', () => {
  function seed(): void {
    write('datasets/default/000000001.json', '{"a":1}');
    write('datasets/keep/000000001.json', '{"kept":true}');
    for (const name of ['INPUT.json', 'INPUT', 'INPUT.txt', 'OTHER.json', 'SDK_X.json']) {
      write(`key_value_stores/default/${name}`, '{}');
    }
    write('key_value_stores/named/STATE.json', '{}');
    write('request_queues/default/queue.sqlite', 'db');
    write('request_queues/other/queue.sqlite', 'db');
  }

  test('clears default storages but keeps INPUT records and named storages', async () => {
    seed();

    await purgeDefaultStorages({ config: storage.config });

    expect(list('datasets')).toEqual(['keep']);
    expect(list('datasets', 'keep')).toEqual(['000000001.json']);
    expect(list('key_value_stores', 'default')).toEqual(['INPUT', 'INPUT.json', 'INPUT.txt']);
    expect(list('key_value_stores', 'named')).toEqual(['STATE.json']);
    expect(list('request_queues')).toEqual(['other']);
  });

  test('runs on the first open when purgeOnStart is on', async () => {
    seed();
    const config = new Configuration({
      storageClientOptions: { localDataDirectory: storage.dir },
      purgeOnStart: true,
    });
    onTestFinished(() => config.getStorageClient().teardown());

    const { dataset, store } = await openBoth(config);
    const named = await Dataset.open('keep', { config });

    expect((await dataset.getData()).items).toEqual([]);
    expect(await store.getValue('OTHER')).toBeNull();
    expect(await store.getValue('INPUT')).toEqual({});
    expect((await named.getData()).items).toEqual([{ kept: true }]);
  });

  test('empties an open default dataset, which then numbers from 1 again', async () => {
    const { dataset } = await openBoth();
    await dataset.pushData([{ a: 1 }, { a: 2 }]);

    await purgeDefaultStorages({ config: storage.config });
    await dataset.pushData({ b: 1 });

    expect(list('datasets', 'default')).toEqual(['000000001.json']);
    expect((await dataset.getData()).items).toEqual([{ b: 1 }]);
  });

  test('closes an open default request queue before deleting it', async () => {
    const queue = await storage.config.getStorageClient().requestQueue('default');

    await purgeDefaultStorages({ config: storage.config });

    expect(existsSync(join(storage.dir, 'request_queues', 'default'))).toBe(false);
    await expect(queue.counts()).rejects.toThrow();
  });
});

describe('corrupt and invalid input', () => {
  test('a torn dataset item is reported with its file path', async () => {
    const { dataset } = await openBoth();
    await dataset.pushData([{ a: 1 }, { a: 2 }]);
    const path = join(storage.dir, 'datasets', 'default', '000000002.json');
    writeFileSync(path, '{\n\t"a": ');

    const reading = dataset.getData();

    await expect(reading).rejects.toBeInstanceOf(CorruptStorageFileError);
    await expect(reading).rejects.toThrow(path);
    await expect(dataset.forEach(() => undefined)).rejects.toThrow(/is corrupt \(invalid JSON/);
  });

  test('a dataset item file holding no object is reported as corrupt', async () => {
    write('datasets/default/000000001.json', '[1, 2]');
    const { dataset } = await openBoth();

    await expect(dataset.getData()).rejects.toThrow(/must be a JSON object/);
  });

  test('a torn JSON record is reported with its file path', async () => {
    write('key_value_stores/default/STATE.json', '{"requests": [1, 2');
    const { store } = await openBoth();

    const reading = store.getValue('STATE');

    await expect(reading).rejects.toBeInstanceOf(CorruptStorageFileError);
    await expect(reading).rejects.toThrow(
      join(storage.dir, 'key_value_stores', 'default', 'STATE.json'),
    );
  });

  test('storage names that could leave the storage folder are rejected', async () => {
    await expect(Dataset.open('../escape', { config: storage.config })).rejects.toBeInstanceOf(
      InputError,
    );
    await expect(KeyValueStore.open('a/b', { config: storage.config })).rejects.toBeInstanceOf(
      InputError,
    );
    await expect(
      FilesystemDatasetClient.open({ name: '..', storageDir: storage.dir }),
    ).rejects.toBeInstanceOf(InputError);
    expect(existsSync(join(storage.dir, 'escape'))).toBe(false);
  });

  test('record keys that name a path are rejected by the client itself', async () => {
    const client = await storage.config.getStorageClient().keyValueStore('default');

    await expect(client.getRecord('../../etc/passwd')).rejects.toBeInstanceOf(InputError);
    await expect(
      client.setRecord({ key: '../x', value: '1', contentType: 'application/json' }),
    ).rejects.toBeInstanceOf(InputError);
  });

  test('a key too long for a file name with its extension is rejected', async () => {
    const { store } = await openBoth();

    await expect(store.setValue('k'.repeat(256), 1)).rejects.toThrow(
      /too long for a file.*at most 250 characters/,
    );
  });

  test('FilesystemStorageClient rejects unknown options', () => {
    expect(
      () => new FilesystemStorageClient({ storageDir: storage.dir, storagDir: 'x' } as never),
    ).toThrow(ConfigurationError);
  });
});

describe('memory storage', () => {
  test('keeps nothing on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trawl-memory-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const config = new Configuration({
      persistStorage: false,
      purgeOnStart: true,
      storageClientOptions: { localDataDirectory: dir },
    });

    const { dataset, store } = await openBoth(config);
    await dataset.pushData({ a: 1 });
    await store.setValue('A', 1);

    expect(config.getStorageClient()).toBeInstanceOf(MemoryStorageClient);
    expect((await dataset.getData()).items).toEqual([{ a: 1 }]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('purge empties the default dataset and keeps INPUT', async () => {
    const config = new Configuration({
      storageClient: new MemoryStorageClient(),
      purgeOnStart: false,
    });
    const { dataset, store } = await openBoth(config);
    await dataset.pushData({ a: 1 });
    await store.setValue('INPUT', { i: 1 });
    await store.setValue('OTHER', 2);

    await purgeDefaultStorages({ config });

    expect((await dataset.getData()).items).toEqual([]);
    expect(await store.getValue('INPUT')).toEqual({ i: 1 });
    expect(await store.recordExists('OTHER')).toBe(false);
  });
});
