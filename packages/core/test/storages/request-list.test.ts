import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';
import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, InputError } from '../../src/errors.js';
import { EventType } from '../../src/events/event-manager.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { RequestList } from '../../src/storages/request-list.js';

async function drainUrls(list: RequestList): Promise<string[]> {
  const urls: string[] = [];
  for (let r = await list.fetchNextRequest(); r; r = await list.fetchNextRequest()) {
    urls.push(r.url);
    await list.markRequestHandled(r);
  }
  return urls;
}

describe('RequestList', () => {
  let dir: string;
  let server: TestServer;
  const newConfig = () =>
    new Configuration({ storageClientOptions: { localDataDirectory: dir }, purgeOnStart: false });

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-list-'));
    server.reset();
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('hands out requests in order and drops duplicates by unique key', async () => {
    const config = newConfig();
    const list = await RequestList.open(
      null,
      [
        'https://a.example/1',
        { url: 'https://a.example/2', label: 'DETAIL' },
        'https://a.example/1?utm_source=x',
        'https://A.example/3/',
      ],
      { config },
    );

    expect(list.length()).toBe(3);
    expect(await drainUrls(list)).toEqual([
      'https://a.example/1',
      'https://a.example/2',
      'https://A.example/3/',
    ]);
    expect(list.handledCount()).toBe(3);
    expect(await list.isFinished()).toBe(true);
  });

  test('keeps duplicates with keepDuplicateUrls', async () => {
    const list = await RequestList.open(null, ['https://a.example/', 'https://a.example/'], {
      config: newConfig(),
      keepDuplicateUrls: true,
    });

    expect(list.length()).toBe(2);
    expect(await drainUrls(list)).toEqual(['https://a.example/', 'https://a.example/']);
  });

  test('serves a reclaimed request again before the rest of the list', async () => {
    const list = await RequestList.open(null, ['https://a.example/1', 'https://a.example/2'], {
      config: newConfig(),
    });

    const first = (await list.fetchNextRequest())!;
    await list.reclaimRequest(first);

    expect(await list.isEmpty()).toBe(false);
    expect((await list.fetchNextRequest())!.url).toBe('https://a.example/1');
    expect((await list.fetchNextRequest())!.url).toBe('https://a.example/2');
    expect(await list.isEmpty()).toBe(true);
    expect(await list.isFinished()).toBe(false);
  });

  test('expands requestsFromUrl by its regex, applying the other options to each URL', async () => {
    server.route(
      '/list.txt',
      'https://shop.example/a\nnoise https://shop.example/b, https://other.example/c\n',
      'text/plain',
    );
    const list = await RequestList.open(
      null,
      [
        {
          requestsFromUrl: server.url('/list.txt'),
          regex: /https:\/\/shop\.example\/\w/g,
          label: 'P',
        },
      ],
      { config: newConfig() },
    );

    const first = (await list.fetchNextRequest())!;
    expect(first.label).toBe('P');
    expect(list.length()).toBe(2);
    expect((await list.fetchNextRequest())!.url).toBe('https://shop.example/b');
  });

  test('a failed requestsFromUrl download is a typed error naming the URL', async () => {
    const url = server.url('/missing.txt');

    const opening = RequestList.open(null, [{ requestsFromUrl: url }], { config: newConfig() });

    await expect(opening).rejects.toThrow(InputError);
    await expect(opening).rejects.toThrow(url);
  });

  test('a restarted list resumes: handled requests stay handled, in-progress first', async () => {
    const sources = ['1', '2', '3', '4', '5'].map((n) => `https://a.example/${n}`);
    const before = await RequestList.open('start', sources, { config: newConfig() });
    await before.markRequestHandled((await before.fetchNextRequest())!);
    await before.fetchNextRequest();
    await before.markRequestHandled((await before.fetchNextRequest())!);
    await before.persistState();

    const after = await RequestList.open('start', sources, { config: newConfig() });

    expect(after.handledCount()).toBe(2);
    expect(await drainUrls(after)).toEqual([
      'https://a.example/2',
      'https://a.example/4',
      'https://a.example/5',
    ]);
    expect(after.handledCount()).toBe(5);
  });

  test('saves progress on every persistState event', async () => {
    const config = newConfig();
    const list = await RequestList.open('events', ['https://a.example/1'], { config });
    await list.fetchNextRequest();

    config.getEventManager().emit(EventType.PERSIST_STATE, { isMigrating: false });
    await config.getEventManager().waitForAllListenersToComplete();

    const store = await KeyValueStore.open(null, { config });
    expect(await store.getValue('SDK_events-REQUEST_LIST_STATE')).toEqual({
      nextIndex: 1,
      nextUniqueKey: null,
      inProgress: ['https://a.example/1'],
    });
    await list.teardown();
  });

  test('loads persisted sources instead of calling sourcesFunction again', async () => {
    let calls = 0;
    const sourcesFunction = async () => {
      calls += 1;
      return [`https://a.example/${calls}`];
    };
    const options = { persistRequestsKey: 'fn-requests', sourcesFunction };

    const first = await RequestList.open({ ...options, config: newConfig() });
    const second = await RequestList.open({ ...options, config: newConfig() });

    expect(calls).toBe(1);
    expect((await second.fetchNextRequest())!.url).toBe('https://a.example/1');
    expect(first.length()).toBe(second.length());
  });

  test('refuses saved progress that no longer matches changed sources', async () => {
    const sources = ['https://a.example/1', 'https://a.example/2'];
    const options = { persistStateKey: 'changed', config: newConfig() };
    const before = await RequestList.open({ ...options, sources });
    await before.fetchNextRequest();
    await before.persistState();

    const reopening = RequestList.open({
      sources: ['https://b.example/1', 'https://b.example/2'],
      persistStateKey: 'changed',
      config: newConfig(),
    });

    await expect(reopening).rejects.toThrow(/delete the record SDK_changed /);
  });

  test('rejects unknown and unsupported options, and use before initialize', async () => {
    expect(() => new RequestList({ sources: [], keepDuplicateUrl: true } as never)).toThrow(
      /did you mean "keepDuplicateUrls"/,
    );
    expect(() => new RequestList({ sources: [], proxyConfiguration: {} })).toThrow(
      ConfigurationError,
    );
    const list = new RequestList({ sources: ['https://a.example/'], config: newConfig() });
    await expect(list.fetchNextRequest()).rejects.toThrow(/not initialized/);
  });

  test('refuses to mark a request it did not hand out', async () => {
    const list = await RequestList.open(null, ['https://a.example/1', 'https://a.example/2'], {
      config: newConfig(),
    });
    const other = await RequestList.open(null, ['https://a.example/2'], { config: newConfig() });
    const foreign = (await other.fetchNextRequest())!;

    await expect(list.markRequestHandled(foreign)).rejects.toThrow(InputError);
  });

  test('rejects invalid URLs among the sources', async () => {
    await expect(
      RequestList.open(null, ['ftp://a.example/'], { config: newConfig() }),
    ).rejects.toThrow(/only http and https/);
  });
});
