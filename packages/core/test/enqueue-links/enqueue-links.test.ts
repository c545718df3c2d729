import { describe, expect, test } from 'vitest';

import { enqueueLinks, EnqueueStrategy } from '../../src/enqueue-links/enqueue-links.js';
import { InvalidPatternError } from '../../src/enqueue-links/errors.js';
import type { Request, RequestsLike } from '../../src/request.js';
import { RequestQueue } from '../../src/storages/request-queue.js';
import type { AddRequestsBatchedOptions } from '../../src/storages/request-queue-types.js';
import { createMemoryConfig } from '../helpers/temp-storage.js';
import { createFakeQueue, urlsOf } from './fake-queue.js';

const BASE_URL = 'https://shop.example/start/';

// Links as a page might hold them: absolute, relative, protocol-relative and broken.
const LINKS = [
  'https://shop.example/a/b/first',
  'https://shop.example/a/second',
  'https://shop.example/a/b/third',
  'https://another.example/a/fifth',
  'http://cool.example/',
  '/x/absolutepath',
  'y/relativepath',
  '//sub.shop.example/hello',
  'http://',
];

const SAME_HOST = [
  'https://shop.example/a/b/first',
  'https://shop.example/a/second',
  'https://shop.example/a/b/third',
  'https://shop.example/x/absolutepath',
  'https://shop.example/start/y/relativepath',
];

describe('enqueueLinks strategies', () => {
  test('stays on the base hostname by default and resolves relative links', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({ urls: LINKS, baseUrl: BASE_URL, requestQueue: queue });

    expect(urlsOf(added)).toEqual(SAME_HOST);
    expect(added.every((request) => request.enqueueStrategy === 'same-hostname')).toBe(true);
  });

  test('same-domain also takes subdomains', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      strategy: 'same-domain',
    });

    expect(urlsOf(added)).toEqual([...SAME_HOST, 'https://sub.shop.example/hello']);
    expect(added[0].enqueueStrategy).toBe('same-domain');
  });

  test('all takes every http and https link', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      strategy: EnqueueStrategy.All,
    });

    expect(urlsOf(added)).toEqual([
      ...SAME_HOST.slice(0, 3),
      'https://another.example/a/fifth',
      'http://cool.example/',
      ...SAME_HOST.slice(3),
      'https://sub.shop.example/hello',
    ]);
  });

  test.each([
    ['same-hostname', ['http://shop.example/plain', 'https://shop.example/secure']],
    ['same-domain', ['http://shop.example/plain', 'https://shop.example/secure']],
    ['same-origin', ['https://shop.example/secure']],
  ] as const)('%s decides whether the scheme counts', async (strategy, expected) => {
    const { queue, added } = createFakeQueue();
    const urls = ['http://shop.example/plain', 'https://shop.example/secure'];
    await enqueueLinks({ urls, baseUrl: 'https://shop.example/', requestQueue: queue, strategy });

    expect(urlsOf(added)).toEqual(expected);
  });

  test('without a base URL, no strategy applies and relative links are skipped', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({ urls: LINKS, requestQueue: queue });

    expect(urlsOf(added)).toEqual(LINKS.slice(0, 5));
  });
});

