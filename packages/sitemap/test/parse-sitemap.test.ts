import { createServer } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import {
  parseSitemap,
  type SitemapError,
  SitemapLoadError,
  type SitemapUrl,
  type SitemapWarning,
} from '../src/index.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { collect, fixture, originOf, serve, serveFixture, urlset } from './fixtures.js';

let server: TestServer;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  origin = originOf(server);
});
beforeEach(() => server.reset());
afterAll(() => server.close());

/** Runs parseSitemap on `paths`, collecting URLs, errors and warnings. */
async function run(paths: string[], options: Parameters<typeof parseSitemap>[2] = {}) {
  const errors: SitemapError[] = [];
  const warnings: SitemapWarning[] = [];
  const sources = paths.map((path) => ({ type: 'url' as const, url: server.url(path) }));
  const items = await collect(
    parseSitemap(sources, undefined, {
      onError: (error) => errors.push(error),
      onWarning: (warning) => warnings.push(warning),
      sitemapRetryDelaySecs: 0,
      ...options,
    }),
  );
  return { items: items as SitemapUrl[], errors, warnings };
}

function serveIndexTree(): void {
  serveFixture(server, '/sitemap_index.xml', 'index.xml');
  // Gzipped, under a name without .gz and a content type that says nothing.
  serveFixture(server, '/sitemaps/compressed', 'compressed.xml', {
    isGzipped: true,
    contentType: 'application/octet-stream',
  });
  serveFixture(server, '/sitemaps/plain.xml', 'plain.xml');
  serveFixture(server, '/sitemaps/nested-index.xml', 'nested-index.xml');
  serveFixture(server, '/sitemaps/prefixed.xml', 'prefixed.xml');
  serveFixture(server, '/sitemaps/urls.txt', 'urls.txt', { contentType: 'text/plain' });
}

