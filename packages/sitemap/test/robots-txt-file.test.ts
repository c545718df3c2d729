import { createServer } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { RobotsFile, RobotsTxtError, RobotsTxtFile, type SitemapWarning } from '../src/index.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { fixture, originOf, serve, serveFixture, urlset } from './fixtures.js';

let server: TestServer;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  origin = originOf(server);
});
beforeEach(() => server.reset());
afterAll(() => server.close());

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('RobotsTxtFile.find', () => {
  test('fetches <origin>/robots.txt and applies its rules', async () => {
    serveFixture(server, '/robots.txt', 'robots.txt', { contentType: 'text/plain' });

    const robots = await RobotsTxtFile.find(server.url('/deep/page?q=1'));

    expect(robots).toMatchObject({ url: `${origin}/robots.txt`, status: 'ok', statusCode: 200 });
    expect(robots.isAllowed(`${origin}/private/secret`)).toBe(false);
    expect(robots.isAllowed(`${origin}/private/open`)).toBe(true);
    expect(robots.isAllowed(`${origin}/public`)).toBe(true);
    expect(robots.isAllowed(`${origin}/public`, 'SlowBot/2.1')).toBe(false);
    expect(robots.isAllowed('https://other.example/private/secret')).toBe(true);
  });

  test('reads Crawl-delay per user agent, in seconds', async () => {
    serveFixture(server, '/robots.txt', 'robots.txt', { contentType: 'text/plain' });

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots.getCrawlDelay()).toBe(2.5);
    expect(robots.getCrawlDelay('SlowBot')).toBe(30);
    expect(robots.getCrawlDelay('OtherBot')).toBe(2.5);
    expect(
      RobotsTxtFile.from(
        `${origin}/robots.txt`,
        'User-agent: *\nCrawl-delay: soon\n',
      ).getCrawlDelay(),
    ).toBeUndefined();
  });

  test('allows everything when the file is empty', async () => {
    serve(server, '/robots.txt', '', 'text/plain');

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots.status).toBe('ok');
    expect(robots.isAllowed(`${origin}/anything`)).toBe(true);
    expect(robots.getSitemaps()).toEqual([]);
  });

  test('allows everything when the file is garbage', async () => {
    serveFixture(server, '/robots.txt', 'garbage-robots.txt', { contentType: 'text/html' });

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots.status).toBe('ok');
    expect(robots.isAllowed(`${origin}/anything`)).toBe(true);
  });

  test('allows everything when there is no file (404)', async () => {
    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots).toMatchObject({
      status: 'missing',
      statusCode: 404,
      unreachableReason: undefined,
    });
    expect(robots.isAllowed(`${origin}/anything`)).toBe(true);
  });

  test('allows everything after more than five redirects', async () => {
    server.route('/robots.txt', (_req, res) => void res.writeHead(301, { location: '/r/1' }).end());
    for (let i = 1; i <= 6; i++) {
      server.route(
        `/r/${i}`,
        (_req, res) => void res.writeHead(302, { location: `/r/${i + 1}` }).end(),
      );
    }

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots.status).toBe('missing');
    expect(robots.isAllowed(`${origin}/anything`)).toBe(true);
  });

  test('disallows everything, without throwing, when the server answers 503', async () => {
    server.route('/robots.txt', (_req, res) => void res.writeHead(503).end('down'));

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots).toMatchObject({
      status: 'unreachable',
      statusCode: 503,
      unreachableReason: 'status 503',
    });
    expect(robots.isAllowed(`${origin}/`)).toBe(false);
    expect(robots.isAllowed(`${origin}/robots.txt`)).toBe(true);
    expect(robots.getSitemaps()).toEqual([]);
    expect(robots.getCrawlDelay()).toBeUndefined();
  });

  test('takes 429 as unreachable, not as a missing file', async () => {
    server.route('/robots.txt', (_req, res) => void res.writeHead(429).end());

    expect((await RobotsTxtFile.find(server.url('/'))).status).toBe('unreachable');
  });

  test('disallows everything when the host is down, naming why without credentials', async () => {
    const port = await closedPort();

    const robots = await RobotsTxtFile.find(`http://127.0.0.1:${port}/`);
    const viaProxy = await RobotsTxtFile.find(
      server.url('/'),
      `http://u:top-secret-1@127.0.0.1:${port}`,
    );

    expect(robots.status).toBe('unreachable');
    expect(robots.statusCode).toBeUndefined();
    expect(robots.unreachableReason).toContain('ECONNREFUSED');
    expect(robots.isAllowed(`http://127.0.0.1:${port}/page`)).toBe(false);
    expect(viaProxy.status).toBe('unreachable');
    expect(viaProxy.unreachableReason).not.toContain('top-secret-1');
  });

  test('takes a timeout as unreachable', async () => {
    server.route('/robots.txt', () => {
      // Never answers.
    });

    const robots = await RobotsTxtFile.find(server.url('/'), undefined, { timeoutMillis: 100 });

    expect(robots.status).toBe('unreachable');
    expect(robots.unreachableReason).toMatch(/timeout/i);
  });

  test('throws TRAWL_ROBOTS_ABORTED when the signal aborts', async () => {
    server.route('/robots.txt', () => {});
    const controller = new AbortController();

    const found = RobotsTxtFile.find(server.url('/'), undefined, { signal: controller.signal });
    await server.waitForRequest('/robots.txt');
    controller.abort();

    await expect(found).rejects.toMatchObject({
      code: 'TRAWL_ROBOTS_ABORTED',
      name: 'RobotsTxtError',
    });
  });

  test('rejects a URL that is not http(s)', async () => {
    await expect(RobotsTxtFile.find('file:///etc/passwd')).rejects.toBeInstanceOf(RobotsTxtError);
  });

  test('reads the first 512 KiB of a larger file and ignores the rest', async () => {
    const filler = `# ${'x'.repeat(100)}\n`.repeat(6_000);
    serve(
      server,
      '/robots.txt',
      `User-agent: *\nDisallow: /early\n${filler}Disallow: /late\n`,
      'text/plain',
    );

    const robots = await RobotsTxtFile.find(server.url('/'));

    expect(robots.isAllowed(`${origin}/early`)).toBe(false);
    expect(robots.isAllowed(`${origin}/late`)).toBe(true);
  });
});

