import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';

import { CorruptStorageFileError, InputError, StorageError } from '../../src/errors.js';
import type { QueuedRequest } from '../../src/storages/storage-client.js';
import { toQueuedRequest } from '../../src/storages/request-queue-sources.js';
import { openQueueDatabase } from '../../src/storages/sqlite/schema.js';
import {
  SqliteRequestQueueClient,
  type SqliteRequestQueueClientOptions,
} from '../../src/storages/sqlite/sqlite-request-queue-client.js';
import { prepareStatements } from '../../src/storages/sqlite/statements.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const LEASE = { leaseSecs: 60 };

let clock = 1_700_000_000_000;
const now = (): number => clock;
const dirs: string[] = [];
const clients: SqliteRequestQueueClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) {
    await client.close().catch(() => undefined);
  }
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trawl-rq-client-'));
  dirs.push(dir);
  return dir;
}

async function open(
  path: string,
  options: Partial<SqliteRequestQueueClientOptions> = {},
): Promise<SqliteRequestQueueClient> {
  const client = await SqliteRequestQueueClient.open({ name: 'test', path, now, ...options });
  clients.push(client);
  return client;
}

async function openFresh(): Promise<SqliteRequestQueueClient> {
  return open(join(tempDir(), 'queue.sqlite'));
}

const queued = (url: string): QueuedRequest => toQueuedRequest(url);
const urls = (count: number, host = 'a.example'): string[] =>
  Array.from({ length: count }, (_, index) => `https://${host}/${index}`);

async function add(client: SqliteRequestQueueClient, list: string[], forefront = false) {
  return client.batchAddRequests(list.map(queued), { forefront });
}

async function drainUrls(client: SqliteRequestQueueClient): Promise<string[]> {
  const served: string[] = [];
  for (let next = await client.fetchNext(LEASE); next; next = await client.fetchNext(LEASE)) {
    served.push(next.url);
    await client.markHandled(next);
  }
  return served;
}

