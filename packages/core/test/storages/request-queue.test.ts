import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, InputError, InvalidUrlError, StorageError } from '../../src/errors.js';
import { EventManager, EventType } from '../../src/events/event-manager.js';
import { getRequestId, Request } from '../../src/request.js';
import { RequestQueue } from '../../src/storages/request-queue.js';
import { SqliteRequestQueueClient } from '../../src/storages/sqlite/sqlite-request-queue-client.js';
import type { StorageClient } from '../../src/storages/storage-client.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const KILL_WORKER = join(import.meta.dirname, '..', 'fixtures', 'rq-kill-worker.ts');
const dirs: string[] = [];
const queues: RequestQueue[] = [];

afterEach(async () => {
  for (const queue of queues.splice(0)) {
    await queue.client.close();
  }
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trawl-rq-'));
  dirs.push(dir);
  return dir;
}

function newConfig(): Configuration {
  return new Configuration({ purgeOnStart: false, eventManager: new EventManager() });
}

async function openQueue(path = join(tempDir(), 'queue.sqlite'), config = newConfig()) {
  const client = await SqliteRequestQueueClient.open({ name: 'test', path });
  const queue = new RequestQueue({ id: 'test', name: 'test', client, config });
  queues.push(queue);
  return queue;
}

async function drain(queue: RequestQueue): Promise<string[]> {
  const served: string[] = [];
  let request: Request | null;
  while ((request = await queue.fetchNextRequest())) {
    served.push(request.url);
    await queue.markRequestHandled(request);
  }
  return served;
}

async function expectCounts(queue: RequestQueue, total: number, handled: number) {
  const info = await queue.getInfo();
  expect(info).toMatchObject({
    totalRequestCount: total,
    handledRequestCount: handled,
    pendingRequestCount: total - handled,
  });
  expect(await queue.handledCount()).toBe(handled);
  expect(queue.getTotalCount()).toBe(total);
  expect(queue.getPendingCount()).toBe(total - handled);
}

describe('RequestQueue', () => {
  test('adds, fetches, reclaims and marks requests, with exact counts at each step', async () => {
    const queue = await openQueue();
    expect(queue.requestLockSecs).toBe(180);
    expect(await queue.isEmpty()).toBe(true);
    expect(await queue.isFinished()).toBe(true);

    const added = await queue.addRequest({ url: 'https://a.example/1', label: 'DETAIL' });
    expect(added).toEqual({
      requestId: getRequestId('https://a.example/1'),
      uniqueKey: 'https://a.example/1',
      wasAlreadyPresent: false,
      wasAlreadyHandled: false,
      forefront: false,
    });
    await queue.addRequest('https://a.example/2');
    await expectCounts(queue, 2, 0);

    const first = (await queue.fetchNextRequest<{ label: string }>())!;
    expect(first).toBeInstanceOf(Request);
    expect(first.id).toBe(added.requestId);
    expect(first.userData.label).toBe('DETAIL');
    expect(await queue.isEmpty()).toBe(false);

    first.retryCount += 1;
    await queue.reclaimRequest(first);
    await expectCounts(queue, 2, 0);
    const again = (await queue.fetchNextRequest())!;
    expect(again.url).toBe('https://a.example/1');
    expect(again.retryCount).toBe(1);

    await queue.markRequestHandled(again);
    expect(again.handledAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expectCounts(queue, 2, 1);
    expect(await queue.isFinished()).toBe(false);
    expect((await queue.getRequest(again.id!))!.handledAt).toBe(again.handledAt);
    expect(await queue.getRequest('nope')).toBeNull();

    expect(await drain(queue)).toEqual(['https://a.example/2']);
    await expectCounts(queue, 2, 2);
    expect(await queue.isEmpty()).toBe(true);
    expect(await queue.isFinished()).toBe(true);
  });

  test('dedupes a URL, its utm_ and trailing-slash variants, and handled requests', async () => {
    const queue = await openQueue();
    const { processedRequests } = await queue.addRequests([
      'https://shop.example/item?id=1',
      'https://shop.example/item?id=1&utm_source=mail',
      { url: 'https://SHOP.example/item/?utm_medium=x&id=1' },
      'https://shop.example/item?id=2',
    ]);
    expect(processedRequests.map((result) => result.wasAlreadyPresent)).toEqual([
      false,
      true,
      true,
      false,
    ]);
    await expectCounts(queue, 2, 0);

    await drain(queue);
    const again = await queue.addRequest('https://shop.example/item?id=1&utm_campaign=y');
    expect(again).toMatchObject({ wasAlreadyPresent: true, wasAlreadyHandled: true });
    await expectCounts(queue, 2, 2);
  });

  test('serves forefront requests first, newest first, then the rest in order', async () => {
    const queue = await openQueue();
    await queue.addRequests(['https://a.example/1', 'https://a.example/2']);
    await queue.addRequest('https://a.example/front-1', { forefront: true });
    await queue.addRequest('https://a.example/front-2', { forefront: true });
    await queue.addRequest('https://a.example/3');

    expect(await drain(queue)).toEqual([
      'https://a.example/front-2',
      'https://a.example/front-1',
      'https://a.example/1',
      'https://a.example/2',
      'https://a.example/3',
    ]);
  });

  test('fetchNextRequests leases several in the order they are served one by one', async () => {
    const queue = await openQueue();
    await queue.addRequests(['https://a.example/1', 'https://a.example/2', 'https://a.example/3']);
    await queue.addRequest('https://a.example/front', { forefront: true });

    const first = await queue.fetchNextRequests(3);
    expect(first.map((request) => request.url)).toEqual([
      'https://a.example/front',
      'https://a.example/1',
      'https://a.example/2',
    ]);
    expect(await queue.client.counts()).toEqual({ pending: 1, leased: 3, handled: 0 });
    for (const request of first) {
      await queue.markRequestHandled(request);
    }
    expect((await queue.fetchNextRequests(3)).map((request) => request.url)).toEqual([
      'https://a.example/3',
    ]);
    expect(await queue.fetchNextRequests(3)).toEqual([]);
  });

  test('a reclaimed request keeps its place; reclaimed with forefront it goes first', async () => {
    const queue = await openQueue();
    await queue.addRequests(['https://a.example/0', 'https://a.example/1', 'https://a.example/2']);
    const zero = (await queue.fetchNextRequest())!;
    const one = (await queue.fetchNextRequest())!;
    const two = (await queue.fetchNextRequest())!;

    await queue.reclaimRequest(two, { forefront: true });
    await queue.reclaimRequest(one);
    await queue.reclaimRequest(zero);
    expect(await drain(queue)).toEqual([
      'https://a.example/2',
      'https://a.example/0',
      'https://a.example/1',
    ]);
  });

  test('fetchNextRequest({ excludeHosts }) skips busy hosts', async () => {
    const queue = await openQueue();
    await queue.addRequests(['https://busy.example/1', 'https://calm.example/1']);
    const busy = new Set(['busy.example']);

    expect((await queue.fetchNextRequest({ excludeHosts: busy }))!.url).toBe(
      'https://calm.example/1',
    );
    expect(await queue.fetchNextRequest({ excludeHosts: busy })).toBeNull();
    expect((await queue.fetchNextRequest())!.url).toBe('https://busy.example/1');
  });

  test('iterates by fetching, as Crawlee does', async () => {
    const queue = await openQueue();
    await queue.addRequests(['https://a.example/1', 'https://a.example/2']);
    const seen: string[] = [];
    for await (const request of queue) {
      seen.push(request.url);
      await queue.markRequestHandled(request);
    }
    expect(seen).toEqual(['https://a.example/1', 'https://a.example/2']);
  });

  test('releases its leases on the aborting and migrating events', async () => {
    const config = newConfig();
    const queue = await openQueue(undefined, config);
    await queue.addRequests(['https://a.example/1', 'https://a.example/2']);

    for (const event of [EventType.ABORTING, EventType.MIGRATING]) {
      await queue.fetchNextRequest();
      expect((await queue.client.counts()).leased).toBe(1);
      config.getEventManager().emit(event);
      await config.getEventManager().waitForAllListenersToComplete();
      expect(await queue.client.counts()).toEqual({ pending: 2, leased: 0, handled: 0 });
    }
  });

  test('open() opens one instance per name, and drop() deletes the queue', async () => {
    const dir = tempDir();
    const storageClient = {
      requestQueue: async (name: string) => {
        mkdirSync(join(dir, name), { recursive: true });
        return SqliteRequestQueueClient.open({ name, path: join(dir, name, 'queue.sqlite') });
      },
    } as unknown as StorageClient;
    const config = newConfig();

    const queue = await RequestQueue.open('crawl', { config, storageClient });
    expect(await RequestQueue.open('crawl', { config, storageClient })).toBe(queue);
    expect(queue).toMatchObject({ id: 'crawl', name: 'crawl', clientKey: queue.client.clientKey });
    expect(queue.clientKey).toMatch(new RegExp(`^${process.pid}:[0-9a-f]+$`));
    await queue.addRequest('https://a.example/1');

    await queue.drop();
    expect(existsSync(join(dir, 'crawl', 'queue.sqlite'))).toBe(false);
    const fresh = await RequestQueue.open('crawl', { config, storageClient });
    queues.push(fresh);
    expect(fresh).not.toBe(queue);
    expect(fresh.getTotalCount()).toBe(0);
  });
});

describe('RequestQueue.addRequestsBatched', () => {
  test('adds the first batch at once, the rest in the background', async () => {
    const queue = await openQueue();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* sources() {
      yield 'https://a.example/0';
      yield { url: 'https://a.example/1' };
      await gate;
      yield 'https://a.example/2';
    }

    const result = await queue.addRequestsBatched(sources(), { batchSize: 2 });
    expect(result.addedRequests).toHaveLength(2);
    expect(result.requestsOverLimit).toEqual([]);
    expect(await drain(queue)).toHaveLength(2);
    expect(await queue.isFinished()).toBe(false);

    release();
    expect(await result.waitForAllRequestsToBeAdded).toHaveLength(1);
    expect(await drain(queue)).toEqual(['https://a.example/2']);
    expect(await queue.isFinished()).toBe(true);
  });

  test('waits for every batch on request, and stops at maxNewRequests', async () => {
    const queue = await openQueue();
    await queue.addRequest('https://a.example/0');
    const urls = Array.from({ length: 5 }, (_, index) => `https://a.example/${index}`);

    const all = await queue.addRequestsBatched(urls.slice(0, 3), {
      batchSize: 1,
      waitForAllRequestsToBeAdded: true,
    });
    expect(all.addedRequests.map((result) => result.wasAlreadyPresent)).toEqual([
      true,
      false,
      false,
    ]);

    const limited = await queue.addRequestsBatched([...urls, 'https://a.example/9'], {
      maxNewRequests: 2,
    });
    expect(limited.addedRequests.filter((result) => !result.wasAlreadyPresent)).toHaveLength(2);
    expect(limited.requestsOverLimit).toEqual([{ url: 'https://a.example/9' }]);
    await expectCounts(queue, 5, 0);
  });
});

describe('RequestQueue input errors', () => {
  test('a background batch with a bad URL rejects its promise and next isFinished()', async () => {
    const queue = await openQueue();
    const result = await queue.addRequestsBatched(['https://a.example/1', 'ftp://a.example/2'], {
      batchSize: 1,
    });
    expect(result.addedRequests).toHaveLength(1);
    await expect(result.waitForAllRequestsToBeAdded).rejects.toThrow(InvalidUrlError);
    await expect(queue.isFinished()).rejects.toThrow(InvalidUrlError);
    expect(await queue.isFinished()).toBe(false);
  });

  test('rejects invalid URLs, other schemes, given ids and unknown options', async () => {
    const queue = await openQueue();
    await expect(queue.addRequest('not a url')).rejects.toThrow(InvalidUrlError);
    await expect(queue.addRequest('ftp://files.example/a')).rejects.toThrow(/only http and https/);
    await expect(queue.addRequest({ url: 'https://a.example/', id: 'abc' })).rejects.toThrow(
      InputError,
    );
    await expect(queue.addRequest('https://a.example/', { front: true } as never)).rejects.toThrow(
      ConfigurationError,
    );
    await expect(queue.addRequests('https://a.example/' as never)).rejects.toThrow(InputError);
    await expect(
      queue.addRequestsBatched(['https://a.example/'], { batchSize: 0 }),
    ).rejects.toThrow(/batchSize must be an integer of at least 1/);
  });

  test('validates every request before writing any', async () => {
    const queue = await openQueue();
    await expect(
      queue.addRequests(['https://a.example/1', 'https://a.example/2', 'mailto:x@a.example']),
    ).rejects.toThrow(InvalidUrlError);
    await expectCounts(queue, 0, 0);
  });

  test('refuses to mark a request it did not fetch', async () => {
    const queue = await openQueue();
    await queue.addRequest('https://a.example/1');
    const request = new Request({ url: 'https://a.example/1' });
    await expect(queue.markRequestHandled(request)).rejects.toThrow(StorageError);
    await expect(queue.markRequestHandled(request)).rejects.toThrow(/is pending/);
  });
});

describe('RequestQueue after kill -9', () => {
  test('loses nothing, strands nothing and keeps the order', async () => {
    const path = join(tempDir(), 'queue.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', KILL_WORKER, path], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const reported = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const handled = Number(/^handled (\d+)$/.exec(line)?.[1] ?? 0);
        if (handled >= 500) {
          child.kill('SIGKILL');
          resolve(handled);
        }
      });
      child.once('exit', () => reject(new Error(`Worker exited before 500 handled: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    const peek = new Database(path);
    const stranded = peek.prepare('SELECT count(*) FROM requests WHERE state = 1').pluck().get();
    peek.close();
    expect(stranded).toBeGreaterThan(0);

    const queue = await openQueue(path);
    const counts = await queue.client.counts();
    expect(counts.leased).toBe(0);
    expect(counts.pending + counts.handled).toBe(2_000);
    expect(counts.handled).toBeGreaterThanOrEqual(reported);
    expect(counts.pending).toBeGreaterThan(0);

    const indexOf = (url: string) => Number(url.split('/').pop());
    const handledBefore = new Set<number>();
    for (let index = 0; index < 2_000; index++) {
      const id = getRequestId(`https://kill.example/page/${index}`);
      if ((await queue.getRequest(id))!.handledAt !== undefined) {
        handledBefore.add(index);
      }
    }
    const drained = (await drain(queue)).map(indexOf);
    expect(drained).toHaveLength(counts.pending);
    expect(drained.filter((index) => handledBefore.has(index))).toEqual([]);
    expect(drained).toEqual([...drained].sort((a, b) => a - b));
    expect(await queue.client.counts()).toEqual({ pending: 0, leased: 0, handled: 2_000 });
  });
});

describe('RequestQueue re-adds', () => {
  test('a request added again reports its id and whether it was handled', async () => {
    const queue = await openQueue();
    const added = await queue.addRequest('https://a.example/page');
    const again = await queue.addRequest('https://a.example/page#fragment');
    expect(again).toMatchObject({
      requestId: added.requestId,
      wasAlreadyPresent: true,
      wasAlreadyHandled: false,
    });

    await drain(queue);
    const request = new Request({ url: 'https://a.example/page' });
    const { processedRequests } = await queue.addRequests([request, 'https://a.example/other']);

    expect(processedRequests).toEqual([
      expect.objectContaining({ requestId: added.requestId, wasAlreadyHandled: true }),
      expect.objectContaining({ wasAlreadyPresent: false }),
    ]);
    // As Crawlee does, a Request instance passed in gets its id.
    expect(request.id).toBe(added.requestId);
    await expectCounts(queue, 2, 1);
  });

  test('re-adding requests the queue knows costs no storage write', async () => {
    const queue = await openQueue();
    const writes: number[] = [];
    const write = queue.client.batchAddRequests.bind(queue.client);
    queue.client.batchAddRequests = async (requests, options) => {
      writes.push(requests.length);
      return write(requests, options);
    };

    await queue.addRequests(['https://a.example/1', 'https://a.example/2']);
    const again = await queue.addRequests([
      'https://a.example/2/',
      'https://a.example/3',
      'https://a.example/1',
    ]);

    expect(writes).toEqual([2, 1]);
    expect(again.processedRequests.map((result) => result.wasAlreadyPresent)).toEqual([
      true,
      false,
      true,
    ]);
    await expectCounts(queue, 3, 0);
  });

  test('a known request given with another id is still refused', async () => {
    const queue = await openQueue();
    await queue.addRequest('https://a.example/page');
    const request = new Request({ url: 'https://a.example/page' });
    request.id = 'not-its-id';

    await expect(queue.addRequest(request)).rejects.toThrow(InputError);
  });
});
