import type { IncomingMessage, ServerResponse } from 'node:http';

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import {
  startTestServer,
  type RouteHandler,
  type TestServer,
} from '../../../test/helpers/test-server.js';
import {
  HttpCrawler,
  NavigationTimeoutError,
  RedirectLoopError,
  TooManyRedirectsError,
  type HttpCrawlerOptions,
} from '../src/index.js';
import { failureRecorder, memoryConfig, quietLog, recordingLog } from './helpers.js';

function redirect(location: string, cookie?: string) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const headers: Record<string, string> = { location };
    if (cookie) {
      headers['set-cookie'] = `${cookie}; Path=/`;
    }
    res.writeHead(302, headers).end();
  };
}

const echoCookies: RouteHandler = (req, res) =>
  void res.writeHead(200, { 'content-type': 'text/html' }).end(req.headers.cookie ?? '');

describe('HttpCrawler navigation', () => {
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

  function crawler(options: HttpCrawlerOptions) {
    return new HttpCrawler({ log: quietLog(), retryDelaySecs: 0, ...options }, memoryConfig());
  }

  test('follows redirects, carrying the cookies set on every hop', async () => {
    server.route('/start', redirect('/step', 'first=1'));
    server.route('/step', (req, res) => {
      const hasFirst = req.headers.cookie === 'first=1';
      redirect(hasFirst ? '/final' : '/denied', 'second=2')(req, res);
    });
    server.route('/final', echoCookies);
    const results: unknown[] = [];

    await crawler({
      requestHandler: ({ request, body, session, response }) => {
        results.push({
          loadedUrl: request.loadedUrl,
          body,
          hops: response.redirectUrls.length,
          sessionCookies: session!.getCookieString(request.loadedUrl!),
        });
      },
    }).run([server.url('/start')]);

    expect(results).toEqual([
      {
        loadedUrl: server.url('/final'),
        body: 'first=1; second=2',
        hops: 2,
        sessionCookies: 'first=1; second=2',
      },
    ]);
  });

  test('sends the request headers cookie merged with the session cookies', async () => {
    server.route('/start', redirect('/final', 'fromServer=1'));
    server.route('/final', echoCookies);
    const bodies: string[] = [];

    await crawler({ requestHandler: ({ body }) => void bodies.push(String(body)) }).run([
      { url: server.url('/start'), headers: { Cookie: 'fromUser=2' } },
    ]);

    expect(bodies).toEqual(['fromUser=2; fromServer=1']);
  });

  test("keeps the request's own Cookie header on its host when a redirect leaves it", async () => {
    server.route('/start', redirect(other.url('/landed')));
    other.route('/landed', echoCookies);
    const bodies: string[] = [];

    await crawler({ requestHandler: ({ body }) => void bodies.push(String(body)) }).run([
      { url: server.url('/start'), headers: { Cookie: 'fromUser=2' } },
    ]);

    expect((await server.waitForRequest('/start')).headers.cookie).toBe('fromUser=2');
    expect(bodies).toEqual(['']);
  });

  test('fails a redirect loop at once, naming the chain', async () => {
    server.route('/a', redirect('/b'));
    server.route('/b', redirect('/a'));
    const { failures, failedRequestHandler } = failureRecorder();

    await crawler({ failedRequestHandler, requestHandler: () => {} }).run([server.url('/a')]);

    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(RedirectLoopError);
    expect(failures[0]!.error.message).toContain(
      `${server.url('/a')} -> ${server.url('/b')} -> ${server.url('/a')}`,
    );
    expect(failures[0]!.retryCount).toBe(0);
    expect(server.seen).toHaveLength(2);
  });

  test('a cookie handshake that revisits a URL with new cookies is not a loop', async () => {
    server.route('/page', (req, res) => {
      if (req.headers.cookie?.includes('passed=1')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('welcome');
      } else {
        redirect('/challenge')(req, res);
      }
    });
    server.route('/challenge', redirect('/page', 'passed=1'));
    const bodies: string[] = [];

    await crawler({ requestHandler: ({ body }) => void bodies.push(String(body)) }).run([
      server.url('/page'),
    ]);

    expect(bodies).toEqual(['welcome']);
  });

  test('more redirects than maxRedirects fail with TooManyRedirectsError', async () => {
    for (let i = 0; i < 10; i += 1) {
      server.route(`/r${i}`, redirect(`/r${i + 1}`));
    }
    const { failures, failedRequestHandler } = failureRecorder();

    await crawler({
      maxRedirects: 3,
      maxRequestRetries: 0,
      failedRequestHandler,
      requestHandler: () => {},
    }).run([server.url('/r0')]);

    expect(failures[0]!.error).toBeInstanceOf(TooManyRedirectsError);
    expect(failures[0]!.error.message).toContain('maxRedirects (3)');
    expect(server.seen.map((request) => request.path)).toEqual(['/r0', '/r1', '/r2', '/r3']);
  });

  test('keeps cookies per session; per navigation with persistCookiesPerSession off', async () => {
    server.route(
      '/set',
      (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'visited=yes; Path=/' })
          .end('set'),
    );
    server.route('/check', echoCookies);
    const run = async (options: HttpCrawlerOptions) => {
      const bodies: Record<string, string> = {};
      await crawler({
        maxConcurrency: 1,
        sessionPoolOptions: { maxPoolSize: 1 },
        requestHandler: ({ request, body }) =>
          void (bodies[new URL(request.url).pathname] = String(body)),
        ...options,
      }).run([server.url('/set'), server.url('/check')]);
      return bodies['/check'];
    };

    expect(await run({})).toBe('visited=yes');
    expect(await run({ persistCookiesPerSession: false })).toBe('');
  });

  test('skips a request redirected off its enqueue strategy, with reason redirect', async () => {
    server.route('/', '<a href="/away">away</a><a href="/stay">stay</a>');
    server.route('/away', redirect(other.url('/elsewhere')));
    server.route('/stay', redirect('/landed'));
    server.route('/landed', 'landed');
    other.route('/elsewhere', 'elsewhere');
    const handled: string[] = [];
    const skipped: unknown[] = [];

    const { log, lines } = recordingLog();
    const crawl = crawler({
      log,
      onSkippedRequest: (skip) => void skipped.push(skip),
      requestHandler: async ({ request, enqueueLinks }) => {
        handled.push(new URL(request.loadedUrl!).pathname);
        await enqueueLinks();
      },
    });
    await crawl.run([server.url('/')]);

    expect(handled.sort()).toEqual(['/', '/landed']);
    expect(skipped).toEqual([{ url: server.url('/away'), reason: 'redirect' }]);
    expect(crawl.stats.state.skippedByReason.redirect).toBe(1);
    expect(lines.filter((line) => line.includes('Request skipped'))).toEqual([
      expect.stringContaining('"reason":"redirect"'),
    ]);
  });

  test('a navigation over navigationTimeoutSecs fails with NavigationTimeoutError', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.route('/slow', async (_req, res) => {
      await gate;
      res.end('late');
    });
    const { failures, failedRequestHandler } = failureRecorder();

    await crawler({
      navigationTimeoutSecs: 0.3,
      maxRequestRetries: 0,
      failedRequestHandler,
      requestHandler: () => {},
    }).run([server.url('/slow')]);
    release();

    expect(failures[0]!.error).toBeInstanceOf(NavigationTimeoutError);
    expect(failures[0]!.error.message).toContain('0.3 seconds (navigationTimeoutSecs)');
  });
});