describe('parseSitemap over a sitemap index', () => {
  test('yields the URLs of gzipped, plain, text and nested children, each read once', async () => {
    serveIndexTree();

    const { items, errors } = await run(['/sitemap_index.xml']);

    expect(items.map((item) => item.loc.replace(origin, ''))).toEqual([
      '/gz/1',
      '/gz/2',
      '/plain/1',
      '/plain/2?color=red&size=m',
      '/text/1',
      '/text/2',
      '/prefixed/1?a=1&b=2',
    ]);
    const paths = server.seen.map((request) => request.path);
    expect(paths.filter((path) => path === '/sitemap_index.xml')).toHaveLength(1);
    expect(paths.filter((path) => path === '/sitemaps/nested-index.xml')).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  test('keeps lastmod, changefreq and priority, and the sitemap each URL came from', async () => {
    serveIndexTree();

    const { items } = await run(['/sitemap_index.xml']);

    expect(items[2]).toEqual({
      loc: `${origin}/plain/1`,
      lastmod: new Date('2024-03-15T10:20:30Z'),
      changefreq: 'weekly',
      priority: 0.8,
      originSitemapUrl: `${origin}/sitemaps/plain.xml`,
    });
    expect(items[6]).toEqual({
      loc: `${origin}/prefixed/1?a=1&b=2`,
      lastmod: new Date('2024-01-02T00:00:00Z'),
      changefreq: 'daily',
      priority: 0.3,
      originSitemapUrl: `${origin}/sitemaps/prefixed.xml`,
    });
    expect(items[0]).toEqual({
      loc: `${origin}/gz/1`,
      originSitemapUrl: `${origin}/sitemaps/compressed`,
    });
  });

  test('reports a child that answers 404 with its URL, and still reads its siblings', async () => {
    serveIndexTree();

    const { items, errors } = await run(['/sitemap_index.xml']);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: 'SitemapError',
      code: 'TRAWL_SITEMAP_FETCH',
      statusCode: 404,
      sitemapUrl: `${origin}/sitemaps/missing.xml`,
    });
    expect(errors[0]!.message).toBe(
      `Sitemap ${origin}/sitemaps/missing.xml answered status 404; check that the URL is right`,
    );
    expect(items.some((item) => item.loc.endsWith('/text/2'))).toBe(true);
  });

  test('skips URLs on other hosts and says how many, once per sitemap', async () => {
    serveIndexTree();

    const { items, warnings } = await run(['/sitemap_index.xml']);

    expect(items.some((item) => item.loc.includes('elsewhere.example'))).toBe(false);
    const filtered = warnings.filter((w) => w.code === 'TRAWL_SITEMAP_URLS_FILTERED');
    expect(filtered.map((w) => [w.sitemapUrl.replace(origin, ''), w.count])).toEqual([
      ['/sitemaps/plain.xml', 1],
      ['/sitemaps/urls.txt', 1],
    ]);
    expect(filtered[0]!.message).toContain('enqueueStrategy "same-hostname"');
  });

  test("keeps URLs on other hosts with enqueueStrategy 'all'", async () => {
    serveIndexTree();

    const { items } = await run(['/sitemap_index.xml'], { enqueueStrategy: 'all' });

    expect(items.map((item) => item.loc)).toContain('https://elsewhere.example/plain/3');
    expect(items.map((item) => item.loc)).toContain('https://elsewhere.example/text/3');
  });

  test('throws the failures together at the end when no onError is given', async () => {
    serveIndexTree();
    const locs: string[] = [];

    const iterate = async () => {
      const sources = [{ type: 'url' as const, url: server.url('/sitemap_index.xml') }];
      for await (const item of parseSitemap(sources)) {
        locs.push(item.loc);
      }
    };

    const error = await iterate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SitemapLoadError);
    expect(error).toMatchObject({ code: 'TRAWL_SITEMAP_LOAD', name: 'SitemapLoadError' });
    expect((error as SitemapLoadError).errors.map((e) => e.sitemapUrl)).toEqual([
      `${origin}/sitemaps/missing.xml`,
    ]);
    expect(locs).toHaveLength(7);
  });

  test('follows no deeper than maxDepth, and says which sitemaps it left', async () => {
    serveIndexTree();

    const { items, warnings } = await run(['/sitemap_index.xml'], {
      maxDepth: 1,
      emitNestedSitemaps: true,
    });

    const nested = items.filter(
      (item) => (item as { originSitemapUrl: unknown }).originSitemapUrl === null,
    );
    expect(nested.map((item) => item.loc.replace(origin, ''))).toEqual([
      '/sitemaps/compressed',
      '/sitemaps/plain.xml',
      '/sitemaps/nested-index.xml',
      '/sitemaps/missing.xml',
      '/sitemaps/urls.txt',
      '/sitemaps/prefixed.xml',
    ]);
    expect(server.seen.map((request) => request.path)).not.toContain('/sitemaps/prefixed.xml');
    expect(warnings.filter((w) => w.code === 'TRAWL_SITEMAP_MAX_DEPTH')).toEqual([
      expect.objectContaining({ url: `${origin}/sitemaps/prefixed.xml` }),
    ]);
  });

  test('follows only the nested sitemaps nestedSitemapFilter accepts', async () => {
    serveIndexTree();

    const { items } = await run(['/sitemap_index.xml'], {
      nestedSitemapFilter: (url) => url.endsWith('plain.xml'),
    });

    expect(new Set(items.map((item) => item.originSitemapUrl))).toEqual(
      new Set([`${origin}/sitemaps/plain.xml`]),
    );
  });

  test('skips a missing sitemap quietly with reportNetworkErrors false', async () => {
    const { items, errors } = await run(['/nothing-here.xml'], { reportNetworkErrors: false });

    expect(items).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('parseSitemap on broken sitemaps', () => {
  test('yields the URLs before a malformed spot, reports it, and reads the siblings', async () => {
    serveFixture(server, '/malformed.xml', 'malformed.xml');
    serveFixture(server, '/plain.xml', 'plain.xml');

    const { items, errors } = await run(['/malformed.xml', '/plain.xml']);

    expect(items.map((item) => item.loc.replace(origin, ''))).toEqual([
      '/broken/1',
      '/broken/2',
      '/plain/1',
      '/plain/2?color=red&size=m',
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'TRAWL_SITEMAP_PARSE',
      sitemapUrl: `${origin}/malformed.xml`,
    });
    expect(errors[0]!.message).toMatch(
      new RegExp(`^Sitemap ${origin}/malformed.xml is not well-formed XML: </lox> closes <loc>`),
    );
  });

  test('reports a truncated document after yielding the entries it holds', async () => {
    serve(server, '/truncated.xml', urlset(origin, 3).slice(0, -20));

    const { items, errors } = await run(['/truncated.xml']);

    expect(items).toHaveLength(2);
    expect(errors[0]?.code).toBe('TRAWL_SITEMAP_PARSE');
    expect(errors[0]?.message).toContain('ends');
  });

  test('reports an HTML page as not a sitemap', async () => {
    serve(server, '/sitemap.xml', '<!doctype html><html><body>Shop</body></html>', 'text/html');

    const { errors } = await run(['/sitemap.xml']);

    expect(errors[0]?.code).toBe('TRAWL_SITEMAP_CONTENT_TYPE');
    expect(errors[0]?.message).toBe(
      `Sitemap ${origin}/sitemap.xml is not a sitemap: the root element is <html>, ` +
        'not <urlset> or <sitemapindex>; check the URL',
    );
  });

  test('reports an empty body as not a sitemap', async () => {
    serve(server, '/empty.xml', '  \n');

    const { errors } = await run(['/empty.xml']);

    expect(errors[0]?.code).toBe('TRAWL_SITEMAP_CONTENT_TYPE');
  });

  test('reports a source that is not an http(s) URL', async () => {
    const errors: SitemapError[] = [];

    await collect(
      parseSitemap([{ type: 'url', url: 'ftp://example.com/sitemap.xml' }], undefined, {
        onError: (error) => errors.push(error),
      }),
    );

    expect(errors[0]?.code).toBe('TRAWL_SITEMAP_INVALID_URL');
  });
});

describe('parseSitemap limits', () => {
  test('yields all 60,000 URLs of an oversized sitemap, with one warning', async () => {
    serve(server, '/big.xml', urlset(origin, 60_000));

    const { items, warnings } = await run(['/big.xml']);

    expect(items).toHaveLength(60_000);
    expect(items.at(-1)?.loc).toBe(`${origin}/page/59999`);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'TRAWL_SITEMAP_TOO_MANY_URLS',
        sitemapUrl: `${origin}/big.xml`,
      }),
    ]);
  });

  test('skips URLs longer than maxUrlLength and counts them', async () => {
    const long = `${origin}/${'x'.repeat(100)}`;
    serve(
      server,
      '/long.xml',
      `<urlset><url><loc>${long}</loc></url><url><loc>${origin}/a</loc></url></urlset>`,
    );

    const { items, warnings } = await run(['/long.xml'], { maxUrlLength: 50 });

    expect(items.map((item) => item.loc)).toEqual([`${origin}/a`]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'TRAWL_SITEMAP_URLS_TOO_LONG', count: 1 }),
    ]);
  });

  test('rejects an unknown option and names the one meant', async () => {
    const iterate = collect(parseSitemap([], undefined, { maxDepht: 2 } as never));

    await expect(iterate).rejects.toMatchObject({
      code: 'TRAWL_SITEMAP_INVALID_OPTION',
      message: 'Unknown option "maxDepht" for parseSitemap; did you mean "maxDepth"?',
    });
  });

  test('rejects a negative sitemapRetries', async () => {
    await expect(collect(parseSitemap([], undefined, { sitemapRetries: -1 }))).rejects.toThrow(
      'sitemapRetries must be a non-negative integer, got -1',
    );
  });
});