describe('enqueueLinks patterns', () => {
  test('globs pick links and their objects set label, user data and method', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      label: 'PAGE',
      globs: [
        'https://shop.example/a/**',
        { glob: '?(http|https)://cool.example/', method: 'POST', userData: { hot: true } },
        { glob: 'https://another.example/**', label: 'OTHER' },
      ],
      transformRequestFunction: (options) =>
        options.url.endsWith('/third') ? { ...options, method: 'OPTIONS' } : options,
    });

    const summary = added.map((request) => [request.url, request.method, request.userData]);
    expect(summary).toEqual([
      ['https://shop.example/a/b/first', 'GET', { label: 'PAGE' }],
      ['https://shop.example/a/second', 'GET', { label: 'PAGE' }],
      ['https://shop.example/a/b/third', 'OPTIONS', { label: 'PAGE' }],
      ['https://another.example/a/fifth', 'GET', { label: 'OTHER' }],
      ['http://cool.example/', 'POST', { label: 'PAGE', hot: true }],
    ]);
    // Patterns without a strategy allow any site, as in Crawlee.
    expect(added.every((request) => request.enqueueStrategy === 'all')).toBe(true);
  });

  test('regexps pick links and set method and label; /g skips no link', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      regexps: [
        /^https:\/\/shop\.example\/a\//g,
        { regexp: /^https?:\/\/cool\.example\//, method: 'POST', label: 'COOL' },
      ],
    });

    expect(added.map((request) => [request.url, request.method, request.label])).toEqual([
      ['https://shop.example/a/b/first', 'GET', undefined],
      ['https://shop.example/a/second', 'GET', undefined],
      ['https://shop.example/a/b/third', 'GET', undefined],
      ['http://cool.example/', 'POST', 'COOL'],
    ]);
  });

  test('pseudoUrls pick links like the equivalent regexps', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      requestQueue: queue,
      pseudoUrls: [
        'https://shop.example/[(\\w|-|/)*]',
        { purl: '[http|https]://cool.example/', label: 'COOL' },
      ],
    });

    expect(urlsOf(added)).toEqual([...SAME_HOST.slice(0, 3), 'http://cool.example/']);
    expect(added[3].label).toBe('COOL');
  });

  test('an invalid pattern throws before anything is enqueued', async () => {
    const { queue, calls } = createFakeQueue();
    // A list with a hole at index 1, as `[a, , b]` makes.
    const sparse = ['https://shop.example/[.*]'];
    sparse[2] = 'https://cool.example/';

    await expect(
      enqueueLinks({ urls: LINKS, requestQueue: queue, pseudoUrls: sparse as never }),
    ).rejects.toThrow(InvalidPatternError);
    await expect(
      enqueueLinks({ urls: LINKS, requestQueue: queue, pseudoUrls: [/shop/] as never }),
    ).rejects.toThrow(/got a RegExp/);
    await expect(
      enqueueLinks({ urls: LINKS, requestQueue: queue, pseudoUrls: null as never }),
    ).rejects.toThrow(/pseudoUrls must be an array/);
    expect(calls).toEqual([]);
  });

  test('empty pattern lists and blank globs leave the default strategy in force', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      pseudoUrls: [],
      globs: ['', { glob: ' ' }],
    });

    expect(urlsOf(added)).toEqual(SAME_HOST);
  });

  test('exclude globs and regexps win over matching patterns', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      globs: ['https://shop.example/**', 'http://cool.example/'],
      exclude: ['**/first', /second$/],
    });

    expect(urlsOf(added)).toEqual([
      'https://shop.example/a/b/third',
      'http://cool.example/',
      'https://shop.example/x/absolutepath',
      'https://shop.example/start/y/relativepath',
    ]);
  });

  test('exclude alone keeps the default strategy', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      exclude: ['**/a/**'],
    });

    expect(urlsOf(added)).toEqual(SAME_HOST.slice(3));
  });

  test('user patterns and an explicit strategy must both match', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      strategy: 'same-domain',
      globs: ['**/hello', '**/fifth', '**/first'],
    });

    expect(urlsOf(added)).toEqual([
      'https://shop.example/a/b/first',
      'https://sub.shop.example/hello',
    ]);
  });
});