describe('RobotsTxtFile sitemaps', () => {
  test('lists the Sitemap lines once each, keeping those on its own host by default', () => {
    const warnings: SitemapWarning[] = [];
    const robots = RobotsTxtFile.from(`${origin}/robots.txt`, fixture('robots.txt', origin));

    expect(robots.getSitemaps({ onWarning: (w) => warnings.push(w) })).toEqual([
      `${origin}/sitemap_index.xml`,
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'TRAWL_SITEMAP_ROBOTS_FILTERED',
        url: 'https://cdn.elsewhere.example/sitemap.xml',
      }),
    ]);
    expect(robots.getSitemaps({ enqueueStrategy: 'all' })).toHaveLength(2);
  });

  test('loads the URLs of the sitemaps it lists', async () => {
    serve(server, '/sitemap_index.xml', urlset(origin, 2));
    serveFixture(server, '/robots.txt', 'robots.txt', { contentType: 'text/plain' });

    const robots = await RobotsFile.find(server.url('/'));

    expect(await robots.parseUrlsFromSitemaps()).toEqual([`${origin}/page/0`, `${origin}/page/1`]);
  });

  test('refuses to guess the sitemaps of an unreachable file', async () => {
    server.route('/robots.txt', (_req, res) => void res.writeHead(500).end());
    const robots = await RobotsTxtFile.find(server.url('/'));

    await expect(robots.parseUrlsFromSitemaps()).rejects.toMatchObject({
      code: 'TRAWL_ROBOTS_UNAVAILABLE',
      message:
        `${origin}/robots.txt is unreachable (status 500), so its sitemaps are unknown; ` +
        'try again later',
    });
  });
});
