import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';

import { WriteBatch } from '../../src/storages/sqlite/write-batch.js';

let db: Database.Database;
let insert: Database.Transaction<(value: number) => void>;

beforeEach(() => {
  vi.useFakeTimers();
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (value INTEGER)');
  const statement = db.prepare('INSERT INTO t (value) VALUES (?)');
  insert = db.transaction((value: number) => void statement.run(value));
});

afterEach(() => {
  vi.useRealTimers();
  db.close();
});

const rows = () => db.prepare('SELECT value FROM t ORDER BY value').pluck().all();

test('while more writes are expected, a batch waits 2 ms and commits them together', async () => {
  const batch = new WriteBatch(db, () => true);
  const first = batch.run(() => insert(1));
  await vi.advanceTimersByTimeAsync(1);
  expect(rows()).toEqual([]);

  const second = batch.run(() => insert(2));
  await vi.advanceTimersByTimeAsync(1);

  await Promise.all([first, second]);
  expect(rows()).toEqual([1, 2]);
});

test('a lone writer commits at the end of the turn, without waiting', async () => {
  const batch = new WriteBatch(db, () => false);
  const write = batch.run(() => insert(1));

  await vi.advanceTimersByTimeAsync(0);

  await write;
  expect(rows()).toEqual([1]);
});
