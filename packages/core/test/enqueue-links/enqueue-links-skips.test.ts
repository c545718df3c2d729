import { afterEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import {
  enqueueLinks,
  resolveBaseUrlForEnqueueLinksFiltering,
  type SkippedRequestReason,
} from '../../src/enqueue-links/enqueue-links.js';
import { ConfigurationError, InvalidUrlError } from '../../src/errors.js';
import { RequestQueue } from '../../src/storages/request-queue.js';
import { createFakeQueue, urlsOf } from './fake-queue.js';

type Skip = { url: string; reason: SkippedRequestReason };

/** Disallows every path starting with /private, for any user agent but "friendly-bot". */
const robotsTxtFile = {
  isAllowed: (url: string, userAgent?: string) =>
    userAgent === 'friendly-bot' || !new URL(url).pathname.startsWith('/private'),
};

describe('onSkippedRequest', () => {
  test('reports each left-out link once, with its reason, in pipeline order', async () => {
    const { queue, added } = createFakeQueue();
    const skips: Skip[] = [];

    await enqueueLinks({
      urls: [
        'mailto:shop@shop.example',
        '/private/admin',
        '/drop-me',
        '/logout',
        'https://another.example/',
        '/a',
        '/b',
        '/c',
      ],
      baseUrl: 'https://shop.example/',
      requestQueue: queue,
      robotsTxtFile,
      exclude: ['**/logout'],
      limit: 2,
      transformRequestFunction: (options) => !options.url.endsWith('/drop-me') && options,
      onSkippedRequest: (skip) => void skips.push(skip),
    });

    expect(urlsOf(added)).toEqual(['https://shop.example/a', 'https://shop.example/b']);
    expect(skips).toEqual([
      { url: 'mailto:shop@shop.example', reason: 'filters' },
      { url: 'https://shop.example/private/admin', reason: 'robotsTxt' },
      { url: 'https://shop.example/drop-me', reason: 'filters' },
      { url: 'https://shop.example/logout', reason: 'filters' },
      { url: 'https://another.example/', reason: 'filters' },
      { url: 'https://shop.example/c', reason: 'enqueueLimit' },
    ]);
  });

  test('awaits an async callback before adding to the queue', async () => {
    const { queue, calls } = createFakeQueue();
    const seenBeforeAdd: number[] = [];

    await enqueueLinks({
      urls: ['https://elsewhere.example/'],
      baseUrl: 'https://shop.example/',
      requestQueue: queue,
      onSkippedRequest: async () => {
        await Promise.resolve();
        seenBeforeAdd.push(calls.length);
      },
    });

    expect(seenBeforeAdd).toEqual([0]);
  });
});

describe('robotsTxtFile', () => {
  const urls = ['https://shop.example/public', 'https://shop.example/private/x'];

  test('drops disallowed links', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({ urls, requestQueue: queue, robotsTxtFile });
    expect(urlsOf(added)).toEqual(['https://shop.example/public']);
  });

  test('checks the rules of the user agent given in respectRobotsTxtFile', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({
      urls,
      requestQueue: queue,
      robotsTxtFile,
      respectRobotsTxtFile: { userAgent: 'friendly-bot' },
    });
    expect(urlsOf(added)).toEqual(urls);
  });

  test('is ignored when respectRobotsTxtFile is false', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({ urls, requestQueue: queue, robotsTxtFile, respectRobotsTxtFile: false });
    expect(urlsOf(added)).toEqual(urls);
  });
});

describe('limit', () => {
  const urls = ['https://a.example/1', 'https://a.example/2', 'https://a.example/3'];

  test('goes to the queue as maxNewRequests; links already held do not count', async () => {
    const { queue, calls, added, held } = createFakeQueue();
    held.add('https://a.example/1');
    const skips: Skip[] = [];

    await enqueueLinks({
      urls,
      requestQueue: queue,
      limit: 1,
      onSkippedRequest: (s) => void skips.push(s),
    });

    expect(calls[0].options.maxNewRequests).toBe(1);
    expect(urlsOf(added)).toEqual(['https://a.example/2']);
    expect(skips).toEqual([{ url: 'https://a.example/3', reason: 'enqueueLimit' }]);
  });

  test('0 enqueues nothing', async () => {
    const { queue, added } = createFakeQueue();
    await enqueueLinks({ urls, requestQueue: queue, limit: 0 });
    expect(added).toEqual([]);
  });
});

