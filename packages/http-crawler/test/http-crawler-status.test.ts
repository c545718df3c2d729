import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import {
  startTestServer,
  type RouteHandler,
  type TestServer,
} from '../../../test/helpers/test-server.js';
import {
  HttpCrawler,
  HttpStatusError,
  type HttpCrawlerOptions,
  type Session,
} from '../src/index.js';
import { failureRecorder, memoryConfig, quietLog } from './helpers.js';

/** Answers `codes` in turn, one per request, then 200; extra headers go with every answer. */
function statusSequence(codes: number[], headers: Record<string, string> = {}): RouteHandler {
  let index = 0;
  return (_req, res) => {
    const code = codes[index++] ?? 200;
    res.writeHead(code, { 'content-type': 'text/html', ...headers }).end(`status ${code}`);
  };
}

describe('HttpCrawler status handling', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  function crawler(options: HttpCrawlerOptions) {
    return new HttpCrawler(
      { log: quietLog(), retryDelaySecs: 0, maxRequestRetries: 2, ...options },
      memoryConfig(),
    );
  }

  test('hands 404 and other plain 4xx to the handler', async () => {
    server.route('/missing', statusSequence([404, 404]));
    server.route('/gone', statusSequence([410]));
    const seen: number[] = [];

    const stats = await crawler({
      requestHandler: ({ response }) => void seen.push(response.statusCode),
    }).run([server.url('/missing'), server.url('/gone')]);

    expect(seen.sort()).toEqual([404, 410]);
    expect(stats.requestsFinished).toBe(2);
    expect(server.seen).toHaveLength(2);
  });

  test('retries a 500 until the retries run out, then reports one failure', async () => {
    server.route('/broken', (_req, res) => void res.writeHead(500).end('boom'));
    const { failures, failedRequestHandler } = failureRecorder();
    let handled = 0;

    const crawl = crawler({ failedRequestHandler, requestHandler: () => void (handled += 1) });
    const stats = await crawl.run([server.url('/broken')]);

    expect(handled).toBe(0);
    expect(server.seen).toHaveLength(3);
    expect(stats.requestsFailed).toBe(1);
    expect(failures[0]!.retryCount).toBe(2);
    expect(failures[0]!.error).toBeInstanceOf(HttpStatusError);
    expect(failures[0]!.error.message).toMatch(/^500 - Internal Server Error/);
    expect(crawl.stats.state.requestsWithStatusCode['500']).toBe(3);
  });

  test('a 502 followed by a 200 succeeds on the retry', async () => {
    server.route('/flaky', statusSequence([502]));
    const retryCounts: number[] = [];

    await crawler({
      requestHandler: ({ request }) => void retryCounts.push(request.retryCount),
    }).run([server.url('/flaky')]);

    expect(retryCounts).toEqual([1]);
  });

  test('ignoreHttpErrorStatusCodes hands a 500 to the handler', async () => {
    server.route('/broken', statusSequence([500]));
    const seen: number[] = [];

    await crawler({
      ignoreHttpErrorStatusCodes: [500],
      requestHandler: ({ response }) => void seen.push(response.statusCode),
    }).run([server.url('/broken')]);

    expect(seen).toEqual([500]);
    expect(server.seen).toHaveLength(1);
  });

  test('additionalHttpErrorStatusCodes retries a 4xx as an error', async () => {
    server.route('/teapot', statusSequence([418]));
    const retryCounts: number[] = [];

    await crawler({
      additionalHttpErrorStatusCodes: [418],
      requestHandler: ({ request }) => void retryCounts.push(request.retryCount),
    }).run([server.url('/teapot')]);

    expect(retryCounts).toEqual([1]);
  });

  test('a 403 retires the session and retries on another without counting a retry', async () => {
    server.route('/guarded', statusSequence([403, 403]));
    const sessions: Session[] = [];
    const retryCounts: number[] = [];

    const crawl = crawler({
      maxRequestRetries: 0,
      preNavigationHooks: [({ session }) => void sessions.push(session!)],
      requestHandler: ({ request }) => void retryCounts.push(request.retryCount),
    });
    const stats = await crawl.run([server.url('/guarded')]);

    expect(stats.requestsFinished).toBe(1);
    expect(retryCounts).toEqual([0]);
    expect(sessions).toHaveLength(3);
    expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
    expect(sessions[0]!.isUsable()).toBe(false);
    expect(sessions[1]!.isUsable()).toBe(false);
    expect(crawl.stats.state.retriesByReason.session).toBe(2);
  });

  test('without a session pool a 403 reaches the handler', async () => {
    server.route('/guarded', statusSequence([403]));
    const seen: number[] = [];

    await crawler({
      useSessionPool: false,
      requestHandler: ({ response }) => void seen.push(response.statusCode),
    }).run([server.url('/guarded')]);

    expect(seen).toEqual([403]);
  });

  test('a 429 slows the host and requeues the request without counting a retry', async () => {
    server.route('/busy', statusSequence([429], { 'retry-after': '0' }));
    const retryCounts: number[] = [];

    const crawl = crawler({
      requestHandler: ({ request }) => void retryCounts.push(request.retryCount),
    });
    await crawl.run([server.url('/busy')]);

    expect(retryCounts).toEqual([0]);
    expect(server.seen).toHaveLength(2);
    expect(crawl.stats.state.retriesByReason.throttled).toBe(1);
  });

  test('a 503 with Retry-After throttles; one without is retried as an error', async () => {
    server.route('/maintenance', statusSequence([503], { 'retry-after': '0' }));
    server.route('/down', statusSequence([503]));
    const retryCounts: Record<string, number> = {};

    const crawl = crawler({
      requestHandler: ({ request }) =>
        void (retryCounts[new URL(request.url).pathname] = request.retryCount),
    });
    await crawl.run([server.url('/maintenance'), server.url('/down')]);

    expect(retryCounts).toEqual({ '/maintenance': 0, '/down': 1 });
    expect(crawl.stats.state.retriesByReason.throttled).toBe(1);
  });
});