describe('parseSitemap retries', () => {
  test('retries a 503 and reads the sitemap when it comes back', async () => {
    let calls = 0;
    server.route('/flaky.xml', (_req, res) => {
      calls += 1;
      if (calls <= 2) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/xml' }).end(urlset(origin, 2));
    });

    const { items, errors, warnings } = await run(['/flaky.xml']);

    expect(items).toHaveLength(2);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => [w.code, w.attempt])).toEqual([
      ['TRAWL_SITEMAP_RETRY', 1],
      ['TRAWL_SITEMAP_RETRY', 2],
    ]);
  });

  test('gives up after sitemapRetries and says how many attempts were made', async () => {
    server.route('/down.xml', (_req, res) => void res.writeHead(503).end('down'));

    const { errors } = await run(['/down.xml'], { sitemapRetries: 1 });

    expect(server.seen.filter((request) => request.path === '/down.xml')).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'TRAWL_SITEMAP_FETCH', statusCode: 503 });
    expect(errors[0]?.message).toBe(
      `Sitemap ${origin}/down.xml answered status 503 on all 2 attempts; ` +
        'check the host and the proxy, or try again later',
    );
  });

  test('does not retry a 404', async () => {
    await run(['/gone.xml']);

    expect(server.seen.filter((request) => request.path === '/gone.xml')).toHaveLength(1);
  });

  test('resumes after a connection drops mid-body without yielding a URL twice', async () => {
    const body = urlset(origin, 2_000);
    let calls = 0;
    server.route('/dropped.xml', (_req, res) => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': body.length });
      if (calls === 1) {
        res.write(body.slice(0, body.length / 2), () => res.destroy());
        return;
      }
      res.end(body);
    });

    const { items, errors } = await run(['/dropped.xml']);

    expect(errors).toEqual([]);
    expect(calls).toBe(2);
    expect(items.map((item) => item.loc)).toEqual(
      Array.from({ length: 2_000 }, (_, i) => `${origin}/page/${i}`),
    );
  });
});

