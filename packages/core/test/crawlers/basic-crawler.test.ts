import { describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { BasicCrawler } from '../../src/crawlers/basic-crawler.js';
import {
  ConfigurationError,
  CriticalError,
  NonRetryableError,
  SessionError,
} from '../../src/errors.js';
import { Log, LogLevel } from '../../src/log.js';
import type { Request } from '../../src/request.js';
import { MissingRouteError } from '../../src/router.js';

const memoryConfig = () => new Configuration({ persistStorage: false, purgeOnStart: false });

function captureLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  return { log: new Log({ level: LogLevel.DEBUG, writer: (line) => lines.push(line) }), lines };
}

const urls = (count: number, host = 'example.com') =>
  Array.from({ length: count }, (_unused, i) => `https://${host}/page/${i}`);

describe('BasicCrawler', () => {
  test('handles every request once and resolves with final statistics', async () => {
    const seen: string[] = [];
    const crawler = new BasicCrawler(
      { requestHandler: ({ request }) => void seen.push(request.url), log: captureLog().log },
      memoryConfig(),
    );

    const stats = await crawler.run(urls(25));

    expect(seen.sort()).toEqual(urls(25).sort());
    expect(stats.requestsFinished).toBe(25);
    expect(stats.requestsFailed).toBe(0);
    expect(Object.keys(stats).sort()).toEqual(
      [
        'crawlerRuntimeMillis',
        'requestAvgFailedDurationMillis',
        'requestAvgFinishedDurationMillis',
        'requestTotalDurationMillis',
        'requestsFailed',
        'requestsFailedPerMinute',
        'requestsFinished',
        'requestsFinishedPerMinute',
        'requestsTotal',
        'retryHistogram',
      ].sort(),
    );
  });

  test('logs the closing lines as Crawlee does', async () => {
    const { log, lines } = captureLog();
    const crawler = new BasicCrawler({ requestHandler: () => undefined, log }, memoryConfig());

    await crawler.run(urls(2));

    expect(lines.some((l) => l.startsWith('INFO  Final request statistics: {'))).toBe(true);
    expect(lines).toContain(
      'INFO  Finished! Total 2 requests: 2 succeeded, 0 failed. {"terminal":true}',
    );
  });

  test('dispatches by label through crawler.router when no requestHandler is given', async () => {
    const calls: string[] = [];
    const crawler = new BasicCrawler({ log: captureLog().log }, memoryConfig());
    crawler.router.addHandler('DETAIL', ({ request }) => void calls.push(`detail ${request.url}`));
    crawler.router.addDefaultHandler(({ request }) => void calls.push(`default ${request.url}`));

    await crawler.run([{ url: 'https://example.com/d', label: 'DETAIL' }, 'https://example.com/x']);

    expect(calls.sort()).toEqual(['default https://example.com/x', 'detail https://example.com/d']);
  });

  test('a request without a route aborts the crawl with MissingRouteError', async () => {
    const crawler = new BasicCrawler({ log: captureLog().log }, memoryConfig());
    crawler.router.addHandler('ONLY', () => undefined);

    await expect(crawler.run(['https://example.com/'])).rejects.toThrow(MissingRouteError);
  });

  test('retries a failing request with growing back-off, then succeeds', async () => {
    const attempts: number[] = [];
    const errors: string[] = [];
    const crawler = new BasicCrawler(
      {
        retryDelaySecs: 0.05,
        log: captureLog().log,
        requestHandler: () => {
          attempts.push(Date.now());
          if (attempts.length < 3) {
            throw new Error(`attempt ${attempts.length} failed`);
          }
        },
        errorHandler: (_context, error) => void errors.push(error.message),
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/']);

    expect(stats.requestsFinished).toBe(1);
    expect(stats.retryHistogram[2]).toBe(1);
    expect(errors).toEqual(['attempt 1 failed', 'attempt 2 failed']);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(20);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(40);
  });

  test('fails a request after maxRequestRetries and runs failedRequestHandler once', async () => {
    const { log, lines } = captureLog();
    const failed: Request[] = [];
    let calls = 0;
    const crawler = new BasicCrawler(
      {
        maxRequestRetries: 2,
        retryDelaySecs: 0,
        log,
        requestHandler: () => {
          calls += 1;
          throw new Error('always broken');
        },
        failedRequestHandler: ({ request }) => void failed.push(request),
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/broken']);

    expect(calls).toBe(3);
    expect(stats.requestsFailed).toBe(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.retryCount).toBe(2);
    expect(failed[0]!.errorMessages).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('WARN'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('ERROR')).join()).toContain('always broken');
  });

  test('NonRetryableError fails the request at once', async () => {
    let calls = 0;
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        requestHandler: () => {
          calls += 1;
          throw new NonRetryableError('gone for good');
        },
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/']);

    expect(calls).toBe(1);
    expect(stats.requestsFailed).toBe(1);
  });

  test('CriticalError stops the crawl and run() rejects with it', async () => {
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        maxConcurrency: 1,
        requestHandler: () => {
          throw new CriticalError('stop everything');
        },
      },
      memoryConfig(),
    );

    await expect(crawler.run(urls(5))).rejects.toThrow('stop everything');
  });

  test('SessionError rotates the session without counting a retry', async () => {
    const sessions: string[] = [];
    let final: Request | undefined;
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        maxRequestRetries: 0,
        requestHandler: ({ session, request }) => {
          sessions.push(session!.id);
          if (sessions.length < 3) {
            throw new SessionError('blocked');
          }
          final = request;
        },
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/']);

    expect(stats.requestsFinished).toBe(1);
    expect(new Set(sessions).size).toBe(3);
    expect(final!.retryCount).toBe(0);
    expect(final!.sessionRotationCount).toBe(2);
  });

  test('SessionError fails the request after maxSessionRotations', async () => {
    let calls = 0;
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        maxSessionRotations: 3,
        requestHandler: () => {
          calls += 1;
          throw new SessionError('blocked');
        },
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/']);

    expect(calls).toBe(4);
    expect(stats.requestsFailed).toBe(1);
  });

  test('a timeout-ignoring handler is aborted and the request fails naming the limit', async () => {
    let signal: AbortSignal | undefined;
    const failures: string[] = [];
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        requestHandlerTimeoutSecs: 0.1,
        maxRequestRetries: 0,
        requestHandler: async (context) => {
          signal = context.signal;
          await new Promise(() => undefined);
        },
        failedRequestHandler: (_context, error) => void failures.push(error.message),
      },
      memoryConfig(),
    );

    const stats = await crawler.run(['https://example.com/slow']);

    expect(stats.requestsFailed).toBe(1);
    expect(signal!.aborted).toBe(true);
    expect(failures[0]).toMatch(/timed out after 0.1 seconds \(requestHandlerTimeoutSecs\)/);
  });

  test('teardown() aborts the signal of every handler still running', async () => {
    const aborted: string[] = [];
    let started = 0;
    let allStarted!: () => void;
    const running = new Promise<void>((resolve) => (allStarted = resolve));
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        minConcurrency: 2,
        maxConcurrency: 2,
        requestHandler: async ({ request, signal }) => {
          started += 1;
          if (started === 2) {
            allStarted();
          }
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          aborted.push(request.url);
        },
      },
      memoryConfig(),
    );

    const run = crawler.run(['https://example.com/a', 'https://example.com/b']);
    await running;
    await crawler.teardown();
    await run;

    expect(aborted.sort()).toEqual(['https://example.com/a', 'https://example.com/b']);
  });

  test('maxRequestsPerCrawl stops exactly at the limit under concurrency 50', async () => {
    let handled = 0;
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        minConcurrency: 50,
        maxConcurrency: 50,
        maxRequestsPerCrawl: 37,
        requestHandler: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          handled += 1;
        },
      },
      memoryConfig(),
    );

    const stats = await crawler.run(urls(200));

    expect(handled).toBe(37);
    expect(stats.requestsFinished).toBe(37);
  });

  test('maxCrawlDepth skips deeper requests and reports them', async () => {
    const depths: number[] = [];
    const skipped: string[] = [];
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        maxCrawlDepth: 2,
        onSkippedRequest: ({ url, reason }) => void skipped.push(`${reason} ${url}`),
        requestHandler: async ({ request, addRequests }) => {
          depths.push(request.crawlDepth);
          await addRequests([`https://example.com/depth/${request.crawlDepth + 1}`]);
        },
      },
      memoryConfig(),
    );

    await crawler.run(['https://example.com/depth/0']);

    expect(depths).toEqual([0, 1, 2]);
    expect(skipped).toEqual(['depth https://example.com/depth/3']);
  });

  test('enqueueLinks from the context gives children the next depth', async () => {
    const seen = new Map<string, number>();
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        requestHandler: async ({ request, enqueueLinks }) => {
          seen.set(request.url, request.crawlDepth);
          if (request.url.endsWith('/start')) {
            await enqueueLinks({ urls: ['/a', '/b', 'https://other.example/c'] });
          }
        },
      },
      memoryConfig(),
    );

    await crawler.run(['https://example.com/start']);

    expect(Object.fromEntries(seen)).toEqual({
      'https://example.com/start': 0,
      'https://example.com/a': 1,
      'https://example.com/b': 1,
    });
  });

  test('keeps items of successful attempts and failedRequestHandler, not failed ones', async () => {
    const config = memoryConfig();
    let attempt = 0;
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        retryDelaySecs: 0,
        maxRequestRetries: 1,
        requestHandler: async ({ request, pushData }) => {
          attempt += 1;
          await pushData({ url: request.url, attempt });
          if (request.url.endsWith('/bad') || attempt === 1) {
            throw new Error('handler failed after pushing');
          }
        },
        failedRequestHandler: async ({ request, pushData }) => {
          await pushData({ url: request.url, failed: true });
        },
      },
      config,
    );

    await crawler.run(['https://example.com/ok']);
    await crawler.run(['https://example.com/bad'], { purgeRequestQueue: true });
    const { items } = await crawler.getData();

    expect(items).toEqual([
      { url: 'https://example.com/ok', attempt: 2 },
      { url: 'https://example.com/bad', failed: true },
    ]);
  });

  test('useState keeps one state object, saved in the default key-value store', async () => {
    const config = memoryConfig();
    const crawler = new BasicCrawler(
      {
        log: captureLog().log,
        requestHandler: async ({ useState }) => {
          const state = await useState({ count: 0 });
          state.count += 1;
        },
      },
      config,
    );

    await crawler.run(urls(4));

    expect(await crawler.useState()).toEqual({ count: 4 });
  });

  test('keepAlive keeps running until stop(), serving requests added meanwhile', async () => {
    const seen: string[] = [];
    const crawler: BasicCrawler = new BasicCrawler(
      {
        log: captureLog().log,
        keepAlive: true,
        requestHandler: async ({ request }) => {
          seen.push(request.url);
          if (seen.length === 1) {
            void crawler.addRequests(['https://example.com/later']);
          } else {
            crawler.stop();
          }
        },
      },
      memoryConfig(),
    );

    await crawler.run(['https://example.com/first']);

    expect(seen).toEqual(['https://example.com/first', 'https://example.com/later']);
  });

  test('a second run handles the same URLs again, as in Crawlee', async () => {
    let calls = 0;
    const crawler = new BasicCrawler(
      { log: captureLog().log, requestHandler: () => void (calls += 1) },
      memoryConfig(),
    );

    await crawler.run(urls(3));
    const second = await crawler.run(urls(3));

    expect(calls).toBe(6);
    expect(second.requestsFinished).toBe(3);
  });

  test('rejects an unknown option naming the closest one, and options not supported yet', () => {
    expect(() => new BasicCrawler({ maxRequestRetry: 3 } as never)).toThrow(
      /Unknown option "maxRequestRetry" for BasicCrawler; did you mean "maxRequestRetries"\?/,
    );
    expect(() => new BasicCrawler({ requestManager: {} } as never)).toThrow(
      /not supported by trawl yet/,
    );
    expect(() => new BasicCrawler({ maxConcurrency: -1 })).toThrow(ConfigurationError);
  });

  test('accepts deprecated aliases with a warning', async () => {
    const { log, lines } = captureLog();
    let calls = 0;
    const crawler = new BasicCrawler(
      { log, handleRequestFunction: () => void (calls += 1) } as never,
      memoryConfig(),
    );

    await crawler.run(['https://example.com/']);

    expect(calls).toBe(1);
    expect(lines.join('\n')).toContain('"handleRequestFunction" is deprecated');
  });
});