describe('with a real in-memory RequestQueue', () => {
  const configs: Configuration[] = [];
  afterEach(async () => {
    for (const config of configs.splice(0)) {
      await config.getStorageClient().teardown();
    }
  });

  test('stores each new link once, with label, user data and strategy', async () => {
    const config = new Configuration({ persistStorage: false, purgeOnStart: false });
    configs.push(config);
    const requestQueue = await RequestQueue.open(null, { config });
    await requestQueue.addRequest({ url: 'https://shop.example/seen' });

    const result = await enqueueLinks({
      urls: ['/seen', '/item/1', '/item/1#reviews', '/item/2', '/item/3', 'https://other.example/'],
      baseUrl: 'https://shop.example/list',
      requestQueue,
      label: 'DETAIL',
      userData: { from: 'list' },
      limit: 2,
    });

    expect(result.processedRequests.filter((p) => !p.wasAlreadyPresent)).toHaveLength(2);
    const stored = [];
    for (
      let request = await requestQueue.fetchNextRequest();
      request;
      request = await requestQueue.fetchNextRequest()
    ) {
      stored.push(request);
    }
    expect(stored.map((request) => request.url)).toEqual([
      'https://shop.example/seen',
      'https://shop.example/item/1',
      'https://shop.example/item/2',
    ]);
    expect(stored[1].userData).toEqual({ from: 'list', label: 'DETAIL' });
    expect(stored[1].enqueueStrategy).toBe('same-hostname');
  });
});

describe('option checks', () => {
  const { queue } = createFakeQueue();

  test.each([
    ['no options', undefined, /needs an options object with urls and requestQueue/],
    ['missing urls', { requestQueue: queue }, /option urls is required/],
    ['missing requestQueue', { urls: [] }, /option requestQueue is required/],
    ['a misspelt option', { urls: [], requestQueue: queue, glob: [] }, /did you mean "globs"\?/],
    [
      'a URL that is not a string',
      { urls: [1], requestQueue: queue },
      /urls must be an array of URL strings/,
    ],
    [
      'a relative baseUrl',
      { urls: [], requestQueue: queue, baseUrl: '/x' },
      /baseUrl must be an absolute URL/,
    ],
    [
      'a negative limit',
      { urls: [], requestQueue: queue, limit: -1 },
      /limit must be a non-negative integer, got -1/,
    ],
    [
      'an unknown strategy',
      { urls: [], requestQueue: queue, strategy: 'same-site' },
      /strategy must be one of all/,
    ],
    [
      'a queue without addRequestsBatched',
      { urls: [], requestQueue: {} },
      /requestQueue must be a request queue/,
    ],
  ])('%s is a ConfigurationError', async (_name, options, message) => {
    const call = enqueueLinks(options as never);
    await expect(call).rejects.toThrow(ConfigurationError);
    await expect(enqueueLinks(options as never)).rejects.toThrow(message);
  });

  test('the caller options object is left as it was', async () => {
    const options = { urls: ['https://a.example/'], requestQueue: queue };
    await enqueueLinks(options);
    expect(Object.keys(options)).toEqual(['urls', 'requestQueue']);
  });
});

describe('resolveBaseUrlForEnqueueLinksFiltering', () => {
  const originalRequestUrl = 'https://www.shop.example/start?x=1';

  test.each([
    [
      'a user base URL wins',
      { userProvidedBaseUrl: 'https://mine.example/a', enqueueStrategy: 'all' },
      undefined,
      'https://mine.example/a',
    ],
    [
      'all follows the redirect',
      { enqueueStrategy: 'all' },
      'https://cdn.other.example/x',
      'https://cdn.other.example',
    ],
    [
      'same-domain follows a redirect within the domain',
      { enqueueStrategy: 'same-domain' },
      'http://blog.shop.example/x',
      'http://blog.shop.example',
    ],
    [
      'same-domain keeps the original after an off-domain redirect',
      { enqueueStrategy: 'same-domain' },
      'https://another.example/',
      'https://www.shop.example',
    ],
    [
      'same-hostname keeps the original origin',
      { enqueueStrategy: 'same-hostname' },
      'https://blog.shop.example/',
      'https://www.shop.example',
    ],
    [
      'same-origin keeps the original origin',
      { enqueueStrategy: 'same-origin' },
      'http://www.shop.example/',
      'https://www.shop.example',
    ],
    [
      'no strategy keeps the original origin',
      {},
      'https://another.example/',
      'https://www.shop.example',
    ],
  ] as const)('%s', (_name, options, finalRequestUrl, expected) => {
    expect(
      resolveBaseUrlForEnqueueLinksFiltering({ ...options, originalRequestUrl, finalRequestUrl }),
    ).toBe(expected);
  });

  test('an unusable request URL is an InvalidUrlError', () => {
    expect(() =>
      resolveBaseUrlForEnqueueLinksFiltering({ originalRequestUrl: '/relative' }),
    ).toThrow(InvalidUrlError);
  });
});