/** A pid no process has: that of a child that already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('SqliteRequestQueueClient order and counts', () => {
  test('serves requests first in, first out, with exact counts after every step', async () => {
    const client = await openFresh();
    await add(client, urls(3));
    expect(await client.counts()).toEqual({ pending: 3, leased: 0, handled: 0 });

    const first = (await client.fetchNext(LEASE))!;
    expect(first.url).toBe('https://a.example/0');
    expect(first.uniqueKey).toBe('https://a.example/0');
    expect(JSON.parse(first.json).url).toBe(first.url);
    expect(await client.counts()).toEqual({ pending: 2, leased: 1, handled: 0 });

    await client.markHandled(first);
    expect(await client.counts()).toEqual({ pending: 2, leased: 0, handled: 1 });
    expect(await drainUrls(client)).toEqual(['https://a.example/1', 'https://a.example/2']);
    expect(await client.counts()).toEqual({ pending: 0, leased: 0, handled: 3 });
    expect(await client.fetchNext(LEASE)).toBeNull();
  });

  test('serves forefront requests first, the newest first', async () => {
    const client = await openFresh();
    await add(client, ['https://a.example/old']);
    await add(client, ['https://a.example/f1', 'https://a.example/f2'], true);
    await add(client, ['https://a.example/new']);
    await add(client, ['https://a.example/f3'], true);

    expect(await drainUrls(client)).toEqual([
      'https://a.example/f3',
      'https://a.example/f2',
      'https://a.example/f1',
      'https://a.example/old',
      'https://a.example/new',
    ]);
  });

  test('dedupes by id and reports duplicates of handled requests', async () => {
    const client = await openFresh();
    const first = await add(client, ['https://a.example/x', 'https://a.example/x']);
    expect(first.processedRequests.map((result) => result.wasAlreadyPresent)).toEqual([
      false,
      true,
    ]);
    expect(first.unprocessedRequests).toEqual([]);

    await client.markHandled((await client.fetchNext(LEASE))!);
    const again = await add(client, ['https://a.example/x']);
    expect(again.processedRequests[0]).toMatchObject({
      wasAlreadyPresent: true,
      wasAlreadyHandled: true,
    });
    expect(await client.counts()).toEqual({ pending: 0, leased: 0, handled: 1 });
  });

  test('a reclaimed request keeps its place; with forefront it goes first', async () => {
    const client = await openFresh();
    await add(client, urls(4));
    const zero = (await client.fetchNext(LEASE))!;
    const one = (await client.fetchNext(LEASE))!;
    const updated = { ...zero, json: JSON.stringify({ ...JSON.parse(zero.json), retryCount: 1 }) };

    await client.reclaim(updated);
    expect(await client.counts()).toEqual({ pending: 3, leased: 1, handled: 0 });
    await client.reclaim(one, { forefront: true });
    expect(await client.counts()).toEqual({ pending: 4, leased: 0, handled: 0 });

    const next = (await client.fetchNext(LEASE))!;
    expect(next.url).toBe('https://a.example/1');
    await client.markHandled(next);
    const again = (await client.fetchNext(LEASE))!;
    expect(again.url).toBe('https://a.example/0');
    expect(JSON.parse(again.json).retryCount).toBe(1);
  });

  test('skips excluded hosts, also when they fill the whole head of the queue', async () => {
    const client = await openFresh();
    await add(client, [
      ...urls(300, 'busy.example'),
      'https://calm.example/1',
      'https://z.example/1',
    ]);

    const excludeHosts = new Set(['busy.example']);
    const next = (await client.fetchNext({ ...LEASE, excludeHosts }))!;
    expect(next.url).toBe('https://calm.example/1');
    await client.markHandled(next);

    const all = new Set(['busy.example', 'z.example']);
    expect(await client.fetchNext({ ...LEASE, excludeHosts: all })).toBeNull();
    expect((await client.fetchNext({ ...LEASE, excludeHosts: new Set(['x']) }))!.url).toBe(
      'https://busy.example/0',
    );
    expect(await client.counts()).toEqual({ pending: 300, leased: 1, handled: 1 });
  });

  test('get() reports exact counts, Crawlee-style pending, and hadMultipleClients', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const client = await open(path);
    await add(client, urls(3));
    await client.fetchNext(LEASE);

    const info = await client.get();
    expect(info).toMatchObject({
      id: 'test',
      name: 'test',
      totalRequestCount: 3,
      handledRequestCount: 0,
      pendingRequestCount: 3,
      hadMultipleClients: false,
    });
    expect(info.createdAt).toBeInstanceOf(Date);

    const other = await open(path);
    await other.fetchNext(LEASE);
    expect((await client.get()).hadMultipleClients).toBe(true);
  });
});

describe('SqliteRequestQueueClient leases', () => {
  test('an expired lease returns to pending, in its place, for any client', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const owner = await open(path);
    await add(owner, urls(2));
    const leased = (await owner.fetchNext({ leaseSecs: 10 }))!;

    const other = await open(path);
    expect((await other.fetchNext(LEASE))!.url).toBe('https://a.example/1');
    clock += 10_000;
    expect(await other.counts()).toEqual({ pending: 1, leased: 1, handled: 0 });
    expect((await other.fetchNext(LEASE))!.url).toBe(leased.url);
    await expect(owner.markHandled(leased)).rejects.toThrow(/leased by client/);
  });

  test('prolongLease keeps a lease alive; fails for a lease the client does not hold', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const owner = await open(path);
    await add(owner, urls(1));
    const leased = (await owner.fetchNext({ leaseSecs: 10 }))!;
    const other = await open(path);

    clock += 9_000;
    expect(await owner.prolongLease(leased.id, 10)).toBe(true);
    expect(await other.prolongLease(leased.id, 10)).toBe(false);
    clock += 9_000;
    expect(await other.fetchNext(LEASE)).toBeNull();
    expect(await other.counts()).toEqual({ pending: 0, leased: 1, handled: 0 });
  });

  test('refuses to mark or reclaim a request the client does not lease, saying why', async () => {
    const client = await openFresh();
    await add(client, urls(2));
    const pending = queued('https://a.example/1');
    const missing = queued('https://a.example/missing');

    await expect(client.markHandled(pending)).rejects.toThrow(StorageError);
    await expect(client.markHandled(pending)).rejects.toThrow(/because it is pending/);
    await expect(client.reclaim(missing)).rejects.toThrow(/because it is not in the queue/);
    const leased = (await client.fetchNext(LEASE))!;
    await client.markHandled(leased);
    await expect(client.markHandled(leased)).rejects.toThrow(/because it is already handled/);
    expect(await client.counts()).toEqual({ pending: 1, leased: 0, handled: 1 });
  });

  test('releaseLeases() and close() return leases to their original places', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const client = await open(path);
    await add(client, urls(4));
    await client.fetchNext(LEASE);
    await client.fetchNext(LEASE);
    await client.releaseLeases();
    expect(await client.counts()).toEqual({ pending: 4, leased: 0, handled: 0 });

    await client.fetchNext(LEASE);
    await client.close();
    const reopened = await open(path);
    expect(await reopened.counts()).toEqual({ pending: 4, leased: 0, handled: 0 });
    expect(await drainUrls(reopened)).toEqual(urls(4));
  });

  test('on open, frees leases of dead processes and reused pids, not of live clients', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const dead = await open(path, { clientKey: 'dead' });
    const reused = await open(path, { clientKey: 'reused' });
    const live = await open(path, { clientKey: 'live' });
    await add(dead, urls(6));
    for (const client of [dead, dead, reused, live]) {
      await client.fetchNext(LEASE);
    }

    const db = new Database(path);
    db.prepare('UPDATE clients SET pid = ? WHERE client_key = ?').run(deadPid(), 'dead');
    if (process.platform === 'linux') {
      db.prepare("UPDATE clients SET process_start = '1' WHERE client_key = 'reused'").run();
    } else {
      db.prepare('UPDATE clients SET pid = ? WHERE client_key = ?').run(deadPid(), 'reused');
    }
    db.close();

    const next = await open(path);
    expect(await next.counts()).toEqual({ pending: 5, leased: 1, handled: 0 });
    expect((await next.fetchNext(LEASE))!.url).toBe('https://a.example/0');
    await expect(live.markHandled(queued('https://a.example/3'))).resolves.toBeDefined();
  });

  test('a closed client refuses every call with a StorageError', async () => {
    const client = await openFresh();
    await client.close();
    await expect(client.fetchNext(LEASE)).rejects.toThrow(/was closed or dropped/);
    await expect(client.counts()).rejects.toThrow(StorageError);
  });

  test('a request with a URL that has no host is refused before anything is written', async () => {
    const client = await openFresh();
    const bad = { ...queued('https://a.example/1'), url: 'not a url' };
    await expect(client.batchAddRequests([queued('https://a.example/0'), bad])).rejects.toThrow(
      InputError,
    );
    expect(await client.counts()).toEqual({ pending: 0, leased: 0, handled: 0 });
  });
});

describe('SqliteRequestQueueClient files', () => {
  test('imports a Crawlee request folder once, in Crawlee order, leaving its files', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'rq-crawlee-queue'), dir, { recursive: true });
    const files = readdirSync(dir).sort();
    const path = join(dir, 'queue.sqlite');

    const client = await open(path);
    expect(await client.counts()).toEqual({ pending: 5, leased: 0, handled: 1 });
    expect(JSON.parse((await client.getRequest('DLOnshDFAdtr2pS'))!).handledAt).toBe(
      '2026-12-04T06:16:49.405Z',
    );
    await add(client, ['https://crawlee.example/a', 'https://crawlee.example/new']);
    expect(await drainUrls(client)).toEqual([
      'https://crawlee.example/front',
      'https://crawlee.example/a',
      'https://crawlee.example/c',
      'https://crawlee.example/b',
      'https://other.example/locked',
      'https://crawlee.example/new',
    ]);
    await client.close();

    const reopened = await open(path);
    expect(await reopened.counts()).toEqual({ pending: 0, leased: 0, handled: 7 });
    expect(
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort(),
    ).toEqual(files.filter((name) => name.endsWith('.json')));
  });

  test('rejects a corrupt Crawlee request file, naming it', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'rq-crawlee-corrupt'), dir, { recursive: true });
    const path = join(dir, 'queue.sqlite');

    const error = await open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptStorageFileError);
    expect((error as CorruptStorageFileError).path).toBe(join(dir, 'SaeG71Z8ET4ldkR.json'));
    expect((error as Error).message).toMatch(/is not valid JSON/);
    await expect(open(path)).rejects.toThrow(CorruptStorageFileError);
  });

  test('rejects a queue.sqlite that is not a database, naming the file and the fix', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    writeFileSync(path, 'this is not a SQLite database, just some text '.repeat(200));

    const error = await open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/delete its folder, or set CRAWLEE_PURGE_ON_START=1/);
  });

  test('delete() removes the database files and the emptied folder', async () => {
    const dir = join(tempDir(), 'queue-folder');
    cpSync(join(FIXTURES, 'rq-crawlee-queue'), dir, { recursive: true });
    const client = await open(join(dir, 'queue.sqlite'));
    await add(client, urls(3));

    await client.delete();
    expect(existsSync(dir)).toBe(false);
    await expect(client.counts()).rejects.toThrow(StorageError);
  });

  test('a :memory: queue works without files', async () => {
    const client = await open(':memory:');
    await add(client, urls(2));
    expect(await drainUrls(client)).toEqual(urls(2));
    await client.delete();
  });

  test('hot statements use indexes and never scan the whole table', () => {
    const db = openQueueDatabase(':memory:', () => undefined);
    const statements = prepareStatements(db);
    for (const [name, statement] of Object.entries(statements)) {
      const source = statement.source.replace(/\?|:key/g, 'NULL');
      const plan = db.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${source}`).all();
      const details = plan.map((row) => row.detail);
      expect(details, name).not.toContain('SCAN requests');
      expect(details.join('\n'), name).not.toMatch(/TEMP B-TREE/);
    }
    db.close();
  });
});

describe('SqliteRequestQueueClient group commit', () => {
  test('writes of one turn commit together; a failed one alone is undone', async () => {
    const client = await openFresh();
    await add(client, urls(2));
    const first = (await client.fetchNext(LEASE))!;
    const stranger = queued('https://a.example/never-added');

    const outcomes = await Promise.allSettled([
      add(client, ['https://b.example/new']),
      client.markHandled(first),
      client.markHandled(stranger),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'TRAWL_REQUEST_NOT_LEASED',
    });
    expect(await client.counts()).toEqual({ pending: 2, leased: 0, handled: 1 });
    expect((await client.get()).totalRequestCount).toBe(3);
  });

  test('a read sees the writes asked for before it, awaited or not', async () => {
    const client = await openFresh();
    const adding = add(client, ['https://a.example/only']);

    const next = await client.fetchNext(LEASE);

    expect(next?.url).toBe('https://a.example/only');
    expect((await adding).processedRequests[0]).toMatchObject({ wasAlreadyPresent: false });
  });

  test('writes still waiting when the client closes are committed, not lost', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const client = await open(path);
    const adding = add(client, urls(3));
    await client.close();
    await adding;

    const reopened = await open(path);
    expect(await reopened.counts()).toEqual({ pending: 3, leased: 0, handled: 0 });
  });
});
