import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { parseSitemap, type SitemapError, type SitemapUrl } from '../src/index.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { collect, originOf, serve, urlset } from './fixtures.js';

const MIB = 2 ** 20;

let server: TestServer;
let origin: string;

beforeAll(async () => {
  server = await startTestServer();
  origin = originOf(server);
});
beforeEach(() => server.reset());
afterAll(() => server.close());

async function read(path: string, options: Parameters<typeof parseSitemap>[2] = {}) {
  const errors: SitemapError[] = [];
  const sources = [{ type: 'url' as const, url: server.url(path) }];
  const items = (await collect(
    parseSitemap(sources, undefined, { onError: (error) => errors.push(error), ...options }),
  )) as SitemapUrl[];
  return { locs: items.map((item) => item.loc.replace(origin, '')), errors };
}

/**
 * Answers with a gzip bomb: one member holding the start of a urlset and a first URL, then
 * `mebibytes` members of 1 MiB of blanks each (about 1 KiB compressed), written as fast as the
 * client reads them and no faster.
 */
function serveBomb(path: string, mebibytes: number): void {
  const head = gzipSync(`<?xml version="1.0"?>\n<urlset><url><loc>${origin}/first</loc></url>`);
  const blanks = gzipSync(Buffer.alloc(MIB, 0x20), { level: 9 });
  function* body(): Generator<Buffer> {
    yield head;
    for (let i = 0; i < mebibytes; i++) {
      yield blanks;
    }
  }
  server.route(path, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    // pipeline() writes only as fast as the client reads, and stops when it hangs up.
    pipeline(Readable.from(body()), res, () => {});
  });
}

describe('reading sitemap content', () => {
  test('gunzips by the magic bytes, whatever the name says', async () => {
    serve(server, '/sitemap.xml', gzipSync(urlset(origin, 2)), 'text/xml');
    serve(server, '/plain.xml.gz', urlset(origin, 1, 10), 'application/gzip');

    const { locs, errors } = await read('/sitemap.xml');
    const plain = await read('/plain.xml.gz');

    expect(locs).toEqual(['/page/0', '/page/1']);
    expect(plain.locs).toEqual(['/page/10']);
    expect([...errors, ...plain.errors]).toEqual([]);
  });

  test('reads a gzipped sitemap that is also sent with Content-Encoding gzip', async () => {
    server.route('/double.xml.gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-encoding': 'gzip' });
      res.end(gzipSync(gzipSync(urlset(origin, 3))));
    });

    expect((await read('/double.xml.gz')).locs).toEqual(['/page/0', '/page/1', '/page/2']);
  });

  test('reads a sitemap that starts with a byte order mark', async () => {
    serve(server, '/bom.xml', `\uFEFF${urlset(origin, 1)}`);

    expect((await read('/bom.xml')).locs).toEqual(['/page/0']);
  });

  test('reports broken gzip as a parse error', async () => {
    serve(server, '/broken.xml.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]));

    const { errors } = await read('/broken.xml.gz');

    expect(errors[0]).toMatchObject({ code: 'TRAWL_SITEMAP_PARSE' });
    expect(errors[0]?.message).toMatch(/^Sitemap .*\/broken\.xml\.gz is not valid gzip \(/);
  });

  test('yields the URLs of a truncated gzip file before reporting it', async () => {
    const whole = gzipSync(urlset(origin, 5_000));
    serve(server, '/cut.xml.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));

    const { locs, errors } = await read('/cut.xml.gz');

    expect(locs.length).toBeGreaterThan(1_000);
    expect(locs.length).toBeLessThan(5_000);
    expect(errors[0]).toMatchObject({ code: 'TRAWL_SITEMAP_PARSE' });
  });

  test('reports binary content as not a sitemap', async () => {
    serve(server, '/image.xml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]));

    const { errors } = await read('/image.xml');

    expect(errors[0]?.code).toBe('TRAWL_SITEMAP_CONTENT_TYPE');
    expect(errors[0]?.message).toContain('is binary data, not a sitemap');
  });

  test('stops a gzip bomb at maxDecompressedBytes with a typed error', async () => {
    serveBomb('/bomb.xml', 64);

    const { locs, errors } = await read('/bomb.xml', { maxDecompressedBytes: 8 * MIB });

    expect(locs).toEqual(['/first']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'TRAWL_SITEMAP_TOO_LARGE', name: 'SitemapError' });
    expect(errors[0]?.message).toBe(
      `Sitemap ${origin}/bomb.xml is larger than ${8 * MIB} bytes once decompressed ` +
        '(maxDecompressedBytes); the URLs before the limit were read, ' +
        'raise the limit if the file is genuine',
    );
  });

  test('stops a 1 GiB gzip bomb at the default limit with flat memory', async () => {
    serveBomb('/huge-bomb.xml', 1_024);
    const script = join(import.meta.dirname, 'fixtures', 'parse-bomb.ts');

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, server.url('/huge-bomb.xml')],
      { cwd: join(import.meta.dirname, '..', '..', '..') },
    );

    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      urls: number;
      codes: string[];
      rssGrowthBytes: number;
    };
    expect(result.urls).toBe(1);
    expect(result.codes).toEqual(['TRAWL_SITEMAP_TOO_LARGE']);
    expect(result.rssGrowthBytes).toBeLessThan(100 * MIB);
  });
});