describe('parseSitemap sources and signals', () => {
  test('reads a raw XML string, naming it by its hash', async () => {
    const content = urlset('https://shop.example', 2);

    const items = await collect(parseSitemap([{ type: 'raw', content }]));

    expect(items.map((item) => item.loc)).toEqual([
      'https://shop.example/page/0',
      'https://shop.example/page/1',
    ]);
    expect(items[0]?.originSitemapUrl).toMatch(/^raw:\/\/[A-Za-z0-9+/]+=*$/);
  });

  test('reads a raw text sitemap', async () => {
    const content = fixture('urls.txt', 'https://shop.example');

    const items = await collect(parseSitemap([{ type: 'raw', content }]));

    expect(items.map((item) => item.loc)).toEqual([
      'https://shop.example/text/1',
      'https://shop.example/text/2',
      'https://elsewhere.example/text/3',
    ]);
  });

  test('stops with TRAWL_SITEMAP_ABORTED when the signal aborts mid-download', async () => {
    const controller = new AbortController();
    server.route('/slow.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write(urlset(origin, 1).replace('</urlset>', ''));
      // The rest never comes; the test aborts instead.
    });
    const sources = [{ type: 'url' as const, url: server.url('/slow.xml') }];

    const iterate = async () => {
      for await (const item of parseSitemap(sources, undefined, { signal: controller.signal })) {
        expect(item.loc).toBe(`${origin}/page/0`);
        controller.abort();
      }
    };

    await expect(iterate()).rejects.toMatchObject({
      code: 'TRAWL_SITEMAP_ABORTED',
      sitemapUrl: `${origin}/slow.xml`,
    });
  });

  test('closes the download when the caller stops iterating', async () => {
    let isClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (isClosed = resolve));
    server.route('/endless.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write(urlset(origin, 5).replace('</urlset>', ''));
      res.on('close', isClosed);
    });
    const sources = [{ type: 'url' as const, url: server.url('/endless.xml') }];

    for await (const item of parseSitemap(sources)) {
      expect(item.loc).toBe(`${origin}/page/0`);
      break;
    }

    await closed;
  });
});

describe('parseSitemap and credentials', () => {
  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  test('keeps proxy credentials out of errors and warnings', async () => {
    const proxyUrl = `http://crawler:s3cret-pass@127.0.0.1:${await closedPort()}`;
    const errors: SitemapError[] = [];
    const warnings: SitemapWarning[] = [];
    const sources = [{ type: 'url' as const, url: server.url('/sitemap.xml') }];

    await collect(
      parseSitemap(sources, proxyUrl, {
        sitemapRetries: 1,
        sitemapRetryDelaySecs: 0,
        onError: (error) => errors.push(error),
        onWarning: (warning) => warnings.push(warning),
      }),
    );

    expect(errors).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    const cause = errors[0]!.cause as Error;
    const shown = [errors[0]!.message, errors[0]!.stack, cause.message, cause.stack];
    shown.push(warnings[0]!.message, warnings[0]!.error?.message, warnings[0]!.error?.stack);
    for (const text of shown) {
      expect(text).not.toContain('s3cret-pass');
    }
    expect(errors[0]!.code).toBe('TRAWL_SITEMAP_FETCH');
  });

  test('masks user info of a sitemap URL in messages', async () => {
    const url = server.url('/missing.xml').replace('http://', 'http://bob:hunter22@');

    const errors: SitemapError[] = [];
    await collect(
      parseSitemap([{ type: 'url', url }], undefined, { onError: (e) => errors.push(e) }),
    );

    expect(errors[0]!.message).toContain('http://***@127.0.0.1');
    expect(errors[0]!.message).not.toContain('hunter22');
  });
});
