import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import {
  ConfigurationError,
  RequestHandlerTimeoutError,
  HttpCrawler,
  ResponseTooLargeError,
  UnsupportedContentTypeError,
  createHttpRouter,
  type HttpCrawlerOptions,
} from '../src/index.js';
import { failureRecorder, memoryConfig, quietLog, sendBytes } from './helpers.js';

const CZECH = 'Příliš žluťoučký kůň úpěl ďábelské ódy';
const JAPANESE = '日本語のページです';

describe('HttpCrawler', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  function crawler(options: HttpCrawlerOptions) {
    return new HttpCrawler({ log: quietLog(), retryDelaySecs: 0, ...options }, memoryConfig());
  }

  describe('charsets', () => {
    const page = (text: string, head = '') =>
      `<html><head>${head}<title>t</title></head><body><p>${text}</p></body></html>`;

    test('decodes UTF-8, windows-1250 and Shift_JIS bodies, header before meta', async () => {
      server.route('/utf8', page(CZECH), 'text/html; charset=utf-8');
      server.route('/cp1250', (_req, res) =>
        sendBytes(
          res,
          iconv.encode(page(CZECH), 'windows-1250'),
          'text/html; charset=windows-1250',
        ),
      );
      server.route('/sjis-meta', (_req, res) =>
        sendBytes(
          res,
          iconv.encode(page(JAPANESE, '<meta charset="shift_jis">'), 'shift_jis'),
          'text/html',
        ),
      );
      server.route('/header-beats-meta', (_req, res) => {
        const body = iconv.encode(page(CZECH, '<meta charset="utf-8">'), 'windows-1250');
        sendBytes(res, body, 'text/html; charset=windows-1250');
      });
      const seen: Record<string, { body: string; encoding: string }> = {};

      await crawler({
        requestHandler: ({ request, body, contentType }) => {
          seen[new URL(request.url).pathname] = {
            body: body as string,
            encoding: contentType.encoding,
          };
        },
      }).run(['/utf8', '/cp1250', '/sjis-meta', '/header-beats-meta'].map((p) => server.url(p)));

      expect(seen['/utf8']).toEqual({ body: page(CZECH), encoding: 'utf-8' });
      expect(seen['/cp1250']).toEqual({ body: page(CZECH), encoding: 'windows-1250' });
      expect(seen['/sjis-meta']!.encoding).toBe('shift_jis');
      expect(seen['/sjis-meta']!.body).toContain(JAPANESE);
      expect(seen['/header-beats-meta']!.body).toContain(CZECH);
    });

    test('forceResponseEncoding beats the header; suggestResponseEncoding fills gaps', async () => {
      server.route('/lying', (_req, res) =>
        sendBytes(res, iconv.encode(page(CZECH), 'windows-1250'), 'text/html; charset=utf-8'),
      );
      server.route('/silent', (_req, res) =>
        sendBytes(res, iconv.encode(page(CZECH), 'windows-1250'), 'text/html'),
      );
      const bodies: string[] = [];
      const handler: HttpCrawlerOptions['requestHandler'] = ({ body }) =>
        void bodies.push(body as string);

      await crawler({ forceResponseEncoding: 'windows-1250', requestHandler: handler }).run([
        server.url('/lying'),
      ]);
      await crawler({ suggestResponseEncoding: 'cp1250', requestHandler: handler }).run([
        server.url('/silent'),
      ]);

      expect(bodies).toEqual([page(CZECH), page(CZECH)]);
    });

    test('refuses an encoding it cannot decode at construction', () => {
      expect(() => crawler({ forceResponseEncoding: 'x-martian' })).toThrow(ConfigurationError);
    });
  });

  describe('content types', () => {
    test('fails a PDF at once, naming its type, without retries', async () => {
      server.route('/doc.pdf', (_req, res) =>
        sendBytes(res, Buffer.from('%PDF-1.4'), 'application/pdf'),
      );
      const { failures, failedRequestHandler } = failureRecorder();
      let handled = 0;

      const stats = await crawler({
        failedRequestHandler,
        requestHandler: () => void (handled += 1),
      }).run([server.url('/doc.pdf')]);

      expect(handled).toBe(0);
      expect(stats.requestsFailed).toBe(1);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.retryCount).toBe(0);
      expect(failures[0]!.error).toBeInstanceOf(UnsupportedContentTypeError);
      expect(failures[0]!.error.message).toContain('application/pdf');
      expect(server.seen).toHaveLength(1);
    });

    test('hands an accepted additional type over as a Buffer', async () => {
      const pdf = Buffer.from('%PDF-1.4 binary \u00ff');
      server.route('/doc.pdf', (_req, res) => sendBytes(res, pdf, 'application/pdf'));
      let received: unknown;

      await crawler({
        additionalMimeTypes: ['application/pdf'],
        requestHandler: ({ body, json }) => {
          received = { isBuffer: Buffer.isBuffer(body), same: pdf.equals(body as Buffer), json };
        },
      }).run([server.url('/doc.pdf')]);

      expect(received).toEqual({ isBuffer: true, same: true, json: null });
    });

    test('parses JSON bodies lazily into json, keeping body as bytes', async () => {
      server.route(
        '/api',
        JSON.stringify({ items: [1, 2], name: 'Žluťoučký' }),
        'application/json',
      );
      let received: unknown;

      await crawler({
        requestHandler: ({ body, json, contentType }) => {
          received = { isBuffer: Buffer.isBuffer(body), json, type: contentType.type };
        },
      }).run([server.url('/api')]);

      expect(received).toEqual({
        isBuffer: true,
        json: { items: [1, 2], name: 'Žluťoučký' },
        type: 'application/json',
      });
    });
  });

  describe('maxResponseBytes', () => {
    test('fails a response declared larger than the limit without reading it', async () => {
      server.route('/big', (_req, res) => sendBytes(res, Buffer.alloc(300_000, 'a'), 'text/html'));
      const { failures, failedRequestHandler } = failureRecorder();

      await crawler({
        maxResponseBytes: 100_000,
        failedRequestHandler,
        requestHandler: () => {},
      }).run([server.url('/big')]);

      expect(failures).toHaveLength(1);
      expect(failures[0]!.error).toBeInstanceOf(ResponseTooLargeError);
      expect(failures[0]!.error.message).toContain('maxResponseBytes (100000 bytes)');
      expect(failures[0]!.retryCount).toBe(0);
    });

    test('cuts off an endless chunked download once it passes the limit', async () => {
      let written = 0;
      let closedEarly = false;
      server.route('/endless', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.on('close', () => (closedEarly = !res.writableFinished));
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (!res.destroyed && written < 200 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });
      const { failures, failedRequestHandler } = failureRecorder();

      await crawler({
        maxResponseBytes: 1024 * 1024,
        failedRequestHandler,
        requestHandler: () => {},
      }).run([server.url('/endless')]);

      expect(failures[0]!.error).toBeInstanceOf(ResponseTooLargeError);
      await expect.poll(() => closedEarly, { timeout: 5000 }).toBe(true);
      expect(written).toBeLessThan(50 * 1024 * 1024);
    });
  });

  describe('options', () => {
    test('rejects an unknown option, naming the one meant', () => {
      expect(() => crawler({ navigationTimeoutSec: 5 } as HttpCrawlerOptions)).toThrow(
        /did you mean "navigationTimeoutSecs"/,
      );
    });

    test('starts at desiredConcurrency 10 unless pool options are given', async () => {
      server.route('/', 'ok', 'text/html');
      const seen: number[] = [];
      const options: HttpCrawlerOptions = {
        requestHandler: ({ crawler: running }) => {
          seen.push((running as HttpCrawler).autoscaledPool!.desiredConcurrency);
        },
      };

      await crawler(options).run([server.url('/')]);
      await crawler({ ...options, autoscaledPoolOptions: { maxConcurrency: 50 } }).run([
        server.url('/'),
      ]);

      expect(seen).toEqual([10, 1]);
    });

    test('gives the handler navigation + handler + 10 seconds in all', () => {
      const instance = crawler({ navigationTimeoutSecs: 5, requestHandlerTimeoutSecs: 7 });

      expect(
        (instance as unknown as { requestHandlerTimeoutMillis: number })
          .requestHandlerTimeoutMillis,
      ).toBe(22_000);
    });

    test('exceeding requestHandlerTimeoutSecs fails with RequestHandlerTimeoutError', async () => {
      server.route('/', 'ok', 'text/html');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { failures, failedRequestHandler } = failureRecorder();

      await crawler({
        requestHandlerTimeoutSecs: 0.2,
        maxRequestRetries: 0,
        failedRequestHandler,
        requestHandler: () => gate,
      }).run([server.url('/')]);
      release();

      expect(failures[0]!.error).toBeInstanceOf(RequestHandlerTimeoutError);
    });

    test('accepts the deprecated handlePageFunction as requestHandler', async () => {
      server.route('/', 'ok', 'text/html');
      let called = false;

      await crawler({ handlePageFunction: () => void (called = true) }).run([server.url('/')]);

      expect(called).toBe(true);
    });
  });

  describe('requests and routing', () => {
    test('sends the method, payload and headers of the request', async () => {
      server.route('/api', async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
          chunks.push(chunk as Buffer);
        }
        const echo = {
          method: req.method,
          body: Buffer.concat(chunks).toString(),
          x: req.headers['x-key'],
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
      });
      const answers: unknown[] = [];

      await crawler({ requestHandler: ({ json }) => void answers.push(json) }).run([
        { url: server.url('/api'), method: 'POST', payload: 'a=1', headers: { 'x-key': 'k' } },
      ]);

      expect(answers).toEqual([{ method: 'POST', body: 'a=1', x: 'k' }]);
    });

    test('crawler.router and createHttpRouter route by label with no requestHandler', async () => {
      server.route('/', '<a href="/item">item</a>');
      server.route('/item', '<h1>Item</h1>');
      const seen: string[] = [];
      const instance = crawler({});
      instance.router.addDefaultHandler(({ enqueueLinks }) =>
        enqueueLinks({ label: 'ITEM' }).then(() => undefined),
      );
      instance.router.addHandler('ITEM', async ({ parseWithCheerio }) => {
        const $ = await parseWithCheerio();
        seen.push($('h1').text());
      });
      const router = createHttpRouter();
      router.addDefaultHandler(({ body }) => void seen.push(String(body)));

      await instance.run([server.url('/')]);
      await crawler({ requestHandler: router }).run([server.url('/item')]);

      expect(seen).toEqual(['Item', '<h1>Item</h1>']);
    });
  });

  describe('navigation hooks', () => {
    test('preNavigationHooks change requests; postNavigationHooks see the response', async () => {
      server.route(
        '/',
        (req, res) =>
          void res.writeHead(200, { 'content-type': 'text/html' }).end(req.headers['x-trawl']),
      );
      const events: string[] = [];

      await crawler({
        preNavigationHooks: [
          (_context, gotOptions) => {
            gotOptions.headers = { ...gotOptions.headers, 'x-trawl': 'hooked' };
            events.push('pre');
          },
        ],
        postNavigationHooks: [({ response }) => void events.push(`post ${response.statusCode}`)],
        requestHandler: ({ body }) => void events.push(`handler ${String(body)}`),
      }).run([server.url('/')]);

      expect(events).toEqual(['pre', 'post 200', 'handler hooked']);
    });
  });
});
