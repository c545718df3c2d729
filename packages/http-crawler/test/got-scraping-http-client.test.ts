import { createServer, request as httpRequest, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

import { gotScraping } from 'got-scraping';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import {
  GotScrapingHttpClient,
  HttpCrawler,
  ProxyConfiguration,
  Session,
  SessionError,
  type HttpRequest,
  type ProxyInfo,
} from '../src/index.js';
import { NavigationCookies } from '../src/navigation-cookies.js';
import { failureRecorder, memoryConfig, quietLog, selfSignedCertificate } from './helpers.js';

function portOf(server: Server | Http2SecureServer): number {
  return (server.address() as AddressInfo).port;
}

/**
 * An HTTP/2 server over TLS (HTTP/1.1 allowed) that answers with the protocol it spoke and keeps
 * the raw headers of every request, pseudo-headers included, in the order they came.
 */
async function startTlsServer(coversIp: boolean) {
  const { key, cert } = await selfSignedCertificate({ coversIp });
  const versions: string[] = [];
  const rawHeaders: string[][] = [];
  const sessions = new Set<ServerHttp2Session>();
  const server = createSecureServer({ key, cert, allowHTTP1: true }, (req, res) => {
    versions.push(req.httpVersion);
    rawHeaders.push(req.rawHeaders);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<title>over ${req.httpVersion}</title>`);
  });
  server.on('session', (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${portOf(server)}/`,
    versions,
    rawHeaders,
    close: async () => {
      // The client keeps HTTP/2 sessions open for reuse; close ends only once they are gone.
      sessions.forEach((session) => session.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A navigation's options, in the shape `createRequestOptions` gives them. */
function navigationOptions(url: string, session: Session): HttpRequest {
  return {
    url,
    method: 'GET',
    headers: { 'X-Trace': 'abc', Accept: 'text/html' },
    body: undefined,
    proxyUrl: undefined,
    timeout: { request: 10_000 },
    signal: new AbortController().signal,
    cookieJar: new NavigationCookies(session, url, 'fromRequest=1'),
    followRedirect: true,
    maxRedirects: 10,
    https: { rejectUnauthorized: false },
    http2: true,
    sessionToken: session,
  };
}

async function drain(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString();
}

async function sendWithClient(request: HttpRequest): Promise<string> {
  const response = await new GotScrapingHttpClient().stream(request, () => {});
  return drain(response.stream);
}

/** Sends `request` with one got-scraping call, as the client did before it built got's options. */
async function sendAsBefore(request: HttpRequest): Promise<string> {
  const { url, ...options } = request;
  const stream = gotScraping(url, {
    ...options,
    isStream: true,
    throwHttpErrors: false,
    retry: { limit: 0 },
    hooks: { beforeRedirect: [async () => {}] },
  } as never) as unknown as Readable;
  await new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', resolve);
  });
  return drain(stream);
}

/** The header names of raw headers (`[name, value, name, value, ...]`), in order. */
const namesOf = (rawHeaders: string[]): string[] => rawHeaders.filter((_, i) => i % 2 === 0);

/** The value of header `name` (as sent) in raw headers. */
const valueOf = (rawHeaders: string[], name: string): string | undefined =>
  rawHeaders[rawHeaders.indexOf(name) + 1];

describe('GotScrapingHttpClient over HTTP/2 and TLS', () => {
  let server: Awaited<ReturnType<typeof startTlsServer>>;
  let mismatched: Awaited<ReturnType<typeof startTlsServer>>;

  beforeAll(async () => {
    [server, mismatched] = await Promise.all([startTlsServer(true), startTlsServer(false)]);
  });
  afterAll(() => Promise.all([server.close(), mismatched.close()]));

  async function crawl(url: string) {
    const seen: unknown[] = [];
    const stats = await new HttpCrawler(
      {
        log: quietLog(),
        httpClient: new GotScrapingHttpClient(),
        requestHandler: ({ body, response, request }) =>
          void seen.push({ body, version: response.httpVersion, retries: request.retryCount }),
      },
      memoryConfig(),
    ).run([url]);
    return { seen, stats };
  }

  test('negotiates HTTP/2 with a server that offers it, accepting a self-signed cert', async () => {
    const { seen } = await crawl(server.url);

    expect(seen).toEqual([{ body: '<title>over 2.0</title>', version: '2.0', retries: 0 }]);
    expect(server.versions).toEqual(['2.0']);
  });

  test('falls back to HTTP/1.1 when the certificate does not name the host', async () => {
    const { seen } = await crawl(mismatched.url);

    expect(seen).toEqual([{ body: '<title>over 1.1</title>', version: '1.1', retries: 0 }]);
  });

  test('with ignoreSslErrors off, a self-signed certificate fails the navigation', async () => {
    const { failures, failedRequestHandler } = failureRecorder();

    await new HttpCrawler(
      {
        log: quietLog(),
        httpClient: new GotScrapingHttpClient(),
        ignoreSslErrors: false,
        maxRequestRetries: 0,
        failedRequestHandler,
        requestHandler: () => {},
      },
      memoryConfig(),
    ).run([server.url]);

    expect(failures).toHaveLength(1);
    expect(failures[0]!.error.message).toMatch(/self[- ]signed certificate/);
  });

  test('over HTTP/2 sends what got-scraping sends, the same for a whole session', async () => {
    const session = new Session();
    const url = `${server.url}headers`;
    session.setCookie('fromSession=2; Path=/', url);
    server.rawHeaders.length = 0;

    await sendWithClient(navigationOptions(url, session));
    await sendWithClient(navigationOptions(url, session));
    await sendAsBefore(navigationOptions(url, session));

    const [first, second, before] = server.rawHeaders;
    expect(namesOf(first!)).toEqual(expect.arrayContaining([':method', 'user-agent', 'x-trace']));
    expect(second).toEqual(first);
    expect(before).toEqual(first);
    expect(server.versions.slice(-3)).toEqual(['2.0', '2.0', '2.0']);
  });

  test('over TLS without HTTP/2 sends the headers got-scraping sends', async () => {
    const session = new Session();
    const url = `${server.url}headers`;
    server.rawHeaders.length = 0;

    await sendWithClient({ ...navigationOptions(url, session), http2: false });
    await sendAsBefore({ ...navigationOptions(url, session), http2: false });

    const [first, before] = server.rawHeaders;
    expect(namesOf(first!)).toEqual(expect.arrayContaining(['Host', 'User-Agent', 'x-trace']));
    expect(before).toEqual(first);
    expect(server.versions.slice(-2)).toEqual(['1.1', '1.1']);
  });

  test('the client alone streams the body', async () => {
    const response = await new GotScrapingHttpClient().stream({
      url: server.url,
      https: { rejectUnauthorized: false },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response.stream) {
      chunks.push(chunk as Buffer);
    }

    expect(response.statusCode).toBe(200);
    expect(Buffer.concat(chunks).toString()).toBe('<title>over 2.0</title>');
  });
});

describe('GotScrapingHttpClient over HTTP/1.1', () => {
  let target: TestServer;
  const rawHeaders: string[][] = [];

  beforeAll(async () => {
    target = await startTestServer('127.0.0.4');
    target.route('/headers', (req, res) => {
      rawHeaders.push(req.rawHeaders);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('headers seen');
    });
  });
  beforeEach(() => {
    rawHeaders.length = 0;
  });
  afterAll(() => target.close());

  test("sendRequest sends what got-scraping sent for it, and a handler's options win", async () => {
    target.route('/visit', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'visited=1; Path=/' });
      res.end('<title>visit</title>');
    });
    target.route('/data', '{"answer":42}', 'application/json');
    const results: unknown[] = [];

    await new HttpCrawler(
      {
        log: quietLog(),
        requestHandler: async ({ session, sendRequest }) => {
          const text = await sendRequest({ url: target.url('/headers') });
          // The call sendRequest made before it built got's options itself.
          await gotScraping({
            url: target.url('/headers'),
            method: 'GET',
            headers: {},
            sessionToken: session,
            responseType: 'text',
            cookieJar: {
              getCookieString: async (url: string) => session!.getCookieString(url),
              setCookie: async (rawCookie: string, url: string) =>
                session!.setCookie(rawCookie, url),
            },
            retry: { limit: 0 },
            throwHttpErrors: false,
          });
          const json = await sendRequest({ url: target.url('/data'), responseType: 'json' });
          results.push(text.body, json.body);
        },
      },
      memoryConfig(),
    ).run([target.url('/visit')]);

    const [viaSendRequest, before] = rawHeaders;
    expect(results).toEqual(['headers seen', { answer: 42 }]);
    expect(valueOf(viaSendRequest!, 'Cookie')).toBe('visited=1');
    expect(before).toEqual(viaSendRequest);
  });

  test('sends what got-scraping sends, in its order, the same for a whole session', async () => {
    const session = new Session();
    const url = target.url('/headers');
    session.setCookie('fromSession=2; Path=/', url);

    const bodies = [
      await sendWithClient(navigationOptions(url, session)),
      await sendWithClient(navigationOptions(url, session)),
      await sendAsBefore(navigationOptions(url, session)),
    ];

    const [first, second, before] = rawHeaders;
    expect(bodies).toEqual(['headers seen', 'headers seen', 'headers seen']);
    expect(namesOf(first!)).toEqual(
      expect.arrayContaining(['Host', 'User-Agent', 'Accept', 'Cookie', 'x-trace', 'Connection']),
    );
    expect(valueOf(first!, 'Cookie')).toBe('fromRequest=1; fromSession=2');
    expect(second).toEqual(first);
    expect(before).toEqual(first);
  });

  test("passes options beyond a navigation's to got-scraping as they are", async () => {
    const request: HttpRequest = {
      url: target.url('/headers'),
      hooks: {
        beforeRequest: [
          (options: { headers: Record<string, string> }) => {
            options.headers['x-hooked'] = 'yes';
          },
        ],
      },
    };

    await sendWithClient(request);

    expect(namesOf(rawHeaders[0]!)).toContain('x-hooked');
  });

  test('a value got-scraping refuses rejects with its error, nothing left unhandled', async () => {
    const request = { url: target.url('/headers'), proxyUrl: 'not a url' };

    await expect(new GotScrapingHttpClient().stream(request)).rejects.toThrow(
      /`proxyUrl` to be a URL/,
    );
  });
});

describe('proxies', () => {
  let target: TestServer;
  let proxy: Server;
  const proxied: { url: string; authorization?: string }[] = [];

  beforeAll(async () => {
    target = await startTestServer('127.0.0.3');
    target.route('/page', '<title>through the proxy</title>');
    target.route('/extra', 'extra', 'text/plain');
    // A forward proxy: plain-HTTP requests arrive with the absolute URL as their target.
    proxy = createServer((req, res) => {
      proxied.push({ url: req.url!, authorization: req.headers['proxy-authorization'] });
      const upstream = httpRequest(
        req.url!,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await target.close();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  test('navigations and sendRequest go through the session proxy', async () => {
    const proxyUrl = `http://scraper:s3cret@127.0.0.1:${portOf(proxy)}`;
    const sessionIds: (string | undefined)[] = [];
    const seen: unknown[] = [];

    await new HttpCrawler(
      {
        log: quietLog(),
        proxyConfiguration: {
          newProxyInfo: (sessionId?: string): ProxyInfo => {
            sessionIds.push(sessionId);
            return { url: proxyUrl, sessionId };
          },
        },
        requestHandler: async ({ body, proxyInfo, sendRequest }) => {
          const extra = await sendRequest({ url: target.url('/extra') });
          seen.push({ body, proxy: proxyInfo?.url, extra: extra.body });
        },
      },
      memoryConfig(),
    ).run([target.url('/page')]);

    expect(seen).toEqual([
      { body: '<title>through the proxy</title>', proxy: proxyUrl, extra: 'extra' },
    ]);
    expect(proxied.map((entry) => entry.url)).toEqual([target.url('/page'), target.url('/extra')]);
    const credentials = `Basic ${Buffer.from('scraper:s3cret').toString('base64')}`;
    expect(proxied[0]!.authorization).toBe(credentials);
    expect(sessionIds).toHaveLength(1);
    expect(sessionIds[0]).toEqual(expect.any(String));
  });

  test('a ProxyConfiguration binds each session to one proxy of its list', async () => {
    proxied.length = 0;
    target.route('/second', '<p>second</p>');
    const proxyUrl = `http://scraper:s3cret@127.0.0.1:${portOf(proxy)}`;
    const proxyConfiguration = new ProxyConfiguration({ proxyUrls: [proxyUrl, null] });
    const used: { session?: string; proxy?: string }[] = [];

    await new HttpCrawler(
      {
        log: quietLog(),
        maxConcurrency: 1,
        proxyConfiguration,
        requestHandler: ({ session, proxyInfo }) => {
          used.push({ session: session?.id, proxy: proxyInfo?.url });
        },
      },
      memoryConfig(),
    ).run([target.url('/page'), target.url('/second')]);

    // A new session per request while the pool fills: round robin gives the proxy, then none.
    expect(used.map((entry) => entry.proxy)).toEqual([proxyUrl, undefined]);
    expect(proxied.map((entry) => entry.url)).toEqual([target.url('/page')]);
    expect(JSON.stringify(await proxyConfiguration.newProxyInfo('x'))).not.toContain('s3cret');
  });

  test('a dead proxy rotates the session, and its password stays out of the error', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://scraper:s3cret@127.0.0.1:${portOf(dead)}`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const { failures, failedRequestHandler } = failureRecorder();

    await new HttpCrawler(
      {
        log: quietLog(),
        maxSessionRotations: 2,
        proxyConfiguration: { newProxyInfo: () => ({ url: deadUrl }) },
        failedRequestHandler,
        requestHandler: () => {},
      },
      memoryConfig(),
    ).run([target.url('/page')]);

    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(SessionError);
    expect(failures[0]!.error.message).toContain('Proxy connection failed');
    expect(failures[0]!.error.message).not.toContain('s3cret');
  });
});
