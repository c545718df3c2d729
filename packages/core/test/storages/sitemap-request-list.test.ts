import type { ServerResponse } from 'node:http';

import type { SitemapError, SitemapWarning } from '@trawl/sitemap';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';
import { Configuration } from '../../src/configuration.js';
import { BasicCrawler } from '../../src/crawlers/basic-crawler.js';
import { InvalidPatternError } from '../../src/enqueue-links/errors.js';
import { ConfigurationError, InputError } from '../../src/errors.js';
import { EventType } from '../../src/events/event-manager.js';
import { Log, LogLevel } from '../../src/log.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import {
  SitemapRequestList,
  type SitemapRequestListState,
} from '../../src/storages/sitemap-request-list.js';
import type { SitemapRequestListOptions } from '../../src/storages/sitemap-request-list-options.js';
import { createTempStorage, type TempStorage } from '../helpers/temp-storage.js';

const XML = 'application/xml; charset=utf-8';
const NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';

function urlset(urls: readonly string[]): string {
  const entries = urls.map((url) => `<url><loc>${url}</loc></url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset ${NS}>\n${entries}\n</urlset>\n`;
}

function sitemapIndex(urls: readonly string[]): string {
  const entries = urls.map((url) => `<sitemap><loc>${url}</loc></sitemap>`).join('\n');
  const header = '<?xml version="1.0" encoding="UTF-8"?>';
  return `${header}\n<sitemapindex ${NS}>\n${entries}\n</sitemapindex>\n`;
}

/** Polls state that emits no event, with a deadline. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function drain(list: SitemapRequestList): Promise<string[]> {
  const urls: string[] = [];
  for (let r = await list.fetchNextRequest(); r; r = await list.fetchNextRequest()) {
    urls.push(r.url);
    await list.markRequestHandled(r);
  }
  return urls;
}

describe('SitemapRequestList', () => {
  let server: TestServer;
  let storage: TempStorage;
  let opened: SitemapRequestList[];
  const pages = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => server.url(`/${prefix}/${i}`));

  /** Opens a list on the test's storage; afterEach tears it down. */
  async function open(
    options: Partial<SitemapRequestListOptions>,
    config: Configuration = storage.config,
  ): Promise<SitemapRequestList> {
    const list = await SitemapRequestList.open({
      sitemapUrls: [server.url('/index.xml')],
      config,
      ...options,
    });
    opened.push(list);
    return list;
  }

  function serveIndex(children: Record<string, readonly string[]>): void {
    server.route('/index.xml', sitemapIndex(Object.keys(children).map((p) => server.url(p))), XML);
    for (const [path, urls] of Object.entries(children)) {
      server.route(path, urlset(urls), XML);
    }
  }

  const requestsTo = (path: string) => server.seen.filter((r) => r.path === path).length;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.reset();
    storage = createTempStorage('trawl-sitemap-list-');
    opened = [];
  });

  afterEach(async () => {
    for (const list of opened) {
      await list.teardown();
    }
    await storage.cleanup();
  });

  test('streams the URLs of a sitemap index with two children, in order', async () => {
    const one = pages('one', 3);
    const two = pages('two', 4);
    serveIndex({ '/one.xml': one, '/two.xml': two });

    const list = await open({});

    expect(await drain(list)).toEqual([...one, ...two]);
    expect(list.handledCount()).toBe(7);
    expect(list.length()).toBe(7);
    expect(await list.isFinished()).toBe(true);
    expect(list.isSitemapFullyLoaded()).toBe(true);
    expect(list.errors).toEqual([]);
    expect(['/index.xml', '/one.xml', '/two.xml'].map(requestsTo)).toEqual([1, 1, 1]);
  });

  test('reads each sitemap once when indexes list each other', async () => {
    server.route(
      '/index.xml',
      sitemapIndex([server.url('/index.xml'), server.url('/nested.xml')]),
      XML,
    );
    server.route(
      '/nested.xml',
      sitemapIndex([server.url('/index.xml'), server.url('/leaf.xml#top')]),
      XML,
    );
    server.route('/leaf.xml', urlset(pages('leaf', 2)), XML);

    const list = await open({});

    expect(await drain(list)).toEqual(pages('leaf', 2));
    expect(['/index.xml', '/nested.xml', '/leaf.xml'].map(requestsTo)).toEqual([1, 1, 1]);
  });

  test('follows nested sitemaps down to maxDepth and warns about deeper ones', async () => {
    serveIndex({ '/one.xml': pages('one', 1) });
    server.route('/index.xml', sitemapIndex([server.url('/nested.xml')]), XML);
    server.route('/nested.xml', sitemapIndex([server.url('/one.xml')]), XML);
    const warnings: SitemapWarning[] = [];

    const list = await open({
      parseSitemapOptions: { maxDepth: 1, onWarning: (w) => warnings.push(w) },
    });

    expect(await drain(list)).toEqual([]);
    expect(requestsTo('/one.xml')).toBe(0);
    expect(warnings).toMatchObject([
      { code: 'TRAWL_SITEMAP_MAX_DEPTH', url: server.url('/one.xml') },
    ]);
  });

  test('keeps the URLs the patterns and the strategy allow, with the pattern label', async () => {
    const otherHost = server.url('/blog/9').replace('127.0.0.1', '127.0.0.2');
    server.route(
      '/index.xml',
      urlset([
        server.url('/products/1'),
        server.url('/products/old/2'),
        server.url('/blog/3'),
        server.url('/blog/about'),
        server.url('/contact'),
        otherHost,
      ]),
      XML,
    );
    const patterns: Partial<SitemapRequestListOptions> = {
      globs: [{ glob: server.url('/products/**'), label: 'PRODUCT' }],
      regexps: [/\/blog\/\d+$/],
      exclude: [/\/old\//],
    };

    const sameHost = await open({ ...patterns, persistStateKey: 'SAME_HOST' });
    const requests = [];
    for await (const request of sameHost) {
      requests.push({ url: request.url, label: request.label });
    }
    const all = await open({ ...patterns, enqueueStrategy: 'all', persistStateKey: 'ALL' });

    expect(requests).toEqual([
      { url: server.url('/products/1'), label: 'PRODUCT' },
      { url: server.url('/blog/3'), label: undefined },
    ]);
    expect(await drain(all)).toEqual([server.url('/products/1'), server.url('/blog/3'), otherHost]);
  });

  test('pauses reading while maxBufferSize URLs wait, so a huge sitemap is not read', async () => {
    const total = 1_000_000;
    const progress = { written: 0, isBlocked: false, isEnded: false };
    server.route('/index.xml', (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': XML });
      res.write(`<?xml version="1.0" encoding="UTF-8"?>\n<urlset ${NS}>\n`);
      const writeMore = (): void => {
        while (progress.written < total) {
          const first = progress.written;
          progress.written += 1000;
          const chunk = Array.from(
            { length: 1000 },
            (_, i) => `<url><loc>${server.url(`/p/${first + i}`)}</loc></url>\n`,
          ).join('');
          if (!res.write(chunk)) {
            progress.isBlocked = true;
            res.once('drain', () => {
              progress.isBlocked = false;
              writeMore();
            });
            return;
          }
        }
        res.end('</urlset>\n');
        progress.isEnded = true;
      };
      writeMore();
    });

    const list = await open({ maxBufferSize: 10 });
    await waitFor(
      () => list.getState().buffered.length === 10 && progress.isBlocked,
      'a full buffer and a server blocked on a full socket',
    );

    // About 50 bytes a URL: what was sent is what the sockets hold, far from the whole body.
    expect(progress.isEnded).toBe(false);
    expect(progress.written).toBeLessThan(total / 2);
    const fetched: string[] = [];
    for (let i = 0; i < 25; i++) {
      const request = (await list.fetchNextRequest())!;
      fetched.push(request.url);
      await list.markRequestHandled(request);
      expect(list.getState().buffered.length).toBeLessThanOrEqual(10);
    }
    expect(fetched).toEqual(pages('p', 25));
    expect(list.length()).toBe(25 + list.getState().buffered.length);
  });

  test('a restarted list continues mid-sitemap: every URL is handled exactly once', async () => {
    const one = pages('one', 10);
    const two = pages('two', 30);
    serveIndex({ '/one.xml': one, '/two.xml': two });
    const handled: string[] = [];

    const first = await open({ maxBufferSize: 5 });
    for (let i = 0; i < 14; i++) {
      const request = (await first.fetchNextRequest())!;
      handled.push(request.url);
      await first.markRequestHandled(request);
    }
    const crashed = [(await first.fetchNextRequest())!, (await first.fetchNextRequest())!];
    await first.persistState();
    const saved = first.getState();
    await first.teardown();
    const seenBefore = server.seen.length;

    const restartConfig = new Configuration({
      storageClientOptions: { localDataDirectory: storage.dir },
      purgeOnStart: false,
    });
    const second = await open({ maxBufferSize: 5 }, restartConfig);
    const resumed = await drain(second);
    await second.teardown();
    await restartConfig.getStorageClient().teardown();

    const progress = saved.sitemapParsingProgress;
    expect(progress.doneSitemapUrls).toEqual([server.url('/index.xml'), server.url('/one.xml')]);
    expect(progress.inProgressSitemap).toMatchObject({ url: server.url('/two.xml'), depth: 1 });
    // Of two.xml: 4 handled, 2 in progress, the rest buffered.
    expect(progress.inProgressSitemap!.emittedUrlCount).toBe(6 + saved.buffered.length);
    expect(saved.inProgress.map((r) => r.url)).toEqual(crashed.map((r) => r.url));
    expect(resumed.slice(0, 2)).toEqual(crashed.map((r) => r.url));
    expect([...handled, ...resumed]).toEqual([...one, ...two]);
    expect(second.handledCount()).toBe(40);
    const afterRestart = server.seen.slice(seenBefore).map((r) => r.path);
    expect(afterRestart).toEqual(['/two.xml']);
  });

  test('saves its progress on persistState events under SITEMAP_REQUEST_LIST_STATE', async () => {
    serveIndex({ '/one.xml': pages('one', 3) });
    const list = await open({});
    const quiet = await open({ persistStateKey: 'QUIET', persistenceOptions: { enable: false } });
    const request = (await list.fetchNextRequest())!;
    await list.markRequestHandled(request);
    await list.fetchNextRequest();
    await quiet.fetchNextRequest();

    const events = storage.config.getEventManager();
    events.emit(EventType.PERSIST_STATE, { isMigrating: false });
    await events.waitForAllListenersToComplete();

    const store = await KeyValueStore.open(null, { config: storage.config });
    const state = await store.getValue<SitemapRequestListState>('SITEMAP_REQUEST_LIST_STATE');
    expect(state).toMatchObject({
      handledCount: 1,
      inProgress: [{ url: server.url('/one/1') }],
      isLoadingAborted: false,
    });
    expect(await store.getValue('QUIET')).toBeNull();
  });

  test('a BasicCrawler with the list as requestList handles every URL once', async () => {
    const one = pages('one', 25);
    const two = pages('two', 25);
    serveIndex({ '/one.xml': one, '/two.xml': two });
    const list = await open({ maxBufferSize: 10 });
    const seen: string[] = [];
    const crawler = new BasicCrawler(
      {
        log: new Log({ level: LogLevel.OFF }),
        maxConcurrency: 4,
        requestList: list,
        requestHandler: async ({ request }) => {
          seen.push(request.url);
        },
      },
      storage.config,
    );

    const stats = await crawler.run();

    expect([...seen].sort()).toEqual([...one, ...two].sort());
    expect(stats.requestsFinished).toBe(50);
    expect(await list.isFinished()).toBe(true);
    expect(list.handledCount()).toBe(50);
  });

  test('a failing child sitemap is reported, and its siblings are still read', async () => {
    const one = pages('one', 2);
    server.route(
      '/index.xml',
      sitemapIndex([server.url('/missing.xml'), server.url('/broken.xml'), server.url('/one.xml')]),
      XML,
    );
    server.route('/one.xml', urlset(one), XML);
    const brokenUrl = server.url('/broken/0');
    server.route('/broken.xml', `<urlset ${NS}><url><loc>${brokenUrl}</loc></url><url><lo`, XML);
    const reported: SitemapError[] = [];

    const list = await open({
      parseSitemapOptions: { sitemapRetries: 0, onError: (error) => reported.push(error) },
    });

    expect(await drain(list)).toEqual([brokenUrl, ...one]);
    expect(list.errors).toMatchObject([
      { code: 'TRAWL_SITEMAP_FETCH', sitemapUrl: server.url('/missing.xml'), statusCode: 404 },
      { code: 'TRAWL_SITEMAP_PARSE', sitemapUrl: server.url('/broken.xml') },
    ]);
    expect(reported).toEqual(list.errors);
    expect(await list.isFinished()).toBe(true);
    expect(list.isSitemapFullyLoaded()).toBe(true);
  });

  test('a crawler warns once for each sitemap its list could not read', async () => {
    server.route('/index.xml', sitemapIndex([server.url('/missing.xml')]), XML);
    const list = await open({ parseSitemapOptions: { sitemapRetries: 0 } });
    const lines: string[] = [];
    const crawler = new BasicCrawler(
      {
        log: new Log({ level: LogLevel.WARNING, writer: (line) => void lines.push(line) }),
        requestList: list,
        requestHandler: () => undefined,
      },
      storage.config,
    );

    await crawler.run();

    const warnings = lines.filter((line) => line.includes('Sitemap skipped'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(server.url('/missing.xml'));
    expect(warnings[0]).toContain('TRAWL_SITEMAP_FETCH');
  });

  describe('stopping the loading', () => {
    /** A sitemap that sends two URLs, then nothing, never ending. */
    function serveStalledSitemap(): void {
      server.route('/index.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': XML });
        // urlset() minus its closing tag: the response never ends.
        res.write(urlset(pages('p', 2)).replace('</urlset>', ''));
      });
    }

    test('an aborted signal ends the list after the URLs already read', async () => {
      serveStalledSitemap();
      const controller = new AbortController();
      const list = await open({ signal: controller.signal });

      const first = [(await list.fetchNextRequest())!, (await list.fetchNextRequest())!];
      controller.abort();
      const next = await list.fetchNextRequest();
      await Promise.all(first.map((request) => list.markRequestHandled(request)));

      expect(first.map((r) => r.url)).toEqual(pages('p', 2));
      expect(next).toBeNull();
      expect(await list.isFinished()).toBe(true);
      expect(list.isSitemapFullyLoaded()).toBe(false);
      expect(list.errors).toEqual([]);
      expect(list.getState().isLoadingAborted).toBe(true);
    });

    test('timeoutMillis ends the loading, and a resumed list does not load again', async () => {
      serveStalledSitemap();
      const list = await open({ timeoutMillis: 200 });

      expect(await drain(list)).toEqual(pages('p', 2));
      await list.persistState();
      const resumed = await open({});

      expect(list.isSitemapFullyLoaded()).toBe(false);
      expect(await resumed.fetchNextRequest()).toBeNull();
      expect(await resumed.isFinished()).toBe(true);
      expect(requestsTo('/index.xml')).toBe(1);
    });

    test('teardown stops loading, and a list opened later reads on', async () => {
      serveIndex({ '/one.xml': pages('one', 6) });
      const list = await open({ maxBufferSize: 2 });
      const request = (await list.fetchNextRequest())!;
      await list.markRequestHandled(request);
      await list.teardown();

      const later = await open({ maxBufferSize: 2 });

      expect(await list.fetchNextRequest()).toBeNull();
      expect(await list.isFinished()).toBe(true);
      expect(await drain(later)).toEqual(pages('one', 6).slice(1));
    });
  });

  test('serves a reclaimed request again before the buffered ones', async () => {
    serveIndex({ '/one.xml': pages('one', 3) });
    const list = await open({});

    const first = (await list.fetchNextRequest())!;
    await list.reclaimRequest(first);
    const again = (await list.fetchNextRequest())!;
    await list.markRequestHandled(again);

    expect(again).toBe(first);
    expect(await list.isEmpty()).toBe(false);
    await expect(list.markRequestHandled(first)).rejects.toThrow(InputError);
    expect(await drain(list)).toEqual(pages('one', 3).slice(1));
    expect(list.handledCount()).toBe(3);
  });

  test('rejects bad options before reading anything', async () => {
    const sitemapUrls = [server.url('/index.xml')];
    const config = storage.config;
    const openWith = (options: object) =>
      SitemapRequestList.open({ sitemapUrls, config, ...options } as SitemapRequestListOptions);

    await expect(openWith({ sitemapUrl: 'x' })).rejects.toThrow(/did you mean "sitemapUrls"/);
    await expect(openWith({ sitemapUrls: ['/sitemap.xml'] })).rejects.toThrow(ConfigurationError);
    await expect(openWith({ maxBufferSize: 0 })).rejects.toThrow(
      'maxBufferSize must be a positive integer, got 0',
    );
    await expect(openWith({ enqueueStrategy: 'same-site' })).rejects.toThrow(ConfigurationError);
    await expect(openWith({ regexps: ['/a/'] })).rejects.toThrow(InvalidPatternError);
    await expect(openWith({ parseSitemapOptions: { signal: undefined } })).rejects.toThrow(
      'parseSitemapOptions.signal is set by SitemapRequestList',
    );
    await expect(openWith({ parseSitemapOptions: { sitemapRetries: -1 } })).rejects.toMatchObject({
      code: 'TRAWL_SITEMAP_INVALID_OPTION',
    });
    expect(server.seen).toEqual([]);
  });

  test('refuses saved progress that is not a sitemap list state', async () => {
    const store = await KeyValueStore.open(null, { config: storage.config });
    await store.setValue('SITEMAP_REQUEST_LIST_STATE', { nextIndex: 3 });

    await expect(open({})).rejects.toThrow(/is not a sitemap request list's/);
  });
});
