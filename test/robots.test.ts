/**
 * `respectRobotsTxtFile` in a CheerioCrawler against a local site: disallowed pages are skipped
 * with reason `robotsTxt`, `Crawl-delay` spaces the requests, and an unreachable robots.txt holds
 * the origin's requests back (RFC 9309) until it can be read, or fails them after the wait.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';

import { isTrawlError } from '@trawl/core';
import { CheerioCrawler } from '@trawl/http-crawler';

import { memoryConfig, quietLog } from '../packages/http-crawler/test/helpers.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

beforeEach(() => {
  server.reset();
  for (const path of ['/a', '/b', '/c', '/private/d', '/private/e']) {
    server.route(path, `<title>${path}</title>`, 'text/html');
  }
});

afterAll(async () => {
  await server.close();
});

const PATHS = ['/a', '/private/d', '/b', '/private/e', '/c'];

function crawlerFor(handled: string[], skipped: string[], failures: Error[] = [], wait?: number) {
  return new CheerioCrawler(
    {
      log: quietLog(),
      respectRobotsTxtFile: true,
      maxRobotsTxtWaitSecs: wait,
      maxConcurrency: 5,
      onSkippedRequest: ({ url, reason }) =>
        void skipped.push(`${new URL(url).pathname} ${reason}`),
      requestHandler: ({ request }) => void handled.push(new URL(request.url).pathname),
      failedRequestHandler: (_context, error) => void failures.push(error),
    },
    memoryConfig(),
  );
}

const pageRequests = () => server.seen.filter((request) => request.path !== '/robots.txt');

test('skips exactly the disallowed pages and waits Crawl-delay between requests', async () => {
  server.route(
    '/robots.txt',
    'User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n',
    'text/plain',
  );
  const handled: string[] = [];
  const skipped: string[] = [];

  const stats = await crawlerFor(handled, skipped).run(PATHS.map((path) => server.url(path)));

  expect(handled.sort()).toEqual(['/a', '/b', '/c']);
  expect(skipped.sort()).toEqual(['/private/d robotsTxt', '/private/e robotsTxt']);
  expect(stats.requestsFailed).toBe(0);
  const pages = pageRequests();
  expect(pages.map((request) => request.path).sort()).toEqual(['/a', '/b', '/c']);
  for (let i = 1; i < pages.length; i += 1) {
    // A lower bound only, with room for timer granularity.
    expect(pages[i]!.at - pages[i - 1]!.at).toBeGreaterThanOrEqual(280);
  }
  expect(server.seen.filter((request) => request.path === '/robots.txt')).toHaveLength(1);
});

test.each([
  ['missing (404)', undefined],
  ['empty', ''],
  ['garbage', '\u0000\u0001 not a robots file <html>{}</html>\nDisallow'],
])('a %s robots.txt allows every page', async (_name, body) => {
  if (body !== undefined) {
    server.route('/robots.txt', body, 'text/plain');
  }
  const handled: string[] = [];
  const skipped: string[] = [];

  await crawlerFor(handled, skipped).run(PATHS.map((path) => server.url(path)));

  expect(handled.sort()).toEqual([...PATHS].sort());
  expect(skipped).toEqual([]);
});

test('an unreachable robots.txt holds the pages back until it can be read', async () => {
  let answers = 0;
  server.route('/robots.txt', (_req, res) => {
    answers += 1;
    if (answers <= 2) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private\n');
  });
  const handled: string[] = [];
  const skipped: string[] = [];

  await crawlerFor(handled, skipped, [], 30).run(PATHS.map((path) => server.url(path)));

  expect(handled.sort()).toEqual(['/a', '/b', '/c']);
  expect(skipped).toHaveLength(2);
  const robots = server.seen.filter((request) => request.path === '/robots.txt');
  expect(robots).toHaveLength(3);
  // Fetched again with back-off, and no page before the file could be read.
  expect(robots[2]!.at - robots[1]!.at).toBeGreaterThan(robots[1]!.at - robots[0]!.at);
  for (const page of pageRequests()) {
    expect(page.at).toBeGreaterThanOrEqual(robots[2]!.at);
  }
});

test('requests fail with the reason once the robots.txt stays unreachable too long', async () => {
  server.route('/robots.txt', (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
  });
  const handled: string[] = [];
  const failures: Error[] = [];

  const stats = await crawlerFor(handled, [], failures, 1).run(
    ['/a', '/b'].map((path) => server.url(path)),
  );

  expect(handled).toEqual([]);
  expect(stats.requestsFailed).toBe(2);
  expect(pageRequests()).toEqual([]);
  expect(failures).toHaveLength(2);
  for (const error of failures) {
    expect(isTrawlError(error, 'TRAWL_ROBOTS_UNREACHABLE')).toBe(true);
    expect(error.message).toContain('status 500');
    expect(error.message).toContain('maxRobotsTxtWaitSecs');
  }
});
