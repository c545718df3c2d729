import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { discoverValidSitemaps } from '../src/index.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { collect, originOf, serve } from './fixtures.js';

let server: TestServer;
let other: TestServer;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  other = await startTestServer('127.0.0.2');
  origin = originOf(server);
});
beforeEach(() => {
  server.reset();
  other.reset();
});
afterAll(async () => {
  await server.close();
  await other.close();
});

const discover = (urls: string[], options?: Parameters<typeof discoverValidSitemaps>[1]) =>
  collect(discoverValidSitemaps(urls, { requestTimeoutMillis: 5_000, ...options }));

describe('discoverValidSitemaps', () => {
  test('yields the Sitemap lines of robots.txt, other hosts too, and probes nothing', async () => {
    const robots = [
      `Sitemap: ${origin}/custom/map.xml`,
      'Sitemap: https://cdn.elsewhere.example/sitemap.xml',
      `Sitemap: ${origin}/custom/map.xml`,
    ].join('\n');
    serve(server, '/robots.txt', robots, 'text/plain');

    const found = await discover([server.url('/products/1'), server.url('/products/2')]);

    expect(found).toEqual([
      `${origin}/custom/map.xml`,
      'https://cdn.elsewhere.example/sitemap.xml',
    ]);
    expect(server.seen.map((request) => request.path)).toEqual(['/robots.txt']);
  });

  test('yields a given URL that names a sitemap, without probing', async () => {
    const found = await discover([server.url('/maps/sitemap_index.xml.gz'), server.url('/about')]);

    expect(found).toEqual([`${origin}/maps/sitemap_index.xml.gz`]);
    expect(server.seen.map((request) => request.path)).toEqual(['/robots.txt']);
  });

  test('probes the usual locations, keeping 2xx answers that are not HTML', async () => {
    serve(server, '/sitemap.xml', '<urlset/>');
    serve(server, '/sitemap_index.xml', '<html>Home</html>', 'text/html; charset=utf-8');
    serve(server, '/sitemap.txt', `${origin}/a\n`, 'text/plain');
    serve(server, '/media/sitemap/index.xml', '<sitemapindex/>');

    const found = await discover([server.url('/')]);

    expect(found).toEqual([
      `${origin}/sitemap.xml`,
      `${origin}/sitemap.txt`,
      `${origin}/media/sitemap/index.xml`,
    ]);
    expect(server.seen.filter((request) => request.method === 'HEAD')).toHaveLength(12);
  });

  test('falls back to GET where HEAD is refused', async () => {
    server.route('/sitemap.xml', (req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/xml' }).end('<urlset/>');
    });

    expect(await discover([server.url('/')])).toEqual([`${origin}/sitemap.xml`]);
  });

  test('searches every host, once per host name', async () => {
    serve(server, '/robots.txt', `Sitemap: ${origin}/a.xml\n`, 'text/plain');
    serve(other, '/robots.txt', `Sitemap: ${originOf(other)}/b.xml\n`, 'text/plain');

    const found = await discover([server.url('/1'), other.url('/2'), server.url('/3')]);

    expect(found.sort()).toEqual([`${origin}/a.xml`, `${originOf(other)}/b.xml`].sort());
    expect(server.seen.filter((request) => request.path === '/robots.txt')).toHaveLength(1);
  });

  test('ends quietly with what it found when the time is up', async () => {
    server.route('/robots.txt', () => {
      // Never answers.
    });

    const found = await discover([server.url('/')], { timeoutMillis: 100 });

    expect(found).toEqual([]);
  });

  test('ends quietly when the signal aborts', async () => {
    server.route('/robots.txt', () => {});
    const controller = new AbortController();

    const found = discover([server.url('/')], { signal: controller.signal });
    await server.waitForRequest('/robots.txt');
    controller.abort();

    expect(await found).toEqual([]);
  });

  test('rejects a URL that is not http(s) before fetching anything', async () => {
    await expect(discover([server.url('/'), 'not a url'])).rejects.toMatchObject({
      code: 'TRAWL_SITEMAP_INVALID_URL',
    });
    expect(server.seen).toEqual([]);
  });
});
