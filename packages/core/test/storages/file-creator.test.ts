import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, test } from 'vitest';

import { createNewFile } from '../../src/storages/filesystem/file-creator.js';
import { createTempStorage, type TempStorage } from '../helpers/temp-storage.js';

const storages: TempStorage[] = [];

afterEach(async () => {
  await Promise.all(storages.splice(0).map((storage) => storage.cleanup()));
});

function tempDir(): string {
  const storage = createTempStorage('trawl-create-');
  storages.push(storage);
  return storage.dir;
}

test('creates many files at once, each whole once its promise resolves', async () => {
  const dir = tempDir();
  const names = Array.from({ length: 200 }, (_, i) => `${i}.json`);

  await Promise.all(names.map((name, i) => createNewFile(join(dir, name), `{"i":${i}}`)));

  expect(names.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')))).toEqual(
    names.map((_, i) => ({ i })),
  );
});

test('refuses to overwrite a file with an EEXIST error, failing only that file', async () => {
  const dir = tempDir();
  await createNewFile(join(dir, 'taken.json'), 'first');

  const results = await Promise.allSettled([
    createNewFile(join(dir, 'taken.json'), 'second'),
    createNewFile(join(dir, 'free.json'), 'free'),
    createNewFile(join(dir, 'missing', 'x.json'), 'lost'),
  ]);

  expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'EEXIST' } });
  expect(results[1]).toEqual({ status: 'fulfilled', value: undefined });
  expect(results[2]).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
  expect(readFileSync(join(dir, 'taken.json'), 'utf8')).toBe('first');
  expect(readFileSync(join(dir, 'free.json'), 'utf8')).toBe('free');
});
