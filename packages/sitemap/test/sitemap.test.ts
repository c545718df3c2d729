import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { Sitemap, type SitemapError, SitemapLoadError } from '../src/index.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { originOf, serve, urlset } from './fixtures.js';

let server: TestServer;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  origin = originOf(server);
});
beforeEach(() => server.reset());
afterAll(() => server.close());

function index(...paths: string[]): string {
  const items = paths.map((path) => `<sitemap><loc>${origin}${path}</loc></sitemap>`);
  return `<sitemapindex>${items.join('')}</sitemapindex>`;
}

describe('Sitemap.load', () => {
  test('returns every URL of a sitemap and the sitemaps it lists', async () => {
    serve(server, '/sitemap_index.xml', index('/a.xml', '/b.xml'));
    serve(server, '/a.xml', urlset(origin, 2));
    serve(server, '/b.xml', urlset(origin, 1, 5));

    const sitemap = await Sitemap.load(server.url('/sitemap_index.xml'));

    expect(sitemap.urls).toEqual([`${origin}/page/0`, `${origin}/page/1`, `${origin}/page/5`]);
  });

  test('throws a SitemapLoadError holding the URLs it read when a sitemap fails', async () => {
    serve(server, '/sitemap_index.xml', index('/a.xml', '/missing.xml'));
    serve(server, '/a.xml', urlset(origin, 2));

    const error = await Sitemap.load([server.url('/sitemap_index.xml')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SitemapLoadError);
    const { urls, errors, code } = error as SitemapLoadError;
    expect(code).toBe('TRAWL_SITEMAP_LOAD');
    expect(urls).toEqual([`${origin}/page/0`, `${origin}/page/1`]);
    expect(errors.map((e) => [e.code, e.sitemapUrl])).toEqual([
      ['TRAWL_SITEMAP_FETCH', `${origin}/missing.xml`],
    ]);
  });

  test('hands failures to onError and returns what it read', async () => {
    serve(server, '/a.xml', urlset(origin, 1));
    const errors: SitemapError[] = [];

    const sitemap = await Sitemap.load(
      [server.url('/a.xml'), server.url('/missing.xml')],
      undefined,
      {
        onError: (error) => errors.push(error),
      },
    );

    expect(sitemap.urls).toEqual([`${origin}/page/0`]);
    expect(errors).toHaveLength(1);
  });
});

describe('Sitemap.fromXmlString', () => {
  test('reads the URLs of an XML string', async () => {
    const sitemap = await Sitemap.fromXmlString(urlset('https://shop.example', 2));

    expect(sitemap.urls).toEqual(['https://shop.example/page/0', 'https://shop.example/page/1']);
  });

  test('fetches the sitemaps a sitemap index string lists', async () => {
    serve(server, '/a.xml', urlset(origin, 1));

    const sitemap = await Sitemap.fromXmlString(index('/a.xml'));

    expect(sitemap.urls).toEqual([`${origin}/page/0`]);
  });

  test('throws for a broken string, with the URLs before the fault', async () => {
    const broken = urlset('https://shop.example', 3).replace('</url>\n<url>', '</url>\n</uri>');

    const error = (await Sitemap.fromXmlString(broken).catch(
      (e: unknown) => e,
    )) as SitemapLoadError;

    expect(error.errors[0]?.code).toBe('TRAWL_SITEMAP_PARSE');
    expect(error.urls).toEqual(['https://shop.example/page/0']);
  });
});

describe('Sitemap.tryCommonNames', () => {
  test('reads /sitemap.xml and /sitemap.txt, skipping the one that is missing', async () => {
    serve(server, '/sitemap.xml', urlset(origin, 1));

    const sitemap = await Sitemap.tryCommonNames(server.url('/some/page?x=1'));

    expect(sitemap.urls).toEqual([`${origin}/page/0`]);
    expect(server.seen.map((request) => request.path).sort()).toEqual([
      '/sitemap.txt',
      '/sitemap.xml',
    ]);
  });

  test('skips an HTML page served at a usual location', async () => {
    serve(server, '/sitemap.xml', '<!DOCTYPE html><html></html>', 'text/html');
    serve(server, '/sitemap.txt', `${origin}/from-text\n`, 'text/plain');

    const sitemap = await Sitemap.tryCommonNames(server.url('/'));

    expect(sitemap.urls).toEqual([`${origin}/from-text`]);
  });

  test('throws when a sitemap found there is broken', async () => {
    serve(server, '/sitemap.xml', '<urlset><url><loc>x</url></urlset>');

    await expect(Sitemap.tryCommonNames(server.url('/'))).rejects.toBeInstanceOf(SitemapLoadError);
  });

  test('rejects a URL that is not http(s)', async () => {
    await expect(Sitemap.tryCommonNames('mailto:a@b.example')).rejects.toMatchObject({
      code: 'TRAWL_SITEMAP_INVALID_URL',
    });
  });
});
