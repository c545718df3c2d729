import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import {
  CheerioCrawler,
  SelectorNotFoundError,
  createCheerioRouter,
  type CheerioCrawlerOptions,
  type CheerioCrawlingContext,
} from '../src/index.js';
import { failureRecorder, memoryConfig, quietLog } from './helpers.js';

describe('CheerioCrawler', () => {
  let server: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    other = await startTestServer('127.0.0.2');
  });
  beforeEach(() => {
    server.reset();
    other.reset();
  });
  afterAll(() => Promise.all([server.close(), other.close()]));

  function crawler(options: CheerioCrawlerOptions) {
    return new CheerioCrawler({ log: quietLog(), retryDelaySecs: 0, ...options }, memoryConfig());
  }

  test('parses the page once: $ and parseWithCheerio are the same object', async () => {
    server.route('/', '<html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>');
    const results: unknown[] = [];

    await crawler({
      requestHandler: async ({ $, parseWithCheerio, body }) => {
        const parsed = await parseWithCheerio('h1');
        results.push({
          same: parsed === $ && (await parseWithCheerio()) === $,
          title: $('title').text(),
          body,
        });
      },
    }).run([server.url('/')]);

    expect(results).toEqual([
      {
        same: true,
        title: 'Shop',
        body: '<html><head><title>Shop</title></head><body><h1>Hello</h1></body></html>',
      },
    ]);
  });

  test('still parses malformed HTML', async () => {
    server.route(
      '/',
      '<div><p>Unclosed <b>bold <a href="/x">link</div><table><tr><td>cell<td>next',
    );
    const results: unknown[] = [];

    await crawler({
      requestHandler: ({ $ }) =>
        void results.push({
          link: $('a').attr('href'),
          cells: $('td')
            .map((_i, td) => $(td).text())
            .get(),
        }),
    }).run([server.url('/')]);

    expect(results).toEqual([{ link: '/x', cells: ['cell', 'next'] }]);
  });

  test('parses XML types in XML mode', async () => {
    server.route(
      '/feed.xml',
      '<?xml version="1.0"?><rss><item><link>http://a/1</link></item></rss>',
      'application/xml',
    );
    const links: string[] = [];

    await crawler({ requestHandler: ({ $ }) => void links.push($('item > link').text()) }).run([
      server.url('/feed.xml'),
    ]);

    expect(links).toEqual(['http://a/1']);
  });

  test('waitForSelector checks presence; a missing selector fails the attempt', async () => {
    server.route('/', '<div class="present"></div>');
    const { failures, failedRequestHandler } = failureRecorder();

    await crawler({
      maxRequestRetries: 0,
      failedRequestHandler,
      requestHandler: async ({ waitForSelector }) => {
        await waitForSelector('.present');
        await waitForSelector('.absent');
      },
    }).run([server.url('/')]);

    expect(failures[0]!.error).toBeInstanceOf(SelectorNotFoundError);
    expect(failures[0]!.error.message).toContain('".absent"');
  });

  test('enqueueLinks follows the same hostname by default and honours <base href>', async () => {
    server.route(
      '/dir/page',
      `<html><head><base href="/base/"></head><body>
        <a href="child">relative</a>
        <a href="/abs">absolute</a>
        <a href="${other.url('/off')}">other host</a>
        <a href="mailto:someone@example.com">mail</a>
        <span><a class="special" href="/special">special</a></span>
      </body></html>`,
    );
    for (const path of ['/base/child', '/abs', '/special']) {
      server.route(path, 'leaf');
    }
    const handled: string[] = [];
    const depths: Record<string, number> = {};

    await crawler({
      requestHandler: async ({ request, enqueueLinks }) => {
        handled.push(new URL(request.url).pathname);
        depths[new URL(request.url).pathname] = request.crawlDepth;
        if (request.crawlDepth === 0) {
          await enqueueLinks({ label: 'CHILD' });
        }
      },
    }).run([server.url('/dir/page')]);

    expect(handled.sort()).toEqual(['/abs', '/base/child', '/dir/page', '/special']);
    expect(depths['/base/child']).toBe(1);
    expect(other.seen).toHaveLength(0);
  });

  test('enqueueLinks takes a selector, and globs lift the hostname rule', async () => {
    server.route(
      '/',
      `<a class="special" href="${other.url('/x')}">x</a><a href="/plain">plain</a>`,
    );
    other.route('/x', 'x');
    const labels: Record<string, string | undefined> = {};

    await crawler({
      requestHandler: async ({ request, enqueueLinks }) => {
        labels[request.url] = request.label;
        if (request.crawlDepth === 0) {
          await enqueueLinks({
            selector: 'a.special',
            globs: ['http://127.0.0.2:*/**'],
            label: 'X',
          });
        }
      },
    }).run([server.url('/')]);

    expect(labels).toEqual({ [server.url('/')]: undefined, [other.url('/x')]: 'X' });
  });

  test('maxCrawlDepth and maxRequestsPerCrawl bound what enqueueLinks adds', async () => {
    for (let i = 0; i < 10; i += 1) {
      server.route(`/p${i}`, `<a href="/p${i + 1}">next</a><a href="/q${i}">side</a>`);
      server.route(`/q${i}`, 'side');
    }
    const deep: string[] = [];
    await crawler({
      maxCrawlDepth: 2,
      requestHandler: async ({ request, enqueueLinks }) => {
        deep.push(new URL(request.url).pathname);
        await enqueueLinks();
      },
    }).run([server.url('/p0')]);
    const limited = await crawler({
      maxRequestsPerCrawl: 4,
      requestHandler: ({ enqueueLinks }) => enqueueLinks().then(() => undefined),
    }).run([server.url('/p0')]);

    expect(deep.sort()).toEqual(['/p0', '/p1', '/p2', '/q0', '/q1']);
    expect(limited.requestsFinished).toBe(4);
  });

  test('crawler.router serves without a requestHandler', async () => {
    server.route('/', '<a href="/detail">detail</a>');
    server.route('/detail', '<h1>Detail page</h1>');
    const crawl = crawler({});
    const seen: string[] = [];
    crawl.router.addDefaultHandler(async ({ enqueueLinks }) => {
      await enqueueLinks({ label: 'DETAIL' });
    });
    crawl.router.addHandler('DETAIL', ({ $ }) => void seen.push($('h1').text()));

    await crawl.run([server.url('/')]);

    expect(seen).toEqual(['Detail page']);
  });

  test('createCheerioRouter routes by label', async () => {
    server.route('/', '<h1>Home</h1>');
    const router = createCheerioRouter<CheerioCrawlingContext>();
    const seen: string[] = [];
    router.addDefaultHandler(({ $ }) => void seen.push($('h1').text()));

    await crawler({ requestHandler: router }).run([server.url('/')]);

    expect(seen).toEqual(['Home']);
  });
});