describe('enqueueLinks request options', () => {
  test('skipNavigation marks every request', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: LINKS,
      baseUrl: BASE_URL,
      requestQueue: queue,
      skipNavigation: true,
    });

    expect(added).toHaveLength(5);
    expect(added.every((request) => request.skipNavigation)).toBe(true);
  });

  test('transformRequestFunction can change a link or drop it', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls: SAME_HOST,
      requestQueue: queue,
      transformRequestFunction: (options) => {
        if (options.url.includes('/x/')) {
          return false;
        }
        options.userData!.seen = true;
        return { ...options, headers: { referer: BASE_URL } };
      },
    });

    expect(urlsOf(added)).toEqual(SAME_HOST.filter((url) => !url.includes('/x/')));
    expect(added[0].userData).toEqual({ seen: true });
    expect(added[0].headers).toEqual({ referer: BASE_URL });
  });

  test('label overrides userData.label; the caller userData is never changed', async () => {
    const { queue, added } = createFakeQueue();
    const userData = { category: 'shoes', label: 'BOGUS' };
    const before = JSON.stringify(userData);

    await enqueueLinks({ urls: [SAME_HOST[0]], requestQueue: queue, userData, label: 'FIRST' });
    await enqueueLinks({ urls: [SAME_HOST[1]], requestQueue: queue, userData, label: 'SECOND' });
    await enqueueLinks({ urls: [SAME_HOST[2]], requestQueue: queue, userData });

    expect(added.map((request) => request.label)).toEqual(['FIRST', 'SECOND', 'BOGUS']);
    expect(added[0].userData).toEqual({ category: 'shoes', label: 'FIRST' });
    expect(JSON.stringify(userData)).toBe(before);
  });

  test('forefront and waitForAllRequestsToBeAdded reach the queue, unset ones do not', async () => {
    const { queue, calls } = createFakeQueue();
    await enqueueLinks({
      urls: SAME_HOST,
      requestQueue: queue,
      forefront: true,
      waitForAllRequestsToBeAdded: true,
    });
    await enqueueLinks({ urls: SAME_HOST, requestQueue: queue });

    expect(calls[0].options).toEqual({ forefront: true, waitForAllRequestsToBeAdded: true });
    expect(calls[1].options).toEqual({});
  });

  test('returns the queue outcome of each request and no unprocessed ones', async () => {
    const { queue, held } = createFakeQueue();
    held.add('https://shop.example/a/second');

    const result = await enqueueLinks({ urls: SAME_HOST.slice(0, 2), requestQueue: queue });

    expect(result.unprocessedRequests).toEqual([]);
    expect(result.processedRequests.map((processed) => processed.wasAlreadyPresent)).toEqual([
      false,
      true,
    ]);
  });
});

describe('enqueueLinks with a queue that remembers its requests', () => {
  test('answers remembered links from the queue, in link order, without adding them', async () => {
    const queue = await RequestQueue.open(null, { config: createMemoryConfig() });
    await queue.addRequest({ url: 'https://shop.example/a/second' });
    const handled = await queue.addRequest({ url: 'https://shop.example/a/b/third' });
    const leased = await queue.fetchNextRequest();
    await queue.fetchNextRequest().then((request) => queue.markRequestHandled(request!));
    const added: string[] = [];
    const spy = {
      addRequestsBatched: (requests: RequestsLike, options?: AddRequestsBatchedOptions) => {
        added.push(...(requests as Request[]).map((request) => request.url));
        return queue.addRequestsBatched(requests, options);
      },
      knownRequest: (uniqueKey: string) => queue.knownRequest(uniqueKey),
    };

    const result = await enqueueLinks({ urls: SAME_HOST.slice(0, 4), requestQueue: spy });

    expect(added).toEqual([
      'https://shop.example/a/b/first',
      'https://shop.example/x/absolutepath',
    ]);
    expect(leased?.url).toBe('https://shop.example/a/second');
    expect(result.processedRequests).toEqual([
      expect.objectContaining({
        uniqueKey: 'https://shop.example/a/b/first',
        wasAlreadyPresent: false,
      }),
      expect.objectContaining({
        uniqueKey: 'https://shop.example/a/second',
        wasAlreadyPresent: true,
        wasAlreadyHandled: false,
      }),
      expect.objectContaining({
        requestId: handled.requestId,
        wasAlreadyPresent: true,
        wasAlreadyHandled: true,
      }),
      expect.objectContaining({ uniqueKey: 'https://shop.example/x/absolutepath' }),
    ]);
  });

  test('asks the queue about links only without a limit or a unique-key option', async () => {
    const queue = await RequestQueue.open(null, { config: createMemoryConfig() });
    await queue.addRequest({ url: 'https://shop.example/a/second' });
    const asked: string[] = [];
    const spy = {
      addRequestsBatched: (requests: RequestsLike, options?: AddRequestsBatchedOptions) =>
        queue.addRequestsBatched(requests, options),
      knownRequest: (uniqueKey: string) => {
        asked.push(uniqueKey);
        return queue.knownRequest(uniqueKey);
      },
    };
    const urls = ['https://shop.example/a/second'];

    await enqueueLinks({ urls, requestQueue: spy, limit: 5 });
    await enqueueLinks({
      urls,
      requestQueue: spy,
      transformRequestFunction: (options) => ({ ...options, useExtendedUniqueKey: true }),
    });
    expect(asked).toEqual([]);

    await enqueueLinks({ urls, requestQueue: spy });
    expect(asked).toEqual(['https://shop.example/a/second']);
  });
});
